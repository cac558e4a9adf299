//! `createPartnership`, `updatePartnership` and `deletePartnership` (admins).

use async_graphql::{Context, ID, InputObject, MaybeUndefined, Object, SimpleObject};

use super::answer;
use crate::domain::{
    Description, FieldPath, Name, PartnershipKind, PartnershipRole, PartnershipStatus, Slug,
    ThemePath,
};
use crate::error::AppResult;
use crate::graphql::guard::Allowed;
use crate::graphql::ids::{GlobalId, RecordKind};
use crate::graphql::scalars::Date;
use crate::graphql::types::partnership::Partnership;
use crate::graphql::types::user_error::UserError;
use crate::service::ServiceError;
use crate::service::partnerships::{self, NewPartnership, Participant, update::Changes};
use crate::service::permissions::Action;
use crate::service::records::FieldError;

#[derive(Default)]
pub struct PartnershipMutation;

/// A city taking part in a partnership.
#[derive(InputObject)]
pub struct ParticipantInput {
    /// The city's slug, such as `tokyo`.
    pub city: String,
    /// What the city does in the partnership.
    #[graphql(default_with = "PartnershipRole::Member")]
    pub role: PartnershipRole,
}

/// A partnership to create.
#[derive(InputObject)]
pub struct CreatePartnershipInput {
    /// Stable lower-case identifier (letters, digits, hyphens), unique among partnerships.
    pub slug: String,
    /// The partnership's name in English.
    pub name: String,
    /// What the partnership does.
    pub kind: PartnershipKind,
    /// Where the partnership stands.
    pub status: PartnershipStatus,
    /// What the partners do together, in English plain text.
    pub description: Option<String>,
    /// The day the partnership started (`YYYY-MM-DD`).
    pub started_on: Option<Date>,
    /// The day the partnership ended; not before `startedOn`.
    pub ended_on: Option<Date>,
    /// What the partnership has achieved, in English plain text.
    pub outcomes: Option<String>,
    /// At least two different cities, each once, with their roles (at most 200).
    pub participants: Vec<ParticipantInput>,
    /// Theme paths the partnership works on (at most 20).
    pub themes: Option<Vec<String>>,
    /// Why the partnership is recorded, kept in the audit log.
    pub reason: Option<String>,
}

/// Changes to a partnership; a field left out keeps its value.
#[derive(InputObject)]
pub struct UpdatePartnershipInput {
    /// The partnership's global ID.
    pub id: ID,
    /// The version read; when given and the partnership changed since, nothing is written
    /// and the answer is `CONFLICT` with `extensions.currentVersion`.
    pub expected_version: Option<i64>,
    /// A new name.
    pub name: Option<String>,
    /// A new kind.
    pub kind: Option<PartnershipKind>,
    /// A new status (e.g. `COMPLETED` when the partnership ends).
    pub status: Option<PartnershipStatus>,
    /// A new description.
    pub description: Option<String>,
    /// A new start day; null clears it.
    pub started_on: MaybeUndefined<Date>,
    /// A new end day; null clears it.
    pub ended_on: MaybeUndefined<Date>,
    /// New outcomes; null clears them.
    pub outcomes: MaybeUndefined<String>,
    /// The whole new list of participants (replaces the stored one).
    pub participants: Option<Vec<ParticipantInput>>,
    /// The whole new list of theme paths (replaces the stored one).
    pub themes: Option<Vec<String>>,
    /// Why, kept in the audit log.
    pub reason: Option<String>,
}

/// A partnership to delete.
#[derive(InputObject)]
pub struct DeletePartnershipInput {
    /// The partnership's global ID.
    pub id: ID,
    /// The version read; a mismatch is `CONFLICT`.
    pub expected_version: Option<i64>,
    /// Why, kept in the audit log.
    pub reason: Option<String>,
}

/// What `createPartnership` or `updatePartnership` did.
#[derive(SimpleObject)]
pub struct PartnershipPayload {
    /// The partnership as stored; null when `userErrors` is not empty.
    pub partnership: Option<Partnership>,
    /// What is wrong with the input; when not empty, nothing was stored.
    pub user_errors: Vec<UserError>,
}

