//! Where each setting that decides the verdict came from: a step input, a
//! line of the config file, or the default. A config file in a pull request
//! can set `report_only: true` or lower a minimum: the same trust as
//! editing the workflow, but the summary and the card show it to reviewers.

use super::error::Origin;
use super::raw::RawInputs;
use super::table::{
    BASELINE, CONFIDENCE, DECISION_THRESHOLD, InputSpec, MAX_F1_DROP, MAX_PRECISION_DROP,
    MAX_RECALL_DROP, MIN_F1, MIN_PRECISION, MIN_RECALL, NULL_POLICY, ON_INCONCLUSIVE, REPORT_ONLY,
    STRICT_SIDE_EFFECTS,
};
use crate::evaluate::SettingOrigin;

/// The inputs that decide the verdict, whose origins the summary and the
/// card list.
const DECIDING: [&InputSpec; 13] = [
    &MIN_PRECISION,
    &MIN_RECALL,
    &MIN_F1,
    &CONFIDENCE,
    &ON_INCONCLUSIVE,
    &DECISION_THRESHOLD,
    &NULL_POLICY,
    &BASELINE,
    &MAX_PRECISION_DROP,
    &MAX_RECALL_DROP,
    &MAX_F1_DROP,
    &REPORT_ONLY,
    &STRICT_SIDE_EFFECTS,
];

/// Where each deciding input that has a value came from.
pub fn origins(raw: &RawInputs) -> Vec<SettingOrigin> {
    DECIDING
        .iter()
        .filter_map(|spec| {
            let (value, origin) = raw.get(spec)?;
            let (source, file, line) = match origin {
                Origin::Config(path, line) => ("config file", Some(path), line),
                Origin::Env(_) | Origin::Flag(_) if raw.is_given(spec) => ("input", None, None),
                _ => ("default", None, None),
            };
            Some(SettingOrigin { input: spec.name, value: value.to_string(), source, file, line })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::env::Env;
    use crate::inputs::raw::Loaded;

    #[test]
    fn a_step_input_equal_to_its_default_is_the_default() {
        let env = Env::from_pairs([("INPUT_MIN_PRECISION", "0.92"), ("INPUT_MIN_RECALL", "0.5")]);
        let Ok(Loaded::Run(mut raw)) = RawInputs::load(&env, ["gate".into()]) else { panic!() };
        let config = crate::inputs::config::Config {
            values: vec![(&MIN_F1, "0.1".to_string())],
            lines: vec![Some(3)],
            path: "gate.yml".into(),
            ..Default::default()
        };
        raw.fill_from(&config);
        let found = origins(&raw);
        let of = |name: &str| found.iter().find(|o| o.input == name).unwrap().clone();
        assert_eq!(of("min_precision").source, "default");
        assert_eq!(of("min_recall").source, "input");
        let f1 = of("min_f1");
        assert_eq!(
            (f1.source, f1.file.as_deref(), f1.line),
            ("config file", Some("gate.yml"), Some(3))
        );
        assert!(found.iter().all(|o| o.input != "confidence"), "no value, no line");
    }
}
