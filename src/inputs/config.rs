//! The config file (`config`): every input under its own name, plus the
//! slice rules inputs cannot express.
//!
//! Parsed with serde_norway; a key that is neither an input nor a rule, a
//! value of the wrong shape or a bound outside [0, 1] stops the run with the
//! file, line and column, and a misspelt key gets the nearest known one.
//! Values fill the inputs the step and the flags did not give (flag >
//! `INPUT_*` > config file > default); they are typed by the same parsers.

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

use serde::de::{self, Deserializer, MapAccess, SeqAccess, Visitor};

use super::error::{ConfigProblem, InputError};
use super::table::{GITHUB_TOKEN, INPUTS, InputSpec, PUSHGATEWAY_PASSWORD, PUSHGATEWAY_TOKEN};
use crate::metrics::{Metric, PerMetric};
use crate::slices::{Minimum, SliceKey, SliceRules};

/// Keys of the file beyond the inputs.
const RULE_KEYS: [&str; 2] = ["max_slice_gap", "slice_minimums"];
/// The largest config file read, in bytes.
const MAX_BYTES: u64 = 1 << 20;

/// A parsed config file.
#[derive(Debug, Default)]
pub struct Config {
    pub path: PathBuf,
    /// Each input it sets, with its value as text.
    pub values: Vec<(&'static InputSpec, String)>,
    /// The slice rules.
    pub rules: SliceRules,
}

/// Reads and checks the config file at `path`.
pub fn load(path: &Path) -> Result<Config, InputError> {
    let fail = |problem| InputError::Config { path: path.to_path_buf(), problem };
    let read_err = |e| fail(ConfigProblem::Read(e));
    crate::files::require_regular(path).map_err(read_err)?;
    let size = std::fs::metadata(path).map_err(read_err)?.len();
    if size > MAX_BYTES {
        return Err(fail(ConfigProblem::TooLarge { size }));
    }
    let text = std::fs::read_to_string(path).map_err(read_err)?;
    if text.trim().is_empty() {
        return Ok(Config { path: path.to_path_buf(), ..Config::default() });
    }
    shape(&text).map_err(|why| fail(ConfigProblem::Shape(why)))?;
    let file: File = serde_norway::from_str(&text).map_err(|e| fail(yaml_problem(&text, e)))?;
    let mut rules = SliceRules::default();
    if let Some(gap) = file.max_slice_gap {
        rules.max_gap = gap.per_metric();
    }
    for (column, Unique(values)) in file.slice_minimums.map(|u| u.0).unwrap_or_default() {
        for (value, bounds) in values {
            for metric in Metric::ALL {
                if let Some(min) = bounds.per_metric().get(metric) {
                    let (column, value) = (column.clone(), SliceKey::parse(&value));
                    rules.minimums.push(Minimum { column, value, metric, min });
                }
            }
        }
    }
    Ok(Config { path: path.to_path_buf(), values: file.values, rules })
}

/// The file as read.
struct File {
    values: Vec<(&'static InputSpec, String)>,
    max_slice_gap: Option<Bounds>,
    slice_minimums: Option<Unique<Unique<Bounds>>>,
}

/// The deepest a config file's flow collections (`[`, `{`) may nest: its
/// own nest 3 deep.
const MAX_DEPTH: usize = 64;

/// Checks, before the parser sees it, what could make parsing slow or
/// large: flow collections nested past [`MAX_DEPTH`] (a parser takes
/// quadratic time on thousands of `[`) and aliases (`*name`, which
/// multiply what they name: "billion laughs"). Quoted text and comments
/// are skipped; the line is given.
fn shape(text: &str) -> Result<(), String> {
    let (mut depth, mut quote) = (0usize, None::<char>);
    for (number, line) in text.lines().enumerate() {
        let line_no = number + 1;
        // The last character that is not blank, outside quotes: a node
        // starts after none (the line's start) or after an indicator, and
        // only there does a quote open a quoted scalar and `*`/`&` make an
        // alias or an anchor (in a plain scalar they are text).
        let (mut last, mut blank_before) = (None::<char>, true);
        for c in line.chars() {
            let node_start = last.is_none_or(|l| ":-[{,?".contains(l));
            match (quote, c) {
                (Some(q), c) if c == q => quote = None,
                (Some(_), _) => {}
                (None, '"' | '\'') if node_start => quote = Some(c),
                (None, '#') if blank_before => break,
                (None, '[' | '{') => {
                    depth += 1;
                    if depth > MAX_DEPTH {
                        return Err(format!(
                            "line {line_no}: collections nested more than {MAX_DEPTH} deep"
                        ));
                    }
                }
                (None, ']' | '}') => depth = depth.saturating_sub(1),
                (None, '*' | '&') if node_start => {
                    return Err(format!(
                        "line {line_no}: a YAML anchor or alias (`&name`, `*name`): expected each value written out"
                    ));
                }
                _ => {}
            }
            blank_before = c.is_whitespace();
            if !blank_before {
                last = Some(c);
            }
        }
    }
    Ok(())
}

/// A mapping whose every key is set once: a key set twice is refused,
/// where serde's maps would keep the last silently.
struct Unique<V>(BTreeMap<String, V>);

impl<'de, V: serde::Deserialize<'de>> serde::Deserialize<'de> for Unique<V> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Unique<V>, D::Error> {
        d.deserialize_map(UniqueVisitor(std::marker::PhantomData))
    }
}

