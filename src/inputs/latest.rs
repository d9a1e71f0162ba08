//! `baseline: latest`: where the earlier model cards are, worked out from
//! the card paths of this run before anything is evaluated.

use std::path::{Path, PathBuf};

use super::error::InputError;
use super::raw::RawInputs;
use super::table::BASELINE;
use crate::evaluate::BaselineSource;
use crate::report::CardInputs;
use crate::report::templates;

/// The `baseline` value that asks for the newest earlier card.
pub const LATEST: &str = "latest";

/// The folders of this run's cards (`model_card_json`, then `model_card`),
/// and the files this run writes, which are not earlier cards.
pub fn source(
    raw: &RawInputs,
    card: &CardInputs,
    report_json: Option<&Path>,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<BaselineSource, InputError> {
    let (date, id) = card.names(now);
    let (mut folders, mut except) = (Vec::new(), Vec::new());
    for (input, template) in [("model_card_json", &card.json), ("model_card", &card.path)] {
        let Some(template) = template else { continue };
        let path = templates::path(input, template, &date, &id)?;
        let folder = match path.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        if !folders.contains(&folder) {
            folders.push(folder);
        }
        except.push(path);
    }
    except.extend(report_json.map(Path::to_path_buf));
    if folders.is_empty() {
        let (value, origin) = raw.get(&BASELINE).expect("`latest` was given");
        return Err(InputError::InvalidInput {
            input: BASELINE.name,
            origin,
            value: value.to_string(),
            expected: "a path; `latest` needs `model_card_json` or `model_card`, whose folder holds the earlier cards",
        });
    }
    Ok(BaselineSource::Latest { folders, except })
}
