//! Publishing a verdict: every report first, then the side effects.
//!
//! [`publish`] renders the JSON report, the model cards, the metrics file and
//! the job summary, and checks every path, before anything is written: a
//! template error or a refused path leaves no file behind. Then one order,
//! always: the annotations (they need nothing but stdout), every report file
//! (all or none), the step outputs, and the job summary last, so the summary
//! never says "passed" above a report that could not be written.
//! [`push_metrics`] and [`comment`] follow; each failure is reported (a
//! warning and a summary line) and returned for `main` to turn into the exit
//! code. [`could_not_evaluate`] reports an error that stopped the run.

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::error::{self, Error};
use crate::evaluate::Evaluation;
use crate::files::{self, Pending, ReportFile};
use crate::inputs::Inputs;
use crate::integrations::comment::{self, CommentError, CommentOn, Posted};
use crate::integrations::github::Actions;
use crate::integrations::push;
use crate::report::card::Card;
use crate::report::exposition::{self, Target};
use crate::report::{self, Finding, Level, Report, format, render, templates};

/// What [`publish`] wrote.
#[derive(Debug)]
pub struct Published {
    /// The report of the evaluation.
    pub report: Report,
    /// The Markdown model card's path, when one was written.
    pub model_card: Option<PathBuf>,
}

/// Writes every report of an evaluation, in the module's one order: the
/// annotations (and, outside Actions, the verdict block), the JSON report,
/// model cards and metrics file, the step outputs, the job summary.
pub fn publish(
    evaluation: &Evaluation,
    inputs: &Inputs,
    actions: &Actions,
    out: &mut dyn Write,
) -> Result<Published, Error> {
    let report = Report::new(evaluation, &inputs.card, &actions.run());
    let files = render_files(evaluation, &report, inputs, actions)?;
    let summary = if inputs.summary {
        Some(shadow_note(render::summary(&report)?, inputs.report_only))
    } else {
        None
    };
    files::check_targets(&files, &inputs.read_paths())?;

    // The verdict in the log too (`gh run view --log` shows what annotations
    // alone would not): folded in a group under Actions.
    let block = render::verdict_block(&report);
    if actions.is_active() {
        actions.group("ER precision gate: the verdict", &block, out)?
    } else {
        files::write_stream(out, &block)?
    }
    let mut findings = report.findings();
    if inputs.report_only {
        // Shadow mode: a failing rule is worth a warning, not a red step.
        for f in findings.iter_mut().filter(|f| f.level == Level::Error) {
            f.level = Level::Warning;
        }
    }
    actions.annotate(&findings, out)?;
    files::write_all(&files)?;
    let mut outputs = report.outputs();
    outputs.extend(
        files.iter().filter_map(|f| Some((f.what.output_key()?, f.path.display().to_string()))),
    );
    actions.set_outputs(&outputs, out)?;
    if let Some(markdown) = summary {
        actions.append_summary(&markdown)?;
    }
    let model_card = files.into_iter().find(|f| f.what == ReportFile::ModelCard).map(|f| f.path);
    Ok(Published { report, model_card })
}

/// Renders every report file asked for, with its path: the JSON report,
/// the errors file, the manifest, the model cards and the metrics file.
fn render_files(
    evaluation: &Evaluation,
    report: &Report,
    inputs: &Inputs,
    actions: &Actions,
) -> Result<Vec<Pending>, Error> {
    let mut files = Vec::new();
    if let Some(path) = &inputs.report_json {
        let bytes = report::to_json(report);
        files.push(Pending { what: ReportFile::ReportJson, path: path.clone(), bytes });
    }
    if let (Some(path), Some(review)) = (&inputs.errors_file, &evaluation.review) {
        let bytes = crate::review::to_parquet(&review.rows).map_err(Error::EncodeErrors)?;
        files.push(Pending { what: ReportFile::ErrorsFile, path: path.clone(), bytes });
    }
    if let Some(path) = &inputs.manifest {
        let bytes = evaluation.dataset.manifest().into_bytes();
        files.push(Pending { what: ReportFile::Manifest, path: path.clone(), bytes });
    }
    files.extend(render_card(report, inputs, actions)?);
    if let Some(path) = &inputs.push.metrics_file {
        let bytes = exposition::exposition(report, Target::File).into_bytes();
        files.push(Pending { what: ReportFile::MetricsFile, path: path.clone(), bytes });
    }
    Ok(files)
}

