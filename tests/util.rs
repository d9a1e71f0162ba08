//! Shared setup: a temporary workspace, the binary, parquet writers and parsers.

use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use arrow_array::{ArrayRef, RecordBatch};
use parquet::arrow::ArrowWriter;
use parquet::file::properties::WriterProperties;

/// The longest a run of the gate may take in a test.
pub const DEADLINE: Duration = Duration::from_secs(60);

/// The repository root.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A free loopback port.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// `tests/.venv`'s scripts, which `tests/setup.sh` makes, where it exists.
#[cfg(feature = "external-tests")]
fn venv_bin() -> Option<PathBuf> {
    Some(root().join("tests/.venv/bin")).filter(|bin| bin.exists())
}

/// The Python the oracles run with: `tests/.venv`'s, else `python3` on PATH.
#[cfg(feature = "external-tests")]
pub fn python() -> Command {
    Command::new(venv_bin().map_or("python3".into(), |bin| bin.join("python")))
}

/// `PATH` with `tests/.venv`'s scripts first, when it exists, for a script
/// of the project that runs `python3` as a user's shell would find it.
#[cfg(feature = "external-tests")]
pub fn path_with_venv() -> std::ffi::OsString {
    let path = std::env::var_os("PATH").unwrap_or_default();
    match venv_bin() {
        Some(bin) => std::env::join_paths(std::iter::once(bin).chain(std::env::split_paths(&path)))
            .expect("PATH joins"),
        None => path,
    }
}

/// A committed fixture.
pub fn fixture(name: &str) -> PathBuf {
    root().join("fixtures").join(name)
}

/// The SHA-256 of a fixture as `fixtures/checksums.txt` (written by
/// `sha256sum`-compatible Python hashlib) records it.
pub fn recorded_sha256(name: &str) -> String {
    let text = std::fs::read_to_string(fixture("checksums.txt")).unwrap();
    text.lines()
        .find_map(|l| l.strip_suffix(name).map(|h| h.trim().to_string()))
        .unwrap_or_else(|| panic!("{name} is not in checksums.txt"))
}

/// Writes one record batch, given as columns, as a parquet file.
/// Asserts that two JSON numbers agree within `relative` of the oracle's
/// magnitude (at least `floor`).
#[cfg(feature = "external-tests")]
pub fn assert_close(
    ours: &serde_json::Value,
    theirs: &serde_json::Value,
    (relative, floor): (f64, f64),
    what: &str,
) {
    let (a, b) = (ours.as_f64().unwrap(), theirs.as_f64().unwrap());
    assert!((a - b).abs() <= relative * b.abs().max(floor), "{what}: {a} vs {b}");
}

pub fn write_parquet(path: &Path, columns: Vec<(&str, ArrayRef)>) {
    write_batch(path, &RecordBatch::try_from_iter(columns).unwrap());
}

/// Writes one record batch as a parquet file of one row group.
pub fn write_batch(path: &Path, batch: &RecordBatch) {
    write_batch_with(path, batch, WriterProperties::default());
}

/// Writes one record batch as a parquet file laid out by `props` (row
/// groups, pages, page index, dictionaries).
pub fn write_batch_with(path: &Path, batch: &RecordBatch, props: WriterProperties) {
    let file = std::fs::File::create(path).unwrap();
    let mut writer = ArrowWriter::try_new(file, batch.schema(), Some(props)).unwrap();
    writer.write(batch).unwrap();
    writer.close().unwrap();
}

/// `sha256sum` of a file: its 64 hex digits.
pub fn sha256sum(path: &Path) -> String {
    let out = Command::new("sha256sum").arg(path).output().unwrap();
    String::from_utf8(out.stdout).unwrap()[..64].to_string()
}

