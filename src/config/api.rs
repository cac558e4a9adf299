//! Settings of the public API surface: request limits, persisted queries, CORS. Each bad value
//! fails at start-up with a message that names its `KXC_*` variable.

use std::ops::RangeInclusive;
use std::time::Duration;

use axum::http::{HeaderValue, Uri};
use clap::Args;

pub const DEFAULT_MAX_DEPTH: usize = 20;
pub const DEFAULT_MAX_COMPLEXITY: usize = 10_000;
pub const DEFAULT_MAX_ALIASES: usize = 50;
pub const DEFAULT_MAX_EXPANDED_SELECTIONS: usize = 10_000;
pub const DEFAULT_MAX_DIRECTIVES: usize = 50;
pub const DEFAULT_MAX_BATCH: usize = 10;
pub const DEFAULT_MAX_BODY_BYTES: usize = 256 * 1024;
pub const DEFAULT_EXECUTION_TIMEOUT_MS: u64 = 10_000;
pub const DEFAULT_PERSISTED_QUERY_CACHE_BYTES: u64 = 8 * 1024 * 1024;
pub const DEFAULT_PERSISTED_QUERY_MAX_BYTES: usize = 16 * 1024;
pub const DEFAULT_RESPONSE_CACHE_BYTES: u64 = 32 * 1024 * 1024;
pub const DEFAULT_RESPONSE_CACHE_TTL_MS: u64 = 1_000;
pub const DEFAULT_SEARCH_MAX_QUERY_CHARS: usize = 512;
pub const DEFAULT_SEARCH_MAX_TERMS: usize = 32;
pub const DEFAULT_HEADER_TIMEOUT_MS: u64 = 10_000;
pub const DEFAULT_BODY_TIMEOUT_MS: u64 = 10_000;
pub const DEFAULT_MAX_CONNECTIONS: usize = 1024;

#[derive(Args, Clone, Debug)]
pub struct ApiSettings {
    /// Deepest selection nesting a query may have. GraphiQL's introspection query is 15 deep.
    #[arg(long, env = "KXC_MAX_DEPTH", default_value_t = DEFAULT_MAX_DEPTH, value_parser = parse_max_depth, global = true)]
    pub max_depth: usize,

    /// Largest query cost; a connection costs `first` (or `last`) times its selection.
    #[arg(long, env = "KXC_MAX_COMPLEXITY", default_value_t = DEFAULT_MAX_COMPLEXITY, value_parser = parse_max_complexity, global = true)]
    pub max_complexity: usize,

    /// Most field aliases one document may use.
    #[arg(long, env = "KXC_MAX_ALIASES", default_value_t = DEFAULT_MAX_ALIASES, value_parser = parse_max_aliases, global = true)]
    pub max_aliases: usize,

    /// Most fields a document may select once its fragment spreads are expanded in place;
    /// checked before validation, so fragments that spread each other twice at every level
    /// are refused in microseconds.
    #[arg(long, env = "KXC_MAX_EXPANDED_SELECTIONS", default_value_t = DEFAULT_MAX_EXPANDED_SELECTIONS, value_parser = parse_max_expanded_selections, global = true)]
    pub max_expanded_selections: usize,

    /// Most directives (`@skip`, `@include`, ...) one document may write.
    #[arg(long, env = "KXC_MAX_DIRECTIVES", default_value_t = DEFAULT_MAX_DIRECTIVES, value_parser = parse_max_directives, global = true)]
    pub max_directives: usize,

    /// Most operations in one batched POST (a JSON array).
    #[arg(long, env = "KXC_MAX_BATCH", default_value_t = DEFAULT_MAX_BATCH, value_parser = parse_max_batch, global = true)]
    pub max_batch: usize,

    /// Largest request body, in bytes.
    #[arg(long, env = "KXC_MAX_BODY_BYTES", default_value_t = DEFAULT_MAX_BODY_BYTES, value_parser = parse_max_body_bytes, global = true)]
    pub max_body_bytes: usize,

    /// Longest execution of one operation, in milliseconds.
    #[arg(long, env = "KXC_EXECUTION_TIMEOUT_MS", default_value_t = DEFAULT_EXECUTION_TIMEOUT_MS, value_parser = parse_execution_timeout_ms, global = true)]
    pub execution_timeout_ms: u64,

    /// Bytes of document text the in-memory automatic persisted-query cache may hold; the
    /// entries least likely to be used again are dropped first.
    #[arg(long, env = "KXC_PERSISTED_QUERY_CACHE_BYTES", default_value_t = DEFAULT_PERSISTED_QUERY_CACHE_BYTES, value_parser = parse_persisted_query_cache_bytes, global = true)]
    pub persisted_query_cache_bytes: u64,

