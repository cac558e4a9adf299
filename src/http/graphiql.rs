//! GraphiQL for browsers, with every script and style compiled into the binary (see
//! `assets/graphiql/README.md`): async-graphql's built-in page loads them from a public CDN
//! and stays blank without internet access.

use axum::extract::Path;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};

/// The page may only load what kxc serves and submits no forms; styles are inline because GraphiQL sets them at
/// run time, and its fonts are `data:` URLs inside the stylesheet.
const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self'; \
    style-src 'self' 'unsafe-inline'; font-src 'self' data:; img-src 'self' data:; \
    connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none'; \
    frame-ancestors 'none'";

/// Versioned files never change under their name; `init.js` changes with kxc.
const IMMUTABLE: &str = "public, max-age=31536000, immutable";

struct Asset {
    name: &'static str,
    content_type: &'static str,
    cache_control: &'static str,
    bytes: &'static [u8],
}

macro_rules! asset {
    ($name:literal, $content_type:literal, $cache_control:expr) => {
        Asset {
            name: $name,
            content_type: $content_type,
            cache_control: $cache_control,
            bytes: include_bytes!(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/assets/graphiql/",
                $name
            )),
        }
    };
}

static ASSETS: &[Asset] = &[
    asset!(
        "graphiql-3.8.3.min.js",
        "text/javascript; charset=utf-8",
        IMMUTABLE
    ),
    asset!(
        "graphiql-3.8.3.min.css",
        "text/css; charset=utf-8",
        IMMUTABLE
    ),
    asset!(
        "react-18.3.1.min.js",
        "text/javascript; charset=utf-8",
        IMMUTABLE
    ),
    asset!(
        "react-dom-18.3.1.min.js",
        "text/javascript; charset=utf-8",
        IMMUTABLE
    ),
    asset!("init.js", "text/javascript; charset=utf-8", "no-cache"),
];

/// The GraphiQL page; its assets resolve relative to the endpoint (`graphiql/...`).
pub fn page() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/html; charset=utf-8"),
            (header::CONTENT_SECURITY_POLICY, CONTENT_SECURITY_POLICY),
            (header::CACHE_CONTROL, "no-cache"),
        ],
        include_str!("../../assets/graphiql/index.html"),
    )
        .into_response()
}

/// `GET /graphiql/{file}`: one of the embedded files, or 404.
pub async fn asset(Path(file): Path<String>) -> Response {
    let Some(asset) = ASSETS.iter().find(|asset| asset.name == file) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    (
        [
            (header::CONTENT_TYPE, asset.content_type),
            (header::CACHE_CONTROL, asset.cache_control),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        ],
        asset.bytes,
    )
        .into_response()
}
