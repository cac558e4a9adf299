//! `GET /events.ics`: the events as an iCalendar (RFC 5545) feed, built with the `icalendar`
//! crate, with the filters of `events(filter:)` as query parameters (`from`, `to` as
//! `YYYY-MM-DD`; `themes`, `regions`, `organisers`, `campaigns` as comma-separated lists).
//! Timed events carry UTC start and end times (so no VTIMEZONE is needed), all-day events
//! `VALUE=DATE` days with an exclusive end; every event has a stable `UID`, `DTSTAMP` and
//! `SEQUENCE` (its version). At most [`MAX_EVENTS`] events, earliest first; a bad parameter
//! is 400 `BAD_USER_INPUT` naming it. Public data; each feed costs [`CALENDAR_COST`].

use std::collections::HashMap;

use axum::extract::{ConnectInfo, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::{Days, Utc};
use icalendar::{Calendar, Component, EventLike};
use serde::Deserialize;

use super::AppState;
use super::negotiate::ResponseMedia;
use super::reply;
use crate::domain::{Slug, ThemePath, limits};
use crate::entity::{city, event, organisation};
use crate::error::ErrorCode;
use crate::service::ServiceError;
use crate::service::events::{self, EventFilter};

/// Most events one feed holds (the earliest that match).
pub const MAX_EVENTS: u64 = 1000;
/// What one feed costs from the caller's budget.
pub const CALENDAR_COST: u64 = 200;
/// Set when more events matched than the feed holds.
pub const TRUNCATED_HEADER: &str = "kxc-truncated";

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CalendarParams {
    from: Option<String>,
    to: Option<String>,
    themes: Option<String>,
    regions: Option<String>,
    organisers: Option<String>,
    campaigns: Option<String>,
}

fn bad_request(message: impl Into<String>) -> Response {
    reply::rejection(
        StatusCode::BAD_REQUEST,
        ResponseMedia::Json,
        ErrorCode::BadUserInput,
        message,
    )
}

fn list<T>(
    text: Option<&str>,
    name: &str,
    parse: impl Fn(&str) -> Result<T, String>,
) -> Result<Vec<T>, String> {
    let Some(text) = text.filter(|text| !text.is_empty()) else {
        return Ok(Vec::new());
    };
    let items: Vec<&str> = text.split(',').map(str::trim).collect();
    if items.len() > limits::LIST_ARGUMENT {
        return Err(format!(
            "`{name}` has {} items; at most {} are allowed",
            items.len(),
            limits::LIST_ARGUMENT
        ));
    }
    items
        .iter()
        .enumerate()
        .map(|(index, item)| parse(item).map_err(|message| format!("`{name}[{index}]`: {message}")))
        .collect()
}

fn day(text: Option<&str>, name: &str) -> Result<Option<chrono::NaiveDate>, String> {
    text.map(|text| {
        chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d").map_err(|_| {
            format!(
                "`{name}`: `{}` is not a calendar date (YYYY-MM-DD)",
                crate::domain::excerpt(text)
            )
        })
    })
    .transpose()
}

/// The filter the parameters name, or the message saying which one is bad.
fn filter(params: &CalendarParams) -> Result<EventFilter, String> {
    let from = day(params.from.as_deref(), "from")?;
    let to = day(params.to.as_deref(), "to")?;
    if let (Some(from), Some(to)) = (from, to)
        && from > to
    {
        return Err("`from` must not be after `to`".to_owned());
    }
    Ok(EventFilter {
        from,
        to,
        themes: list(params.themes.as_deref(), "themes", ThemePath::parse)?,
        regions: list(params.regions.as_deref(), "regions", |code| {
            Ok(code.to_owned())
        })?,
        organisers: list(params.organisers.as_deref(), "organisers", Slug::parse)?,
        campaigns: list(params.campaigns.as_deref(), "campaigns", Slug::parse)?,
    })
}

