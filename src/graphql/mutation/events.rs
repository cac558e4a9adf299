//! `createEvent` and `updateEvent` (admins).

use async_graphql::{Context, ID, InputObject, MaybeUndefined, Object, SimpleObject};

use super::answer;
use super::partnerships::{Errors, check_reason, themes};
use crate::domain::{Description, HttpUrl, Slug, Title};
use crate::error::AppResult;
use crate::graphql::guard::Allowed;
use crate::graphql::ids::{GlobalId, RecordKind};
use crate::graphql::scalars::Date;
use crate::graphql::types::event::Event;
use crate::graphql::types::user_error::UserError;
use crate::service::ServiceError;
use crate::service::events::{self, NewEvent, parse_time, parse_time_zone, update::Changes};
use crate::service::permissions::Action;

#[derive(Default)]
pub struct EventMutation;

/// An event to create.
#[derive(InputObject)]
pub struct CreateEventInput {
    /// Stable lower-case identifier (letters, digits, hyphens), unique among events.
    pub slug: String,
    /// The event's title.
    pub title: String,
    /// What the event is about, in English plain text.
    pub description: Option<String>,
    /// The first day (`YYYY-MM-DD`), local to `timeZone`.
    pub starts_on: Date,
    /// The last day, not before `startsOn`.
    pub ends_on: Date,
    /// Local start time on `startsOn` (`HH:MM`); leave out with `endTime` for an all-day event.
    pub start_time: Option<String>,
    /// Local end time on `endsOn` (`HH:MM`).
    pub end_time: Option<String>,
    /// IANA time zone of the days and times, such as `Europe/Oslo`.
    #[graphql(default = "UTC")]
    pub time_zone: String,
    /// True when one can take part online; then `url` is required.
    #[graphql(default = false)]
    pub online: bool,
    /// Where to join or register, an absolute http(s) URL.
    pub url: Option<String>,
    /// The host city's slug; required unless the event is online.
    pub city: Option<String>,
    /// The organiser's slug, such as `eu-cities-mission`.
    pub organiser: Option<String>,
    /// The slug of the campaign this event is a milestone of.
    pub campaign: Option<String>,
    /// Theme paths (at most 20).
    pub themes: Option<Vec<String>>,
    /// Why, kept in the audit log.
    pub reason: Option<String>,
}

/// Changes to an event; a field left out keeps its value, null clears an optional one.
#[derive(InputObject)]
pub struct UpdateEventInput {
    /// The event's global ID.
    pub id: ID,
    /// The version read; a mismatch is `CONFLICT` with `extensions.currentVersion`.
    pub expected_version: Option<i64>,
    /// A new title.
    pub title: Option<String>,
    /// A new description.
    pub description: Option<String>,
    /// A new first day.
    pub starts_on: Option<Date>,
    /// A new last day.
    pub ends_on: Option<Date>,
    /// A new local start time (`HH:MM`); null makes the event all-day (with `endTime: null`).
    pub start_time: MaybeUndefined<String>,
    /// A new local end time (`HH:MM`); null with `startTime: null`.
    pub end_time: MaybeUndefined<String>,
    /// A new IANA time zone.
    pub time_zone: Option<String>,
    /// Whether one can take part online.
    pub online: Option<bool>,
    /// A new address to join or register; null clears it.
    pub url: MaybeUndefined<String>,
    /// A new host city slug; null for an online-only event.
    pub city: MaybeUndefined<String>,
    /// A new organiser slug; null clears it.
    pub organiser: MaybeUndefined<String>,
    /// A new campaign slug; null takes the event out of its campaign.
    pub campaign: MaybeUndefined<String>,
    /// The whole new list of theme paths.
    pub themes: Option<Vec<String>>,
    /// Why, kept in the audit log.
    pub reason: Option<String>,
}

/// What `createEvent` or `updateEvent` did.
#[derive(SimpleObject)]
pub struct EventPayload {
    /// The event as stored; null when `userErrors` is not empty.
    pub event: Option<Event>,
    /// What is wrong with the input; when not empty, nothing was stored.
    pub user_errors: Vec<UserError>,
}

pub(super) fn maybe<T>(
    errors: &mut Errors,
    field: &str,
    value: MaybeUndefined<String>,
    parse: impl Fn(&str) -> Result<T, String>,
) -> Option<Option<T>> {
    match value {
        MaybeUndefined::Undefined => None,
        MaybeUndefined::Null => Some(None),
        MaybeUndefined::Value(text) => Some(errors.take(field, parse(&text))),
    }
}

