//! Integration tests: the binary run as the Actions runner and a user run it.
//!
//! One test binary, grouped by topic (ripgrep's layout). Every test runs the
//! real executable with a cleared environment, in a temporary working
//! directory, with `GITHUB_OUTPUT` and `GITHUB_STEP_SUMMARY` pointing at files
//! there, and checks the exit code, the outputs, the summary and stdout.

mod util;

mod action;
mod bad_input;
mod card;
mod checksums;
mod comment;
mod dashboard;
mod gate;
mod oracle;
mod push;
mod render;
mod workflows;
