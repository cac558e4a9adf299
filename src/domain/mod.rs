//! Validated domain types: input becomes one of these at the edge (GraphQL arguments, import
//! lines, seed files) and services never see the raw strings. Each parses with `TryFrom<String>`
//! so serde reports the exact field that failed.

mod codes;
mod evaluation;
mod funding_status;
mod geo;
mod geo_area;
mod paths;
mod record_kind;
mod viewer;

pub use codes::{CountryCode, Currency, Language, Sdg, Slug};
pub use evaluation::{CRITERIA, EvaluationLabel, Score, Scores};
pub use funding_status::FundingStatus;
pub use geo::GeoPoint;
pub use geo_area::{BoundingBox, GeoRadius};
pub use paths::ThemePath;
pub use record_kind::RecordKind;
pub use viewer::{Account, Credential, Role, Viewer, ViewerError};
