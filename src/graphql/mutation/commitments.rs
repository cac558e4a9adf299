//! `createCommitment`, `updateCommitment`, `recordCommitmentReport` and `deleteCommitment`
//! (admins, and a city's own account for its own city). A commitment is named by its city and
//! initiative; the criteria derived from it (`Commitment.criteria`,
//! `cities(filter: {commitment, missingCriterion})`) follow every write at once.

use async_graphql::{Context, InputObject, MaybeUndefined, Object, SimpleObject};

use super::answer;
use super::events::maybe;
use super::partnerships::{Errors, check_reason, day};
use crate::domain::{CommitmentCriterion, Description, ShortText, Slug};
use crate::entity::{city, commitment};
use crate::error::AppResult;
use crate::graphql::guard::Allowed;
use crate::graphql::scalars::Date;
use crate::graphql::types::city::{City, Commitment};
use crate::graphql::types::user_error::UserError;
use crate::service::ServiceError;
use crate::service::commitments::{self, NewCommitment, update::Changes, update::Kind};
use crate::service::permissions::Action;

#[derive(Default)]
pub struct CommitmentMutation;

/// A city's commitment to an initiative, to record.
#[derive(InputObject)]
pub struct CreateCommitmentInput {
    /// The city's slug, such as `asker`.
    pub city: String,
    /// The initiative's (or network's) slug, such as `race-to-zero`; once per city.
    pub initiative: String,
    /// The city's version read (`City.version`); a mismatch is `CONFLICT`.
    pub expected_version: Option<i64>,
    /// The day the city joined; not in the future.
    pub joined_on: Option<Date>,
    /// The criteria the commitment record itself attests (such as the pledge), each once.
    pub criteria_met: Option<Vec<CommitmentCriterion>>,
    /// Where the commitment is documented (a URL or a reference).
    pub evidence: Option<String>,
    /// Where the city reports progress, such as "CDP-ICLEI Track".
    pub reporting_platform: Option<String>,
    /// The day the city last reported there; needs `reportingPlatform`, not before `joinedOn`.
    pub last_reported_on: Option<Date>,
    /// The slug of the organisation that reports on the city's behalf (such as its county).
    pub reporting_organisation: Option<String>,
    /// Why, kept in the audit log.
    pub reason: Option<String>,
}

/// Changes to a commitment; a field left out keeps its value, null clears it.
#[derive(InputObject)]
pub struct UpdateCommitmentInput {
    /// The city's slug.
    pub city: String,
    /// The initiative's slug.
    pub initiative: String,
    /// The city's version read (`City.version`); a mismatch is `CONFLICT`.
    pub expected_version: Option<i64>,
    /// A new joining day.
    pub joined_on: MaybeUndefined<Date>,
    /// The whole new list of attested criteria (replaces the stored one).
    pub criteria_met: Option<Vec<CommitmentCriterion>>,
    /// New evidence.
    pub evidence: MaybeUndefined<String>,
    /// A new reporting platform.
    pub reporting_platform: MaybeUndefined<String>,
    /// A new last report day.
    pub last_reported_on: MaybeUndefined<Date>,
    /// A new reporting organisation's slug.
    pub reporting_organisation: MaybeUndefined<String>,
    /// Why, kept in the audit log.
    pub reason: Option<String>,
}

/// A report the city made on its commitment (the annual-reporting criteria follow it).
#[derive(InputObject)]
pub struct RecordCommitmentReportInput {
    /// The city's slug.
    pub city: String,
    /// The initiative's slug.
    pub initiative: String,
    /// The city's version read (`City.version`); a mismatch is `CONFLICT`.
    pub expected_version: Option<i64>,
    /// The platform reported through, such as "CDP-ICLEI Track".
    pub platform: String,
    /// The day of the report; not in the future, not before the last report.
    pub reported_on: Date,
    /// Why, kept in the audit log.
    pub reason: Option<String>,
}

/// A commitment to delete.
#[derive(InputObject)]
pub struct DeleteCommitmentInput {
    /// The city's slug.
    pub city: String,
    /// The initiative's slug.
    pub initiative: String,
    /// The city's version read (`City.version`); a mismatch is `CONFLICT`.
    pub expected_version: Option<i64>,
    /// Why, kept in the audit log.
    pub reason: Option<String>,
}

