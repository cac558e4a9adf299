//! The change feed's types: `changes(after:, first:)` answers a [`ChangeConnection`].

use async_graphql::{Enum, ID, SimpleObject};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

use crate::domain::RecordKind;
use crate::graphql::scalars::DateTime;
use crate::graphql::types::node::Node;
use crate::graphql::types::pagination::PageInfo;

/// The kinds of record the change feed carries: those `node(id:)` can fetch.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum ChangeEntityType {
    /// A good practice (`Practice`).
    Practice,
    /// A funding or advising opportunity (`FundingOpportunity`).
    FundingOpportunity,
    /// A city (`City`).
    City,
    /// A theme of the taxonomy (`Theme`).
    Theme,
    /// A region (`Region`).
    Region,
    /// An organisation (`Organisation`).
    Organisation,
}

impl From<ChangeEntityType> for RecordKind {
    fn from(kind: ChangeEntityType) -> Self {
        match kind {
            ChangeEntityType::Practice => RecordKind::Practice,
            ChangeEntityType::FundingOpportunity => RecordKind::FundingOpportunity,
            ChangeEntityType::City => RecordKind::City,
            ChangeEntityType::Theme => RecordKind::Theme,
            ChangeEntityType::Region => RecordKind::Region,
            ChangeEntityType::Organisation => RecordKind::Organisation,
        }
    }
}

impl ChangeEntityType {
    pub fn of(kind: RecordKind) -> Option<Self> {
        [
            Self::Practice,
            Self::FundingOpportunity,
            Self::City,
            Self::Theme,
            Self::Region,
            Self::Organisation,
        ]
        .into_iter()
        .find(|candidate| RecordKind::from(*candidate) == kind)
    }
}

/// What a change did to its record, as this viewer sees the record now.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum ChangeOperation {
    /// The record was created or changed and is visible: `node` holds its current state.
    Upsert,
    /// The record was deleted, or is no longer visible to this viewer (a tombstoned funding
    /// opportunity, a practice that is not published): drop the local copy. `node` is null.
    Delete,
}

/// One change: a record was written or deleted.
#[derive(SimpleObject, Clone)]
pub struct Change {
    /// The position of this change; pass it as `after` to continue behind it.
    pub cursor: String,
    /// When the change was committed.
    pub occurred_at: DateTime,
    /// The kind of record changed.
    pub entity_type: ChangeEntityType,
    /// The record's global ID, as `node(id:)` takes it (also for deleted records).
    pub id: ID,
    /// Upsert or delete, as this viewer sees the record now.
    pub operation: ChangeOperation,
    /// For upserts the record's current state (not as it was at this change); null for
    /// deletes.
    pub node: Option<std::sync::Arc<Node>>,
}

/// A change and its cursor.
#[derive(SimpleObject)]
pub struct ChangeEdge {
    /// The change's position, as `after` takes it.
    pub cursor: String,
    /// The change.
    pub node: Change,
}

/// A page of the change feed, oldest first.
#[derive(SimpleObject)]
pub struct ChangeConnection {
    /// The changes with their cursors.
    pub edges: Vec<ChangeEdge>,
    /// The changes, without cursors.
    pub nodes: Vec<Change>,
    /// `endCursor` is where to continue: the last change's cursor, or the `after` given when
    /// the page is empty (so it is never lost). `hasNextPage` tells whether more changes
    /// follow now.
    pub page_info: PageInfo,
}

/// Encodes a feed position (a `change_log` seq).
pub fn encode_cursor(seq: i64) -> String {
    URL_SAFE_NO_PAD.encode(format!("change:{seq}"))
}

/// The seq in a cursor made by [`encode_cursor`].
pub fn decode_cursor(cursor: &str) -> Option<i64> {
    let bytes = URL_SAFE_NO_PAD.decode(cursor.trim()).ok()?;
    let text = String::from_utf8(bytes).ok()?;
    text.strip_prefix("change:")?
        .parse()
        .ok()
        .filter(|seq| *seq >= 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_garbage_is_refused() {
        assert_eq!(decode_cursor(&encode_cursor(42)), Some(42));
        assert_eq!(decode_cursor(&encode_cursor(0)), Some(0));
        assert_eq!(decode_cursor("42"), None);
        assert_eq!(decode_cursor(&URL_SAFE_NO_PAD.encode("change:-1")), None);
        assert_eq!(decode_cursor(&URL_SAFE_NO_PAD.encode("city:3")), None);
    }
}
