//! Recall through blocking (pair mode with `truth`). The validation pairs
//! are the candidates blocking proposed, so their recall cannot count the
//! true matches that were never compared. With the labelled records' true
//! entities (`truth`: `record_column` and `true_entity_column`, joined on
//! the pair's two `key_columns`) every true pair among those records is
//! known: T = Σ C(size, 2) over the true entities. The blocking recall is
//! the share of them among the candidates, the end-to-end recall the share
//! the model found (TP / T). A candidate whose label disagrees with the
//! truth is label noise: counted, its first rows listed.

use std::collections::HashSet;
use std::path::PathBuf;

use super::error::EvaluateError;
use super::truth_file::{TruthFile, TruthReport};
use crate::clusters::ids::key;
use crate::dataset::columns::{self, Kind, label_bits};
use crate::dataset::values::key_column;
use crate::dataset::{Dataset, Role, Source};
use crate::metrics::Metric;
use crate::stats::{Evidence, Interval};

/// Validation-set rows listed among the label disagreements.
const SHOWN_ROWS: usize = 20;

/// Where the labelled records' true entities are (`truth`), the names of
/// its columns, and the rules on what it shows.
#[derive(Debug, Clone, PartialEq)]
pub struct TruthSettings {
    pub path: PathBuf,
    /// The record id column (`record_column`).
    pub record_column: String,
    /// The true entity column (`true_entity_column`).
    pub true_entity_column: String,
    /// The lowest passing blocking recall (`min_blocking_recall`).
    pub min_blocking_recall: Option<f64>,
    /// Which recall `min_recall` judges (`recall_scope`).
    pub scope: RecallScope,
    /// Whether the predicted matches are closed into clusters and scored
    /// against the truth (`closure`).
    pub closure: bool,
    /// The truth's column of each record's name (`name_column`): the
    /// closed clusters' homonymy and name variation rates.
    pub name_column: Option<String>,
}

/// Which recall `min_recall` judges (`recall_scope`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RecallScope {
    /// Over the candidate pairs (the labelled pairs).
    Candidates,
    /// Over every true pair among the truth's records: TP / T.
    EndToEnd,
}

/// Evidence whose recall is end to end: the true positives over every
/// true pair among the truth's records. Its interval is Wilson's on those
/// pairs, counted as the candidates' recall's design counts its pairs
/// (`shrink`, with `degrees` of freedom).
pub struct EndToEnd<E> {
    pub base: E,
    /// The true positives.
    pub tp: u64,
    /// The true pairs, T.
    pub true_pairs: u64,
    /// The candidates' recall's effective pairs over its pairs.
    pub shrink: Option<f64>,
    /// Its Student's t degrees of freedom, under `cluster_by`.
    pub degrees: Option<f64>,
}

impl<E: Evidence> Evidence for EndToEnd<E> {
    fn value(&self, metric: Metric) -> Option<f64> {
        match metric {
            Metric::Recall => self.proportion(metric).map(|(q, _)| q),
            _ => self.base.value(metric),
        }
    }

    fn interval(&self, metric: Metric, confidence: f64) -> Option<Interval> {
        match metric {
            Metric::Recall => {
                let (q, n) = self.proportion(metric)?;
                let crit = crate::stats::critical(confidence, self.degrees);
                Some(crate::stats::wilson_at(q, n * self.shrink.unwrap_or(1.0), crit))
            }
            _ => self.base.interval(metric, confidence),
        }
    }

    fn proportion(&self, metric: Metric) -> Option<(f64, f64)> {
        match metric {
            Metric::Recall => {
                let t = self.true_pairs as f64;
                (self.true_pairs > 0).then(|| ((self.tp as f64 / t).min(1.0), t))
            }
            _ => self.base.proportion(metric),
        }
    }
}