/// What a commitment write did.
#[derive(SimpleObject)]
pub struct CommitmentPayload {
    /// The city as now stored (its version bumped); null when `userErrors` is not empty.
    pub city: Option<City>,
    /// The commitment as stored; null when `userErrors` is not empty.
    pub commitment: Option<Commitment>,
    /// What is wrong with the input; when not empty, nothing was stored.
    pub user_errors: Vec<UserError>,
}

/// What `deleteCommitment` did.
#[derive(SimpleObject)]
pub struct DeleteCommitmentPayload {
    /// The city as now stored, without the commitment; null when `userErrors` is not empty.
    pub city: Option<City>,
    /// What is wrong with the input; when not empty, nothing was changed.
    pub user_errors: Vec<UserError>,
}

/// The city and organisation slugs of a link input (`organisation` names the second field).
pub(super) fn link_key(
    errors: &mut Errors,
    city: &str,
    organisation: &str,
    field: &str,
) -> Option<(Slug, Slug)> {
    let city = errors.take("city", Slug::parse(city));
    let organisation = errors.take(field, Slug::parse(organisation));
    city.zip(organisation)
}

type Parsed<T> = Result<((Slug, Slug), Option<i64>, T, Option<String>), ServiceError>;

impl CreateCommitmentInput {
    fn parse(self) -> Parsed<NewCommitment> {
        let mut errors = Errors::default();
        let key = link_key(&mut errors, &self.city, &self.initiative, "initiative");
        let joined_on = day(&mut errors, "joinedOn", self.joined_on);
        let last_reported_on = day(&mut errors, "lastReportedOn", self.last_reported_on);
        let evidence = self
            .evidence
            .and_then(|text| errors.take("evidence", Description::parse(text)));
        let reporting_platform = self
            .reporting_platform
            .and_then(|text| errors.take("reportingPlatform", ShortText::parse(text)));
        let reporting_organisation = self
            .reporting_organisation
            .and_then(|text| errors.take("reportingOrganisation", Slug::parse(&text)));
        let new = NewCommitment {
            joined_on,
            criteria_met: self.criteria_met.unwrap_or_default(),
            evidence,
            reporting_platform,
            last_reported_on,
            reporting_organisation,
        };
        errors.finish(|| {
            (
                key.expect("checked"),
                self.expected_version,
                new,
                self.reason,
            )
        })
    }
}

impl UpdateCommitmentInput {
    fn parse(self) -> Parsed<Changes> {
        let mut errors = Errors::default();
        let key = link_key(&mut errors, &self.city, &self.initiative, "initiative");
        let mut maybe_day = |field: &str, value: MaybeUndefined<Date>| match value {
            MaybeUndefined::Undefined => None,
            MaybeUndefined::Null => Some(None),
            MaybeUndefined::Value(date) => Some(errors.take(field, date.to_day())),
        };
        let joined_on = maybe_day("joinedOn", self.joined_on);
        let last_reported_on = maybe_day("lastReportedOn", self.last_reported_on);
        let changes = Changes {
            joined_on,
            last_reported_on,
            criteria_met: self.criteria_met,
            evidence: maybe(&mut errors, "evidence", self.evidence, |text| {
                Description::parse(text)
            }),
            reporting_platform: maybe(
                &mut errors,
                "reportingPlatform",
                self.reporting_platform,
                |text| ShortText::parse(text),
            ),
            reporting_organisation: maybe(
                &mut errors,
                "reportingOrganisation",
                self.reporting_organisation,
                Slug::parse,
            ),
        };
        errors.finish(|| {
            (
                key.expect("checked"),
                self.expected_version,
                changes,
                self.reason,
            )
        })
    }
}

impl RecordCommitmentReportInput {
    fn parse(self) -> Parsed<Changes> {
        let mut errors = Errors::default();
        let key = link_key(&mut errors, &self.city, &self.initiative, "initiative");
        let platform = errors.take("platform", ShortText::parse(self.platform));
        let reported_on = errors.take("reportedOn", self.reported_on.to_day());
        let changes = Changes {
            reporting_platform: Some(platform),
            last_reported_on: Some(reported_on),
            ..Changes::default()
        };
        errors.finish(|| {
            (
                key.expect("checked"),
                self.expected_version,
                changes,
                self.reason,
            )
        })
    }
}

