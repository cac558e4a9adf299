//! `createCampaign` and `updateCampaign` (admins). A campaign's milestones and deadlines are
//! events: `createEvent(input: {campaign})` puts one under it.

use async_graphql::{Context, ID, InputObject, MaybeUndefined, Object, SimpleObject};

use super::answer;
use super::events::maybe;
use super::partnerships::{Errors, check_reason, day};
use crate::domain::{CountryCode, Description, FieldPath, HttpUrl, Name, Slug};
use crate::error::AppResult;
use crate::graphql::guard::Allowed;
use crate::graphql::ids::{GlobalId, RecordKind};
use crate::graphql::scalars::Date;
use crate::graphql::types::campaign::Campaign;
use crate::graphql::types::user_error::UserError;
use crate::service::ServiceError;
use crate::service::campaigns::{self, NewCampaign, update::Changes};
use crate::service::permissions::Action;

#[derive(Default)]
pub struct CampaignMutation;

/// A campaign to create.
#[derive(InputObject)]
pub struct CreateCampaignInput {
    /// Stable lower-case identifier (letters, digits, hyphens), unique among campaigns.
    pub slug: String,
    /// The campaign's name.
    pub name: String,
    /// What the campaign is for, in English plain text.
    pub description: Option<String>,
    /// The slug of the organisation running it.
    pub organiser: Option<String>,
    /// ISO 3166-1 alpha-2 code of the country a national campaign addresses.
    pub country_code: Option<String>,
    /// The campaign's web page, an absolute http(s) URL.
    pub url: Option<String>,
    /// The first day (`YYYY-MM-DD`).
    pub starts_on: Option<Date>,
    /// The last day; not before `startsOn`.
    pub ends_on: Option<Date>,
    /// The steps by which a member joins, in order (at most 20, none empty).
    pub joining_steps: Option<Vec<String>>,
    /// Why, kept in the audit log.
    pub reason: Option<String>,
}

/// Changes to a campaign; a field left out keeps its value, null clears an optional one.
#[derive(InputObject)]
pub struct UpdateCampaignInput {
    /// The campaign's global ID.
    pub id: ID,
    /// The version read (`Campaign.version`); a mismatch is `CONFLICT` with
    /// `extensions.currentVersion`.
    pub expected_version: Option<i64>,
    /// A new name.
    pub name: Option<String>,
    /// A new description.
    pub description: Option<String>,
    /// A new organiser's slug.
    pub organiser: MaybeUndefined<String>,
    /// A new country code.
    pub country_code: MaybeUndefined<String>,
    /// A new web page.
    pub url: MaybeUndefined<String>,
    /// A new first day.
    pub starts_on: MaybeUndefined<Date>,
    /// A new last day.
    pub ends_on: MaybeUndefined<Date>,
    /// The whole new list of joining steps (replaces the stored one).
    pub joining_steps: Option<Vec<String>>,
    /// Why, kept in the audit log.
    pub reason: Option<String>,
}

/// What `createCampaign` or `updateCampaign` did.
#[derive(SimpleObject)]
pub struct CampaignPayload {
    /// The campaign as stored; null when `userErrors` is not empty.
    pub campaign: Option<Campaign>,
    /// What is wrong with the input; when not empty, nothing was stored.
    pub user_errors: Vec<UserError>,
}

fn steps(errors: &mut Errors, input: Vec<String>) -> Vec<Description> {
    let mut parsed = Vec::with_capacity(input.len());
    for (index, step) in input.into_iter().enumerate() {
        let path = FieldPath::from("joiningSteps").index(index);
        if let Some(step) = errors.take(path, Description::parse(step)) {
            parsed.push(step);
        }
    }
    parsed
}