    /// Largest document, in bytes, that the persisted-query cache keeps; larger ones still
    /// run but must be sent in full each time.
    #[arg(long, env = "KXC_PERSISTED_QUERY_MAX_BYTES", default_value_t = DEFAULT_PERSISTED_QUERY_MAX_BYTES, value_parser = parse_persisted_query_max_bytes, global = true)]
    pub persisted_query_max_bytes: usize,

    /// Bytes of anonymous query responses kept in memory, answered again while no write has
    /// been committed and the search index has not moved since (0 switches the cache off).
    #[arg(long, env = "KXC_RESPONSE_CACHE_BYTES", default_value_t = DEFAULT_RESPONSE_CACHE_BYTES, value_parser = parse_response_cache_bytes, global = true)]
    pub response_cache_bytes: u64,

    /// Longest time, in milliseconds, a cached response is answered again even when nothing
    /// was written: what depends on the clock ("open today") is at most this old.
    #[arg(long, env = "KXC_RESPONSE_CACHE_TTL_MS", default_value_t = DEFAULT_RESPONSE_CACHE_TTL_MS, value_parser = parse_response_cache_ttl_ms, global = true)]
    pub response_cache_ttl_ms: u64,

    /// Longest `search` query (and `suggest` prefix), in characters.
    #[arg(long, env = "KXC_SEARCH_MAX_QUERY_CHARS", default_value_t = DEFAULT_SEARCH_MAX_QUERY_CHARS, value_parser = parse_search_max_query_chars, global = true)]
    pub search_max_query_chars: usize,

    /// Most words one `search` query may look for (each word of a phrase counts, so do
    /// excluded ones).
    #[arg(long, env = "KXC_SEARCH_MAX_TERMS", default_value_t = DEFAULT_SEARCH_MAX_TERMS, value_parser = parse_search_max_terms, global = true)]
    pub search_max_terms: usize,

    /// Longest wait, in milliseconds, for a request's headers (HTTP/1), from the moment the
    /// server starts reading them; an idle keep-alive connection is closed after it too.
    #[arg(long, env = "KXC_HEADER_TIMEOUT_MS", default_value_t = DEFAULT_HEADER_TIMEOUT_MS, value_parser = parse_header_timeout_ms, global = true)]
    pub header_timeout_ms: u64,

    /// Longest wait, in milliseconds, for the next piece of a request body; a stalled body
    /// is answered 408.
    #[arg(long, env = "KXC_BODY_TIMEOUT_MS", default_value_t = DEFAULT_BODY_TIMEOUT_MS, value_parser = parse_body_timeout_ms, global = true)]
    pub body_timeout_ms: u64,

    /// Most client connections served at once; further ones wait in the listen backlog.
    #[arg(long, env = "KXC_MAX_CONNECTIONS", default_value_t = DEFAULT_MAX_CONNECTIONS, value_parser = parse_max_connections, global = true)]
    pub max_connections: usize,

    /// Browser origins allowed by CORS, comma separated (`https://a.example,https://b.example`).
    #[arg(long, env = "KXC_CORS_ORIGINS", default_value = "", value_parser = parse_cors_origins, global = true)]
    pub cors_origins: CorsOrigins,
}

/// Exact origins (`scheme://host[:port]`, lower case) that CORS lets read responses.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CorsOrigins(pub Vec<HeaderValue>);

impl Default for ApiSettings {
    fn default() -> Self {
        Self {
            max_depth: DEFAULT_MAX_DEPTH,
            max_complexity: DEFAULT_MAX_COMPLEXITY,
            max_aliases: DEFAULT_MAX_ALIASES,
            max_expanded_selections: DEFAULT_MAX_EXPANDED_SELECTIONS,
            max_directives: DEFAULT_MAX_DIRECTIVES,
            max_batch: DEFAULT_MAX_BATCH,
            max_body_bytes: DEFAULT_MAX_BODY_BYTES,
            execution_timeout_ms: DEFAULT_EXECUTION_TIMEOUT_MS,
            persisted_query_cache_bytes: DEFAULT_PERSISTED_QUERY_CACHE_BYTES,
            persisted_query_max_bytes: DEFAULT_PERSISTED_QUERY_MAX_BYTES,
            response_cache_bytes: DEFAULT_RESPONSE_CACHE_BYTES,
            response_cache_ttl_ms: DEFAULT_RESPONSE_CACHE_TTL_MS,
            search_max_query_chars: DEFAULT_SEARCH_MAX_QUERY_CHARS,
            search_max_terms: DEFAULT_SEARCH_MAX_TERMS,
            header_timeout_ms: DEFAULT_HEADER_TIMEOUT_MS,
            body_timeout_ms: DEFAULT_BODY_TIMEOUT_MS,
            max_connections: DEFAULT_MAX_CONNECTIONS,
            cors_origins: CorsOrigins::default(),
        }
    }
}

