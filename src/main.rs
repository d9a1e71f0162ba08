//! The `er-precision-gate` binary: wires the library's stages together and
//! maps the result to an exit code (0 passed, 1 failed, 2 could not evaluate).

use std::io::Write;
use std::process::ExitCode;

use er_precision_gate::Actions;
use er_precision_gate::env::Env;
use er_precision_gate::error::Error;
use er_precision_gate::exit::Exit;
use er_precision_gate::publish;
use er_precision_gate::untrusted::{self, shown};
use er_precision_gate::{InputError, Inputs, Request};

fn main() -> ExitCode {
    let env = Env::from_process();
    er_precision_gate::places::allow(er_precision_gate::places::Places::from_env(&env));
    let early = Inputs::secrets_in(&env);
    er_precision_gate::secret::register(early.iter().map(String::as_str));
    init_logging(&env);
    set_panic_hook();
    let actions = Actions::from_env(&env);
    let mut stdout = std::io::stdout().lock();
    let inputs = match load(&env, &actions, &mut stdout) {
        Ok(inputs) => inputs,
        Err(exit) => return exit,
    };
    // Before the first thread starts.
    match inputs.evaluate.clusters {
        Some(_) => er_precision_gate::allocator::tune_clusters(),
        None => er_precision_gate::allocator::tune(),
    }
    let line = er_precision_gate::terminal::Progress::start(&env);
    let evaluated = er_precision_gate::evaluate(&inputs.evaluate, env.now());
    drop(line);
    let evaluation = match evaluated {
        Ok(evaluation) => evaluation,
        Err(err) => return fail(&err.into(), &actions, inputs.summary, &mut stdout),
    };
    log::info!(
        "evaluated {} rows of `{}` in {:.3} s",
        evaluation.dataset.rows,
        untrusted::path(&inputs.evaluate.validation_set),
        evaluation.elapsed.as_secs_f64()
    );
    let published = match publish::publish(&evaluation, &inputs, &actions, &mut stdout) {
        Ok(published) => published,
        // Everything is rendered before anything is written, so a failure
        // here has left no summary behind: say why in one.
        Err(err) => return fail(&err, &actions, inputs.summary, &mut stdout),
    };
    let exit = if inputs.report_only {
        Exit::Passed
    } else {
        evaluation.verdict.exit(evaluation.settings.on_inconclusive)
    };
    side_effects(&published, &inputs, &actions, &mut stdout, exit).into()
}

/// The typed inputs, their secrets masked before anything else is printed;
/// or how the process ends: `--help` and `--version` printed, or bad input.
fn load(env: &Env, actions: &Actions, stdout: &mut dyn Write) -> Result<Box<Inputs>, ExitCode> {
    match Inputs::load(env, std::env::args_os()) {
        Ok(Request::Run(inputs)) => {
            let secrets = inputs.secrets();
            er_precision_gate::secret::register(secrets.iter().map(String::as_str));
            let secrets: Vec<&str> = secrets.iter().map(String::as_str).collect();
            if let Err(e) = actions.mask(&secrets, stdout) {
                say(&format!("error: {e}"));
            }
            Ok(inputs)
        }
        Ok(Request::Print(text)) => {
            let _ = write!(stdout, "{text}");
            Err(ExitCode::SUCCESS)
        }
        Err(err) => Err(fail(&err.into(), actions, true, stdout)),
    }
}

/// The logger on stderr, each line made inert for the runner.
fn init_logging(env: &Env) {
    env_logger::Builder::new()
        .parse_filters(&env.log_filter())
        .format(|buf, record| {
            let line = format!("[{:<5} {}] {}", record.level(), record.target(), record.args());
            writeln!(buf, "{}", untrusted::neutralize(&er_precision_gate::secret::redact(&line)))
        })
        .target(env_logger::Target::Stderr)
        .init();
}

/// A panic inside a dependency (the parquet crate asserts on some
/// malformed pages) is caught by the reader and reported as exit 2: only
/// the debug log shows it. One of ours is a bug: one inert line, no backtrace.
fn set_panic_hook() {
    std::panic::set_hook(Box::new(|info| {
        let text = shown(&info.to_string()).to_string();
        if info.location().is_some_and(|l| l.file().contains("/registry/src/")) {
            log::debug!("caught in a dependency: {text}")
        } else {
            say(&format!("internal: {text}"))
        }
    }));
}

/// Pushes the metrics and posts the comment, last. Each failure is already
/// reported (annotation, summary line) and only changes how the process
/// ends, decided here once: `exit` is the verdict's.
fn side_effects(
    published: &publish::Published,
    inputs: &Inputs,
    actions: &Actions,
    out: &mut dyn Write,
    mut exit: Exit,
) -> Exit {
    let report = &published.report;
    let side_effects = [
        publish::push_metrics(report, inputs, actions, out),
        publish::comment(report, published.model_card.as_deref(), inputs, actions, out),
    ];
    for err in side_effects.iter().filter_map(|r| r.as_ref().err()) {
        if inputs.strict_side_effects {
            print_error(err, !actions.is_active());
            exit = err.exit();
        } else {
            say(&format!("warning: {}", er_precision_gate::error::chain(err).join(": ")))
        }
    }
    exit
}

/// Writes text to stderr, each line made inert for the runner. A closed or
/// failing stderr is ignored: the exit code stays the verdict's or 2.
fn say(text: &str) {
    let mut stderr = std::io::stderr().lock();
    let text = er_precision_gate::secret::redact(text.trim_end_matches('\n'));
    let _ = writeln!(stderr, "{}", untrusted::neutralize(&text));
}

/// `error: …` on stderr, then `caused by: …` per source. On a command line
/// (not under Actions) the inputs it names are named as flags.
fn print_error(err: &Error, cli: bool) {
    let mut chain = er_precision_gate::error::chain(err).into_iter();
    if let Some(message) = chain.next() {
        let message = if cli { er_precision_gate::as_flags(&message) } else { message };
        say(&format!("error: {message}"));
    }
    for cause in chain {
        say(&format!("caused by: {cause}"));
    }
}

/// Reports an error once (stderr, `::error` annotation, job summary) and
/// returns exit code 2.
fn fail(err: &Error, actions: &Actions, summary: bool, out: &mut dyn Write) -> ExitCode {
    match err {
        // clap renders its own message, usage and hint; the arguments it
        // quotes are the user's, so control characters are escaped too.
        Error::Input(InputError::Flags(e)) => {
            let text = e.to_string();
            say(&text.lines().map(|l| shown(l).to_string()).collect::<Vec<_>>().join("\n"));
        }
        _ => print_error(err, !actions.is_active()),
    }
    if let Err(e) = publish::could_not_evaluate(err, actions, summary, out) {
        say(&format!("error: {e}"));
    }
    err.exit().into()
}
