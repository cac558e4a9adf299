//! Events (conferences, webinars, the annual outreach event, campaign milestones): reading
//! (`events(filter:)`, `event(id:|slug:)`, `GET /events.ics`) and, one file per action, the
//! admin writes. An event has calendar days (`starts_on`..`ends_on`) and, unless it lasts
//! whole days, local start and end times in an IANA time zone; [`instants`] turns those into
//! UTC moments.

pub mod create;
pub mod update;
mod validate;

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, NaiveTime, TimeZone, Utc};
use sea_orm::sea_query::{Expr, ExprTrait, Query, SelectStatement};
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, Order, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect, Select,
};

use super::ServiceError;
use super::chunked::{self, PerKey};
use super::paging::{Cursor, Page, PageRequest, keyset_condition};
use crate::domain::{Slug, ThemePath};
use crate::entity::{city, event, event_theme, region, theme};

pub use validate::{NewEvent, parse_time, parse_time_zone};

/// Every list is "any of"; the parts combine with AND.
#[derive(Clone, Debug, Default)]
pub struct EventFilter {
    /// Events that end on or after this day.
    pub from: Option<NaiveDate>,
    /// Events that start on or before this day.
    pub to: Option<NaiveDate>,
    /// Theme paths; each matches its whole subtree.
    pub themes: Vec<ThemePath>,
    /// Region codes; an event matches when its city lies in one of their subtrees (online-only
    /// events without a city never match).
    pub regions: Vec<String>,
    /// Organiser slugs.
    pub organisers: Vec<Slug>,
    /// Campaign slugs.
    pub campaigns: Vec<Slug>,
}

/// The start and end of an event with times, in UTC; `None` for an all-day event.
pub fn instants(row: &event::Model) -> Option<(DateTime<Utc>, DateTime<Utc>)> {
    let zone = parse_time_zone(&row.time_zone).ok()?;
    let start = parse_time(row.start_time.as_deref()?).ok()?;
    let end = parse_time(row.end_time.as_deref()?).ok()?;
    Some((
        local(zone, row.starts_on, start)?,
        local(zone, row.ends_on, end)?,
    ))
}

/// A local wall-clock time as UTC; in a gap (spring forward) the time after it, in an overlap
/// the earlier one.
fn local(zone: chrono_tz::Tz, day: NaiveDate, time: NaiveTime) -> Option<DateTime<Utc>> {
    let naive = day.and_time(time);
    zone.from_local_datetime(&naive)
        .earliest()
        .or_else(|| {
            zone.from_local_datetime(&(naive + chrono::Duration::hours(1)))
                .earliest()
        })
        .map(|moment| moment.with_timezone(&Utc))
}

fn with_themes(paths: &[&str]) -> SelectStatement {
    let any = chunked::any_of(
        paths
            .iter()
            .flat_map(|path| {
                [
                    Expr::col((theme::Entity, theme::Column::Path)).eq(*path),
                    Expr::col((theme::Entity, theme::Column::Path)).like(format!("{path}/%")),
                ]
            })
            .collect(),
    );
    Query::select()
        .column((event_theme::Entity, event_theme::Column::EventId))
        .from(event_theme::Entity)
        .inner_join(
            theme::Entity,
            Expr::col((theme::Entity, theme::Column::Id))
                .equals((event_theme::Entity, event_theme::Column::ThemeId)),
        )
        .cond_where(any)
        .to_owned()
}

async fn filtered(
    db: &impl ConnectionTrait,
    filter: &EventFilter,
) -> Result<Select<event::Entity>, ServiceError> {
    let mut errors = Vec::new();
    let mut query = event::Entity::find();
    if let Some(from) = filter.from {
        query = query.filter(event::Column::EndsOn.gte(from));
    }
    if let Some(to) = filter.to {
        query = query.filter(event::Column::StartsOn.lte(to));
    }
    if !filter.themes.is_empty() {
        let paths: Vec<&str> = filter.themes.iter().map(ThemePath::as_str).collect();
        super::lookup::theme_ids(db, &paths, "themes", &mut errors).await?;
        query = query.filter(event::Column::Id.in_subquery(with_themes(&paths)));
    }
    if !filter.regions.is_empty() {
        let codes: Vec<&str> = filter.regions.iter().map(String::as_str).collect();
        let paths = super::practice_query::region_paths(db, &codes, "regions", &mut errors).await?;
        let any = chunked::any_of(
            paths
                .iter()
                .map(|path| {
                    Expr::col((region::Entity, region::Column::Path)).like(format!("{path}%"))
                })
                .collect(),
        );
        let cities = Query::select()
            .column((city::Entity, city::Column::Id))
            .from(city::Entity)
            .inner_join(
                region::Entity,
                Expr::col((region::Entity, region::Column::Id))
                    .equals((city::Entity, city::Column::RegionId)),
            )
            .and_where(any)
            .to_owned();
        query = query.filter(event::Column::CityId.in_subquery(cities));
    }
    if !filter.organisers.is_empty() {
        let slugs: Vec<&str> = filter.organisers.iter().map(Slug::as_str).collect();
        let ids = super::lookup::organisation_ids(db, &slugs, "organisers", &mut errors).await?;
        query = query.filter(event::Column::OrganiserId.is_in(ids));
    }
    if !filter.campaigns.is_empty() {
        let slugs: Vec<&str> = filter.campaigns.iter().map(Slug::as_str).collect();
        let ids = super::lookup::campaign_ids(db, &slugs, "campaigns", &mut errors).await?;
        query = query.filter(event::Column::CampaignId.is_in(ids));
    }
    if errors.is_empty() {
        Ok(query)
    } else {
        Err(ServiceError::Invalid(
            errors
                .into_iter()
                .map(|error| error.under("filter"))
                .collect(),
        ))
    }
}