/// What the truth says of the candidates.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Blocking {
    /// The truth file.
    pub truth: TruthReport,
    /// True pairs among the truth's records: Σ C(size, 2).
    pub true_pairs: u64,
    /// Of them, those among the candidate pairs (each once).
    pub candidate_true_pairs: u64,
    /// candidate_true_pairs / true_pairs; `None` without true pairs.
    pub blocking_recall: Option<f64>,
    /// The model's true positives over the true pairs; `None` without.
    pub end_to_end_recall: Option<f64>,
    /// Candidates whose label disagrees with the truth.
    pub label_disagreements: u64,
    /// The first of them, by row of the validation set.
    pub first_disagreements: Vec<u64>,
    /// Candidates with a record the truth does not list.
    pub unresolved: u64,
    /// Which recall `min_recall` judged.
    pub recall_scope: RecallScope,
    /// The lowest passing blocking recall, with `min_blocking_recall`.
    pub min_blocking_recall: Option<f64>,
    /// Whether the blocking recall reached it (an undefined one does not);
    /// `None` without the rule.
    pub blocking_passed: Option<bool>,
    /// The predicted matches' connected components against the truth,
    /// with `closure`.
    pub closure: Option<super::Closure>,
}

/// One reading thread's findings.
#[derive(Default)]
struct Found {
    /// Candidate true pairs, as the two records' rows in the truth file.
    pairs: HashSet<(u32, u32)>,
    disagreements: u64,
    first: Vec<u64>,
    unresolved: u64,
}

/// Reads the truth file and the candidates' ids and labels; `tp` is the
/// model's true positives among them.
pub fn measure(
    settings: &super::Settings,
    truth: &TruthSettings,
    validation: &Source,
    tp: u64,
) -> Result<Blocking, EvaluateError> {
    let file = Source::open(Role::Truth, &truth.path, &settings.store)?;
    let columns = (truth.record_column.as_str(), truth.true_entity_column.as_str());
    let table = TruthFile::load(&file, columns, (None, truth.name_column.as_deref()))?;
    let (entities, sizes) = table.numbered();
    let dataset = Dataset::parse(validation)?;
    let [left, right] = [&settings.key_columns[0], &settings.key_columns[1]];
    let (label, positive) = settings.labels();
    let wanted = [
        (left.as_str(), "key_columns", Kind::Key),
        (right, "key_columns", Kind::Key),
        (label, "label_column", Kind::Label),
    ];
    let projection = dataset.projection(columns::find(&dataset, &wanted)?)?;
    let workers = std::thread::available_parallelism().map_or(1, |n| n.get());
    let path = &settings.validation_set;
    let folds = dataset.fold(&projection, workers, Found::default, |found, batch, first_row| {
        let ids = [left, right].map(|c| key_column(batch.column_by_name(c).expect("projected")));
        let labels = batch.column_by_name(label).expect("projected");
        let bits = label_bits(path, label, labels.as_ref(), first_row, positive)?;
        for i in 0..batch.num_rows() {
            let rows = ids.each_ref().map(|c| key(c, i).and_then(|k| table.row(k)));
            let [Some(l), Some(r)] = rows else {
                found.unresolved += 1;
                continue;
            };
            let same = entities[l as usize] == entities[r as usize] && l != r;
            if same {
                found.pairs.insert((l.min(r), l.max(r)));
            }
            if labels.is_valid(i) && bits.value(i) != same {
                found.disagreements += 1;
                if found.first.len() < SHOWN_ROWS {
                    found.first.push(first_row + i as u64);
                }
            }
        }
        Ok(())
    })?;
    let found = folds.into_iter().fold(Found::default(), merge);
    let closure = if truth.closure {
        Some(super::closure::close(settings, &table, (&entities, &sizes), validation)?)
    } else {
        None
    };
    let true_pairs: u64 = sizes.iter().map(|&s| s * s.saturating_sub(1) / 2).sum();
    let share = |n: u64| (true_pairs > 0).then(|| n as f64 / true_pairs as f64);
    Ok(Blocking {
        truth: table.finish(),
        true_pairs,
        candidate_true_pairs: found.pairs.len() as u64,
        blocking_recall: share(found.pairs.len() as u64),
        end_to_end_recall: share(tp),
        label_disagreements: found.disagreements,
        first_disagreements: found.first,
        unresolved: found.unresolved,
        recall_scope: truth.scope,
        min_blocking_recall: truth.min_blocking_recall,
        blocking_passed: truth
            .min_blocking_recall
            .map(|min| share(found.pairs.len() as u64).is_some_and(|r| r >= min)),
        closure,
    })
}

/// Two threads' findings as one.
fn merge(mut one: Found, other: Found) -> Found {
    one.pairs.extend(other.pairs);
    one.disagreements += other.disagreements;
    one.first.extend(other.first);
    one.first.sort_unstable();
    one.first.truncate(SHOWN_ROWS);
    one.unresolved += other.unresolved;
    one
}