pub async fn events_ics(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<std::net::SocketAddr>,
    headers: HeaderMap,
    params: Result<Query<CalendarParams>, axum::extract::rejection::QueryRejection>,
) -> Response {
    let budget =
        match super::charge::charge(&state, &headers, peer.ip(), CALENDAR_COST, "calendar").await {
            Ok(budget) => budget,
            Err(refused) => return refused,
        };
    let params = match params {
        Ok(Query(params)) => params,
        Err(rejection) => return bad_request(rejection.body_text()),
    };
    let filter = match filter(&params) {
        Ok(filter) => filter,
        Err(message) => return bad_request(message),
    };
    let (body, truncated) = match build(&state.db, &filter).await {
        Ok(built) => built,
        Err(ServiceError::Invalid(errors)) => {
            let message: Vec<String> = errors
                .iter()
                .map(|error| {
                    format!(
                        "`{}`: {}",
                        error.path.camel_text().trim_start_matches("filter."),
                        error.message
                    )
                })
                .collect();
            return bad_request(message.join("; "));
        }
        Err(error) => {
            tracing::error!(%error, "calendar");
            return reply::rejection(
                StatusCode::INTERNAL_SERVER_ERROR,
                ResponseMedia::Json,
                ErrorCode::Internal,
                "internal error",
            );
        }
    };
    let mut response = (
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/calendar; charset=utf-8"),
        )],
        body,
    )
        .into_response();
    if truncated {
        response.headers_mut().insert(
            header::HeaderName::from_static(TRUNCATED_HEADER),
            HeaderValue::from_static("true"),
        );
    }
    reply::rate_limit_headers(response.headers_mut(), budget, None);
    response
}

/// The feed's text and whether more events matched than it holds.
async fn build(
    db: &sea_orm::DatabaseConnection,
    filter: &EventFilter,
) -> Result<(String, bool), ServiceError> {
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    let mut rows = events::all(db, filter, MAX_EVENTS + 1).await?;
    let truncated = rows.len() as u64 > MAX_EVENTS;
    rows.truncate(MAX_EVENTS as usize);
    let ids: Vec<i32> = rows.iter().map(|row| row.id).collect();
    let city_ids: Vec<i32> =
        crate::service::sorted_unique(rows.iter().filter_map(|row| row.city_id).collect());
    let organiser_ids: Vec<i32> =
        crate::service::sorted_unique(rows.iter().filter_map(|row| row.organiser_id).collect());
    let cities: HashMap<i32, city::Model> = crate::service::cities::by_ids(db, &city_ids)
        .await?
        .into_iter()
        .map(|row| (row.id, row))
        .collect();
    let organisers: HashMap<i32, organisation::Model> = organisation::Entity::find()
        .filter(organisation::Column::Id.is_in(organiser_ids))
        .all(db)
        .await?
        .into_iter()
        .map(|row| (row.id, row))
        .collect();
    let themes = events::theme_ids(db, &ids).await?;
    let all_theme_ids: Vec<i32> =
        crate::service::sorted_unique(themes.values().flatten().copied().collect());
    let paths = events::theme_paths(db, &all_theme_ids).await?;

    let mut calendar = Calendar::new();
    calendar.name("kxc events");
    for row in &rows {
        calendar.push(entry(
            row,
            row.city_id.and_then(|id| cities.get(&id)),
            row.organiser_id.and_then(|id| organisers.get(&id)),
            themes
                .get(&row.id)
                .map(|ids| ids.iter().filter_map(|id| paths.get(id).cloned()).collect())
                .unwrap_or_default(),
        ));
    }
    Ok((calendar.done().to_string(), truncated))
}

fn entry(
    row: &event::Model,
    city: Option<&city::Model>,
    organiser: Option<&organisation::Model>,
    mut themes: Vec<String>,
) -> icalendar::Event {
    let mut entry = icalendar::Event::new();
    entry
        .uid(&format!("event-{}@kxc", row.id))
        .summary(&row.title)
        .sequence(u32::try_from(row.version.saturating_sub(1)).unwrap_or(0))
        .timestamp(row.updated_at.with_timezone(&Utc))
        .last_modified(row.updated_at.with_timezone(&Utc));
    match events::instants(row) {
        Some((start, end)) => {
            entry.starts(start).ends(end);
        }
        None => {
            // DTEND of an all-day event is the day after the last one (exclusive).
            let end = row
                .ends_on
                .checked_add_days(Days::new(1))
                .unwrap_or(row.ends_on);
            entry.starts(row.starts_on).ends(end);
        }
    }
    let mut description = row.description.clone();
    if let Some(organiser) = organiser {
        description.push_str(&format!("\n\nOrganiser: {}", organiser.name));
    }
    if !description.is_empty() {
        entry.description(description.trim());
    }
    let location = match (city, row.online) {
        (Some(city), true) => Some(format!("{}, {} and online", city.name, city.country_code)),
        (Some(city), false) => Some(format!("{}, {}", city.name, city.country_code)),
        (None, true) => Some("Online".to_owned()),
        (None, false) => None,
    };
    if let Some(location) = location {
        entry.location(&location);
    }
    if let Some(url) = row
        .url
        .as_deref()
        .filter(|url| crate::domain::HttpUrl::parse(url).is_ok())
    {
        entry.url(url);
    }
    if !themes.is_empty() {
        themes.sort();
        entry.add_property("CATEGORIES", themes.join(","));
    }
    entry.done()
}