struct UniqueVisitor<V>(std::marker::PhantomData<V>);

impl<'de, V: serde::Deserialize<'de>> Visitor<'de> for UniqueVisitor<V> {
    type Value = Unique<V>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a mapping")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Unique<V>, A::Error> {
        let mut out = BTreeMap::new();
        while let Some(key) = map.next_key::<String>()? {
            if out.contains_key(&key) {
                refuse(&mut map, &twice(&key))?;
            }
            out.insert(key, map.next_value()?);
        }
        Ok(Unique(out))
    }
}

/// The message of a key set twice in one mapping.
fn twice(key: &str) -> String {
    format!("`{key}` is set twice")
}

/// The parser's error as a config problem: for a key set twice, with the
/// line it was first set on.
fn yaml_problem(text: &str, error: serde_norway::Error) -> ConfigProblem {
    // The parser puts the value's path before the message: `a.b: `k` is set twice`.
    let message = error.to_string();
    let key = message.split_once("` is set twice").and_then(|(m, _)| Some(&m[m.rfind('`')? + 1..]));
    match (key, error.location()) {
        (Some(key), Some(at)) => {
            let first = first_line(text, key, at.line());
            ConfigProblem::Twice { error, first }
        }
        _ => ConfigProblem::Yaml(error),
    }
}

/// The line (from 1) that first sets `key` in the mapping that sets it
/// again at or before line `at`: the nearest earlier line of the same
/// indentation that sets it, not past a line of less indentation, or the
/// same line when a flow mapping sets it twice on one.
fn first_line(text: &str, key: &str, at: usize) -> Option<usize> {
    let lines: Vec<&str> = text.lines().collect();
    let sets = |line: &str| {
        [format!("{key}:"), format!("\"{key}\":"), format!("'{key}':")]
            .iter()
            .map(|p| {
                line.match_indices(p.as_str())
                    .filter(|(i, _)| {
                        line[..*i].chars().next_back().is_none_or(|c| " \t{,-".contains(c))
                    })
                    .count()
            })
            .sum::<usize>()
    };
    let indent = |line: &str| line.len() - line.trim_start().len();
    let second = (0..at.min(lines.len())).rev().find(|&i| sets(lines[i]) > 0)?;
    if sets(lines[second]) > 1 {
        return Some(second + 1);
    }
    for i in (0..second).rev() {
        let line = lines[i];
        if line.trim().is_empty() || line.trim_start().starts_with('#') {
            continue;
        }
        match indent(line).cmp(&indent(lines[second])) {
            std::cmp::Ordering::Less => return None,
            std::cmp::Ordering::Equal if sets(line) > 0 => return Some(i + 1),
            _ => {}
        }
    }
    None
}

/// A bound per metric, each in [0, 1].
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct Bounds {
    precision: Option<Unit>,
    recall: Option<Unit>,
    f1: Option<Unit>,
}

impl Bounds {
    fn per_metric(&self) -> PerMetric<Option<f64>> {
        PerMetric {
            precision: self.precision.map(|u| u.0),
            recall: self.recall.map(|u| u.0),
            f1: self.f1.map(|u| u.0),
        }
    }
}

/// A number in [0, 1].
#[derive(Clone, Copy)]
struct Unit(f64);

impl<'de> serde::Deserialize<'de> for Unit {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Unit, D::Error> {
        let v = f64::deserialize(d)?;
        if (0.0..=1.0).contains(&v) {
            Ok(Unit(v))
        } else {
            Err(de::Error::custom(format!("{v} is not a number in [0, 1]")))
        }
    }
}

impl<'de> serde::Deserialize<'de> for File {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<File, D::Error> {
        d.deserialize_map(FileVisitor)
    }
}

struct FileVisitor;

