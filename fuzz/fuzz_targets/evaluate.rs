//! Parquet bytes through the whole evaluation: hash, footer, columns,
//! counting, verdict. Any input may fail; none may panic.
#![no_main]

use std::sync::OnceLock;

use er_precision_gate::{ClusterSettings, Family, Sampling};
use er_precision_gate::{Decision, NullPolicy};
use er_precision_gate::{Settings, evaluate};
use er_precision_gate::Thresholds;
use er_precision_gate::{Counts, PerMetric};
use er_precision_gate::ReviewSettings;
use er_precision_gate::{SliceRules, SliceSettings};
use libfuzzer_sys::fuzz_target;

fn dir() -> &'static tempfile::TempDir {
    static DIR: OnceLock<tempfile::TempDir> = OnceLock::new();
    DIR.get_or_init(|| tempfile::tempdir().unwrap())
}

/// Panics in our code are crashes to report; one inside a dependency (the
/// parquet crate asserts on some malformed pages) is caught by the reader
/// and becomes an error, which is what the gate must do with it.
fn hook() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        std::panic::set_hook(Box::new(|info| {
            let in_dependency = info.location().is_some_and(|l| l.file().contains("/registry/src/"));
            if !in_dependency {
                eprintln!("{info}");
                std::process::abort();
            }
        }));
    });
}

fuzz_target!(|data: &[u8]| {
    hook();
    // The first byte picks the settings, the rest is the file.
    let Some((&pick, bytes)) = data.split_first() else { return };
    let path = dir().path().join("v.parquet");
    std::fs::write(&path, bytes).unwrap();
    let decision = match pick % 3 {
        0 => Decision::Score { column: "score".into(), threshold: 0.5 },
        1 => Decision::Score { column: "score".into(), threshold: -1e300 },
        _ => Decision::Prediction { column: "prediction".into() },
    };
    let settings = Settings {
        decision,
        null_policy: if pick & 4 == 0 { NullPolicy::Fail } else { NullPolicy::Skip },
        thresholds: Thresholds { precision: 0.5, recall: 0.5, f1: 0.5 },
        confidence: (pick & 8 != 0).then_some(0.95),
        // Bit 4 slices by the fixtures' string column, with a gap rule.
        slices: SliceSettings {
            columns: if pick & 16 == 0 { Vec::new() } else { vec!["entity_type".into()] },
            max_slices: 4,
            min_support: 1,
            rules: SliceRules {
                max_gap: PerMetric { recall: Some(0.05), ..PerMetric::default() },
                ..SliceRules::default()
            },
            ..SliceSettings::default()
        },
        // Bit 5 keeps three misclassified pairs of each kind and reads them back.
        review: (pick & 32 != 0).then_some(ReviewSettings { limit: 3, display: vec!["label".into()], file: true }),
        // Bit 6 reads the file in cluster mode (the clusters fixture's columns).
        clusters: (pick & 64 != 0).then(|| ClusterSettings {
            record_column: "record_id".into(),
            true_entity_column: "true_entity_id".into(),
            predicted_entity_column: "predicted_entity_id".into(),
            family: Family::Bcubed,
            // Bit 7 takes the true entity as each record's name.
            name_column: (pick & 128 != 0).then(|| "true_entity_id".into()),
            // Bit 3 (confidence) reads the true entities as a sample drawn
            // by size, as the inputs allow confidence here only with one: a
            // record without a true entity is outside the sample.
            sampling: (pick & 8 != 0).then_some(Sampling::ClusterSize),
            truth: None,
        }),
        ..Settings::new(path)
    };
    let now = chrono::DateTime::UNIX_EPOCH;
    if let Ok(evaluation) = evaluate(&settings, now) {
        // What reached a verdict counted every row the footer declares
        // (in cluster mode, every record once; the counts are of pairs).
        // With a sample, records outside it count in the population only.
        let counted = match &evaluation.clusters {
            Some(c) => match &c.estimates {
                Some(e) => e.population_records + evaluation.tally.skipped.rows,
                None => c.clusters.counts.records + evaluation.tally.skipped.rows,
            },
            None => evaluation.tally.counts.rows() + evaluation.tally.skipped.rows,
        };
        // Every estimate and deviation is a number where it is defined.
        if let Some(e) = evaluation.clusters.as_ref().and_then(|c| c.estimates.as_ref()) {
            for family in [&e.pairwise, &e.bcubed, &e.cluster] {
                for x in [family.precision, family.recall, family.f1] {
                    assert!(x.value.is_none_or(f64::is_finite) && x.std.is_none_or(|s| s >= 0.0));
                }
            }
        }
        assert_eq!(counted, evaluation.dataset.rows);
        // The name rates are shares.
        let names = evaluation.clusters.as_ref().and_then(|c| c.names.as_ref());
        for rate in names.iter().flat_map(|n| [n.homonymy_rate, n.name_variation_rate]).flatten() {
            assert!((0.0..=1.0).contains(&rate), "{rate}");
        }
        if let Some(review) = &evaluation.review {
            assert!(review.rows.num_rows() <= 6);
        }
        // Every counted pair is in exactly one slice of each column.
        for column in &evaluation.slices {
            let mut sum = Counts::default();
            for s in &column.slices {
                sum += s.counts;
            }
            assert_eq!(sum, evaluation.tally.counts);
        }
    }
});
