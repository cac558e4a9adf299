//! `changes(after:, first:, entityTypes:)`: the change feed, for clients that mirror kxc.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use async_graphql::{Context, Object};

use crate::domain::RecordKind;
use crate::error::{AppError, AppResult};
use crate::graphql::ids::GlobalId;
use crate::graphql::types::change::{
    Change, ChangeConnection, ChangeEdge, ChangeEntityType, ChangeOperation, decode_cursor,
    encode_cursor,
};
use crate::graphql::types::city::City;
use crate::graphql::types::funding::FundingOpportunity;
use crate::graphql::types::node::Node;
use crate::graphql::types::organisation::Organisation;
use crate::graphql::types::pagination::PageInfo;
use crate::graphql::types::practice::Practice;
use crate::graphql::types::region::Region;
use crate::graphql::types::theme::Theme;
use crate::service::change_log::Operation;
use crate::service::changes::{self, MAX_PAGE};
use crate::service::{cities, funding, practices, themes};

#[derive(Default)]
pub struct ChangeQuery;

#[Object]
impl ChangeQuery {
    /// Every change to the records `node(id:)` serves, oldest first: start without `after`,
    /// then pass the last `endCursor` to get what changed since. A cursor never expires and
    /// no change is ever skipped, also while writers run. Each change carries the record's
    /// current state as this viewer may see it: a record deleted or no longer visible since
    /// (a tombstoned funding opportunity, an unpublished practice) is a `DELETE`.
    #[graphql(complexity = "feed_complexity(first, child_complexity)")]
    async fn changes(
        &self,
        ctx: &Context<'_>,
        #[graphql(
            desc = "The `endCursor` (or a change's `cursor`) to continue after; none for the start."
        )]
        after: Option<String>,
        #[graphql(desc = "How many changes to return, 1..1000.")] first: i32,
        #[graphql(desc = "Only changes to these kinds of record; every kind when omitted.")]
        entity_types: Option<Vec<ChangeEntityType>>,
    ) -> AppResult<ChangeConnection> {
        if !(1..=MAX_PAGE as i32).contains(&first) {
            return Err(AppError::bad_input(
                ["first"],
                format!("`first` must be between 1 and {MAX_PAGE}"),
            ));
        }
        let after_seq = match after.as_deref() {
            None => 0,
            Some(cursor) => decode_cursor(cursor).ok_or_else(|| {
                AppError::bad_input(["after"], "`after` is not a cursor of `changes`")
            })?,
        };
        let kinds: Vec<RecordKind> = entity_types
            .unwrap_or_default()
            .into_iter()
            .map(Into::into)
            .collect();
        let db = crate::graphql::db(ctx);
        let page = changes::page(db, after_seq, first as u64, &kinds).await?;
        let mut nodes = visible_nodes(ctx, &page.rows).await?;
        let mut items = Vec::with_capacity(page.rows.len());
        for row in &page.rows {
            let Some(kind) = RecordKind::parse(&row.entity_type) else {
                continue;
            };
            let Some(entity_type) = ChangeEntityType::of(kind) else {
                continue;
            };
            let node = if row.operation == Operation::Upsert.as_str() {
                nodes.get(&(kind, row.entity_id)).cloned()
            } else {
                None
            };
            items.push(Change {
                cursor: encode_cursor(row.seq),
                occurred_at: row.occurred_at.into(),
                entity_type,
                id: GlobalId::new(kind, row.entity_id).encode(),
                operation: if node.is_some() {
                    ChangeOperation::Upsert
                } else {
                    ChangeOperation::Delete
                },
                node,
            });
        }
        nodes.clear();
        let end = page.rows.last().map_or(after_seq, |row| row.seq);
        Ok(ChangeConnection {
            page_info: PageInfo {
                has_next_page: page.has_more,
                has_previous_page: after_seq > 0,
                start_cursor: items.first().map(|change| change.cursor.clone()),
                end_cursor: Some(encode_cursor(end)),
            },
            edges: items
                .iter()
                .map(|change| ChangeEdge {
                    cursor: change.cursor.clone(),
                    node: change.clone(),
                })
                .collect(),
            nodes: items,
        })
    }
}

/// A page costs `first` times its selection. A `first` outside 1..1000 is costed as one item:
/// the resolver refuses it with BAD_USER_INPUT before anything runs.
fn feed_complexity(first: i32, child_complexity: usize) -> usize {
    let page = usize::try_from(first)
        .ok()
        .filter(|size| (1..=MAX_PAGE as usize).contains(size))
        .unwrap_or(1);
    page.saturating_mul(child_complexity.max(1))
}

/// The current state of every upserted record of `rows` that the viewer may see, loaded one
/// batch per kind through the same visibility rules as `node(id:)`.
async fn visible_nodes(
    ctx: &Context<'_>,
    rows: &[crate::entity::change_log::Model],
) -> AppResult<HashMap<(RecordKind, i32), std::sync::Arc<Node>>> {
    let mut wanted: BTreeMap<RecordKind, BTreeSet<i32>> = BTreeMap::new();
    for row in rows {
        if row.operation != Operation::Upsert.as_str() {
            continue;
        }
        if let Some(kind) = RecordKind::parse(&row.entity_type) {
            wanted.entry(kind).or_default().insert(row.entity_id);
        }
    }
    let db = crate::graphql::db(ctx);
    let viewer = crate::graphql::viewer(ctx);
    let mut nodes = HashMap::new();
    for (kind, ids) in wanted {
        let ids: Vec<i32> = ids.into_iter().collect();
        let found: Vec<(i32, Node)> = match kind {
            RecordKind::Practice => practices::by_ids(db, viewer, &ids)
                .await?
                .into_iter()
                .map(|row| (row.id, Node::Practice(Practice::new(row, ctx, None))))
                .collect(),
            RecordKind::FundingOpportunity => funding::by_ids(db, &ids)
                .await?
                .into_iter()
                .map(|row| (row.id, Node::FundingOpportunity(FundingOpportunity(row))))
                .collect(),
            RecordKind::City => cities::by_ids(db, &ids)
                .await?
                .into_iter()
                .map(|row| (row.id, Node::City(City(row))))
                .collect(),
            RecordKind::Theme => themes::by_ids(db, &ids)
                .await?
                .into_iter()
                .map(|theme| (theme.row.id, Node::Theme(Theme(theme))))
                .collect(),
            RecordKind::Region => changes::regions(db, &ids)
                .await?
                .into_iter()
                .map(|row| (row.id, Node::Region(Region(row))))
                .collect(),
            RecordKind::Organisation => changes::organisations(db, &ids)
                .await?
                .into_iter()
                .map(|row| (row.id, Node::Organisation(Organisation(row))))
                .collect(),
            _ => Vec::new(),
        };
        nodes.extend(
            found
                .into_iter()
                .map(|(id, node)| ((kind, id), std::sync::Arc::new(node))),
        );
    }
    Ok(nodes)
}