/// Renders the model cards that were asked for, with their paths.
fn render_card(report: &Report, inputs: &Inputs, actions: &Actions) -> Result<Vec<Pending>, Error> {
    let c = &inputs.card;
    if c.path.is_none() && c.json.is_none() {
        return Ok(Vec::new());
    }
    let card = Card::new(report, c, actions.server_repo());
    let mut files = Vec::new();
    if let Some(template) = &c.json {
        let path =
            templates::path("model_card_json", template, &card.model.dataset_date, &card.model.id)?;
        files.push(Pending {
            what: ReportFile::ModelCardJson,
            path,
            bytes: report::to_json(&card),
        });
    }
    if let Some(template) = &c.path {
        let user = match &c.template {
            Some(p) => Some((
                p.as_path(),
                files::read_text(p)
                    .map_err(|source| Error::ReadTemplate { path: p.clone(), source })?,
            )),
            None => None,
        };
        let markdown = render::model_card(&card, user.as_ref().map(|(p, t)| (*p, t.as_str())))?;
        let path =
            templates::path("model_card", template, &card.model.dataset_date, &card.model.id)?;
        files.push(Pending { what: ReportFile::ModelCard, path, bytes: markdown.into_bytes() });
    }
    Ok(files)
}

/// Pushes the metrics to the Pushgateway, when one is configured. A failure
/// is reported (warning, summary line, `pushed=false`) and returned.
pub fn push_metrics(
    report: &Report,
    inputs: &Inputs,
    actions: &Actions,
    out: &mut dyn Write,
) -> Result<(), Error> {
    let Some(base) = &inputs.push.url else {
        return Ok(());
    };
    let body = exposition::exposition(report, Target::Pushgateway);
    let result = push::push(&inputs.push, base, &report.model.id, &body);
    actions.set_outputs(&[("pushed", result.is_ok().to_string())], out)?;
    let Err(err) = result else {
        return Ok(());
    };
    side_effect_failed(actions, inputs.summary, "Metrics not pushed", &err, out)?;
    Err(Error::Push(err))
}

/// Posts or updates the verdict comment wherever `comment_on` asks for
/// one; `card` is the model card's path, to link. A `403` (a fork's
/// read-only token) ends in a warning; any other failure is reported, the
/// other places still get theirs, and the first is returned. `comment_url`
/// is the first comment's.
pub fn comment(
    report: &Report,
    card: Option<&Path>,
    inputs: &Inputs,
    actions: &Actions,
    out: &mut dyn Write,
) -> Result<(), Error> {
    if inputs.comment_on.is_empty() {
        return Ok(());
    }
    let body = render::comment(report, card)?;
    let (mut first_url, mut first_error) = (None, None);
    for on in &inputs.comment_on {
        let Some(number) = comment_number(*on, actions, out)? else { continue };
        match comment_one(number, &body, inputs, actions, out)? {
            Ok(Some(url)) => {
                first_url.get_or_insert(url);
            }
            Ok(None) => {}
            Err(err) => {
                first_error.get_or_insert(err);
            }
        }
    }
    if let Some(url) = first_url {
        actions.set_outputs(&[("comment_url", url)], out)?;
    }
    first_error.map_or(Ok(()), |err| Err(Error::Comment(err)))
}

/// Posts or updates the comment on issue `number`: its URL, `None` when a
/// `403` refused it (reported), or the failure that stops the step.
fn comment_one(
    number: u64,
    body: &str,
    inputs: &Inputs,
    actions: &Actions,
    out: &mut dyn Write,
) -> Result<Result<Option<String>, CommentError>, Error> {
    let result = comment_target(actions, inputs, number)
        .map_err(|why| CommentError::NotConfigured { why })
        .and_then(|target| comment::post(&target, body));
    let failed = |err: &CommentError, out: &mut dyn Write| {
        side_effect_failed(actions, inputs.summary, "Comment not posted", err, out)
    };
    match result {
        Ok(Posted::Created { url } | Posted::Updated { url }) => {
            log::info!("verdict comment: {}", crate::untrusted::shown(&url));
            Ok(Ok(Some(url)))
        }
        Err(err @ CommentError::Forbidden { .. }) => {
            failed(&err, out)?;
            Ok(Ok(None))
        }
        Err(err) => {
            failed(&err, out)?;
            Ok(Err(err))
        }
    }
}