/// `sha256sum` of bytes on its standard input: their 64 hex digits.
pub fn sha256sum_of(bytes: &[u8]) -> String {
    use std::io::Write;
    let mut child =
        Command::new("sha256sum").stdin(Stdio::piped()).stdout(Stdio::piped()).spawn().unwrap();
    child.stdin.take().unwrap().write_all(bytes).unwrap();
    String::from_utf8(child.wait_with_output().unwrap().stdout).unwrap()[..64].to_string()
}

/// Reads a whole parquet file as one record batch.
pub fn read_parquet(path: &Path) -> RecordBatch {
    use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
    let file = std::fs::File::open(path).unwrap();
    let reader = ParquetRecordBatchReaderBuilder::try_new(file).unwrap().build().unwrap();
    let schema = arrow_array::RecordBatchReader::schema(&reader);
    let batches: Vec<RecordBatch> = reader.map(Result::unwrap).collect();
    arrow_select::concat::concat_batches(&schema, &batches).unwrap()
}

/// Wraps an array for [`write_parquet`].
pub fn col(array: impl arrow_array::Array + 'static) -> ArrayRef {
    Arc::new(array)
}

/// Job `job` of the shipped gate workflow.
pub fn gate_workflow_job(job: &str) -> serde_norway::Value {
    let text = std::fs::read_to_string(root().join(".github/workflows/er-precision-gate.yml"));
    let wf: serde_norway::Value = serde_norway::from_str(&text.unwrap()).unwrap();
    wf["jobs"][job].clone()
}

/// The step of the gate workflow's job `job` whose `key` (`id` or `name`)
/// is `value`, for a test to run its script as the runner would.
pub fn gate_workflow_step(job: &str, key: &str, value: &str) -> serde_norway::Value {
    let job = gate_workflow_job(job);
    let steps = job["steps"].as_sequence().unwrap();
    let step = steps.iter().find(|s| s[key] == value);
    step.unwrap_or_else(|| panic!("no step with {key} `{value}`")).clone()
}

/// One run of the binary, as a GitHub Actions step.
pub struct Gate {
    pub dir: tempfile::TempDir,
    env: BTreeMap<String, String>,
    args: Vec<String>,
    cwd: Option<PathBuf>,
    /// Where `tests/peak_rss.py` writes the run's peak memory, when measured.
    peak: Option<PathBuf>,
}

/// What a run left behind.
#[derive(Debug)]
pub struct Ran {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
    pub outputs: BTreeMap<String, String>,
    pub summary: String,
    pub dir: PathBuf,
    /// Keeps the workspace alive as long as the result.
    _workspace: tempfile::TempDir,
}

impl Gate {
    /// A workspace with empty output and summary files and `GITHUB_ACTIONS=true`.
    pub fn new() -> Gate {
        let dir = tempfile::tempdir().unwrap();
        let files = dir.path().join("_file_commands");
        std::fs::create_dir(&files).unwrap();
        std::fs::write(files.join("output"), "").unwrap();
        std::fs::write(files.join("summary"), "").unwrap();
        let mut env = BTreeMap::new();
        env.insert("GITHUB_ACTIONS".into(), "true".into());
        env.insert("GITHUB_OUTPUT".into(), files.join("output").display().to_string());
        env.insert("GITHUB_STEP_SUMMARY".into(), files.join("summary").display().to_string());
        env.insert("GITHUB_SERVER_URL".into(), "https://github.com".into());
        env.insert("GITHUB_REPOSITORY".into(), "acme/entity-resolution".into());
        env.insert("GITHUB_RUN_ID".into(), "4242".into());
        env.insert("GITHUB_WORKSPACE".into(), dir.path().display().to_string());
        Gate { dir, env, args: Vec::new(), cwd: None, peak: None }
    }

    /// A workspace with one fixture copied in under its own name.
    pub fn with_fixture(name: &str) -> Gate {
        let gate = Gate::new();
        std::fs::copy(fixture(name), gate.dir.path().join(name)).unwrap();
        gate.input("validation_set", name)
    }

