//! Root query slices, one per feature, merged into [`Query`]. Each resolver reads the viewer,
//! the database and the request's loaders from the context and calls one service.

mod campaigns;
mod changes;
mod cities;
mod community;
mod concepts;
mod events;
mod exchange_requests;
mod funding;
mod identity;
pub(crate) mod node;
mod organisations;
mod partners;
mod partnerships;
mod practices;
mod regions;
mod search;
mod stats;
mod themes;
mod webhooks;

use async_graphql::MergedObject;

/// The root query type.
#[derive(MergedObject, Default)]
pub struct Query(
    node::NodeQuery,
    practices::PracticeQuery,
    cities::CityQuery,
    themes::ThemeQuery,
    concepts::ConceptQuery,
    regions::RegionQuery,
    organisations::OrganisationQuery,
    partners::PartnerQuery,
    partnerships::PartnershipQuery,
    events::EventQuery,
    campaigns::CampaignQuery,
    funding::FundingQuery,
    search::SearchQuery,
    stats::StatsQuery,
    identity::IdentityQuery,
    changes::ChangeQuery,
    webhooks::WebhookQuery,
    community::CommunityQuery,
    exchange_requests::ExchangeRequestQuery,
);
