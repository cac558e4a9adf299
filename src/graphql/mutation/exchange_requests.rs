//! `createExchangeRequest`: a city offers or needs help on a theme (members and above).

use async_graphql::{Context, ID, InputObject, Object, SimpleObject};

use super::answer;
use crate::error::AppResult;
use crate::graphql::guard::Allowed;
use crate::graphql::ids::{GlobalId, RecordKind};
use crate::graphql::types::exchange_request::{ExchangeRequest, ExchangeRequestKind};
use crate::graphql::types::user_error::UserError;
use crate::service::exchange_requests::create::{self, NewRequest};
use crate::service::permissions::Action;

#[derive(Default)]
pub struct ExchangeRequestMutation;

/// A new exchange request.
#[derive(InputObject)]
pub struct CreateExchangeRequestInput {
    /// The global ID of the city that offers or needs.
    pub city_id: ID,
    /// Offer or need.
    pub kind: ExchangeRequestKind,
    /// A theme path such as `mobility/cycling`.
    pub theme: String,
    /// A one-line summary (1..200 characters).
    pub title: String,
    /// What is offered or needed, in Markdown (1..10000 characters).
    pub body: String,
}

/// The result of `createExchangeRequest`.
#[derive(SimpleObject)]
pub struct CreateExchangeRequestPayload {
    /// The request as stored; null when `userErrors` is not empty.
    pub exchange_request: Option<ExchangeRequest>,
    /// What is wrong with the input; when not empty, nothing was stored.
    pub user_errors: Vec<UserError>,
}

#[Object]
impl ExchangeRequestMutation {
    /// Posts what a city offers or needs on a theme. Members, evaluators, moderators and admins.
    #[graphql(guard = "Allowed(Action::RequestExchange)")]
    async fn create_exchange_request(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The request.")] input: CreateExchangeRequestInput,
    ) -> AppResult<CreateExchangeRequestPayload> {
        let city_id = match GlobalId::decode(&input.city_id) {
            Some(GlobalId {
                kind: RecordKind::City,
                id,
            }) => Some(id),
            _ => None,
        };
        let outcome = create::run(
            crate::graphql::db(ctx),
            crate::graphql::viewer(ctx),
            NewRequest {
                city_id,
                kind: input.kind.into(),
                theme: input.theme,
                title: input.title,
                body: input.body,
            },
        )
        .await;
        Ok(match answer(outcome)? {
            Ok(row) => CreateExchangeRequestPayload {
                exchange_request: Some(ExchangeRequest(row)),
                user_errors: Vec::new(),
            },
            Err(user_errors) => CreateExchangeRequestPayload {
                exchange_request: None,
                user_errors,
            },
        })
    }
}