/// What `deletePartnership` did.
#[derive(SimpleObject)]
pub struct DeletePartnershipPayload {
    /// The global ID of the deleted partnership; null when `userErrors` is not empty.
    pub deleted_id: Option<ID>,
    /// What is wrong with the input; when not empty, nothing was changed.
    pub user_errors: Vec<UserError>,
}

/// Collects parse failures as field errors.
#[derive(Default)]
pub(super) struct Errors(pub(super) Vec<FieldError>);

impl Errors {
    pub(super) fn take<T>(
        &mut self,
        path: impl Into<FieldPath>,
        result: Result<T, String>,
    ) -> Option<T> {
        match result {
            Ok(value) => Some(value),
            Err(message) => {
                self.0.push(FieldError::new(path, message));
                None
            }
        }
    }

    pub(super) fn finish<T>(self, value: impl FnOnce() -> T) -> Result<T, ServiceError> {
        if self.0.is_empty() {
            Ok(value())
        } else {
            Err(ServiceError::Invalid(self.0))
        }
    }
}

fn participants(errors: &mut Errors, input: Vec<ParticipantInput>) -> Vec<Participant> {
    let mut parsed = Vec::with_capacity(input.len());
    for (index, participant) in input.into_iter().enumerate() {
        let path = FieldPath::from("participants").index(index).field("city");
        if let Some(city) = errors.take(path, Slug::parse(&participant.city)) {
            parsed.push(Participant {
                city,
                role: participant.role,
            });
        }
    }
    parsed
}

pub(super) fn themes(errors: &mut Errors, input: Vec<String>) -> Vec<ThemePath> {
    let mut parsed = Vec::with_capacity(input.len());
    for (index, path) in input.iter().enumerate() {
        if let Some(theme) = errors.take(
            FieldPath::from("themes").index(index),
            ThemePath::parse(path),
        ) {
            parsed.push(theme);
        }
    }
    parsed
}

pub(super) fn day(
    errors: &mut Errors,
    field: &str,
    date: Option<Date>,
) -> Option<chrono::NaiveDate> {
    date.and_then(|date| errors.take(field, date.to_day()))
}

fn partnership_id(id: &ID) -> Result<i32, ServiceError> {
    match GlobalId::decode(id) {
        Some(GlobalId {
            kind: RecordKind::Partnership,
            id,
        }) => Ok(id),
        _ => Err(ServiceError::not_found("partnership")),
    }
}

impl CreatePartnershipInput {
    fn parse(self) -> Result<NewPartnership, ServiceError> {
        let mut errors = Errors::default();
        let slug = errors.take("slug", Slug::parse(&self.slug));
        let name = errors.take("name", Name::parse(self.name));
        let description = errors.take(
            "description",
            Description::parse(self.description.unwrap_or_default()),
        );
        let outcomes = self
            .outcomes
            .and_then(|text| errors.take("outcomes", Description::parse(text)));
        let started_on = day(&mut errors, "startedOn", self.started_on);
        let ended_on = day(&mut errors, "endedOn", self.ended_on);
        let participants = participants(&mut errors, self.participants);
        let themes = themes(&mut errors, self.themes.unwrap_or_default());
        errors.finish(|| NewPartnership {
            slug: slug.expect("checked"),
            name: name.expect("checked"),
            kind: self.kind,
            status: self.status,
            description: description.expect("checked"),
            started_on,
            ended_on,
            outcomes,
            participants,
            themes,
        })
    }
}

