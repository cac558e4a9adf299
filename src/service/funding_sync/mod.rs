//! Partner sync of funding records: `upsertFundingOpportunities` ([`push`]) and
//! `deleteFundingOpportunities` ([`delete`]). Both act on one source per call, run in one
//! transaction begun with [`change_log::begin_serialised`](super::change_log::begin_serialised)
//! (so concurrent batches never race on a record), write one `change_log` row per changed
//! record and one audit row per call; on any problem nothing of the call is stored.

pub mod delete;
pub mod push;

/// The most records (or external IDs) one call may carry.
pub const MAX_BATCH: usize = 500;
