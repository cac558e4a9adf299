//! Content negotiation for GraphQL over HTTP: which media type a response uses (from `Accept`)
//! and whether a POST body is JSON (from `Content-Type`).

use axum::http::{HeaderMap, header};
use mime::Mime;

pub const GRAPHQL_RESPONSE_JSON: &str = "application/graphql-response+json";

/// The two response media types of the GraphQL-over-HTTP spec. They differ in status codes:
/// with `application/json` every well-formed request is answered 200, while
/// `application/graphql-response+json` answers request errors (no `data`) with 4xx.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ResponseMedia {
    GraphqlResponseJson,
    Json,
}

impl ResponseMedia {
    pub fn content_type(self) -> &'static str {
        match self {
            ResponseMedia::GraphqlResponseJson => {
                "application/graphql-response+json; charset=utf-8"
            }
            ResponseMedia::Json => "application/json; charset=utf-8",
        }
    }
}

/// Picks the response media type from `Accept`. No header means `application/json` (the
/// spec's rule for legacy clients); wildcards also get `application/json`, and
/// `application/graphql-response+json` wins when the client names it at least as highly.
/// `None` means nothing the client accepts can be produced: answer 406.
pub fn response_media(headers: &HeaderMap) -> Option<ResponseMedia> {
    let ranges = accepted_ranges(headers);
    if ranges.is_empty() {
        return Some(ResponseMedia::Json);
    }
    let (graphql_q, graphql_exact) = quality(&ranges, GRAPHQL_RESPONSE_JSON);
    let (json_q, _) = quality(&ranges, "application/json");
    if graphql_q > 0.0 && (graphql_q > json_q || (graphql_q == json_q && graphql_exact)) {
        Some(ResponseMedia::GraphqlResponseJson)
    } else if json_q > 0.0 {
        Some(ResponseMedia::Json)
    } else if graphql_q > 0.0 {
        Some(ResponseMedia::GraphqlResponseJson)
    } else {
        None
    }
}

/// True when a browser asks for a page: `Accept` names `text/html` explicitly.
pub fn wants_html(headers: &HeaderMap) -> bool {
    accepted_ranges(headers)
        .iter()
        .any(|(range, q)| *q > 0.0 && range.essence_str() == "text/html")
}

/// True when the body is declared as JSON in UTF-8 (the only encoding JSON allows on the wire).
pub fn is_json_body(headers: &HeaderMap) -> bool {
    let Some(content_type) = headers
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.parse::<Mime>().ok())
    else {
        return false;
    };
    let utf8 = content_type
        .get_param(mime::CHARSET)
        .is_none_or(|charset| charset == mime::UTF_8);
    content_type.essence_str() == "application/json" && utf8
}

fn accepted_ranges(headers: &HeaderMap) -> Vec<(Mime, f32)> {
    headers
        .get_all(header::ACCEPT)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .filter_map(|range| range.trim().parse::<Mime>().ok())
        .map(|range| {
            let q = range
                .get_param("q")
                .and_then(|q| q.as_str().parse::<f32>().ok())
                .unwrap_or(1.0);
            (range, q)
        })
        .collect()
}

/// The quality the client gives `media` (from its most specific matching range), and whether
/// it named `media` exactly.
fn quality(ranges: &[(Mime, f32)], media: &str) -> (f32, bool) {
    let (kind, _) = media.split_once('/').unwrap_or((media, ""));
    let specificity = |range: &Mime| {
        if range.essence_str() == media {
            Some(2)
        } else if range.subtype() == mime::STAR && range.type_() == kind {
            Some(1)
        } else if range.type_() == mime::STAR && range.subtype() == mime::STAR {
            Some(0)
        } else {
            None
        }
    };
    ranges
        .iter()
        .filter_map(|(range, q)| specificity(range).map(|rank| (rank, *q)))
        .max_by_key(|(rank, _)| *rank)
        .map_or((0.0, false), |(rank, q)| (q, rank == 2))
}

#[cfg(test)]
mod tests {
    use axum::http::HeaderValue;

    use super::*;

    fn accept(value: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(header::ACCEPT, HeaderValue::from_str(value).unwrap());
        headers
    }

    #[test]
    fn the_response_media_type_follows_accept() {
        use ResponseMedia::*;
        assert_eq!(response_media(&HeaderMap::new()), Some(Json));
        assert_eq!(response_media(&accept("*/*")), Some(Json));
        assert_eq!(response_media(&accept("application/json")), Some(Json));
        assert_eq!(
            response_media(&accept(
                "application/graphql-response+json, application/json;q=0.9"
            )),
            Some(GraphqlResponseJson)
        );
        assert_eq!(
            response_media(&accept(
                "application/graphql-response+json, application/json"
            )),
            Some(GraphqlResponseJson)
        );
        assert_eq!(
            response_media(&accept(
                "application/graphql-response+json;q=0.5, application/json"
            )),
            Some(Json)
        );
        assert_eq!(response_media(&accept("application/*")), Some(Json));
        assert_eq!(
            response_media(&accept("application/json, multipart/mixed")),
            Some(Json)
        );
        assert_eq!(response_media(&accept("text/plain")), None);
        assert_eq!(response_media(&accept("application/json;q=0")), None);
    }

    #[test]
    fn only_utf8_json_bodies_are_json() {
        let content_type = |value: &str| {
            let mut headers = HeaderMap::new();
            headers.insert(header::CONTENT_TYPE, HeaderValue::from_str(value).unwrap());
            is_json_body(&headers)
        };
        assert!(content_type("application/json"));
        assert!(content_type("application/json; charset=utf-8"));
        assert!(!content_type("application/json; charset=latin1"));
        assert!(!content_type("text/plain"));
        assert!(!is_json_body(&HeaderMap::new()));
    }
}
