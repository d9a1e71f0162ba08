//! er-precision-gate: decide whether an entity-resolution model is good enough
//! to ship.
//!
//! It streams a parquet validation set of labelled candidate pairs, counts the
//! confusion matrix exactly, computes precision, recall and F1, and compares
//! them with thresholds. It runs as a Docker container GitHub Action (inputs
//! from `INPUT_*`) or as a command-line program (flags).
//!
//! The run is a flat list of stages: [`Inputs`] types the inputs,
//! [`evaluate()`] hashes and reads the file (at the same time, on separate
//! cores) and gives an [`Evaluation`] with its verdict, then [`publish`]
//! writes the job summary, the JSON report, the step outputs and the
//! annotations, and runs the side effects. Dependencies flow one way, from
//! those stages down to the pure core (the dataset, the metrics, the gate);
//! docs/development.md's "Architecture" section draws the layers.
//!
//! # Exit codes
//! - 0: the gate passed.
//! - 1: the gate failed (a metric below its threshold, or undefined).
//! - 2: could not evaluate: bad input, unreadable or mismatching file, or a
//!   report that could not be written.
//!
//! [`exit::Exit`] names them.

// The stages `main` runs, and the leaves it reads and prints with, are
// public modules; the rest is private, and `main`, the tests, the benchmark
// and the fuzz targets reach what they use through the re-exports below.
pub mod allocator;
mod baseline;
mod causes;
mod clusters;
mod correlation;
mod counts;
mod dataset;
pub mod env;
pub mod error;
mod evaluate;
pub mod exit;
mod files;
mod gate;
mod inputs;
mod integrations;
mod metrics;
mod paired;
pub mod places;
pub mod publish;
mod report;
mod review;
pub mod secret;
mod slices;
mod stats;
mod strata;
mod sweep;
pub mod terminal;
pub mod untrusted;
mod weighted;

pub use crate::baseline::Baseline;
pub use crate::clusters::estimators::Sampling;
pub use crate::clusters::{ClusterSettings, Family};
pub use crate::dataset::{Decision, NullPolicy, Sha256, checksums};
pub use crate::error::Error;
pub use crate::evaluate::{
    BaselineSource, ClusterBy, Evaluation, Settings, evaluate, metrics_pass,
};
pub use crate::gate::{Drops, OnInconclusive, Thresholds};
pub use crate::inputs::{INPUTS, InputError, InputSpec, Inputs, Request, as_flags};
pub use crate::integrations::comment::marker as comment_marker;
pub use crate::integrations::github::Actions;
pub use crate::metrics::{Counts, PerMetric};
pub use crate::report::{CardInputs, OUTPUTS, Report, Run, card::Card, format, render};
pub use crate::review::ReviewSettings;
pub use crate::slices::{SliceRules, SliceSettings};
