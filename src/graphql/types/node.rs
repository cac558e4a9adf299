//! The Relay `Node` interface, `node(id:)` and `nodes(ids:)`.

use async_graphql::{ID, Interface};

use crate::graphql::types::campaign::Campaign;
use crate::graphql::types::city::City;
use crate::graphql::types::community::{Post, Thread};
use crate::graphql::types::concept::Concept;
use crate::graphql::types::event::Event;
use crate::graphql::types::funding::FundingOpportunity;
use crate::graphql::types::organisation::Organisation;
use crate::graphql::types::partnership::Partnership;
use crate::graphql::types::practice::Practice;
use crate::graphql::types::region::Region;
use crate::graphql::types::theme::Theme;

/// An object with a global ID.
// Values live for one response only; boxing variants would buy nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Interface)]
#[graphql(field(name = "id", ty = "ID", desc = "Opaque global ID."))]
pub enum Node {
    Practice(Practice),
    City(City),
    Theme(Theme),
    Region(Region),
    Organisation(Organisation),
    FundingOpportunity(FundingOpportunity),
    Thread(Thread),
    Post(Post),
    Partnership(Partnership),
    Event(Event),
    Concept(Concept),
    Campaign(Campaign),
}
