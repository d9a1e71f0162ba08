//! The config file (`config`): every input under its own name, plus the
//! slice rules inputs cannot express.
//!
//! Parsed with serde_norway; a key that is neither an input nor a rule, a
//! value of the wrong shape or a bound outside [0, 1] stops the run with the
//! file, line and column, and a misspelt key gets the nearest known one.
//! Values fill the inputs the step and the flags did not give (flag >
//! `INPUT_*` > config file > default); they are typed by the same parsers.

use std::fmt;
use std::path::{Path, PathBuf};

use serde::de::{self, Deserializer, MapAccess, SeqAccess, Visitor};

use super::error::{ConfigProblem, InputError};
use super::table::{
    GITHUB_TOKEN, INPUTS, InputSpec, PUSHGATEWAY_PASSWORD, PUSHGATEWAY_TOKEN, STRATA_SIZES,
};
use super::yaml::{Unique, refuse, shape, twice, yaml_problem};
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
    /// The line each of `values` is set on, when found (a top-level key).
    pub lines: Vec<Option<usize>>,
    /// The slice rules.
    pub rules: SliceRules,
    /// `strata_sizes` given as a mapping of each stratum to its candidate
    /// pairs (a path is one of `values`).
    pub strata_sizes: Option<Vec<(String, u64)>>,
}

/// Reads and checks the config file at `path`.
pub fn load(path: &Path) -> Result<Config, InputError> {
    let fail = |problem| InputError::Config { path: path.to_path_buf(), problem };
    let read_err = |e| fail(ConfigProblem::Read(e));
    let (file, meta) = crate::files::open_regular(path).map_err(read_err)?;
    if meta.len() > MAX_BYTES {
        return Err(fail(ConfigProblem::TooLarge { size: meta.len() }));
    }
    let mut text = String::new();
    std::io::Read::read_to_string(&mut std::io::Read::take(file, MAX_BYTES), &mut text)
        .map_err(read_err)?;
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
    let lines = file.values.iter().map(|(spec, _)| key_line(&text, spec.name)).collect();
    Ok(Config {
        path: path.to_path_buf(),
        values: file.values,
        lines,
        rules,
        strata_sizes: file.strata_sizes,
    })
}

/// The 1-based line on which a top-level `key:` is set (plain or quoted).
fn key_line(text: &str, key: &str) -> Option<usize> {
    let forms = [key.to_string(), format!("\"{key}\""), format!("'{key}'")];
    text.lines()
        .position(|line| {
            forms.iter().any(|form| {
                line.strip_prefix(form.as_str())
                    .is_some_and(|rest| rest.trim_start().starts_with(':'))
            })
        })
        .map(|i| i + 1)
}

/// The file as read.
struct File {
    values: Vec<(&'static InputSpec, String)>,
    max_slice_gap: Option<Bounds>,
    slice_minimums: Option<Unique<Unique<Bounds>>>,
    strata_sizes: Option<Vec<(String, u64)>>,
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
        let mut file = File {
            values: Vec::new(),
            max_slice_gap: None,
            slice_minimums: None,
            strata_sizes: None,
        };
        while let Some(key) = map.next_key::<String>()? {
            match key.as_str() {
                "max_slice_gap" if file.max_slice_gap.is_some() => refuse(&mut map, &twice(&key))?,
                "slice_minimums" if file.slice_minimums.is_some() => {
                    refuse(&mut map, &twice(&key))?;
                }
                "max_slice_gap" => file.max_slice_gap = Some(map.next_value()?),
                "slice_minimums" => file.slice_minimums = Some(map.next_value()?),
                "config" => refuse(&mut map, "`config` cannot name another config file")?,
                "strata_sizes" if file.strata_sizes.is_some() => refuse(&mut map, &twice(&key))?,
                "strata_sizes" if !file.values.iter().any(|(s, _)| s.name == key) => {
                    match map.next_value()? {
                        Sizes::Path(Scalar(path)) => file.values.push((&STRATA_SIZES, path)),
                        Sizes::Listed(Unique(sizes)) => {
                            file.strata_sizes =
                                Some(sizes.into_iter().map(|(k, v)| (k, v.0)).collect());
                        }
                    }
                }
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

/// `strata_sizes`: the path of a CSV, or each stratum's candidate pairs.
enum Sizes {
    Path(Scalar),
    Listed(Unique<Pairs>),
}

impl<'de> serde::Deserialize<'de> for Sizes {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Sizes, D::Error> {
        d.deserialize_any(SizesVisitor)
    }
}

struct SizesVisitor;

impl<'de> Visitor<'de> for SizesVisitor {
    type Value = Sizes;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("the path of a CSV `stratum,pairs`, or a mapping of each stratum to its candidate pairs")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Sizes, E> {
        Ok(Sizes::Path(Scalar(v.to_string())))
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Sizes, A::Error> {
        serde::Deserialize::deserialize(de::value::MapAccessDeserializer::new(map))
            .map(Sizes::Listed)
    }
}

/// A stratum's candidate pairs: a whole number above 0.
struct Pairs(u64);

impl<'de> serde::Deserialize<'de> for Pairs {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Pairs, D::Error> {
        match u64::deserialize(d)? {
            0 => Err(de::Error::custom(
                "0 is not a stratum's candidate pairs: expected a whole number above 0",
            )),
            n => Ok(Pairs(n)),
        }
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