impl ApiSettings {
    pub fn execution_timeout(&self) -> Duration {
        Duration::from_millis(self.execution_timeout_ms)
    }

    pub fn response_cache_ttl(&self) -> Duration {
        Duration::from_millis(self.response_cache_ttl_ms)
    }

    pub fn header_timeout(&self) -> Duration {
        Duration::from_millis(self.header_timeout_ms)
    }

    pub fn body_timeout(&self) -> Duration {
        Duration::from_millis(self.body_timeout_ms)
    }
}

fn bounded(variable: &str, value: &str, range: RangeInclusive<u64>) -> Result<u64, String> {
    value
        .trim()
        .parse::<u64>()
        .ok()
        .filter(|number| range.contains(number))
        .ok_or_else(|| {
            format!(
                "{variable} must be a whole number from {} to {}",
                range.start(),
                range.end()
            )
        })
}

fn bounded_usize(variable: &str, value: &str, range: RangeInclusive<u64>) -> Result<usize, String> {
    bounded(variable, value, range).map(|number| number as usize)
}

fn parse_max_depth(value: &str) -> Result<usize, String> {
    bounded_usize("KXC_MAX_DEPTH", value, 1..=100)
}

fn parse_max_complexity(value: &str) -> Result<usize, String> {
    bounded_usize("KXC_MAX_COMPLEXITY", value, 1..=100_000_000)
}

fn parse_max_aliases(value: &str) -> Result<usize, String> {
    bounded_usize("KXC_MAX_ALIASES", value, 0..=10_000)
}

fn parse_max_expanded_selections(value: &str) -> Result<usize, String> {
    bounded_usize("KXC_MAX_EXPANDED_SELECTIONS", value, 1..=10_000_000)
}

fn parse_max_directives(value: &str) -> Result<usize, String> {
    bounded_usize("KXC_MAX_DIRECTIVES", value, 0..=10_000)
}

fn parse_max_batch(value: &str) -> Result<usize, String> {
    bounded_usize("KXC_MAX_BATCH", value, 1..=1000)
}

fn parse_max_body_bytes(value: &str) -> Result<usize, String> {
    bounded_usize("KXC_MAX_BODY_BYTES", value, 1024..=(1 << 30))
}

fn parse_execution_timeout_ms(value: &str) -> Result<u64, String> {
    bounded("KXC_EXECUTION_TIMEOUT_MS", value, 1..=3_600_000)
}

fn parse_persisted_query_cache_bytes(value: &str) -> Result<u64, String> {
    bounded("KXC_PERSISTED_QUERY_CACHE_BYTES", value, 1024..=(1 << 34))
}

fn parse_persisted_query_max_bytes(value: &str) -> Result<usize, String> {
    bounded_usize("KXC_PERSISTED_QUERY_MAX_BYTES", value, 0..=(1 << 20))
}

fn parse_response_cache_bytes(value: &str) -> Result<u64, String> {
    bounded("KXC_RESPONSE_CACHE_BYTES", value, 0..=(1 << 34))
}

fn parse_response_cache_ttl_ms(value: &str) -> Result<u64, String> {
    bounded("KXC_RESPONSE_CACHE_TTL_MS", value, 1..=3_600_000)
}

fn parse_search_max_query_chars(value: &str) -> Result<usize, String> {
    bounded_usize("KXC_SEARCH_MAX_QUERY_CHARS", value, 1..=100_000)
}

fn parse_search_max_terms(value: &str) -> Result<usize, String> {
    bounded_usize("KXC_SEARCH_MAX_TERMS", value, 1..=1000)
}

fn parse_header_timeout_ms(value: &str) -> Result<u64, String> {
    bounded("KXC_HEADER_TIMEOUT_MS", value, 10..=600_000)
}

fn parse_body_timeout_ms(value: &str) -> Result<u64, String> {
    bounded("KXC_BODY_TIMEOUT_MS", value, 10..=600_000)
}

fn parse_max_connections(value: &str) -> Result<usize, String> {
    bounded_usize("KXC_MAX_CONNECTIONS", value, 1..=1_000_000)
}

fn parse_cors_origins(value: &str) -> Result<CorsOrigins, String> {
    let origins = value
        .split(',')
        .map(str::trim)
        .filter(|origin| !origin.is_empty())
        .map(parse_origin)
        .collect::<Result<Vec<_>, _>>()?;
    Ok(CorsOrigins(origins))
}