impl UpdatePartnershipInput {
    fn parse(self) -> Result<(i32, Option<i64>, Changes, Option<String>), ServiceError> {
        let id = partnership_id(&self.id)?;
        let mut errors = Errors::default();
        let name = self
            .name
            .and_then(|text| errors.take("name", Name::parse(text)));
        let description = self
            .description
            .and_then(|text| errors.take("description", Description::parse(text)));
        let mut maybe_day = |field: &str, value: MaybeUndefined<Date>| match value {
            MaybeUndefined::Undefined => None,
            MaybeUndefined::Null => Some(None),
            MaybeUndefined::Value(date) => Some(errors.take(field, date.to_day())),
        };
        let started_on = maybe_day("startedOn", self.started_on);
        let ended_on = maybe_day("endedOn", self.ended_on);
        let outcomes = match self.outcomes {
            MaybeUndefined::Undefined => None,
            MaybeUndefined::Null => Some(None),
            MaybeUndefined::Value(text) => Some(errors.take("outcomes", Description::parse(text))),
        };
        let participants = self
            .participants
            .map(|input| participants(&mut errors, input));
        let themes = self.themes.map(|input| themes(&mut errors, input));
        let changes = Changes {
            name,
            kind: self.kind,
            status: self.status,
            description,
            started_on,
            ended_on,
            outcomes,
            participants,
            themes,
        };
        errors.finish(|| (id, self.expected_version, changes, self.reason))
    }
}

pub(super) fn check_reason(reason: &Option<String>) -> Result<(), ServiceError> {
    match reason {
        Some(reason)
            if reason.chars().count() > crate::service::api_keys::create::MAX_REASON_CHARS =>
        {
            Err(ServiceError::invalid(
                "reason",
                format!(
                    "must be at most {} characters",
                    crate::service::api_keys::create::MAX_REASON_CHARS
                ),
            ))
        }
        _ => Ok(()),
    }
}

fn payload(
    outcome: Result<crate::entity::partnership::Model, ServiceError>,
) -> AppResult<PartnershipPayload> {
    Ok(match answer(outcome)? {
        Ok(row) => PartnershipPayload {
            partnership: Some(Partnership(row)),
            user_errors: Vec::new(),
        },
        Err(user_errors) => PartnershipPayload {
            partnership: None,
            user_errors,
        },
    })
}

#[Object]
impl PartnershipMutation {
    /// Records a partnership between cities (admins).
    #[graphql(guard = "Allowed(Action::ManageLandscape)")]
    async fn create_partnership(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The partnership, its participants and themes.")]
        input: CreatePartnershipInput,
    ) -> AppResult<PartnershipPayload> {
        let reason = input.reason.clone();
        let outcome = match check_reason(&reason).and_then(|()| input.parse()) {
            Ok(new) => {
                partnerships::create::run(
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

    /// Changes a partnership (admins); fields left out keep their values.
    #[graphql(guard = "Allowed(Action::ManageLandscape)")]
    async fn update_partnership(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The partnership and the fields to change.")]
        input: UpdatePartnershipInput,
    ) -> AppResult<PartnershipPayload> {
        let outcome = match check_reason(&input.reason).and_then(|()| input.parse()) {
            Ok((id, expected, changes, reason)) => {
                partnerships::update::run(
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

    /// Deletes a partnership and its participant and theme rows (admins). To keep an ended
    /// partnership on record, set its status to `COMPLETED` with `updatePartnership` instead.
    #[graphql(guard = "Allowed(Action::ManageLandscape)")]
    async fn delete_partnership(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The partnership to delete.")] input: DeletePartnershipInput,
    ) -> AppResult<DeletePartnershipPayload> {
        let outcome = match check_reason(&input.reason).and_then(|()| partnership_id(&input.id)) {
            Ok(id) => {
                partnerships::delete::run(
                    crate::graphql::db(ctx),
                    crate::graphql::viewer(ctx),
                    id,
                    input.expected_version,
                    input.reason,
                )
                .await
            }
            Err(error) => Err(error),
        };
        Ok(match answer(outcome)? {
            Ok(row) => DeletePartnershipPayload {
                deleted_id: Some(GlobalId::new(RecordKind::Partnership, row.id).encode()),
                user_errors: Vec::new(),
            },
            Err(user_errors) => DeletePartnershipPayload {
                deleted_id: None,
                user_errors,
            },
        })
    }
}
