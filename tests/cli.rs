//! Integration tests: the binary run as the Actions runner and a user run it.
//!
//! One test binary, grouped by topic (ripgrep's layout). Every test runs the
//! real executable with a cleared environment, in a temporary working
//! directory, with `GITHUB_OUTPUT` and `GITHUB_STEP_SUMMARY` pointing at files
//! there, and checks the exit code, the outputs, the summary and stdout.
//!
//! The suites that start real servers (Pushgateway, Prometheus, Prism) or run
//! the Python oracle need the `external-tests` feature, which the README's
//! test command and `.ci/run` always turn on (`tests/setup.sh` installs what
//! they use); with it on, a missing tool is a failure, never a skip. Without
//! it, `cargo test` runs everything that needs none of them.

mod util;

mod action;
mod bad_input;
mod baseline;
mod blocking;
mod bombs;
mod card;
mod checksums;
mod clusters;
#[cfg(feature = "external-tests")]
mod comment;
mod config;
mod correlated;
mod counts;
#[cfg(feature = "external-tests")]
mod dashboard;
#[cfg(feature = "external-tests")]
mod engines;
mod errors;
mod footers;
mod gate;
mod hardening;
mod hostile;
mod join;
mod long_ids;
#[cfg(feature = "external-tests")]
mod object_store;
#[cfg(feature = "external-tests")]
mod oracle;
mod paired;
mod parts;
mod places;
#[cfg(feature = "external-tests")]
mod protection;
mod publish_job;
mod pull_requests;
mod push;
mod readme;
mod release;
mod render;
mod reusable;
mod sampled;
mod scales;
mod secrets;
#[cfg(feature = "external-tests")]
mod servers;
mod slices;
mod strata;
#[cfg(feature = "external-tests")]
mod thresholds;
mod tls;
mod weights;
mod workflows;
