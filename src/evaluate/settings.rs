//! What to evaluate and how: [`Settings`], which `inputs` fills and the
//! evaluation owns, and where the previous model's result comes from.

use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::clusters::ClusterSettings;
use crate::dataset::stores::StoreAccess;
use crate::dataset::{Decision, NullPolicy, ScoreScale, Sha256};
use crate::gate::{Drops, OnInconclusive, Thresholds};
use crate::review::ReviewSettings;
use crate::slices::SliceSettings;
use crate::strata::StrataSettings;

/// What to evaluate and how: the validation set, its provenance checks, the
/// columns and the rules.
#[derive(Debug, Clone, PartialEq)]
pub struct Settings {
    /// The parquet file (or folder of parts) to evaluate: the labelled
    /// pairs, with their scores unless `predictions` is given; with
    /// `counts`, the counts file.
    pub validation_set: PathBuf,
    /// The counts an engine computed where the data lives, evaluated
    /// instead of a validation set.
    pub counts: Option<PathBuf>,
    /// How a validation set in object storage is reached: credentials,
    /// and the longest its reading may take.
    pub store: StoreAccess,
    /// The model's scores or predictions in a file of their own, joined to
    /// the labelled pairs on `key_columns`.
    pub predictions: Option<PathBuf>,
    /// The previous model's scores or predictions in a file of their own,
    /// joined to the labelled pairs on `key_columns` (its column:
    /// `previous`).
    pub baseline_predictions: Option<PathBuf>,
    /// The columns that identify a pair in both files.
    pub key_columns: Vec<String>,
    /// Each pair's weight, a column of the validation set: metrics and
    /// verdict are then weighted.
    pub weight_column: Option<String>,
    /// The SHA-256 the file must have, if given.
    pub dataset_hash: Option<Sha256>,
    /// Whether a run without an expected hash for the validation set
    /// (`dataset_hash` or a checksums line) is refused.
    pub require_hash: bool,
    /// A checksums file whose every line is verified first.
    pub checksums: Option<PathBuf>,
    /// The ground-truth column.
    pub label_column: String,
    /// For text labels, the value that means a match.
    pub positive_label: Option<String>,
    /// How predictions are made.
    pub decision: Decision,
    /// The scale of the scores (the model's and the previous one's).
    pub score_scale: ScoreScale,
    /// How the previous model's predictions are made, from a column beside
    /// the model's: the two are then compared pair by pair.
    pub previous: Option<Decision>,
    /// What to do with missing values.
    pub null_policy: NullPolicy,
    /// The labelled records' true entities, in pair mode (`truth`): the
    /// report then gives the recall through blocking.
    pub truth: Option<super::TruthSettings>,
    /// The gate's thresholds.
    pub thresholds: Thresholds,
    /// The previous model's result.
    pub baseline: Option<BaselineSource>,
    /// Largest allowed falls below the baseline.
    pub max_drop: Drops,
    /// The two-sided level of each metric's interval; `None`: point values decide.
    pub confidence: Option<f64>,
    /// Which pairs are correlated, for the intervals.
    pub cluster_by: ClusterBy,
    /// The strata a stratified sample was labelled in, and their sizes.
    pub strata: Option<StrataSettings>,
    /// What an inconclusive verdict does to the step.
    pub on_inconclusive: OnInconclusive,
    /// Whether to count the threshold sweep (score decisions only).
    pub sweep: bool,
    /// The slice columns and their limits.
    pub slices: SliceSettings,
    /// How many misclassified pairs to keep for review, with `errors_file`.
    pub review: Option<ReviewSettings>,
    /// Cluster mode's columns and family, with `mode: clusters`.
    pub clusters: Option<ClusterSettings>,
    /// Where each threshold and switch that decides the verdict came from,
    /// for reviewers: a config file in a pull request can lower a minimum.
    pub origins: Vec<SettingOrigin>,
}

/// One setting that decides the verdict, its value and where it came from.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct SettingOrigin {
    /// The input's name.
    pub input: &'static str,
    /// Its value, as given.
    pub value: String,
    /// Where it came from: `input`, `config file` (with `file` and
    /// `line`), or `default`. A step input equal to its default is the
    /// default: the runner sets every input `with:` leaves out to it.
    pub source: &'static str,
    /// The config file, for `config file`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
    /// Its line, when found.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<usize>,
}

impl Settings {
    /// The settings of the action's defaults for `validation_set`: labels
    /// in `label`, scores in `score` decided at 0.5, thresholds of 0.92,
    /// 0.88 and 0.90, a missing value an error, the sweep counted, and no
    /// more (no interval, baseline, slice, review or object store
    /// credentials). Tests, the benchmark and the fuzz target start here.
    pub fn new(validation_set: PathBuf) -> Settings {
        Settings {
            validation_set,
            counts: None,
            store: StoreAccess::anonymous(Duration::from_secs(600)),
            predictions: None,
            baseline_predictions: None,
            key_columns: Vec::new(),
            weight_column: None,
            dataset_hash: None,
            require_hash: false,
            checksums: None,
            label_column: "label".into(),
            positive_label: None,
            decision: Decision::Score { column: "score".into(), threshold: 0.5 },
            score_scale: ScoreScale::Raw,
            previous: None,
            null_policy: NullPolicy::Fail,
            truth: None,
            thresholds: Thresholds { precision: 0.92, recall: 0.88, f1: 0.90 },
            baseline: None,
            max_drop: Drops::default(),
            confidence: None,
            cluster_by: ClusterBy::Independent,
            strata: None,
            on_inconclusive: OnInconclusive::Fail,
            sweep: true,
            slices: SliceSettings::default(),
            review: None,
            clusters: None,
            origins: Vec::new(),
        }
    }

    /// The label column, and for text labels the value that means a match.
    pub fn labels(&self) -> (&str, Option<&str>) {
        (&self.label_column, self.positive_label.as_deref())
    }

    /// Whether the threshold sweep is counted: asked for, a score decides,
    /// and pairs are not weighted (the sweep counts pairs).
    pub fn sweeps(&self) -> bool {
        self.sweep
            && matches!(self.decision, Decision::Score { .. })
            && self.weight_column.is_none()
            && self.strata.is_none()
    }
}

/// Which pairs are correlated (`cluster_by`): the intervals then count
/// them as the fewer independent pairs they are worth.
#[derive(Debug, Clone, PartialEq)]
pub enum ClusterBy {
    /// Pairs are independent trials.
    Independent,
    /// One id column (pairs with one value are correlated), or a pair's two
    /// record columns (pairs that share a record are).
    Columns(Vec<String>),
    /// The default with `confidence`: these two record columns when the
    /// data has both, else independent pairs.
    IfPresent(Vec<String>),
}

/// Where the previous model's result comes from.
#[derive(Debug, Clone, PartialEq)]
pub enum BaselineSource {
    /// A JSON report or JSON model card.
    Path(PathBuf),
    /// `latest`: the newest model card JSON in these folders, other than the
    /// files this run writes (`except`); none found is no comparison.
    Latest {
        /// The folders of the cards this run writes.
        folders: Vec<PathBuf>,
        /// This run's own cards and report.
        except: Vec<PathBuf>,
    },
}

impl BaselineSource {
    /// The file given, for `Path`.
    pub fn path(&self) -> Option<&Path> {
        match self {
            BaselineSource::Path(p) => Some(p),
            BaselineSource::Latest { .. } => None,
        }
    }
}
