//! The README decides adoption on its first screen: within its first 400
//! words, what the gate does, the two commands, what a run shows (the job
//! summary and the model card, drawn from the sample) and what a team
//! needs. The pictures are redrawn from the sample by
//! `docs/images/render.py` and must equal the committed ones.

use std::process::Command;

use crate::util::root;

fn readme() -> String {
    std::fs::read_to_string(root().join("README.md")).unwrap()
}

#[test]
fn the_first_400_words_answer_adopt_or_not() {
    let text = readme();
    let first: String = text.split_whitespace().take(400).collect::<Vec<_>>().join(" ");
    for needle in [
        "cargo run --release -- --validation-set fixtures/sample_validation.parquet",
        "bash tests/setup.sh && cargo test --release --features external-tests",
        "(docs/images/summary.svg)",
        "(docs/images/card.svg)",
        "Linux runners with Docker",
        "Pushgateway only for the dashboard",
        "uses: OWNER/er-precision-gate@v1",
        "release.yml",
    ] {
        assert!(first.contains(needle), "the README's first 400 words lack `{needle}`");
    }
    // The runbook's table comes before the details.
    let runbook = text.find("## The runbook, step by step").expect("the runbook table");
    assert!(runbook < text.find("## More ways to run it").unwrap());
    assert!(!text.contains("## Sizing"), "sizing lives in docs/speed.md");
    let speed = std::fs::read_to_string(root().join("docs/speed.md")).unwrap();
    assert!(speed.contains("## Sizing"));
}

#[test]
fn the_pictures_are_those_of_the_sample_today() {
    let out = tempfile::tempdir().unwrap();
    // The script needs python3 alone, no package.
    let ran = Command::new("python3")
        .arg(root().join("docs/images/render.py"))
        .arg(env!("CARGO_BIN_EXE_er-precision-gate"))
        .arg(out.path())
        .output()
        .expect("python3 runs");
    assert!(ran.status.success(), "{}", String::from_utf8_lossy(&ran.stderr));
    for name in ["summary.svg", "card.svg"] {
        let drawn = std::fs::read_to_string(out.path().join(name)).unwrap();
        let committed = std::fs::read_to_string(root().join("docs/images").join(name)).unwrap();
        assert!(
            drawn == committed,
            "docs/images/{name} is stale: python3 docs/images/render.py target/release/er-precision-gate docs/images"
        );
        assert!(
            drawn.contains("ER precision gate passed") || drawn.contains("Model card: er_20251015")
        );
    }
}