/// Browsers send `Origin` as `scheme://host[:port]` in lower case; CORS compares it byte for
/// byte, so anything else in the list could never match and is rejected here.
fn parse_origin(origin: &str) -> Result<HeaderValue, String> {
    let error = || {
        format!("KXC_CORS_ORIGINS: `{origin}` is not an origin such as https://portal.example.org")
    };
    let lower = origin.to_ascii_lowercase();
    let uri: Uri = lower.parse().map_err(|_| error())?;
    let scheme_ok = matches!(uri.scheme_str(), Some("http" | "https"));
    let bare = uri.authority().is_some_and(|authority| {
        lower.ends_with(authority.as_str()) && !authority.as_str().contains('@')
    });
    if !scheme_ok || !bare {
        return Err(error());
    }
    HeaderValue::from_str(&lower).map_err(|_| error())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(clap::Parser)]
    struct Flags {
        #[command(flatten)]
        api: ApiSettings,
    }

    #[test]
    fn the_defaults_in_code_are_the_flag_defaults() {
        use clap::Parser;
        let parsed = Flags::try_parse_from(["kxc"]).unwrap().api;
        let default = ApiSettings::default();
        assert_eq!(format!("{parsed:?}"), format!("{default:?}"));
    }

    #[test]
    fn a_limit_out_of_range_names_the_variable() {
        assert!(parse_max_depth("0").unwrap_err().contains("KXC_MAX_DEPTH"));
        assert!(
            parse_max_complexity("lots")
                .unwrap_err()
                .contains("KXC_MAX_COMPLEXITY")
        );
        assert!(parse_max_batch("-1").unwrap_err().contains("KXC_MAX_BATCH"));
        assert!(
            parse_max_body_bytes("10")
                .unwrap_err()
                .contains("KXC_MAX_BODY_BYTES")
        );
        assert!(
            parse_execution_timeout_ms("0")
                .unwrap_err()
                .contains("KXC_EXECUTION_TIMEOUT_MS")
        );
        assert!(
            parse_max_expanded_selections("0")
                .unwrap_err()
                .contains("KXC_MAX_EXPANDED_SELECTIONS")
        );
        assert!(
            parse_max_directives("many")
                .unwrap_err()
                .contains("KXC_MAX_DIRECTIVES")
        );
        assert_eq!(parse_max_directives("0").unwrap(), 0);
        assert!(
            parse_persisted_query_cache_bytes("1000")
                .unwrap_err()
                .contains("KXC_PERSISTED_QUERY_CACHE_BYTES")
        );
        assert!(
            parse_persisted_query_max_bytes("16k")
                .unwrap_err()
                .contains("KXC_PERSISTED_QUERY_MAX_BYTES")
        );
        assert!(
            parse_header_timeout_ms("0")
                .unwrap_err()
                .contains("KXC_HEADER_TIMEOUT_MS")
        );
        assert!(
            parse_body_timeout_ms("soon")
                .unwrap_err()
                .contains("KXC_BODY_TIMEOUT_MS")
        );
        assert!(
            parse_max_connections("0")
                .unwrap_err()
                .contains("KXC_MAX_CONNECTIONS")
        );
        assert!(
            parse_search_max_query_chars("0")
                .unwrap_err()
                .contains("KXC_SEARCH_MAX_QUERY_CHARS")
        );
        assert!(
            parse_search_max_terms("1001")
                .unwrap_err()
                .contains("KXC_SEARCH_MAX_TERMS")
        );
        assert_eq!(parse_header_timeout_ms("250").unwrap(), 250);
        assert_eq!(parse_max_connections("64").unwrap(), 64);
        assert_eq!(parse_max_aliases("0").unwrap(), 0);
        assert_eq!(parse_max_depth(" 12 ").unwrap(), 12);
    }

    #[test]
    fn cors_origins_are_exact_lower_case_origins() {
        let origins =
            parse_cors_origins("https://Portal.Example.org, http://localhost:3000").unwrap();
        assert_eq!(
            origins.0,
            vec![
                HeaderValue::from_static("https://portal.example.org"),
                HeaderValue::from_static("http://localhost:3000")
            ]
        );
        assert_eq!(parse_cors_origins("").unwrap(), CorsOrigins::default());
        for bad in [
            "*",
            "portal.example.org",
            "https://a.example/",
            "ftp://a.example",
            "https://a.example/x",
        ] {
            let error = parse_cors_origins(bad).unwrap_err();
            assert!(error.contains("KXC_CORS_ORIGINS"), "{bad}: {error}");
        }
    }
}
