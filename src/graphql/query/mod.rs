//! Root query slices, one per feature, merged into [`Query`]. Each resolver reads the viewer,
//! the database and the request's loaders from the context and calls one service.

mod changes;
mod cities;
mod concepts;
mod funding;
mod identity;
mod node;
mod organisations;
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
    concepts::ConceptQuery,
    regions::RegionQuery,
    organisations::OrganisationQuery,
    funding::FundingQuery,
    search::SearchQuery,
    identity::IdentityQuery,
    changes::ChangeQuery,
);
