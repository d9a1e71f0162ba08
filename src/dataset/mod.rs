//! The validation set: its bytes (hash), its parquet structure and its columns.
//!
//! This module reads; it never prints, reads the environment or decides a
//! verdict. [`source`] opens a file or a folder of parts ([`parts`]) and
//! hashes them, [`checksum`] hashes one file, [`checksums`] verifies a
//! `sha256sum` list, [`reader`] streams record batches of the needed columns
//! only, and [`columns`] turns arrow arrays into the bits the tally counts.
//! Every failure is a [`DatasetError`].

mod arrays;
mod checksum;
pub mod checksums;
pub(crate) mod columns;
mod error;
mod fetch;
mod file;
mod hive;
pub(crate) mod join;
mod kinds;
mod pages;
pub(crate) mod parts;
pub(crate) mod progress;
pub(crate) mod reader;
pub(crate) mod remote;
mod role;
mod rows;
mod sniff;
pub(crate) mod source;
pub(crate) mod stores;
mod thrift;
pub(crate) mod values;

pub use checksum::Sha256;
pub use columns::{Decision, NullPolicy, ScoreScale};
pub use error::{DatasetError, Role};
pub use reader::{Dataset, Projection};
pub use source::{Hashed, Source};