impl<'de> Visitor<'de> for FileVisitor {
    type Value = File;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a mapping of input names and slice rules to their values")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<File, A::Error> {
        let mut file = File { values: Vec::new(), max_slice_gap: None, slice_minimums: None };
        while let Some(key) = map.next_key::<String>()? {
            match key.as_str() {
                "max_slice_gap" if file.max_slice_gap.is_some() => refuse(&mut map, &twice(&key))?,
                "slice_minimums" if file.slice_minimums.is_some() => {
                    refuse(&mut map, &twice(&key))?;
                }
                "max_slice_gap" => file.max_slice_gap = Some(map.next_value()?),
                "slice_minimums" => file.slice_minimums = Some(map.next_value()?),
                "config" => refuse(&mut map, "`config` cannot name another config file")?,
                k if [&GITHUB_TOKEN, &PUSHGATEWAY_TOKEN, &PUSHGATEWAY_PASSWORD]
                    .iter()
                    .any(|s| s.name == k) =>
                {
                    refuse(
                        &mut map,
                        &format!(
                            "`{k}` is a secret: pass it as an input from the repository's secrets, never in a file"
                        ),
                    )?;
                }
                k => match INPUTS.iter().find(|s| s.name == k) {
                    Some(spec) if file.values.iter().any(|(s, _)| s.name == spec.name) => {
                        refuse(&mut map, &twice(k))?;
                    }
                    Some(spec) => {
                        let Scalar(value) = map.next_value()?;
                        file.values.push((spec, value));
                    }
                    None => refuse(&mut map, &unknown(k))?,
                },
            }
        }
        Ok(file)
    }
}

/// Stops at the current key's value with `message`: raised while the value
/// is read, the error carries the line and column the parser is at.
fn refuse<'de, A: MapAccess<'de>>(map: &mut A, message: &str) -> Result<(), A::Error> {
    map.next_value_seed(Refusal(message))
}

struct Refusal<'m>(&'m str);

impl<'de> de::DeserializeSeed<'de> for Refusal<'_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

/// Refuses whatever the value is, from inside the parser's reading of it.
impl<'de> Visitor<'de> for Refusal<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str(self.0)
    }

    fn visit_bool<E: de::Error>(self, _: bool) -> Result<(), E> {
        Err(E::custom(self.0))
    }

    fn visit_i64<E: de::Error>(self, _: i64) -> Result<(), E> {
        Err(E::custom(self.0))
    }

    fn visit_u64<E: de::Error>(self, _: u64) -> Result<(), E> {
        Err(E::custom(self.0))
    }

    fn visit_f64<E: de::Error>(self, _: f64) -> Result<(), E> {
        Err(E::custom(self.0))
    }

    fn visit_str<E: de::Error>(self, _: &str) -> Result<(), E> {
        Err(E::custom(self.0))
    }

    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        Err(E::custom(self.0))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, _: A) -> Result<(), A::Error> {
        Err(de::Error::custom(self.0))
    }

    fn visit_map<A: MapAccess<'de>>(self, _: A) -> Result<(), A::Error> {
        Err(de::Error::custom(self.0))
    }
}

/// An unknown key, with the nearest known one when it is close.
fn unknown(key: &str) -> String {
    let shown = crate::untrusted::shown(key);
    let known = INPUTS.iter().map(|s| s.name).chain(RULE_KEYS);
    let nearest = known
        .map(|k| (strsim::levenshtein(key, k), k))
        .filter(|(d, k)| *d <= (k.len() / 3).max(2))
        .min();
    match nearest {
        Some((_, k)) => format!("unknown key `{shown}`: did you mean `{k}`?"),
        None => format!(
            "unknown key `{shown}`: expected an input name (see docs/reference.md) or one of `max_slice_gap`, `slice_minimums`"
        ),
    }
}

/// An input's value: a string, number or boolean as its text, or a list of
/// strings one a line (as a multi-line input).
struct Scalar(String);

impl<'de> serde::Deserialize<'de> for Scalar {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Scalar, D::Error> {
        d.deserialize_any(ScalarVisitor)
    }
}

struct ScalarVisitor;

