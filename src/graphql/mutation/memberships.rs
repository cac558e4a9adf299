//! `addMembership`, `updateMembership` and `removeMembership` (admins): a city's standing in a
//! network, named by the city and the network.

use async_graphql::{Context, InputObject, MaybeUndefined, Object, SimpleObject};

use super::answer;
use super::commitments::link_key;
use super::partnerships::{Errors, check_reason};
use crate::domain::MembershipRole;
use crate::error::AppResult;
use crate::graphql::guard::Allowed;
use crate::graphql::types::city::{City, Membership};
use crate::graphql::types::user_error::UserError;
use crate::service::ServiceError;
use crate::service::memberships::{self, Changes, Key, Write};
use crate::service::permissions::Action;

#[derive(Default)]
pub struct MembershipMutation;

/// A city joining a network.
#[derive(InputObject)]
pub struct AddMembershipInput {
    /// The city's slug, such as `oslo`.
    pub city: String,
    /// The network's (or initiative's) slug, such as `c40`; once per city.
    pub network: String,
    /// The city's version read (`City.version`); a mismatch is `CONFLICT`.
    pub expected_version: Option<i64>,
    /// The city's standing in the network.
    #[graphql(default_with = "MembershipRole::Member")]
    pub role: MembershipRole,
    /// The year the city joined (1900 up to this year).
    pub since: Option<i32>,
    /// Why, kept in the audit log.
    pub reason: Option<String>,
}

/// Changes to a membership; a field left out keeps its value.
#[derive(InputObject)]
pub struct UpdateMembershipInput {
    /// The city's slug.
    pub city: String,
    /// The network's slug.
    pub network: String,
    /// The city's version read (`City.version`); a mismatch is `CONFLICT`.
    pub expected_version: Option<i64>,
    /// A new standing.
    pub role: Option<MembershipRole>,
    /// A new joining year; null clears it.
    pub since: MaybeUndefined<i32>,
    /// Why, kept in the audit log.
    pub reason: Option<String>,
}

/// A membership to end.
#[derive(InputObject)]
pub struct RemoveMembershipInput {
    /// The city's slug.
    pub city: String,
    /// The network's slug.
    pub network: String,
    /// The city's version read (`City.version`); a mismatch is `CONFLICT`.
    pub expected_version: Option<i64>,
    /// Why, kept in the audit log.
    pub reason: Option<String>,
}

/// What a membership write did.
#[derive(SimpleObject)]
pub struct MembershipPayload {
    /// The city as now stored (its version bumped); null when `userErrors` is not empty.
    pub city: Option<City>,
    /// The membership as stored; null once removed or when `userErrors` is not empty.
    pub membership: Option<Membership>,
    /// What is wrong with the input; when not empty, nothing was stored.
    pub user_errors: Vec<UserError>,
}

struct Request {
    key: Result<Key, ServiceError>,
    expected_version: Option<i64>,
    changes: Changes,
    reason: Option<String>,
}

fn key(city: &str, network: &str, reason: &Option<String>) -> Result<Key, ServiceError> {
    check_reason(reason)?;
    let mut errors = Errors::default();
    let key = link_key(&mut errors, city, network, "network");
    errors.finish(|| {
        let (city, network) = key.expect("checked");
        Key { city, network }
    })
}

async fn run(ctx: &Context<'_>, write: Write, request: Request) -> AppResult<MembershipPayload> {
    let outcome = match request.key {
        Ok(key) => {
            memberships::run(
                crate::graphql::db(ctx),
                crate::graphql::viewer(ctx),
                write,
                key,
                request.expected_version,
                request.changes,
                request.reason,
            )
            .await
        }
        Err(error) => Err(error),
    };
    Ok(match answer(outcome)? {
        Ok((city, row)) => MembershipPayload {
            city: Some(City(city)),
            membership: row.map(Membership),
            user_errors: Vec::new(),
        },
        Err(user_errors) => MembershipPayload {
            city: None,
            membership: None,
            user_errors,
        },
    })
}

#[Object]
impl MembershipMutation {
    /// Records that a city belongs to a network (admins).
    #[graphql(guard = "Allowed(Action::ManageLandscape)")]
    async fn add_membership(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The city, the network, the role and the year joined.")]
        input: AddMembershipInput,
    ) -> AppResult<MembershipPayload> {
        let request = Request {
            key: key(&input.city, &input.network, &input.reason),
            expected_version: input.expected_version,
            changes: Changes {
                role: Some(input.role),
                since: Some(input.since),
            },
            reason: input.reason,
        };
        run(ctx, Write::Add, request).await
    }

    /// Changes a city's standing in a network or the year it joined (admins).
    #[graphql(guard = "Allowed(Action::ManageLandscape)")]
    async fn update_membership(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The membership and the fields to change.")] input: UpdateMembershipInput,
    ) -> AppResult<MembershipPayload> {
        let request = Request {
            key: key(&input.city, &input.network, &input.reason),
            expected_version: input.expected_version,
            changes: Changes {
                role: input.role,
                since: match input.since {
                    MaybeUndefined::Undefined => None,
                    MaybeUndefined::Null => Some(None),
                    MaybeUndefined::Value(year) => Some(Some(year)),
                },
            },
            reason: input.reason,
        };
        run(ctx, Write::Update, request).await
    }

    /// Ends a city's membership of a network (admins).
    #[graphql(guard = "Allowed(Action::ManageLandscape)")]
    async fn remove_membership(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The membership to end.")] input: RemoveMembershipInput,
    ) -> AppResult<MembershipPayload> {
        let request = Request {
            key: key(&input.city, &input.network, &input.reason),
            expected_version: input.expected_version,
            changes: Changes::default(),
            reason: input.reason,
        };
        run(ctx, Write::Remove, request).await
    }
}
