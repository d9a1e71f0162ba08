//! er-precision-gate: decide whether an entity-resolution model is good enough
//! to ship.
//!
//! It streams a parquet validation set of labelled candidate pairs, counts the
//! confusion matrix exactly, computes precision, recall and F1, and compares
//! them with thresholds. It runs as a Docker container GitHub Action (inputs
//! from `INPUT_*`) or as a command-line program (flags).
//!
//! The run is a flat list of stages: [`inputs`] types the inputs,
//! [`evaluate`] hashes and reads the file (at the same time, on separate
//! cores) and gives a [`gate::Verdict`], then [`publish`] writes the job
//! summary, the JSON report, the step outputs and the annotations, and runs
//! the side effects. Dependencies flow one way, from those stages down to the
//! pure core ([`dataset`], [`metrics`], [`gate`]); docs/development.md's
//! "Architecture" section draws the layers.
//!
//! # Exit codes
//! - 0: the gate passed.
//! - 1: the gate failed (a metric below its threshold, or undefined).
//! - 2: could not evaluate: bad input, unreadable or mismatching file, or a
//!   report that could not be written.

#![deny(missing_docs)]
#![warn(clippy::print_stdout, clippy::print_stderr)]

pub mod allocator;
pub mod baseline;
pub mod clusters;
pub mod counts;
pub mod dataset;
pub mod env;
pub mod error;
pub mod evaluate;
pub mod files;
pub mod gate;
pub mod inputs;
pub mod integrations;
pub mod metrics;
pub mod publish;
pub mod report;
pub mod review;
pub mod secret;
pub mod slices;
pub mod stats;
pub mod sweep;
pub mod terminal;
pub mod untrusted;
pub mod weighted;

pub use crate::error::Error;
pub use crate::evaluate::{Evaluation, Settings, evaluate};