pub async fn count(db: &impl ConnectionTrait, filter: &EventFilter) -> Result<u64, ServiceError> {
    Ok(filtered(db, filter).await?.count(db).await?)
}

/// Events by first day (then id), by keyset.
pub async fn page(
    db: &impl ConnectionTrait,
    filter: &EventFilter,
    request: &PageRequest,
) -> Result<Page<event::Model>, ServiceError> {
    let ascending = request.is_forward();
    let mut query = filtered(db, filter).await?;
    if let Some(cursor) = request.cursor() {
        let day = cursor
            .key
            .as_deref()
            .and_then(|key| NaiveDate::parse_from_str(key, "%Y-%m-%d").ok())
            .ok_or_else(|| ServiceError::invalid("after", "is not a cursor of this list"))?;
        query = query.filter(keyset_condition(
            Expr::col((event::Entity, event::Column::StartsOn)),
            Expr::col((event::Entity, event::Column::Id)),
            day.into(),
            cursor.id,
            ascending,
        ));
    }
    let order = if ascending { Order::Asc } else { Order::Desc };
    let rows = query
        .order_by(event::Column::StartsOn, order.clone())
        .order_by(event::Column::Id, order)
        .limit(u64::from(request.size()) + 1)
        .all(db)
        .await?;
    Ok(Page::from_rows(rows, request, cursor_of))
}

pub fn cursor_of(row: &event::Model) -> Cursor {
    Cursor::from_text(&row.starts_on.format("%Y-%m-%d").to_string(), row.id)
}

/// Up to `limit` events matching `filter`, by first day, for the calendar feed.
pub async fn all(
    db: &impl ConnectionTrait,
    filter: &EventFilter,
    limit: u64,
) -> Result<Vec<event::Model>, ServiceError> {
    Ok(filtered(db, filter)
        .await?
        .order_by_asc(event::Column::StartsOn)
        .order_by_asc(event::Column::Id)
        .limit(limit)
        .all(db)
        .await?)
}

pub async fn by_id(
    db: &impl ConnectionTrait,
    id: i32,
) -> Result<Option<event::Model>, sea_orm::DbErr> {
    event::Entity::find_by_id(id).one(db).await
}

pub async fn by_slug(
    db: &impl ConnectionTrait,
    slug: &str,
) -> Result<Option<event::Model>, sea_orm::DbErr> {
    event::Entity::find()
        .filter(event::Column::Slug.eq(slug))
        .one(db)
        .await
}

/// The theme ids of many events.
pub async fn theme_ids(
    db: &impl ConnectionTrait,
    ids: &[i32],
) -> Result<HashMap<i32, Vec<i32>>, sea_orm::DbErr> {
    chunked::load(db, ids, PerKey::IN_LIST, |ids| async move {
        let rows = event_theme::Entity::find()
            .filter(event_theme::Column::EventId.is_in(ids.iter().copied()))
            .all(db)
            .await?;
        let mut grouped: HashMap<i32, Vec<i32>> = HashMap::new();
        for row in rows {
            grouped.entry(row.event_id).or_default().push(row.theme_id);
        }
        Ok(grouped)
    })
    .await
}

/// Theme paths by id, for the calendar feed's categories.
pub async fn theme_paths(
    db: &impl ConnectionTrait,
    ids: &[i32],
) -> Result<HashMap<i32, String>, sea_orm::DbErr> {
    let rows: Vec<(i32, String)> = chunked::load(db, ids, PerKey::IN_LIST, |ids| {
        theme::Entity::find()
            .select_only()
            .column(theme::Column::Id)
            .column(theme::Column::Path)
            .filter(theme::Column::Id.is_in(ids.iter().copied()))
            .into_tuple()
            .all(db)
    })
    .await?;
    Ok(rows.into_iter().collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(zone: &str, start: Option<&str>, end: Option<&str>) -> event::Model {
        let now = Utc::now().fixed_offset();
        event::Model {
            id: 1,
            slug: "x".into(),
            title: "X".into(),
            description: String::new(),
            starts_on: NaiveDate::from_ymd_opt(2024, 6, 25).unwrap(),
            ends_on: NaiveDate::from_ymd_opt(2024, 6, 26).unwrap(),
            city_id: None,
            online: true,
            organiser_id: None,
            url: None,
            created_at: now,
            updated_at: now,
            version: 1,
            start_time: start.map(Into::into),
            end_time: end.map(Into::into),
            time_zone: zone.into(),
            campaign_id: None,
        }
    }

    #[test]
    fn local_times_become_utc_in_the_events_zone() {
        let (start, end) = instants(&row("Europe/Madrid", Some("09:00"), Some("17:30"))).unwrap();
        assert_eq!(start.to_rfc3339(), "2024-06-25T07:00:00+00:00");
        assert_eq!(end.to_rfc3339(), "2024-06-26T15:30:00+00:00");
        assert!(instants(&row("UTC", None, None)).is_none());
    }

    #[test]
    fn a_time_in_the_spring_gap_moves_past_it() {
        let zone = parse_time_zone("Europe/Oslo").unwrap();
        let day = NaiveDate::from_ymd_opt(2025, 3, 30).unwrap();
        let moment = local(zone, day, NaiveTime::from_hms_opt(2, 30, 0).unwrap()).unwrap();
        assert_eq!(moment.to_rfc3339(), "2025-03-30T01:30:00+00:00");
    }
}