impl<'de> Visitor<'de> for ScalarVisitor {
    type Value = Scalar;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a string, number, boolean or list of strings")
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Scalar, E> {
        Ok(Scalar(v.to_string()))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Scalar, E> {
        Ok(Scalar(v.to_string()))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Scalar, E> {
        Ok(Scalar(v.to_string()))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Scalar, E> {
        Ok(Scalar(v.to_string()))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Scalar, E> {
        Ok(Scalar(v.to_string()))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Scalar, A::Error> {
        let mut lines = Vec::new();
        while let Some(line) = seq.next_element::<String>()? {
            lines.push(line);
        }
        Ok(Scalar(lines.join("\n")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Config, String> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("gate.yml");
        std::fs::write(&path, text).unwrap();
        load(&path).map_err(|e| format!("{e}: {}", crate::error::chain(&e).join(" / ")))
    }

    #[test]
    fn inputs_and_rules_are_read() {
        let config = parse(
            "min_precision: 0.9\nslice_columns: [entity_type, source]\nsweep: false\n\
             max_slice_gap: { recall: 0.05 }\n\
             slice_minimums:\n  entity_type:\n    organization: { recall: 0.8, f1: 0.85 }\n",
        )
        .unwrap();
        let values: Vec<(&str, &str)> =
            config.values.iter().map(|(s, v)| (s.name, v.as_str())).collect();
        assert_eq!(
            values,
            [
                ("min_precision", "0.9"),
                ("slice_columns", "entity_type\nsource"),
                ("sweep", "false")
            ]
        );
        assert_eq!(config.rules.max_gap.recall, Some(0.05));
        let minimums: Vec<(Metric, f64)> =
            config.rules.minimums.iter().map(|m| (m.metric, m.min)).collect();
        assert_eq!(minimums, [(Metric::Recall, 0.8), (Metric::F1, 0.85)]);
    }

    #[test]
    fn a_wrong_key_or_value_names_the_place_and_the_nearest_key() {
        let err = parse("min_precision: 0.9\nmin_recal: 0.8\n").unwrap_err();
        assert!(err.contains("unknown key `min_recal`: did you mean `min_recall`?"), "{err}");
        assert!(err.contains("line 2 column"), "{err}");
        let err = parse("max_slice_gap: { recal: 0.05 }\n").unwrap_err();
        assert!(err.contains("unknown field `recal`") && err.contains("line 1"), "{err}");
        let err = parse("max_slice_gap: { recall: 5 }\n").unwrap_err();
        assert!(err.contains("5 is not a number in [0, 1]"), "{err}");
        let err = parse("min_f1: { a: 1 }\n").unwrap_err();
        assert!(err.contains("a string, number, boolean or list of strings"), "{err}");
        let err = parse("github_token: ghp_x\n").unwrap_err();
        assert!(err.contains("is a secret") && !err.contains("ghp_x"), "{err}");
        let err = parse("config: other.yml\n").unwrap_err();
        assert!(err.contains("cannot name another config file"), "{err}");
        let err = parse("- a\n- b\n").unwrap_err();
        assert!(err.contains("a mapping"), "{err}");
    }

    #[test]
    fn deep_nesting_and_aliases_are_refused_before_parsing() {
        let deep = format!("slice_columns: {}", "[".repeat(200_000));
        let err = parse(&deep).unwrap_err();
        assert!(err.contains("line 1: collections nested more than 64 deep"), "{err}");
        let laughs = "a: &a [x, x]\nb: &b [*a, *a]\nlimitations: [*b, *b]\n";
        let err = parse(laughs).unwrap_err();
        assert!(err.contains("line 1: a YAML anchor or alias"), "{err}");
        // Stars, ampersands, brackets and hashes inside values are text.
        let fine = "limitations:\n  - \"[*] & {x} # not a comment\"\n  - 'a & *b [c'\n  - plain * and & text\n";
        assert_eq!(
            parse(fine).unwrap().values[0].1,
            "[*] & {x} # not a comment\na & *b [c\nplain * and & text"
        );
    }

    #[test]
    fn a_key_set_twice_is_refused_with_both_lines_at_any_depth() {
        let err = parse("min_f1: 0.9\nsweep: true\nmin_f1: 0.5\n").unwrap_err();
        assert!(err.contains("`min_f1` is set twice at line 3"), "{err}");
        assert!(err.contains("it was first set on line 1"), "{err}");
        let nested = "slice_columns: [kind]\nslice_minimums:\n  kind:\n    org: { recall: 0.8 }\n    \
                      person: { recall: 0.7 }\n    org: { recall: 0.1 }\n";
        let err = parse(nested).unwrap_err();
        assert!(err.contains("`org` is set twice at line 6"), "{err}");
        assert!(err.contains("it was first set on line 4"), "{err}");
        let columns =
            "slice_minimums:\n  kind:\n    org: { recall: 0.8 }\n  kind:\n    org: { f1: 0.8 }\n";
        let err = parse(columns).unwrap_err();
        assert!(
            err.contains("`kind` is set twice") && err.contains("first set on line 2"),
            "{err}"
        );
        let flow = "slice_minimums: { kind: { org: { recall: 0.8 }, org: { f1: 0.1 } } }\n";
        let err = parse(flow).unwrap_err();
        assert!(err.contains("`org` is set twice") && err.contains("first set on line 1"), "{err}");
        let rules = "max_slice_gap: { recall: 0.1 }\nmax_slice_gap: { recall: 0.9 }\n";
        let err = parse(rules).unwrap_err();
        assert!(err.contains("`max_slice_gap` is set twice at line 2"), "{err}");
        // The same value name under two columns is no repeat.
        let two = "slice_columns: [a, b]\nslice_minimums:\n  a:\n    org: { recall: 0.8 }\n  b:\n    org: { recall: 0.8 }\n";
        assert_eq!(parse(two).unwrap().rules.minimums.len(), 2);
    }
}
