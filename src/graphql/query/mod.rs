//! Root query slices, one per feature, merged into [`Query`]. Each resolver reads the viewer,
//! the database and the request's loaders from the context and calls one service.

mod campaigns;
mod changes;
mod cities;
mod events;
mod funding;
mod identity;
mod node;
mod organisations;
mod partnerships;
mod practices;
mod regions;
mod search;
mod themes;

use async_graphql::MergedObject;

/// The root query type.
#[derive(MergedObject, Default)]
pub struct Query(
    node::NodeQuery,
    practices::PracticeQuery,
    cities::CityQuery,
    themes::ThemeQuery,
    regions::RegionQuery,
    organisations::OrganisationQuery,
    partnerships::PartnershipQuery,
    events::EventQuery,
    campaigns::CampaignQuery,
    funding::FundingQuery,
    search::SearchQuery,
    identity::IdentityQuery,
    changes::ChangeQuery,
);
