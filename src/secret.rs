//! A secret value (a token, a password) that never shows in a log, and
//! the last line of defence: every secret the process holds, replaced by
//! `***` in everything it writes.
//!
//! A [`Secret`]'s `Debug` is `[redacted]` and it has no `Display`
//! (lychee's `SecretString`); the one place that sends it calls
//! [`Secret::expose`]. Beyond that, `main` [`register`]s every secret value
//! it can know of (the token and password inputs, the clouds' secret
//! variables, credentials in URLs) before anything is printed, and every
//! writer (stdout, stderr, the summary, the outputs, each report file)
//! passes its text through [`redact`]: a secret a file smuggled into a
//! message, or a template into a card, is `***` there, as the runner's own
//! masking would make it in the log, but also in the files the runner
//! never masks. [`url`] shows a URL with its credentials and query values
//! hidden.

use std::borrow::Cow;
use std::fmt;
use std::sync::RwLock;

/// Secrets shorter than this are not replaced in text: a value of two or
/// three characters would garble every number and word it occurs in, and
/// is no secret worth the name.
pub const SHORTEST: usize = 4;

/// Every registered secret, in every form it may be written in, longest first.
static KNOWN: RwLock<Vec<String>> = RwLock::new(Vec::new());

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

/// Registers secret values: from now on [`redact`] replaces each, and its
/// JSON-escaped, workflow-command-escaped and percent-encoded forms.
pub fn register<'a>(values: impl IntoIterator<Item = &'a str>) {
    let mut known = KNOWN.write().unwrap_or_else(|e| e.into_inner());
    for value in values.into_iter().filter(|v| v.trim().chars().count() >= SHORTEST) {
        let json = serde_json::to_string(value).unwrap_or_default();
        let forms = [
            value.to_string(),
            json.trim_matches('"').to_string(),
            value.replace('%', "%25").replace('\r', "%0D").replace('\n', "%0A"),
            percent_encoded(value),
        ];
        for form in forms {
            if !known.contains(&form) {
                known.push(form);
            }
        }
    }
    known.sort_by_key(|k| std::cmp::Reverse(k.len()));
}

/// Every byte but unreserved ones (RFC 3986) as `%XX`, as a URL carries a
/// credential.
fn percent_encoded(value: &str) -> String {
    use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
    const RESERVED: &AsciiSet =
        &NON_ALPHANUMERIC.remove(b'-').remove(b'.').remove(b'_').remove(b'~');
    utf8_percent_encode(value, RESERVED).to_string()
}

/// `text` with every registered secret replaced by `***`.
pub fn redact(text: &str) -> Cow<'_, str> {
    let known = KNOWN.read().unwrap_or_else(|e| e.into_inner());
    let mut text = Cow::Borrowed(text);
    for secret in known.iter() {
        if text.contains(secret.as_str()) {
            text = Cow::Owned(text.replace(secret.as_str(), "***"));
        }
    }
    text
}

/// [`redact`] for bytes that are text; other bytes (a parquet file) as they are.
pub fn redact_bytes(bytes: &[u8]) -> Cow<'_, [u8]> {
    match std::str::from_utf8(bytes).map(redact) {
        Ok(Cow::Owned(text)) => Cow::Owned(text.into_bytes()),
        _ => Cow::Borrowed(bytes),
    }
}

/// A URL as it may be shown: its user information replaced by `***` and
/// each query value by `***` (`https://***@host/path?X-Amz-Signature=***`),
/// the fragment dropped. Text that is no URL is given back as it is.
pub fn url(text: &str) -> Cow<'_, str> {
    let Some(scheme_end) = text.find("://").filter(|&i| i > 0) else {
        return Cow::Borrowed(text);
    };
    let rest = &text[scheme_end + 3..];
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(authority_end);
    let host = authority.rsplit_once('@').map(|(_, host)| host);
    let tail = tail.split_once('#').map_or(tail, |(before, _)| before);
    let query = tail.split_once('?');
    if host.is_none() && query.is_none() && !rest.contains('#') {
        return Cow::Borrowed(text);
    }
    let mut shown = text[..scheme_end + 3].to_string();
    if let Some(host) = host {
        shown.push_str("***@");
        shown.push_str(host);
    } else {
        shown.push_str(authority);
    }
    match query {
        Some((path, query)) => {
            shown.push_str(path);
            shown.push('?');
            let pairs: Vec<String> = query
                .split('&')
                .map(|pair| match pair.split_once('=') {
                    Some((key, _)) => format!("{key}=***"),
                    None if pair.is_empty() => String::new(),
                    None => "***".to_string(),
                })
                .collect();
            shown.push_str(&pairs.join("&"));
        }
        None => shown.push_str(tail),
    }
    Cow::Owned(shown)
}

