//! The inputs that say what to write and whom to tell: the model card, the
//! Pushgateway, the comment. Each is typed into the configuration its
//! consumer owns ([`CardInputs`], [`PushInputs`], [`CommentOn`]).

use super::error::InputError;
use super::raw::RawInputs;
use super::table::{
    ARCHITECTURE, COMMENT_ON, DATA_CHANGES, DATASET_DATE, DATASET_SOURCE, DEPLOYMENT_DATE,
    ETHICAL_CONSIDERATIONS, FRAMEWORK, GITHUB_TOKEN, INFERENCE_LATENCY_SECONDS, LABEL_QUALITY,
    LIMITATIONS, METRICS_FILE, MODEL_CARD, MODEL_CARD_JSON, MODEL_CARD_TEMPLATE, MODEL_ID,
    MODEL_VERSION, PUSH_JOB, PUSHGATEWAY_PASSWORD, PUSHGATEWAY_TOKEN, PUSHGATEWAY_URL,
    PUSHGATEWAY_USERNAME, ROLLBACK_PLAN, SAMPLING_METHOD, TRAINING_CHANGES,
    TRAINING_DURATION_SECONDS, TRAINING_RUN_ID,
};
use super::values::{date, lines, optional, optional_seconds, path, string};
use crate::integrations::comment::CommentOn;
use crate::integrations::push::{PushAuth, PushInputs};
use crate::report::CardInputs;
use crate::secret::Secret;

/// The training run's Actions run id: digits, as GitHub numbers runs, so
/// the link the card builds from it goes nowhere else.
fn run_id(raw: &RawInputs) -> Result<Option<String>, InputError> {
    let Some((value, origin)) = raw.get(&TRAINING_RUN_ID) else {
        return Ok(None);
    };
    if value.bytes().all(|b| b.is_ascii_digit()) {
        return Ok(Some(value.to_string()));
    }
    Err(InputError::InvalidInput {
        input: TRAINING_RUN_ID.name,
        origin,
        value: value.to_string(),
        expected: "an Actions run id: digits, such as 12345678901",
    })
}

/// The model card's inputs.
pub fn card(raw: &RawInputs) -> Result<CardInputs, InputError> {
    Ok(CardInputs {
        path: optional(raw, &MODEL_CARD),
        template: path(raw, &MODEL_CARD_TEMPLATE),
        json: optional(raw, &MODEL_CARD_JSON),
        model_id: optional(raw, &MODEL_ID),
        model_version: optional(raw, &MODEL_VERSION),
        dataset_date: date(raw, &DATASET_DATE)?,
        framework: optional(raw, &FRAMEWORK),
        architecture: optional(raw, &ARCHITECTURE),
        dataset_source: optional(raw, &DATASET_SOURCE),
        sampling_method: optional(raw, &SAMPLING_METHOD),
        label_quality: optional(raw, &LABEL_QUALITY),
        training_changes: lines(raw, &TRAINING_CHANGES),
        training_duration_seconds: optional_seconds(raw, &TRAINING_DURATION_SECONDS)?,
        inference_latency_seconds: optional_seconds(raw, &INFERENCE_LATENCY_SECONDS)?,
        data_changes: lines(raw, &DATA_CHANGES),
        training_run_id: run_id(raw)?,
        limitations: lines(raw, &LIMITATIONS),
        ethical_considerations: lines(raw, &ETHICAL_CONSIDERATIONS),
        deployment_date: optional(raw, &DEPLOYMENT_DATE),
        rollback_plan: optional(raw, &ROLLBACK_PLAN),
    })
}

/// Where to comment: none, one or several places (`pr` and issue numbers,
/// separated by commas or spaces), each once.
pub fn comment_on(raw: &RawInputs) -> Result<Vec<CommentOn>, InputError> {
    let Some((value, origin)) = raw.get(&COMMENT_ON) else { return Ok(Vec::new()) };
    let mut places = Vec::new();
    for item in value.split(|c: char| c == ',' || c.is_whitespace()).filter(|i| !i.is_empty()) {
        let place = match item {
            "pr" => CommentOn::PullRequest,
            number => match number.trim_start_matches('#').parse::<u64>() {
                Ok(n) if n > 0 => CommentOn::Issue(n),
                _ => {
                    return Err(InputError::InvalidInput {
                        input: COMMENT_ON.name,
                        origin,
                        value: value.to_string(),
                        expected: "`pr`, issue numbers such as 42 or `42, 57`, or nothing",
                    });
                }
            },
        };
        if !places.contains(&place) {
            places.push(place);
        }
    }
    Ok(places)
}

