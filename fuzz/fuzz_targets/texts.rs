//! The text parsers: a checksums list, a baseline report, and the escaping of
//! untrusted text for logs and Markdown. None may panic; escaped text never
//! holds a line break, a legacy command marker or a way out of its code span.
#![no_main]

use std::path::Path;

use er_precision_gate::Baseline;
use er_precision_gate::checksums;
use er_precision_gate::format;
use er_precision_gate::untrusted;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let (entries, malformed) = checksums::parse(&text, Path::new("dir"));
    for failure in &malformed {
        let line = failure.to_string();
        assert!(!line.contains('\n') && !line.contains("##["), "{line:?}");
    }
    for entry in &entries {
        // Every name resolves under the list's folder: an absolute name or
        // one that climbs out with `..` is a failing line, never an entry.
        assert!(entry.path.starts_with("dir"), "{entry:?}");
        assert!(!entry.path.components().any(|c| c == std::path::Component::ParentDir));
    }
    if let Err(err) = Baseline::from_text(Path::new("b.json"), &text) {
        let message = err.to_string();
        assert!(!message.contains('\n') && !message.contains("##["), "{message:?}");
    }
    let shown = untrusted::shown(&text).to_string();
    assert!(!shown.chars().any(char::is_control), "{shown:?}");
    assert!(!shown.contains("##["), "{shown:?}");
    if text.is_empty() {
        return;
    }
    let span = format::code(&text);
    assert!(!span.contains('\n') && !span.contains('\r'), "{span:?}");
    let fence = span.len() - span.trim_start_matches('`').len();
    let inner = &span[fence..span.len() - fence];
    assert!(!inner.contains(&"`".repeat(fence)), "{span:?}");
});
