//! The process's exit status, one of three (ripgrep's 0/1/2): the gate
//! passed, the gate failed, or the run could not evaluate.

/// How a run ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// 0: the gate passed (or the step does not fail on its verdict).
    Passed,
    /// 1: the gate failed: a metric below its threshold, or undefined.
    Failed,
    /// 2: bad input, an unreadable or mismatching file, or a report that
    /// could not be written.
    CouldNotEvaluate,
}

impl Exit {
    /// The process exit code.
    pub fn code(self) -> u8 {
        match self {
            Exit::Passed => 0,
            Exit::Failed => 1,
            Exit::CouldNotEvaluate => 2,
        }
    }
}

impl From<Exit> for std::process::ExitCode {
    fn from(exit: Exit) -> std::process::ExitCode {
        std::process::ExitCode::from(exit.code())
    }
}