/// The token for comments. The runner evaluates the `${{ github.token }}`
/// default; run by hand, the literal expression means no token.
pub fn github_token(raw: &RawInputs) -> Option<Secret> {
    optional(raw, &GITHUB_TOKEN).filter(|t| !t.starts_with("${{")).map(Secret::new)
}

/// Where and how to push metrics.
pub fn push(raw: &RawInputs) -> Result<PushInputs, InputError> {
    let url = match raw.get(&PUSHGATEWAY_URL) {
        None => None,
        Some((value, origin)) => Some(
            reqwest::Url::parse(value)
                .ok()
                .filter(|u| matches!(u.scheme(), "http" | "https") && u.has_host())
                .ok_or_else(|| InputError::InvalidInput {
                    input: PUSHGATEWAY_URL.name,
                    origin,
                    value: value.to_string(),
                    expected: "an http or https URL, such as http://pushgateway:9091",
                })?,
        ),
    };
    let secret = |spec| optional(raw, spec).map(Secret::new);
    let auth = match (
        secret(&PUSHGATEWAY_TOKEN),
        optional(raw, &PUSHGATEWAY_USERNAME),
        secret(&PUSHGATEWAY_PASSWORD),
    ) {
        (None, None, None) => PushAuth::None,
        (Some(token), None, None) => PushAuth::Bearer(token),
        (None, Some(username), Some(password)) => PushAuth::Basic { username, password },
        (Some(_), _, _) => {
            return Err(InputError::ConflictingInputs {
                inputs: "pushgateway_token and pushgateway_username/pushgateway_password",
                expected: "a bearer token or basic auth, not both",
            });
        }
        (None, _, _) => {
            return Err(InputError::ConflictingInputs {
                inputs: "pushgateway_username and pushgateway_password",
                expected: "both, for basic auth",
            });
        }
    };
    Ok(PushInputs {
        url,
        job: string(raw, &PUSH_JOB),
        auth,
        metrics_file: path(raw, &METRICS_FILE),
    })
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use super::*;
    use crate::inputs::tests::{invalid, load};

    const SET: (&str, &str) = ("INPUT_VALIDATION_SET", "v.parquet");

    #[test]
    fn model_card_inputs_are_read() {
        let inputs = load(
            &[
                SET,
                ("INPUT_MODEL_CARD", "model_cards/er_{{dataset_date}}.md"),
                ("INPUT_MODEL_CARD_TEMPLATE", "card.hbs"),
                ("INPUT_MODEL_CARD_JSON", "card.json"),
                ("INPUT_MODEL_ID", "er_v7"),
                ("INPUT_MODEL_VERSION", "registry v12"),
                ("INPUT_DATASET_DATE", "20251015"),
                ("INPUT_FRAMEWORK", "splink 4"),
                ("INPUT_ARCHITECTURE", "Fellegi-Sunter"),
                ("INPUT_DATASET_SOURCE", "clerical review"),
                ("INPUT_TRAINING_RUN_ID", "123"),
                ("INPUT_LIMITATIONS", "  first\n\n second  \n"),
                ("INPUT_ETHICAL_CONSIDERATIONS", "names from one country"),
                ("INPUT_DEPLOYMENT_DATE", "2025-10-20"),
                ("INPUT_ROLLBACK_PLAN", "re-point alias to er_20250901"),
                ("INPUT_SAMPLING_METHOD", "by score decile"),
                ("INPUT_LABEL_QUALITY", "kappa 0.87"),
                ("INPUT_TRAINING_CHANGES", "phonetic names\nnew blocking"),
                ("INPUT_DATA_CHANGES", "dedup"),
            ],
            &[],
        )
        .unwrap();
        let c = &inputs.card;
        assert_eq!(c.path.as_deref(), Some("model_cards/er_{{dataset_date}}.md"));
        assert_eq!(c.template, Some(PathBuf::from("card.hbs")));
        assert_eq!(c.json.as_deref(), Some("card.json"));
        assert_eq!(c.model_id.as_deref(), Some("er_v7"));
        assert_eq!(c.model_version.as_deref(), Some("registry v12"));
        assert_eq!(c.dataset_date.as_deref(), Some("20251015"));
        assert_eq!(c.framework.as_deref(), Some("splink 4"));
        assert_eq!(c.architecture.as_deref(), Some("Fellegi-Sunter"));
        assert_eq!(c.dataset_source.as_deref(), Some("clerical review"));
        assert_eq!(c.training_run_id.as_deref(), Some("123"));
        assert_eq!(c.limitations, ["first", "second"]);
        assert_eq!(c.ethical_considerations, ["names from one country"]);
        assert_eq!(c.deployment_date.as_deref(), Some("2025-10-20"));
        assert_eq!(c.rollback_plan.as_deref(), Some("re-point alias to er_20250901"));
        assert_eq!(c.sampling_method.as_deref(), Some("by score decile"));
        assert_eq!(c.label_quality.as_deref(), Some("kappa 0.87"));
        assert_eq!(c.training_changes, ["phonetic names", "new blocking"]);
        assert_eq!(c.data_changes, ["dedup"]);
        assert_eq!(
            invalid(load(&[SET, ("INPUT_DATASET_DATE", "2025-10-15")], &[])).0,
            "dataset_date"
        );
    }

    #[test]
    fn push_inputs_are_read_and_secrets_stay_hidden() {
        let inputs = load(&[SET], &[]).unwrap();
        assert_eq!(inputs.push.url, None);
        assert_eq!(inputs.push.job, "er_precision_gate");
        assert_eq!(inputs.push.auth, PushAuth::None);
        let inputs = load(
            &[
                SET,
                ("INPUT_PUSHGATEWAY_URL", "http://127.0.0.1:9091"),
                ("INPUT_PUSH_JOB", "er_nightly"),
                ("INPUT_PUSHGATEWAY_TOKEN", "s3cr3t-token"),
                ("INPUT_METRICS_FILE", "/var/lib/node_exporter/er.prom"),
            ],
            &[],
        )
        .unwrap();
        assert_eq!(inputs.push.url.as_ref().unwrap().as_str(), "http://127.0.0.1:9091/");
        assert_eq!(inputs.push.job, "er_nightly");
        assert_eq!(inputs.push.metrics_file, Some(PathBuf::from("/var/lib/node_exporter/er.prom")));
        assert!(matches!(&inputs.push.auth, PushAuth::Bearer(t) if t.expose() == "s3cr3t-token"));
        assert!(!format!("{inputs:?}").contains("s3cr3t"), "Debug never shows a secret");
        assert_eq!(inputs.secrets(), ["s3cr3t-token".to_string()]);
        let inputs = load(
            &[
                SET,
                ("INPUT_PUSHGATEWAY_USERNAME", "ci"),
                ("INPUT_PUSHGATEWAY_PASSWORD", "pw-123456"),
            ],
            &[],
        )
        .unwrap();
        assert!(matches!(&inputs.push.auth, PushAuth::Basic { username, .. } if username == "ci"));
        assert!(!format!("{inputs:?}").contains("pw-123456"));
    }

    #[test]
    fn push_inputs_are_validated() {
        for bad in ["not a url", "ftp://host/", "unix:/run/push.sock"] {
            let (input, _) = invalid(load(&[SET, ("INPUT_PUSHGATEWAY_URL", bad)], &[]));
            assert_eq!(input, "pushgateway_url");
        }
        let both = load(
            &[SET, ("INPUT_PUSHGATEWAY_TOKEN", "t"), ("INPUT_PUSHGATEWAY_USERNAME", "u")],
            &[],
        );
        assert!(matches!(both.unwrap_err(), InputError::ConflictingInputs { .. }));
        let half = load(&[SET, ("INPUT_PUSHGATEWAY_USERNAME", "u")], &[]);
        assert!(matches!(half.unwrap_err(), InputError::ConflictingInputs { .. }));
    }

    #[test]
    fn comment_inputs_are_read() {
        let inputs = load(&[SET], &[]).unwrap();
        assert_eq!(inputs.comment_on, []);
        assert_eq!(inputs.github_token, None, "the literal default is no token");
        let inputs =
            load(&[SET, ("INPUT_COMMENT_ON", "pr"), ("INPUT_GITHUB_TOKEN", "ghs_abc123")], &[])
                .unwrap();
        assert_eq!(inputs.comment_on, [CommentOn::PullRequest]);
        assert_eq!(inputs.github_token.as_ref().map(Secret::expose), Some("ghs_abc123"));
        assert!(!format!("{inputs:?}").contains("ghs_abc123"));
        let inputs = load(&[SET, ("INPUT_COMMENT_ON", "#42")], &[]).unwrap();
        assert_eq!(inputs.comment_on, [CommentOn::Issue(42)]);
        let inputs = load(&[SET, ("INPUT_COMMENT_ON", "12, #57 pr,12")], &[]).unwrap();
        let several = [CommentOn::Issue(12), CommentOn::Issue(57), CommentOn::PullRequest];
        assert_eq!(inputs.comment_on, several);
        for bad in ["0", "-3", "issue", "4.2", "12, x"] {
            let (input, _) = invalid(load(&[SET, ("INPUT_COMMENT_ON", bad)], &[]));
            assert_eq!(input, "comment_on");
        }
    }
}