/// The secret parts of a URL: its user name and password, and the values
/// of its query keys that name a credential (a signature, a token, a key).
pub fn in_url(text: &str) -> Vec<String> {
    let Ok(parsed) = reqwest::Url::parse(text) else {
        return Vec::new();
    };
    // The user name is the secret only when no password follows it (a
    // token as `https://TOKEN@host`); beside a password it is a name.
    let mut found: Vec<String> = match (parsed.username(), parsed.password()) {
        ("", None) => Vec::new(),
        (token, None) => vec![percent_decoded(token)],
        (_, Some(password)) => vec![percent_decoded(password)],
    };
    // S3's, GCS's and Azure SAS's signing keys, and the usual token names.
    let secret_key = |key: &str| {
        let key = key.to_ascii_lowercase();
        let key = key.trim_start_matches("x-amz-").trim_start_matches("x-goog-");
        [
            "signature",
            "sig",
            "credential",
            "security-token",
            "token",
            "access_token",
            "api_key",
            "apikey",
            "key",
            "password",
            "secret",
        ]
        .contains(&key)
    };
    found.extend(parsed.query_pairs().filter(|(k, _)| secret_key(k)).map(|(_, v)| v.into_owned()));
    found.extend(
        parsed
            .query()
            .into_iter()
            .flat_map(|q| q.split('&'))
            .filter_map(|pair| pair.split_once('='))
            .filter(|(k, _)| secret_key(k))
            .map(|(_, v)| v.to_string()),
    );
    found
}

fn percent_decoded(s: &str) -> String {
    percent_encoding::percent_decode_str(s).decode_utf8_lossy().into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_url_is_shown_without_its_credentials_or_query_values() {
        let given = "https://user:pa%40ss@push.example/p/x.parquet?X-Amz-Signature=abc&X-Amz-Expires=60&flag#frag";
        assert_eq!(
            url(given),
            "https://***@push.example/p/x.parquet?X-Amz-Signature=***&X-Amz-Expires=***&***"
        );
        assert_eq!(url("s3://bucket/key.parquet"), "s3://bucket/key.parquet");
        assert_eq!(url("data/v.parquet"), "data/v.parquet");
        assert_eq!(url("https://h/p?sig=a?b"), "https://h/p?sig=***");
        let mut found = in_url(given);
        found.sort();
        found.dedup();
        assert_eq!(found, ["abc", "pa@ss"]);
        assert_eq!(in_url("https://ghp_token@host/x"), ["ghp_token"]);
        assert_eq!(
            in_url("https://h/x?X-Amz-SignedHeaders=host&X-Amz-Credential=c%2Fd"),
            ["c/d", "c%2Fd"]
        );
    }

    #[test]
    fn registered_secrets_are_replaced_in_every_form() {
        register(["tok\"en%\nline", "ab"]);
        assert_eq!(redact("raw tok\"en%\nline."), "raw ***.");
        assert_eq!(redact(r#"{"t":"tok\"en%\nline"}"#), r#"{"t":"***"}"#);
        assert_eq!(redact("::error::tok\"en%25%0Aline"), "::error::***");
        assert_eq!(redact("https://h/?t=tok%22en%25%0Aline"), "https://h/?t=***");
        assert_eq!(
            redact("ab stays: too short to be a secret"),
            "ab stays: too short to be a secret"
        );
    }

    #[test]
    fn debug_never_shows_the_value() {
        let s = Secret::new("ghs_abc123");
        assert_eq!(format!("{s:?}"), "[redacted]");
        assert_eq!(s.expose(), "ghs_abc123");
    }
}
