//! Execution plumbing around the schema: cost budgets, protection (limits, timeouts, error codes), spec null
//! propagation, automatic persisted queries, per-request DataLoaders and their flush, the request report, language choice.

pub mod budget;
pub mod language;
pub mod limits;
pub mod live;
pub mod loaders;
pub mod null_propagation;
pub mod persisted;
pub mod protection;
pub mod report;
pub mod response_cache;
