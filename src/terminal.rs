//! A progress line for long reads, on a terminal only.
//!
//! Run by hand on a big or remote validation set, the gate can read for
//! minutes; after two seconds a line on stderr shows the bytes hashed, the
//! rate, the time left and the rows counted. Never under Actions (the log
//! is not a terminal and the runner would keep every redraw), never when
//! stderr is redirected.

use std::io::IsTerminal;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use crate::dataset::progress;
use crate::env::Env;

/// How long a read goes on before the line appears.
const QUIET: Duration = Duration::from_secs(2);

/// The line, drawn until dropped.
pub struct Progress {
    done: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

/// Whether to draw: stderr is a terminal and the run is not under Actions.
pub fn wanted(env: &Env, stderr_is_terminal: bool) -> bool {
    stderr_is_terminal && env.get("GITHUB_ACTIONS") != Some("true")
}

impl Progress {
    /// Starts the line's thread when [`wanted`].
    pub fn start(env: &Env) -> Option<Progress> {
        if !wanted(env, std::io::stderr().is_terminal()) {
            return None;
        }
        let done = Arc::new(AtomicBool::new(false));
        let stop = done.clone();
        let thread = std::thread::spawn(move || draw(&stop));
        Some(Progress { done, thread: Some(thread) })
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        self.done.store(true, Ordering::Relaxed);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

fn draw(done: &AtomicBool) {
    let started = Instant::now();
    // Made at once, hidden, so its rate and time left count from the start.
    let bar =
        indicatif::ProgressBar::with_draw_target(None, indicatif::ProgressDrawTarget::hidden());
    let style = indicatif::ProgressStyle::with_template(
        "{elapsed} {wide_bar} {bytes}/{total_bytes} hashed, {bytes_per_sec}, {eta} left, {msg}",
    )
    .expect("a valid template");
    bar.set_style(style);
    let mut shown = false;
    while !done.load(Ordering::Relaxed) {
        let (hashed, total, rows) = progress::now();
        bar.set_length(total);
        bar.set_position(hashed);
        bar.set_message(format!("{rows} rows counted"));
        if !shown && started.elapsed() >= QUIET {
            bar.set_draw_target(indicatif::ProgressDrawTarget::stderr_with_hz(10));
            shown = true;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    bar.finish_and_clear();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn drawn_on_a_terminal_outside_actions_only() {
        let outside = Env::from_pairs([("HOME", "/root")]);
        let actions = Env::from_pairs([("GITHUB_ACTIONS", "true")]);
        assert!(wanted(&outside, true));
        assert!(!wanted(&outside, false));
        assert!(!wanted(&actions, true));
    }
}
