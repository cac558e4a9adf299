//! `GET /feeds/funding.atom` and `GET /feeds/practices.atom` (`?theme=<path>&region=<code>`):
//! Atom 1.0 feeds of newly opened funding opportunities and newly published practices
//! (`service::feeds`), written with the `atom_syndication` crate. A bad or unknown theme or
//! region is 400 `BAD_USER_INPUT` naming the parameter.

use atom_syndication::{Entry, Feed, Link, Person, Text};
use axum::extract::{Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::{FixedOffset, TimeZone, Utc};
use serde::Deserialize;

use super::AppState;
use super::negotiate::ResponseMedia;
use super::reply;
use crate::domain::{RecordKind, ThemePath};
use crate::error::ErrorCode;
use crate::graphql::ids::GlobalId;
use crate::service::ServiceError;
use crate::service::feeds::{self, FeedFilter};

/// Longest region code accepted.
const MAX_REGION_CHARS: usize = 16;

#[derive(Debug, Deserialize)]
pub struct FeedParams {
    theme: Option<String>,
    region: Option<String>,
}

fn bad_request(message: impl Into<String>) -> Response {
    reply::rejection(
        StatusCode::BAD_REQUEST,
        ResponseMedia::Json,
        ErrorCode::BadUserInput,
        message,
    )
}

fn internal(error: impl std::fmt::Display) -> Response {
    tracing::error!(%error, "feed");
    reply::rejection(
        StatusCode::INTERNAL_SERVER_ERROR,
        ResponseMedia::Json,
        ErrorCode::Internal,
        "internal error",
    )
}

fn parse(
    params: Result<Query<FeedParams>, axum::extract::rejection::QueryRejection>,
) -> Result<FeedFilter, Box<Response>> {
    let bad = |message: String| Box::new(bad_request(message));
    let params = params.map_err(|rejection| bad(rejection.body_text()))?.0;
    let theme = match params
        .theme
        .as_deref()
        .map(str::trim)
        .filter(|t| !t.is_empty())
    {
        None => None,
        Some(text) => {
            Some(ThemePath::parse(text).map_err(|message| bad(format!("`theme`: {message}")))?)
        }
    };
    let region = match params
        .region
        .as_deref()
        .map(str::trim)
        .filter(|r| !r.is_empty())
    {
        None => None,
        Some(text) if text.chars().count() > MAX_REGION_CHARS => {
            return Err(bad(format!(
                "`region`: must be at most {MAX_REGION_CHARS} characters"
            )));
        }
        Some(text) => Some(text.to_owned()),
    };
    Ok(FeedFilter { theme, region })
}

/// A refused filter names its parameter (`theme` or `region`).
fn refused(error: ServiceError) -> Response {
    match error {
        ServiceError::Invalid(errors) => {
            let message = errors
                .iter()
                .map(|error| {
                    let path = error.path.snake();
                    let parameter = if path.starts_with("theme") {
                        "theme"
                    } else {
                        "region"
                    };
                    format!("`{parameter}`: {}", error.message)
                })
                .collect::<Vec<_>>()
                .join("; ");
            bad_request(message)
        }
        other => internal(format!("{other:?}")),
    }
}

fn atom(feed: Feed) -> Response {
    let mut response = feed.to_string().into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/atom+xml; charset=utf-8"),
    );
    response
}

fn author() -> Person {
    Person {
        name: "kxc".into(),
        ..Person::default()
    }
}

fn epoch() -> chrono::DateTime<FixedOffset> {
    FixedOffset::east_opt(0)
        .expect("UTC offset")
        .timestamp_opt(0, 0)
        .single()
        .expect("the epoch")
}

fn feed(id: &str, title: &str, path: &str, entries: Vec<Entry>) -> Feed {
    let updated = entries
        .iter()
        .map(|entry| entry.updated)
        .max()
        .unwrap_or_else(epoch);
    Feed {
        id: id.into(),
        title: Text::plain(title),
        updated,
        authors: vec![author()],
        links: vec![Link {
            href: path.into(),
            rel: "self".into(),
            mime_type: Some("application/atom+xml".into()),
            ..Link::default()
        }],
        generator: Some(atom_syndication::Generator {
            value: "kxc".into(),
            ..Default::default()
        }),
        entries,
        ..Feed::default()
    }
}

pub async fn funding(
    State(state): State<AppState>,
    params: Result<Query<FeedParams>, axum::extract::rejection::QueryRejection>,
) -> Response {
    let filter = match parse(params) {
        Ok(filter) => filter,
        Err(response) => return *response,
    };
    let rows = match feeds::funding(&state.db, &state.reference, &filter).await {
        Ok(rows) => rows,
        Err(error) => return refused(error),
    };
    let entries = rows
        .into_iter()
        .map(|row| {
            let id = GlobalId::new(RecordKind::FundingOpportunity, row.id)
                .encode()
                .0;
            let opened = row
                .opens_at
                .and_then(|date| date.and_hms_opt(0, 0, 0))
                .map(|moment| Utc.from_utc_datetime(&moment).fixed_offset());
            Entry {
                id: format!("urn:kxc:funding_opportunity:{id}"),
                title: Text::plain(row.title),
                updated: row.updated_at,
                published: opened,
                authors: vec![author()],
                summary: Some(Text::plain(row.summary)),
                links: row
                    .url
                    .into_iter()
                    .map(|href| Link {
                        href,
                        rel: "alternate".into(),
                        hreflang: Some(row.language.clone()),
                        ..Link::default()
                    })
                    .collect(),
                ..Entry::default()
            }
        })
        .collect();
    atom(feed(
        "urn:kxc:feeds:funding",
        "kxc: newly opened funding opportunities",
        "/feeds/funding.atom",
        entries,
    ))
}

pub async fn practices(
    State(state): State<AppState>,
    params: Result<Query<FeedParams>, axum::extract::rejection::QueryRejection>,
) -> Response {
    let filter = match parse(params) {
        Ok(filter) => filter,
        Err(response) => return *response,
    };
    let rows = match feeds::practices(&state.db, &state.reference, &filter).await {
        Ok(rows) => rows,
        Err(error) => return refused(error),
    };
    let entries = rows
        .into_iter()
        .map(|row| Entry {
            id: format!("urn:kxc:practice:{}", row.slug),
            title: Text::plain(row.title),
            updated: row.updated_at,
            published: row.published_at,
            authors: vec![author()],
            summary: Some(Text::plain(row.summary)),
            ..Entry::default()
        })
        .collect();
    atom(feed(
        "urn:kxc:feeds:practices",
        "kxc: newly published practices",
        "/feeds/practices.atom",
        entries,
    ))
}
