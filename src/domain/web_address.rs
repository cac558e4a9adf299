//! Absolute http(s) URLs: the only links kxc stores and serves, so a portal that renders one as
//! a link never runs `javascript:` or opens `data:`, `file:` or relative targets.

use std::fmt;

use serde::{Deserialize, Serialize};

/// An absolute `http` or `https` URL with a host and no user name or password, at most
/// [`super::limits::URL`] characters, kept in the `url` crate's normalised form
/// (WHATWG URL Standard: lower-case scheme and host, punycode, percent-encoded path).
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct HttpUrl(String);

impl HttpUrl {
    pub fn parse(value: &str) -> Result<Self, String> {
        let value = value.trim();
        if value.chars().nth(super::limits::URL).is_some() {
            return Err(format!("must be at most {} characters", super::limits::URL));
        }
        let shown = super::excerpt(value);
        let url = url::Url::parse(value)
            .map_err(|error| format!("`{shown}` is not an absolute URL ({error})"))?;
        if !matches!(url.scheme(), "http" | "https") {
            return Err(format!(
                "`{shown}` is not an http or https URL (scheme `{}`)",
                url.scheme()
            ));
        }
        if url.host_str().is_none_or(str::is_empty) {
            return Err(format!("`{shown}` has no host"));
        }
        if !url.username().is_empty() || url.password().is_some() {
            return Err(format!(
                "`{shown}` must not contain a user name or password"
            ));
        }
        Ok(Self(url.into()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for HttpUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for HttpUrl {
    type Error = String;
    fn try_from(value: String) -> Result<Self, String> {
        Self::parse(&value)
    }
}

impl From<HttpUrl> for String {
    fn from(value: HttpUrl) -> String {
        value.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn http_and_https_urls_are_accepted() {
        assert_eq!(
            HttpUrl::parse("https://www.klimaoslo.no").unwrap().as_str(),
            "https://www.klimaoslo.no/"
        );
        assert!(HttpUrl::parse(" http://example.org/a?b=c#d ").is_ok());
        assert_eq!(
            HttpUrl::parse("https://Bücher.example/sti med mellomrom")
                .unwrap()
                .as_str(),
            "https://xn--bcher-kva.example/sti%20med%20mellomrom"
        );
    }

    #[test]
    fn script_and_other_schemes_are_refused() {
        for bad in [
            "javascript:alert(1)",
            "JavaScript:alert(1)",
            " javascript:alert(1)",
            "data:text/html,<script>alert(1)</script>",
            "vbscript:msgbox(1)",
            "file:///etc/passwd",
            "ftp://example.org/file",
            "mailto:someone@example.org",
        ] {
            let error = HttpUrl::parse(bad).unwrap_err();
            assert!(error.contains("not an http or https URL"), "{bad}: {error}");
        }
    }

    #[test]
    fn relative_hostless_and_credentialed_urls_are_refused() {
        for bad in [
            "/relative/path",
            "www.example.org",
            "",
            "https://",
            "http://user:secret@example.org",
        ] {
            assert!(HttpUrl::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_very_long_url_is_refused_without_echoing_it() {
        let url = format!("https://example.org/{}", "a".repeat(5_000));
        let error = HttpUrl::parse(&url).unwrap_err();
        assert!(error.contains("at most 2048"), "{error}");
        assert!(error.len() < 200);
    }
}
