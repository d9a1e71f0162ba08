//! An error's message and its sources' messages, outermost first: the
//! lines `main` prints as `error: …` and `caused by: …`, and the one line
//! a notice quotes.

/// The messages of an error's sources, outermost first.
pub fn sources(err: &dyn std::error::Error) -> Vec<String> {
    std::iter::successors(err.source(), |e| e.source()).map(|e| e.to_string()).collect()
}

/// An error's message followed by its sources', outermost first.
pub fn chain(err: &dyn std::error::Error) -> Vec<String> {
    std::iter::once(err.to_string()).chain(sources(err)).collect()
}

/// An error and its causes on one line: `a (caused by: b)`.
pub fn one_line(err: &dyn std::error::Error) -> String {
    sources(err).iter().fold(err.to_string(), |line, cause| format!("{line} (caused by: {cause})"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, thiserror::Error)]
    #[error("outer")]
    struct Outer(#[source] std::io::Error);

    #[test]
    fn causes_come_outermost_first() {
        let err = Outer(std::io::Error::other("inner"));
        assert_eq!(chain(&err), ["outer", "inner"]);
        assert_eq!(sources(&err), ["inner"]);
        assert_eq!(one_line(&err), "outer (caused by: inner)");
    }
}
