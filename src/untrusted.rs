//! Text from the data, a file or an input, made safe to show.
//!
//! Column names, values, paths, checksums entries and server answers can come
//! from someone who wants a red gate to look green (issue #14). The runner
//! reads workflow commands from a container action's stdout and stderr: a
//! line that starts with `::` after leading spaces, or the legacy `##[`
//! anywhere in a line. [`shown`] makes such text inert wherever it is
//! embedded in a message: control characters (so no new line can start inside
//! it) become escapes such as `\n` and `\u{1b}`, and `##[` becomes `##\[`.
//! [`neutralize_line`] is the last guard at the edge, for whole lines.
//! Markdown is the renderers' business (`report::format::code`).

use std::borrow::Cow;
use std::fmt;
use std::path::Path;

/// Untrusted text, displayed with control characters escaped and the legacy
/// command marker broken.
#[derive(Debug, Clone, Copy)]
pub struct Shown<'a>(&'a str);

/// Untrusted text, to embed in a message.
pub fn shown(text: &str) -> Shown<'_> {
    Shown(text)
}

/// An untrusted path, to embed in a message.
pub fn path(p: &Path) -> String {
    shown(&crate::secret::url(&p.to_string_lossy())).to_string()
}

impl fmt::Display for Shown<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut rest = self.0;
        while let Some(c) = rest.chars().next() {
            if rest.starts_with("##[") {
                f.write_str("##\\[")?;
                rest = &rest[3..];
                continue;
            }
            match c {
                '\n' => f.write_str("\\n")?,
                '\r' => f.write_str("\\r")?,
                '\t' => f.write_str("\\t")?,
                c if is_unsafe(c) => write!(f, "\\u{{{:x}}}", c as u32)?,
                c => fmt::Write::write_char(f, c)?,
            }
            rest = &rest[c.len_utf8()..];
        }
        Ok(())
    }
}

/// The most characters of a file's text a message quotes.
pub const EXCERPT: usize = 32;

/// `path` as it may stand in a command the user is told to paste: only
/// when it is plain (letters, digits and `._/-`, not starting with `-`),
/// so that no text from an input ever reaches a shell.
pub fn pasteable(path: &Path) -> Option<&str> {
    let plain = |s: &str| s.chars().all(|c| c.is_ascii_alphanumeric() || "._/-".contains(c));
    path.to_str().filter(|s| plain(s) && !s.starts_with('-'))
}

/// A short excerpt of text from a file, shown inert: at most [`EXCERPT`]
/// characters, escaped as [`shown`] escapes them, and how many were left
/// out. A message says where and what was expected; it never echoes a
/// file that could not be parsed (a link to a secret's file).
pub fn excerpt(text: &str) -> String {
    let count = text.chars().count();
    match text.char_indices().nth(EXCERPT) {
        Some((cut, _)) => format!("{}… ({} more characters)", shown(&text[..cut]), count - EXCERPT),
        None => shown(text).to_string(),
    }
}

/// Control characters, and the Unicode line and paragraph separators.
fn is_unsafe(c: char) -> bool {
    c.is_control() || matches!(c, '\u{2028}' | '\u{2029}')
}

/// A line about to be printed, made inert for the runner: `##[` is broken
/// anywhere, and a line that would start with `::` (after the spaces the
/// runner trims) gets a `\` in front. Lines are split on `\n` only; text
/// embedded with [`shown`] never holds one.
pub fn neutralize_line(line: &str) -> Cow<'_, str> {
    let starts_command = line.trim_start().starts_with("::");
    if !starts_command && !line.contains("##[") {
        return Cow::Borrowed(line);
    }
    let broken = line.replace("##[", "##\\[");
    Cow::Owned(if starts_command { format!("\\{broken}") } else { broken })
}

/// Every line of `text` neutralized (see [`neutralize_line`]).
pub fn neutralize(text: &str) -> Cow<'_, str> {
    if !text.split('\n').any(|l| matches!(neutralize_line(l), Cow::Owned(_))) {
        return Cow::Borrowed(text);
    }
    Cow::Owned(text.split('\n').map(neutralize_line).collect::<Vec<_>>().join("\n"))
}

#[cfg(test)]
mod tests {
    use super::*;

    const FORGED: &str =
        "\n::set-output name=passed::true\n::add-mask::ER precision gate\n::warning::forged\n";

    #[test]
    fn shown_text_holds_no_line_break_and_no_command_marker() {
        let s = shown(FORGED).to_string();
        assert_eq!(
            s,
            "\\n::set-output name=passed::true\\n::add-mask::ER precision gate\\n::warning::forged\\n"
        );
        assert!(!s.contains('\n'));
        assert_eq!(shown("##[stop-commands]tok").to_string(), "##\\[stop-commands]tok");
        assert_eq!(
            shown("a\u{1b}[31mb\u{2028}c\u{85}").to_string(),
            "a\\u{1b}[31mb\\u{2028}c\\u{85}"
        );
        assert_eq!(shown("entity_type é ü").to_string(), "entity_type é ü");
    }

    #[test]
    fn neutralized_lines_are_not_commands() {
        assert_eq!(neutralize_line("  ::error::x"), "\\  ::error::x");
        assert_eq!(neutralize_line("see ##[group]x"), "see ##\\[group]x");
        assert!(matches!(neutralize_line("plain: text"), Cow::Borrowed(_)));
        assert_eq!(neutralize("a\n::warning::b\nc"), "a\n\\::warning::b\nc");
    }
}