impl CreateCampaignInput {
    fn parse(self) -> Result<NewCampaign, ServiceError> {
        let mut errors = Errors::default();
        let slug = errors.take("slug", Slug::parse(&self.slug));
        let name = errors.take("name", Name::parse(self.name));
        let description = errors.take(
            "description",
            Description::parse(self.description.unwrap_or_default()),
        );
        let organiser = self
            .organiser
            .and_then(|text| errors.take("organiser", Slug::parse(&text)));
        let country = self
            .country_code
            .and_then(|text| errors.take("countryCode", CountryCode::parse(&text)));
        let url = self
            .url
            .and_then(|text| errors.take("url", HttpUrl::parse(&text)));
        let starts_on = day(&mut errors, "startsOn", self.starts_on);
        let ends_on = day(&mut errors, "endsOn", self.ends_on);
        let joining_steps = steps(&mut errors, self.joining_steps.unwrap_or_default());
        errors.finish(|| NewCampaign {
            slug: slug.expect("checked"),
            name: name.expect("checked"),
            description: description.expect("checked"),
            organiser,
            country,
            url,
            starts_on,
            ends_on,
            joining_steps,
        })
    }
}

impl UpdateCampaignInput {
    fn parse(self) -> Result<(i32, Option<i64>, Changes, Option<String>), ServiceError> {
        let id = match GlobalId::decode(&self.id) {
            Some(GlobalId {
                kind: RecordKind::Campaign,
                id,
            }) => id,
            _ => return Err(ServiceError::not_found("campaign")),
        };
        let mut errors = Errors::default();
        let name = self
            .name
            .and_then(|text| errors.take("name", Name::parse(text)));
        let description = self
            .description
            .and_then(|text| errors.take("description", Description::parse(text)));
        let maybe_day = |errors: &mut Errors, field: &str, value: MaybeUndefined<Date>| match value
        {
            MaybeUndefined::Undefined => None,
            MaybeUndefined::Null => Some(None),
            MaybeUndefined::Value(date) => Some(errors.take(field, date.to_day())),
        };
        let starts_on = maybe_day(&mut errors, "startsOn", self.starts_on);
        let ends_on = maybe_day(&mut errors, "endsOn", self.ends_on);
        let changes = Changes {
            name,
            description,
            organiser: maybe(&mut errors, "organiser", self.organiser, Slug::parse),
            country: maybe(
                &mut errors,
                "countryCode",
                self.country_code,
                CountryCode::parse,
            ),
            url: maybe(&mut errors, "url", self.url, HttpUrl::parse),
            starts_on,
            ends_on,
            joining_steps: self.joining_steps.map(|input| steps(&mut errors, input)),
        };
        errors.finish(|| (id, self.expected_version, changes, self.reason))
    }
}

fn payload(
    outcome: Result<crate::entity::campaign::Model, ServiceError>,
) -> AppResult<CampaignPayload> {
    Ok(match answer(outcome)? {
        Ok(row) => CampaignPayload {
            campaign: Some(Campaign(row)),
            user_errors: Vec::new(),
        },
        Err(user_errors) => CampaignPayload {
            campaign: None,
            user_errors,
        },
    })
}

#[Object]
impl CampaignMutation {
    /// Records a communication campaign (admins); put its milestones under it with
    /// `createEvent(input: {campaign})`.
    #[graphql(guard = "Allowed(Action::ManageLandscape)")]
    async fn create_campaign(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The campaign, its organiser, days and joining steps.")]
        input: CreateCampaignInput,
    ) -> AppResult<CampaignPayload> {
        let reason = input.reason.clone();
        let outcome = match check_reason(&reason).and_then(|()| input.parse()) {
            Ok(new) => {
                campaigns::create::run(
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

    /// Changes a campaign (admins); fields left out keep their values.
    #[graphql(guard = "Allowed(Action::ManageLandscape)")]
    async fn update_campaign(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The campaign and the fields to change.")] input: UpdateCampaignInput,
    ) -> AppResult<CampaignPayload> {
        let outcome = match check_reason(&input.reason).and_then(|()| input.parse()) {
            Ok((id, expected, changes, reason)) => {
                campaigns::update::run(
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
