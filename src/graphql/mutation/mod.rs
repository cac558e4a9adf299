//! Root mutation slices, one per feature, merged into [`Mutation`]. Every mutation follows
//! the conventions in `README.md` beside this file: one `input` argument, a payload with the
//! changed object and `userErrors`, a guard beside the field, one service call.

mod api_keys;
mod campaigns;
mod cities;
mod commitments;
mod community;
mod concepts;
mod events;
mod exchange_requests;
mod funding_sync;
mod memberships;
mod partnerships;
mod practices;
mod webhooks;

use async_graphql::MergedObject;

use crate::error::AppResult;
use crate::graphql::types::user_error::UserError;
use crate::service::ServiceError;

/// The root mutation type.
#[derive(MergedObject, Default)]
pub struct Mutation(
    api_keys::ApiKeyMutation,
    exchange_requests::ExchangeRequestMutation,
    funding_sync::FundingSyncMutation,
    practices::PracticeMutation,
    webhooks::WebhookMutation,
    community::CommunityMutation,
    partnerships::PartnershipMutation,
    events::EventMutation,
    cities::CityMutation,
    commitments::CommitmentMutation,
    memberships::MembershipMutation,
    campaigns::CampaignMutation,
    concepts::ConceptMutation,
);

/// Splits a service outcome the way every payload answers it: validation problems become
/// `userErrors` at their path under `input` (nothing was stored), every other failure
/// (missing right, missing record, conflict) a GraphQL error with its code.
pub fn answer<T>(outcome: Result<T, ServiceError>) -> AppResult<Result<T, Vec<UserError>>> {
    match outcome {
        Ok(value) => Ok(Ok(value)),
        Err(ServiceError::Invalid(errors)) => {
            Ok(Err(UserError::from_field_errors(&["input"], errors)))
        }
        Err(other) => Err(other.into()),
    }
}
