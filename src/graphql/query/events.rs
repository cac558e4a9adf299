//! `events(filter:)` and `event(id:|slug:)`.

use async_graphql::{Context, ID, InputObject, Object};

use crate::domain::{FieldPath, Slug, ThemePath};
use crate::error::{AppError, AppResult};
use crate::graphql::exec::limits;
use crate::graphql::ids::{GlobalId, RecordKind};
use crate::graphql::inputs::bounded_list;
use crate::graphql::scalars::Date;
use crate::graphql::types::event::{Event, EventConnection};
use crate::graphql::types::pagination;
use crate::graphql::types::partnership::Total;
use crate::service;
use crate::service::events::EventFilter as Filter;

/// Which events to list. Every list is "any of"; the parts combine with AND.
#[derive(InputObject, Default)]
pub struct EventFilter {
    /// Events that end on or after this day.
    pub from: Option<Date>,
    /// Events that start on or before this day.
    pub to: Option<Date>,
    /// Theme paths; each matches its whole subtree.
    pub themes: Option<Vec<String>>,
    /// Region codes; an event matches when its host city lies in one of their subtrees.
    pub regions: Option<Vec<String>>,
    /// Organiser slugs, such as `eu-cities-mission`.
    pub organisers: Option<Vec<String>>,
    /// Campaign slugs: the campaign's milestones.
    pub campaigns: Option<Vec<String>>,
}

fn parse_list<T>(
    values: Option<Vec<String>>,
    field: &str,
    parse: impl Fn(&str) -> Result<T, String>,
) -> AppResult<Vec<T>> {
    bounded_list(values, ["filter", field])?
        .iter()
        .enumerate()
        .map(|(index, value)| {
            parse(value).map_err(|message| {
                AppError::bad_input(FieldPath::from(["filter", field]).index(index), message)
            })
        })
        .collect()
}

impl EventFilter {
    pub fn parse(self) -> AppResult<Filter> {
        let from = self
            .from
            .map(|date| date.day(["filter", "from"]))
            .transpose()?;
        let to = self.to.map(|date| date.day(["filter", "to"])).transpose()?;
        if let (Some(from), Some(to)) = (from, to)
            && from > to
        {
            return Err(AppError::bad_input(
                ["filter", "from"],
                "`from` must not be after `to`",
            ));
        }
        Ok(Filter {
            from,
            to,
            themes: parse_list(self.themes, "themes", ThemePath::parse)?,
            regions: parse_list(self.regions, "regions", |code| Ok(code.to_owned()))?,
            organisers: parse_list(self.organisers, "organisers", Slug::parse)?,
            campaigns: parse_list(self.campaigns, "campaigns", Slug::parse)?,
        })
    }
}

#[derive(Default)]
pub struct EventQuery;

#[Object]
impl EventQuery {
    /// Events by first day, earliest first. `first` or `last` (1..100) is required. The same
    /// filters, as query parameters, give the iCalendar feed `GET /events.ics`.
    #[graphql(complexity = "limits::connection_complexity(first, last, child_complexity)")]
    async fn events(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Which events to list; null lists every event.")] filter: Option<
            EventFilter,
        >,
        #[graphql(desc = "Page forwards: at most this many events (1..100) after `after`.")]
        first: Option<i32>,
        #[graphql(desc = "Cursor (an edge's `cursor` or `pageInfo.endCursor`) to start after.")]
        after: Option<String>,
        #[graphql(desc = "Page backwards: at most this many events (1..100) before `before`.")]
        last: Option<i32>,
        #[graphql(desc = "Cursor (an edge's `cursor` or `pageInfo.startCursor`) to end before.")]
        before: Option<String>,
    ) -> AppResult<EventConnection> {
        let request = pagination::request(first, after, last, before)?;
        let filter = filter.unwrap_or_default().parse()?;
        let page = service::events::page(crate::graphql::db(ctx), &filter, &request).await?;
        Ok(EventConnection::new(page, Total::Filter(filter)))
    }

    /// One event by global `id` or by `slug` (give exactly one), or null.
    async fn event(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The event's global ID, as `Event.id` gives it.")] id: Option<ID>,
        #[graphql(desc = "The event's slug.")] slug: Option<String>,
    ) -> AppResult<Option<Event>> {
        let db = crate::graphql::db(ctx);
        let row = match (id, slug) {
            (Some(id), None) => match GlobalId::decode(&id) {
                Some(GlobalId {
                    kind: RecordKind::Event,
                    id,
                }) => service::events::by_id(db, id).await?,
                _ => None,
            },
            (None, Some(slug)) => service::events::by_slug(db, &slug).await?,
            _ => {
                return Err(AppError::bad_input(
                    ["id"],
                    "give exactly one of `id` or `slug`",
                ));
            }
        };
        Ok(row.map(Event))
    }
}
