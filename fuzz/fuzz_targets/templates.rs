//! Model card templates (`model_card_template`) rendered over the sample's
//! card: any text may be refused, none may panic or recurse without bound
//! (a partial that includes itself), and a refusal is one line.
#![no_main]

use std::path::Path;
use std::sync::OnceLock;

use er_precision_gate::{Card, CardInputs, Report, Run, Settings, evaluate, render};
use libfuzzer_sys::fuzz_target;

/// The sample's card, evaluated once.
fn card() -> &'static Card {
    static CARD: OnceLock<Card> = OnceLock::new();
    CARD.get_or_init(|| {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures/sample_validation.parquet");
        let now = chrono::DateTime::from_timestamp(1_760_529_600, 0).unwrap();
        let evaluation = evaluate(&Settings::new(root), now).unwrap();
        let inputs = CardInputs::default();
        let report = Report::new(&evaluation, &inputs, &Run::default());
        Card::new(&report, &inputs, None)
    })
}

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    if let Err(err) = render::model_card(card(), Some((Path::new("card.hbs"), &text))) {
        let message = err.to_string();
        assert!(!message.contains('\n') && !message.contains("##["), "{message:?}");
    }
});