    /// Sets an action input as the runner does: `INPUT_<NAME>`.
    pub fn input(mut self, name: &str, value: &str) -> Gate {
        self.env.insert(format!("INPUT_{}", name.to_uppercase()), value.into());
        self
    }

    /// Sets every minimum to 0, so the run passes whatever the metrics: for
    /// tests about what is counted, not about the verdict.
    pub fn any_metric(self) -> Gate {
        self.input("min_precision", "0").input("min_recall", "0").input("min_f1", "0")
    }

    /// Runs `script` (under `tests/`) with python3 and `args`, and parses
    /// what it prints as JSON; `needs` says what the script imports.
    #[cfg(feature = "external-tests")]
    pub fn python(script: &str, args: &[&std::ffi::OsStr], needs: &str) -> serde_json::Value {
        let out = python()
            .arg(root().join("tests").join(script))
            .args(args)
            .output()
            .expect("python3 runs");
        assert!(
            out.status.success(),
            "{script} needs python3 with {needs} (bash tests/setup.sh):\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice(&out.stdout).unwrap()
    }

    /// Sets any environment variable.
    pub fn env(mut self, name: &str, value: &str) -> Gate {
        self.env.insert(name.into(), value.into());
        self
    }

    /// Removes an environment variable set by default.
    pub fn unset(mut self, name: &str) -> Gate {
        self.env.remove(name);
        self
    }

    /// Adds command-line arguments.
    pub fn args(mut self, args: &[&str]) -> Gate {
        self.args.extend(args.iter().map(|a| a.to_string()));
        self
    }

    /// Runs in `dir` instead of the temporary workspace (file commands stay
    /// there), as the workspace (`GITHUB_WORKSPACE`).
    pub fn cwd(mut self, dir: &Path) -> Gate {
        self.cwd = Some(dir.to_path_buf());
        self.env("GITHUB_WORKSPACE", &dir.display().to_string())
    }

    /// Lets the run read files in `dir` too, as the runner's temporary
    /// folder (`RUNNER_TEMP`): files outside both are refused.
    pub fn reading(self, dir: &Path) -> Gate {
        self.env("RUNNER_TEMP", &dir.display().to_string())
    }

    /// A path inside the workspace.
    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// Runs it as [`Gate::run`] does, under `tests/peak_rss.py`, and gives
    /// its peak resident memory in bytes too.
    #[cfg(feature = "external-tests")]
    pub fn run_measured(mut self) -> (Ran, u64) {
        let peak = self.dir.path().join("_file_commands/peak_rss");
        self.peak = Some(peak.clone());
        let ran = self.run();
        let kib: u64 = std::fs::read_to_string(&peak).unwrap().trim().parse().unwrap();
        (ran, kib * 1024)
    }

    /// Runs the binary in the workspace with only the configured environment.
    /// A run that outlives [`DEADLINE`] is killed and fails the test, so a
    /// read that hangs (a FIFO) cannot hang the suite.
    pub fn run(self) -> Ran {
        let binary = env!("CARGO_BIN_EXE_er-precision-gate");
        let mut command = match &self.peak {
            #[cfg(feature = "external-tests")]
            Some(peak) => {
                let mut c = python();
                c.env_clear().env("PEAK_RSS_FILE", peak);
                c.arg(root().join("tests/peak_rss.py")).arg(binary);
                c
            }
            _ => {
                let mut c = Command::new(binary);
                c.env_clear();
                c
            }
        };
        let mut child = command
            .envs(&self.env)
            .args(&self.args)
            .current_dir(self.cwd.as_deref().unwrap_or(self.dir.path()))
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let drain = |mut pipe: Box<dyn Read + Send>| {
            std::thread::spawn(move || {
                let mut bytes = Vec::new();
                pipe.read_to_end(&mut bytes).unwrap();
                bytes
            })
        };
        let stdout = drain(Box::new(child.stdout.take().unwrap()));
        let stderr = drain(Box::new(child.stderr.take().unwrap()));
        let start = Instant::now();
        let status = loop {
            if let Some(status) = child.try_wait().unwrap() {
                break status;
            }
            if start.elapsed() > DEADLINE {
                child.kill().unwrap();
                panic!("the gate ran longer than {DEADLINE:?}");
            }
            std::thread::sleep(Duration::from_millis(10));
        };
        let out = Output { status, stdout: stdout.join().unwrap(), stderr: stderr.join().unwrap() };
        let read = |name: &str| {
            std::fs::read_to_string(self.dir.path().join("_file_commands").join(name))
                .unwrap_or_default()
        };
        Ran {
            code: out.status.code().expect("exited normally"),
            stdout: String::from_utf8(out.stdout).unwrap(),
            stderr: String::from_utf8(out.stderr).unwrap(),
            outputs: parse_outputs(&read("output")),
            summary: read("summary"),
            dir: self.dir.path().to_path_buf(),
            _workspace: self.dir,
        }
    }
}

impl Ran {
    /// A JSON file the run wrote (a report, a card), parsed.
    pub fn json(&self, path: &str) -> serde_json::Value {
        serde_json::from_str(&std::fs::read_to_string(self.dir.join(path)).unwrap()).unwrap()
    }

