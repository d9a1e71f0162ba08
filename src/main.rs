//! The `er-precision-gate` binary: wires the library's stages together and
//! maps the result to an exit code (0 passed, 1 failed, 2 could not evaluate).

use std::io::Write;
use std::process::ExitCode;

use er_precision_gate::error::Error;
use er_precision_gate::inputs::{Env, Inputs, Request};
use er_precision_gate::integrations::github::{Actions, Annotation, Level};
use er_precision_gate::report::render;

fn main() -> ExitCode {
    let env = Env::from_process();
    env_logger::Builder::new()
        .parse_filters(&env.log_filter())
        .format_timestamp(None)
        .target(env_logger::Target::Stderr)
        .init();
    let actions = Actions::from_env(&env);
    let mut stdout = std::io::stdout().lock();
    let inputs = match Inputs::load(&env, std::env::args_os()) {
        Ok(Request::Run(inputs)) => {
            // Before anything else is printed or logged.
            if let Err(e) = actions.mask(&inputs.secrets(), &mut stdout) {
                eprintln!("error: {e}");
            }
            inputs
        }
        Ok(Request::Print(text)) => {
            let _ = write!(stdout, "{text}");
            return ExitCode::SUCCESS;
        }
        Err(err) => return fail(&err, &actions, true, &mut stdout),
    };
    let evaluation = match er_precision_gate::evaluate(&inputs, env.now()) {
        Ok(evaluation) => evaluation,
        Err(err) => return fail(&err, &actions, inputs.summary, &mut stdout),
    };
    log::info!(
        "evaluated {} rows of `{}` in {:.3} s",
        evaluation.tally.counts.rows() + evaluation.tally.skipped.rows,
        inputs.validation_set.display(),
        evaluation.elapsed.as_secs_f64()
    );
    let (report, outputs) =
        match er_precision_gate::publish(&evaluation, &inputs, &actions, &mut stdout) {
            Ok(published) => published,
            // Everything is rendered before anything is written, so a failure
            // here has left no summary behind: say why in one.
            Err(err) => return fail(&err, &actions, inputs.summary, &mut stdout),
        };
    // Side effects last. Each failure is already reported (annotation,
    // summary line) and only changes the exit code, decided here once.
    let card = outputs.iter().find(|(name, _)| *name == "model_card").map(|(_, p)| p.as_str());
    let side_effects = [
        er_precision_gate::push_metrics(&report, &inputs, &actions, &mut stdout),
        er_precision_gate::comment(&report, card, &inputs, &actions, &mut stdout),
    ];
    let mut code = evaluation.verdict.outcome.exit_code();
    for err in side_effects.iter().filter_map(|r| r.as_ref().err()) {
        print_error(err);
        code = err.exit_code();
    }
    ExitCode::from(code)
}

/// `error: …` on stderr, then `caused by: …` per source.
fn print_error(err: &Error) {
    eprintln!("error: {err}");
    for cause in err.causes() {
        eprintln!("caused by: {cause}");
    }
}

/// Reports an error once (stderr, `::error` annotation, job summary) and
/// returns exit code 2.
fn fail(err: &Error, actions: &Actions, summary: bool, out: &mut dyn Write) -> ExitCode {
    match err {
        // clap renders its own message, usage and hint.
        Error::Flags(e) => eprint!("{e}"),
        _ => print_error(err),
    }
    if actions.is_enabled() {
        let mut message = err.to_string();
        if let Error::Flags(e) = err {
            message = format!("{message}: {}", e.kind());
        }
        for cause in err.causes() {
            message.push_str(&format!("\ncaused by: {cause}"));
        }
        let annotation =
            Annotation { level: Level::Error, title: err.title().to_string(), message };
        if let Err(e) = actions.annotate(&[annotation], out) {
            eprintln!("error: {e}");
        }
        if summary
            && let Err(e) = render::error_summary(err).and_then(|md| actions.append_summary(&md))
        {
            eprintln!("error: {e}");
        }
    }
    ExitCode::from(err.exit_code())
}
