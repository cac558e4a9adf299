//! Events: the `Event` type and its connection.

use async_graphql::{ComplexObject, Context, ID, Object, SimpleObject};

use crate::entity::event;
use crate::error::AppResult;
use crate::graphql::ids::{GlobalId, RecordKind};
use crate::graphql::scalars::{Date, DateTime};
use crate::graphql::types::campaign::Campaign;
use crate::graphql::types::city::City;
use crate::graphql::types::organisation::Organisation;
use crate::graphql::types::pagination::PageInfo;
use crate::graphql::types::partnership::Total;
use crate::graphql::types::theme::Theme;
use crate::service;
use crate::service::paging::Page;

/// A page of events.
#[derive(SimpleObject)]
#[graphql(complex)]
pub struct EventConnection {
    /// The events on this page with their cursors, by first day.
    pub edges: Vec<EventEdge>,
    /// Cursors and whether more pages exist either way.
    pub page_info: PageInfo,
    #[graphql(skip)]
    pub total: Total<service::events::EventFilter>,
}

impl EventConnection {
    pub fn new(page: Page<event::Model>, total: Total<service::events::EventFilter>) -> Self {
        Self {
            page_info: PageInfo::of(&page),
            edges: page
                .items
                .into_iter()
                .map(|(cursor, row)| EventEdge {
                    cursor: cursor.encode(),
                    node: Event(row),
                })
                .collect(),
            total,
        }
    }
}

#[ComplexObject]
impl EventConnection {
    /// The events on this page.
    async fn nodes(&self) -> Vec<Event> {
        self.edges.iter().map(|edge| edge.node.clone()).collect()
    }

    /// How many events match, across all pages.
    async fn total_count(&self, ctx: &Context<'_>) -> AppResult<u64> {
        Ok(match &self.total {
            Total::Known(count) => *count,
            Total::Filter(filter) => {
                service::events::count(crate::graphql::db(ctx), filter).await?
            }
        })
    }
}

/// An event and its cursor.
#[derive(SimpleObject)]
pub struct EventEdge {
    /// Opaque cursor of this event; pass it as `after` or `before` to page from here.
    pub cursor: String,
    /// The event.
    pub node: Event,
}

/// A conference, webinar, summit or campaign milestone.
#[derive(Clone)]
pub struct Event(pub event::Model);

/// A conference, webinar, summit or campaign milestone. Days are local to `timeZone`; an event
/// without `startTime` lasts whole days.
#[Object]
impl Event {
    /// Opaque global ID.
    pub async fn id(&self) -> ID {
        GlobalId::new(RecordKind::Event, self.0.id).encode()
    }

    /// Stable lower-case identifier, such as `cities-mission-conference-2024`.
    async fn slug(&self) -> &str {
        &self.0.slug
    }

    /// The event's title.
    async fn title(&self) -> &str {
        &self.0.title
    }

    /// What the event is about, in English plain text (may be empty).
    async fn description(&self) -> &str {
        &self.0.description
    }

    /// The first day, in `timeZone`.
    async fn starts_on(&self) -> Date {
        Date::from(self.0.starts_on)
    }

    /// The last day, in `timeZone`.
    async fn ends_on(&self) -> Date {
        Date::from(self.0.ends_on)
    }

    /// Local start time on `startsOn` (`HH:MM`); null for an all-day event.
    async fn start_time(&self) -> Option<&str> {
        self.0.start_time.as_deref()
    }

    /// Local end time on `endsOn` (`HH:MM`); null for an all-day event.
    async fn end_time(&self) -> Option<&str> {
        self.0.end_time.as_deref()
    }

    /// The IANA time zone the days and times are local to, such as `Europe/Brussels`.
    async fn time_zone(&self) -> &str {
        &self.0.time_zone
    }

    /// True when the event lasts whole days (no start and end time).
    async fn all_day(&self) -> bool {
        service::events::instants(&self.0).is_none()
    }

    /// The start as a UTC moment; null for an all-day event.
    async fn starts_at(&self) -> Option<DateTime> {
        service::events::instants(&self.0).map(|(start, _)| DateTime::from(start.fixed_offset()))
    }

    /// The end as a UTC moment; null for an all-day event.
    async fn ends_at(&self) -> Option<DateTime> {
        service::events::instants(&self.0).map(|(_, end)| DateTime::from(end.fixed_offset()))
    }

    /// True when one can take part online (see `url`).
    async fn online(&self) -> bool {
        self.0.online
    }

    /// Where to join or register, an absolute http(s) URL; null when unknown.
    async fn url(&self) -> Option<&str> {
        crate::graphql::types::safe_url(self.0.url.as_deref())
    }

    /// The host city; null for an online-only event.
    async fn city(&self, ctx: &Context<'_>) -> AppResult<Option<City>> {
        let Some(id) = self.0.city_id else {
            return Ok(None);
        };
        Ok(crate::graphql::loaders(ctx)
            .cities
            .load_one(id)
            .await?
            .map(City))
    }

    /// The organising network, initiative or body; null when not recorded.
    async fn organiser(&self, ctx: &Context<'_>) -> AppResult<Option<Organisation>> {
        let Some(id) = self.0.organiser_id else {
            return Ok(None);
        };
        Ok(crate::graphql::loaders(ctx)
            .organisations
            .load_one(id)
            .await?
            .map(Organisation))
    }

    /// The themes of the event, in taxonomy order.
    async fn themes(&self, ctx: &Context<'_>) -> AppResult<Vec<Theme>> {
        let loaders = crate::graphql::loaders(ctx);
        let ids = loaders
            .event_themes
            .load_one(self.0.id)
            .await?
            .unwrap_or_default();
        let all = loaders.all_themes().await?;
        Ok(all
            .iter()
            .filter(|theme| ids.contains(&theme.row.id))
            .cloned()
            .map(Theme)
            .collect())
    }

    /// The campaign this event is a milestone or deadline of; null when none.
    async fn campaign(&self, ctx: &Context<'_>) -> AppResult<Option<Campaign>> {
        let Some(id) = self.0.campaign_id else {
            return Ok(None);
        };
        Ok(crate::graphql::loaders(ctx)
            .campaigns
            .load_one(id)
            .await?
            .map(Campaign))
    }

    /// The record's version, for `expectedVersion` in `updateEvent`.
    async fn version(&self) -> i32 {
        self.0.version
    }
}
