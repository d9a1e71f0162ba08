//! What a config file's YAML may hold, beyond what serde checks: its shape
//! before parsing (nesting bounded, no anchors or aliases), every key of a
//! mapping set once, and a key set twice named with both of its lines.

use std::collections::BTreeMap;
use std::fmt;

use serde::de::{self, Deserializer, MapAccess, SeqAccess, Visitor};

use super::error::ConfigProblem;

/// The deepest a config file's flow collections (`[`, `{`) may nest: its
/// own nest 3 deep.
const MAX_DEPTH: usize = 64;

/// Checks, before the parser sees it, what could make parsing slow or
/// large: flow collections nested past [`MAX_DEPTH`] (a parser takes
/// quadratic time on thousands of `[`) and aliases (`*name`, which
/// multiply what they name: "billion laughs"). Quoted text and comments
/// are skipped; the line is given.
pub fn shape(text: &str) -> Result<(), String> {
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
pub struct Unique<V>(pub BTreeMap<String, V>);

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
pub fn twice(key: &str) -> String {
    format!("`{key}` is set twice")
}

/// The parser's error as a config problem: for a key set twice, with the
/// line it was first set on.
pub fn yaml_problem(text: &str, error: serde_norway::Error) -> ConfigProblem {
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

/// Stops at the current key's value with `message`: raised while the value
/// is read, the error carries the line and column the parser is at.
pub fn refuse<'de, A: MapAccess<'de>>(map: &mut A, message: &str) -> Result<(), A::Error> {
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
