//! Validated domain types: input becomes one of these at the edge (GraphQL arguments, import
//! lines, seed files) and services never see the raw strings. Each parses with `TryFrom<String>`
//! so serde reports the exact field that failed.

mod codes;
mod evaluation;
mod field_path;
mod funding_status;
mod geo;
mod geo_area;
pub mod initiatives;
pub mod limits;
pub mod partners;
mod paths;
mod record_kind;
mod text;
mod viewer;
mod vocabulary;
mod web_address;

pub use codes::{CountryCode, Currency, Language, Sdg, Slug};
pub use evaluation::{CRITERIA, EvaluationLabel, Score, Scores, mean_score, practice_score};
pub use field_path::{FieldPath, Segment};
pub use funding_status::FundingStatus;
pub use geo::GeoPoint;
pub use geo_area::{BoundingBox, GeoRadius};
pub use paths::ThemePath;
pub use record_kind::RecordKind;
pub use text::{Body, Description, Email, Name, RequiredText, ShortText, Summary, Text, Title};
pub use viewer::{Account, Credential, Role, Viewer, ViewerError};
pub use vocabulary::{
    CommitmentCriterion, GovernanceLevel, MembershipRole, OrganisationKind, PartnershipKind,
    PartnershipRole, PartnershipStatus, PracticeStatus, TargetSector, TargetStatus,
};
pub use web_address::HttpUrl;

/// `value` cut to a length fit for an error message.
pub(crate) fn excerpt(value: &str) -> String {
    const SHOWN: usize = 80;
    match value.char_indices().nth(SHOWN) {
        Some((end, _)) => format!("{}…", &value[..end]),
        None => value.to_owned(),
    }
}