fn payload(
    outcome: Result<(city::Model, commitment::Model), ServiceError>,
) -> AppResult<CommitmentPayload> {
    Ok(match answer(outcome)? {
        Ok((city, row)) => CommitmentPayload {
            city: Some(City(city)),
            commitment: Some(Commitment(row)),
            user_errors: Vec::new(),
        },
        Err(user_errors) => CommitmentPayload {
            city: None,
            commitment: None,
            user_errors,
        },
    })
}

async fn update(
    ctx: &Context<'_>,
    parsed: Parsed<Changes>,
    kind: Kind,
) -> AppResult<CommitmentPayload> {
    let outcome = match parsed {
        Ok((key, expected, changes, reason)) => {
            commitments::update::run(
                crate::graphql::db(ctx),
                crate::graphql::viewer(ctx),
                key,
                expected,
                changes,
                kind,
                reason,
            )
            .await
        }
        Err(error) => Err(error),
    };
    payload(outcome)
}

#[Object]
impl CommitmentMutation {
    /// Records a city's commitment to an initiative: admins for any city, other accounts for
    /// the city they belong to.
    #[graphql(guard = "Allowed(Action::EditCity)")]
    async fn create_commitment(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The city, the initiative and what is on record.")]
        input: CreateCommitmentInput,
    ) -> AppResult<CommitmentPayload> {
        let outcome = match check_reason(&input.reason).and_then(|()| input.parse()) {
            Ok((key, expected, new, reason)) => {
                commitments::create::run(
                    crate::graphql::db(ctx),
                    crate::graphql::viewer(ctx),
                    key,
                    expected,
                    new,
                    reason,
                )
                .await
            }
            Err(error) => Err(error),
        };
        payload(outcome)
    }

    /// Changes a city's commitment (admins, and the city's own accounts); fields left out
    /// keep their values.
    #[graphql(guard = "Allowed(Action::EditCity)")]
    async fn update_commitment(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The commitment and the fields to change.")] input: UpdateCommitmentInput,
    ) -> AppResult<CommitmentPayload> {
        let parsed = check_reason(&input.reason).and_then(|()| input.parse());
        update(ctx, parsed, Kind::Update).await
    }

    /// Records that the city reported on its commitment through a platform on a day (admins,
    /// and the city's own accounts); the reporting criteria are judged from it.
    #[graphql(guard = "Allowed(Action::EditCity)")]
    async fn record_commitment_report(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The commitment, the platform and the report's day.")]
        input: RecordCommitmentReportInput,
    ) -> AppResult<CommitmentPayload> {
        let parsed = check_reason(&input.reason).and_then(|()| input.parse());
        update(ctx, parsed, Kind::Report).await
    }

    /// Deletes a city's commitment (admins, and the city's own accounts), as when the city
    /// leaves the initiative.
    #[graphql(guard = "Allowed(Action::EditCity)")]
    async fn delete_commitment(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The commitment to delete.")] input: DeleteCommitmentInput,
    ) -> AppResult<DeleteCommitmentPayload> {
        let mut errors = Errors::default();
        let key = link_key(&mut errors, &input.city, &input.initiative, "initiative");
        let parsed =
            check_reason(&input.reason).and_then(|()| errors.finish(|| key.expect("checked")));
        let outcome = match parsed {
            Ok(key) => {
                commitments::delete::run(
                    crate::graphql::db(ctx),
                    crate::graphql::viewer(ctx),
                    key,
                    input.expected_version,
                    input.reason,
                )
                .await
            }
            Err(error) => Err(error),
        };
        Ok(match answer(outcome)? {
            Ok(city) => DeleteCommitmentPayload {
                city: Some(City(city)),
                user_errors: Vec::new(),
            },
            Err(user_errors) => DeleteCommitmentPayload {
                city: None,
                user_errors,
            },
        })
    }
}
