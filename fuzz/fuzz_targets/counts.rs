//! Counts files (`counts`: the confusion counts an engine wrote, CSV or
//! JSON) through the whole evaluation: any text may be refused, none may
//! panic or overflow, and a refusal is one line without a command marker.
#![no_main]

use std::sync::OnceLock;

use er_precision_gate::{Settings, Thresholds, evaluate};
use libfuzzer_sys::fuzz_target;

fn dir() -> &'static tempfile::TempDir {
    static DIR: OnceLock<tempfile::TempDir> = OnceLock::new();
    DIR.get_or_init(|| tempfile::tempdir().unwrap())
}

fuzz_target!(|data: &[u8]| {
    let path = dir().path().join("counts.csv");
    std::fs::write(&path, data).unwrap();
    let settings = Settings {
        counts: Some(path.clone()),
        thresholds: Thresholds { precision: 0.5, recall: 0.5, f1: 0.5 },
        confidence: Some(0.95),
        ..Settings::new(path)
    };
    let now = chrono::DateTime::from_timestamp(1_760_529_600, 0).unwrap();
    if let Err(err) = evaluate(&settings, now) {
        let message = err.to_string();
        assert!(!message.contains('\n') && !message.contains("##["), "{message:?}");
    }
});