impl CreateEventInput {
    fn parse(self) -> Result<NewEvent, ServiceError> {
        let mut errors = Errors::default();
        let slug = errors.take("slug", Slug::parse(&self.slug));
        let title = errors.take("title", Title::parse(self.title));
        let description = errors.take(
            "description",
            Description::parse(self.description.unwrap_or_default()),
        );
        let starts_on = errors.take("startsOn", self.starts_on.to_day());
        let ends_on = errors.take("endsOn", self.ends_on.to_day());
        let start_time = self
            .start_time
            .and_then(|text| errors.take("startTime", parse_time(&text)));
        let end_time = self
            .end_time
            .and_then(|text| errors.take("endTime", parse_time(&text)));
        let time_zone = errors.take("timeZone", parse_time_zone(&self.time_zone));
        let url = self
            .url
            .and_then(|text| errors.take("url", HttpUrl::parse(&text)));
        let city = self
            .city
            .and_then(|text| errors.take("city", Slug::parse(&text)));
        let organiser = self
            .organiser
            .and_then(|text| errors.take("organiser", Slug::parse(&text)));
        let campaign = self
            .campaign
            .and_then(|text| errors.take("campaign", Slug::parse(&text)));
        let themes = themes(&mut errors, self.themes.unwrap_or_default());
        errors.finish(|| NewEvent {
            slug: slug.expect("checked"),
            title: title.expect("checked"),
            description: description.expect("checked"),
            starts_on: starts_on.expect("checked"),
            ends_on: ends_on.expect("checked"),
            start_time,
            end_time,
            time_zone: time_zone.expect("checked"),
            online: self.online,
            url,
            city,
            organiser,
            campaign,
            themes,
        })
    }
}

impl UpdateEventInput {
    fn parse(self) -> Result<(i32, Option<i64>, Changes, Option<String>), ServiceError> {
        let id = match GlobalId::decode(&self.id) {
            Some(GlobalId {
                kind: RecordKind::Event,
                id,
            }) => id,
            _ => return Err(ServiceError::not_found("event")),
        };
        let mut errors = Errors::default();
        let changes = Changes {
            title: self
                .title
                .and_then(|text| errors.take("title", Title::parse(text))),
            description: self
                .description
                .and_then(|text| errors.take("description", Description::parse(text))),
            starts_on: self
                .starts_on
                .and_then(|date| errors.take("startsOn", date.to_day())),
            ends_on: self
                .ends_on
                .and_then(|date| errors.take("endsOn", date.to_day())),
            start_time: maybe(&mut errors, "startTime", self.start_time, parse_time),
            end_time: maybe(&mut errors, "endTime", self.end_time, parse_time),
            time_zone: self
                .time_zone
                .and_then(|text| errors.take("timeZone", parse_time_zone(&text))),
            online: self.online,
            url: maybe(&mut errors, "url", self.url, HttpUrl::parse),
            city: maybe(&mut errors, "city", self.city, Slug::parse),
            organiser: maybe(&mut errors, "organiser", self.organiser, Slug::parse),
            campaign: maybe(&mut errors, "campaign", self.campaign, Slug::parse),
            themes: self.themes.map(|input| themes(&mut errors, input)),
        };
        errors.finish(|| (id, self.expected_version, changes, self.reason))
    }
}

fn payload(outcome: Result<crate::entity::event::Model, ServiceError>) -> AppResult<EventPayload> {
    Ok(match answer(outcome)? {
        Ok(row) => EventPayload {
            event: Some(Event(row)),
            user_errors: Vec::new(),
        },
        Err(user_errors) => EventPayload {
            event: None,
            user_errors,
        },
    })
}

#[Object]
impl EventMutation {
    /// Records an event (admins).
    #[graphql(guard = "Allowed(Action::ManageLandscape)")]
    async fn create_event(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The event.")] input: CreateEventInput,
    ) -> AppResult<EventPayload> {
        let reason = input.reason.clone();
        let outcome = match check_reason(&reason).and_then(|()| input.parse()) {
            Ok(new) => {
                events::create::run(
                    crate::graphql::db(ctx),
                    crate::graphql::viewer(ctx),
                    new,
                    reason,
                )
                .await
            }
            Err(error) => Err(error),
        };
        payload(outcome)
    }

    /// Changes an event (admins); fields left out keep their values.
    #[graphql(guard = "Allowed(Action::ManageLandscape)")]
    async fn update_event(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The event and the fields to change.")] input: UpdateEventInput,
    ) -> AppResult<EventPayload> {
        let outcome = match check_reason(&input.reason).and_then(|()| input.parse()) {
            Ok((id, expected, changes, reason)) => {
                events::update::run(
                    crate::graphql::db(ctx),
                    crate::graphql::viewer(ctx),
                    id,
                    expected,
                    changes,
                    reason,
                )
                .await
            }
            Err(error) => Err(error),
        };
        payload(outcome)
    }
}
