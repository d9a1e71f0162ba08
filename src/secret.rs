//! A secret value (a token, a password) that never shows in a log.
//!
//! Its `Debug` is `[redacted]` and it has no `Display` (lychee's
//! `SecretString`); the one place that sends it calls [`Secret::expose`].

use std::fmt;

/// A secret value.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wraps a value.
    pub fn new(value: impl Into<String>) -> Secret {
        Secret(value.into())
    }

    /// The value, for the one place that sends it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_never_shows_the_value() {
        let s = Secret::new("ghs_abc123");
        assert_eq!(format!("{s:?}"), "[redacted]");
        assert_eq!(s.expose(), "ghs_abc123");
    }
}