/// The issue or pull request to comment on; `None`, with a notice, when
/// the triggering event has no pull request to comment on.
fn comment_number(
    on: CommentOn,
    actions: &Actions,
    out: &mut dyn Write,
) -> Result<Option<u64>, Error> {
    match on {
        CommentOn::Issue(n) => Ok(Some(n)),
        CommentOn::PullRequest => match actions.pull_request_number() {
            Some(n) => Ok(Some(n)),
            // A push or a dispatch has no pull request: nothing to comment on.
            None => {
                let finding = Finding {
                    level: Level::Notice,
                    title: "No comment".to_string(),
                    message: "the triggering event has no pull request (`comment_on: pr`): no comment was posted".to_string(),
                };
                actions.annotate(&[finding], out)?;
                Ok(None)
            }
        },
    }
}

/// Where the comment goes, or why it cannot be posted.
fn comment_target(
    actions: &Actions,
    inputs: &Inputs,
    number: u64,
) -> Result<comment::Target, &'static str> {
    match (actions.repository(), &inputs.github_token) {
        (None, _) => Err("GITHUB_REPOSITORY is not set"),
        (_, None) => Err("`github_token` is empty"),
        (Some(repository), Some(token)) => reqwest::Url::parse(actions.api_url())
            .map_err(|_| "GITHUB_API_URL is not a URL")
            .map(|api| comment::Target {
                api,
                repository: repository.to_string(),
                number,
                token: token.clone(),
                marker: comment::marker(actions.gate_name()),
            }),
    }
}

/// The summary with, in shadow mode, a line under its heading that says the
/// step does not fail on the verdict.
fn shadow_note(markdown: String, report_only: bool) -> String {
    if !report_only {
        return markdown;
    }
    let (heading, rest) = markdown.split_once('\n').unwrap_or((&markdown, ""));
    format!(
        "{heading}\n\n> Report only (`report_only: true`): this step does not fail on the verdict.\n{rest}"
    )
}

/// Reports a failed side effect: a warning and, with the summary on, a line
/// appended to it (the verdict above it stands).
fn side_effect_failed(
    actions: &Actions,
    summary: bool,
    title: &str,
    err: &dyn std::error::Error,
    out: &mut dyn Write,
) -> Result<(), Error> {
    let message = error::chain(err).join(": ");
    let finding =
        Finding { level: Level::Warning, title: title.to_string(), message: message.clone() };
    actions.annotate(&[finding], out)?;
    if summary {
        // The message quotes a server's answer: a code span renders none of it.
        actions.append_summary(&format!("\n> ⚠️ **{title}**: {}\n", format::code(&message)))?;
    }
    Ok(())
}

/// Reports an error that stopped the run: an `::error` annotation with its
/// causes and, with the summary on, a job summary that says why. Does
/// nothing outside Actions (`main` prints the error on stderr).
pub fn could_not_evaluate(
    err: &Error,
    actions: &Actions,
    summary: bool,
    out: &mut dyn Write,
) -> Result<(), Error> {
    if !actions.is_active() {
        return Ok(());
    }
    let mut chain = error::chain(err);
    if let Error::Input(crate::inputs::InputError::Flags(e)) = err {
        chain[0] = format!("{}: {}", chain[0], e.kind());
    }
    let message = chain.join("\ncaused by: ");
    let finding = Finding { level: Level::Error, title: err.title().to_string(), message };
    // Both are tried: a summary that cannot be written must not hide the
    // annotation, nor the other way round.
    let annotated = actions.annotate(&[finding], out).map_err(Error::from);
    let summarized = if summary && !err.is_summary_failure() {
        render::error_summary(err.title(), &err.to_string(), &err.causes())
            .map_err(Error::from)
            .and_then(|markdown| Ok(actions.append_summary(&markdown)?))
    } else {
        Ok(())
    };
    annotated.and(summarized)
}
