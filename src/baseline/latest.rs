//! `baseline: latest`: the newest model card JSON already in the cards'
//! folder, other than the one this run writes.

use std::path::{Path, PathBuf};

use super::{Baseline, BaselineError};

/// What the search found.
#[derive(Debug)]
pub struct Latest {
    pub folders: Vec<PathBuf>,
    /// The newest card or report, when there is one.
    pub chosen: Option<Baseline>,
    /// Why each JSON file of those folders that is no baseline was skipped.
    pub skipped: Vec<BaselineError>,
}

/// Reads every `*.json` file of `folders` (a folder that does not exist yet
/// holds none) except the paths in `except`, and picks the one evaluated
/// last (by the instant its RFC 3339 time records; a file without one is
/// older than any with one), ties broken by path. A file that is not a gate
/// report or card, or whose time is no RFC 3339 time, is skipped and named
/// in [`Latest::skipped`], never silently: a forged `"zzzz"` cannot sort
/// after every real time.
pub fn latest(folders: &[PathBuf], except: &[PathBuf]) -> Result<Latest, BaselineError> {
    let except: Vec<PathBuf> = except.iter().map(|p| identity(p)).collect();
    let mut found = Latest { folders: folders.to_vec(), chosen: None, skipped: Vec::new() };
    let mut candidates = Vec::new();
    for folder in folders {
        let entries = match std::fs::read_dir(folder) {
            Ok(entries) => entries,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
            Err(source) => return Err(BaselineError::Read { path: folder.clone(), source }),
        };
        for entry in entries {
            let entry =
                entry.map_err(|source| BaselineError::Read { path: folder.clone(), source })?;
            let path = entry.path();
            let is_json = path.extension().is_some_and(|e| e.eq_ignore_ascii_case("json"));
            if is_json && !except.contains(&identity(&path)) && !candidates.contains(&path) {
                candidates.push(path);
            }
        }
    }
    candidates.sort();
    let mut loaded = Vec::new();
    for path in candidates {
        match Baseline::load(&path).and_then(|b| Ok((evaluated_at(&b)?, b))) {
            Ok(timed) => loaded.push(timed),
            Err(e) => found.skipped.push(e),
        }
    }
    // The last of equal maxima: ties go to the later path.
    found.chosen = loaded.into_iter().max_by_key(|(at, _)| *at).map(|(_, b)| b);
    Ok(found)
}

/// An instant, whatever offset it was written with.
type Instant = chrono::DateTime<chrono::FixedOffset>;

/// When a baseline was evaluated, as an instant; `None` when it does not
/// say, an error when what it says is no RFC 3339 time.
fn evaluated_at(b: &Baseline) -> Result<Option<Instant>, BaselineError> {
    let Some(text) = &b.evaluated_at else {
        return Ok(None);
    };
    chrono::DateTime::parse_from_rfc3339(text).map(Some).map_err(|_| BaselineError::Field {
        path: b.path.clone(),
        field: "evaluated_at",
        value: text.clone(),
        expected: "an RFC 3339 time, such as 2025-10-15T12:00:00Z",
    })
}

/// A path as the file system resolves it, when it exists.
fn identity(path: &Path) -> PathBuf {
    std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn card(at: &str, precision: f64) -> String {
        format!(
            r#"{{"schema_version": 1, "model": {{"id": "m", "evaluated_at": "{at}"}},
                "metrics": [{{"metric": "precision", "value": {precision}}}, {{"metric": "recall", "value": null}}],
                "dataset": {{"sha256": "{}"}}}}"#,
            "ab".repeat(32)
        )
    }

    #[test]
    fn picks_the_newest_card_other_than_this_runs() {
        let dir = tempfile::tempdir().unwrap();
        let cards = dir.path().join("model_cards");
        std::fs::create_dir(&cards).unwrap();
        let write = |name: &str, text: &str| std::fs::write(cards.join(name), text).unwrap();
        write("er_20250101.json", &card("2025-01-01T10:00:00Z", 0.91));
        // Named to sort first, evaluated last: the time decides, not the name.
        write("a_newest.json", &card("2025-03-01T10:00:00Z", 0.95));
        write("er_20250201.json", &card("2025-02-01T10:00:00Z", 0.93));
        write("this_run.json", &card("2025-04-01T10:00:00Z", 0.99));
        write("package.json", r#"{"name": "x"}"#);
        write("notes.md", "not json");
        let found = latest(std::slice::from_ref(&cards), &[cards.join("this_run.json")]).unwrap();
        let chosen = found.chosen.unwrap();
        assert_eq!(chosen.path, cards.join("a_newest.json"));
        assert_eq!(chosen.metrics.precision, Some(0.95));
        assert_eq!(chosen.metrics.recall, None);
        assert_eq!(found.skipped.len(), 1, "{:?}", found.skipped);
        assert!(
            matches!(&found.skipped[0], BaselineError::Format { path, .. } if *path == cards.join("package.json")),
            "{:?}",
            found.skipped
        );
    }

    #[test]
    fn times_are_instants_and_a_forged_one_is_skipped_by_name() {
        let dir = tempfile::tempdir().unwrap();
        let write = |name: &str, text: &str| std::fs::write(dir.path().join(name), text).unwrap();
        // 10:00 at +05:00 is 05:00 UTC: earlier than 06:00 UTC, though its
        // text sorts after it.
        write("a.json", &card("2025-03-01T10:00:00+05:00", 0.91));
        write("b.json", &card("2025-03-01T06:00:00Z", 0.93));
        write("forged.json", &card("zzzz", 0.99));
        let found = latest(&[dir.path().to_path_buf()], &[]).unwrap();
        assert_eq!(found.chosen.unwrap().path, dir.path().join("b.json"));
        let [skipped] = &found.skipped[..] else { panic!("{:?}", found.skipped) };
        assert_eq!(
            skipped.to_string(),
            format!(
                "baseline `{}` has `evaluated_at` = `zzzz`: expected an RFC 3339 time, such as 2025-10-15T12:00:00Z",
                dir.path().join("forged.json").display()
            )
        );
    }

    #[test]
    fn a_folder_not_there_yet_holds_no_card() {
        let dir = tempfile::tempdir().unwrap();
        let found = latest(&[dir.path().join("model_cards")], &[]).unwrap();
        assert!(found.chosen.is_none() && found.skipped.is_empty());
    }
}