    /// The `::error` lines on stdout.
    pub fn errors(&self) -> Vec<&str> {
        self.stdout.lines().filter(|l| l.starts_with("::error ")).collect()
    }

    /// Asserts exit 2, one `::error` annotation containing `needle`, the same
    /// message on stderr, and no step output.
    pub fn assert_cannot_evaluate(&self, needle: &str) {
        assert_eq!(self.code, 2, "{self:#?}");
        let errors = self.errors();
        assert_eq!(errors.len(), 1, "{self:#?}");
        assert!(errors[0].contains(needle), "annotation lacks {needle:?}: {self:#?}");
        assert!(self.stderr.contains(needle), "stderr lacks {needle:?}: {self:#?}");
        assert!(self.outputs.is_empty(), "outputs written: {self:#?}");
        assert!(self.summary.contains("could not evaluate"), "{self:#?}");
    }

    /// An output parsed as a number.
    pub fn number(&self, name: &str) -> f64 {
        self.outputs[name].parse().unwrap()
    }
}

/// Parses `GITHUB_OUTPUT` as the runner does: `name<<delim` heredocs (and
/// `name=value` lines), failing on anything the runner would reject.
pub fn parse_outputs(text: &str) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    let mut lines = text.split('\n');
    while let Some(line) = lines.next() {
        if line.is_empty() {
            continue;
        }
        match (line.find('='), line.find("<<")) {
            (Some(eq), heredoc) if heredoc.is_none_or(|h| eq < h) => {
                out.insert(line[..eq].to_string(), line[eq + 1..].to_string());
            }
            (_, Some(h)) => {
                let (name, delim) = (&line[..h], &line[h + 2..]);
                let mut value = Vec::new();
                loop {
                    let l = lines
                        .next()
                        .unwrap_or_else(|| panic!("matching delimiter not found {delim}"));
                    if l == delim {
                        break;
                    }
                    value.push(l);
                }
                assert!(
                    out.insert(name.to_string(), value.join("\n")).is_none(),
                    "{name} set twice"
                );
            }
            _ => panic!("invalid format {line:?}"),
        }
    }
    out
}

/// Every file under a folder with its bytes (the runner's files left out).
pub fn tree(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
            let meta = std::fs::symlink_metadata(&path).unwrap();
            if path.ends_with("_file_commands") {
                continue;
            } else if meta.is_dir() {
                stack.push(path);
            } else if meta.is_file() {
                out.insert(path.clone(), std::fs::read(&path).unwrap());
            } else {
                out.insert(path, Vec::new());
            }
        }
    }
    out
}
