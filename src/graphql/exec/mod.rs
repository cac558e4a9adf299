//! Execution plumbing around the schema: protection (limits, timeouts, error codes), spec null
//! propagation, per-request DataLoaders and their flush, the request report, language choice.

pub mod language;
pub mod limits;
pub mod loaders;
pub mod null_propagation;
pub mod protection;
pub mod report;
