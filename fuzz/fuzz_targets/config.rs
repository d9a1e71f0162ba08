//! YAML config files (`config`) through input loading: any text may be
//! refused, none may panic, take long or grow without bound (the run's
//! `-rss_limit_mb=512 -timeout=10` make either a crash), and a refusal is
//! one line that carries no command marker.
#![no_main]

use std::sync::OnceLock;

use er_precision_gate::Inputs;
use er_precision_gate::env::Env;
use libfuzzer_sys::fuzz_target;

fn dir() -> &'static tempfile::TempDir {
    static DIR: OnceLock<tempfile::TempDir> = OnceLock::new();
    DIR.get_or_init(|| tempfile::tempdir().unwrap())
}

fuzz_target!(|data: &[u8]| {
    let path = dir().path().join("gate.yml");
    std::fs::write(&path, data).unwrap();
    let env = Env::from_pairs([
        ("INPUT_VALIDATION_SET", "v.parquet".to_string()),
        ("INPUT_CONFIG", path.display().to_string()),
    ]);
    if let Err(err) = Inputs::load(&env, ["er-precision-gate".into()]) {
        let message = err.to_string();
        assert!(!message.contains('\n') && !message.contains("##["), "{message:?}");
    }
});
