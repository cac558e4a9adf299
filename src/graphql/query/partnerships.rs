//! `partnerships(filter:)` and `partnership(id:|slug:)`.

use async_graphql::{Context, ID, InputObject, Object};

use crate::domain::{PartnershipKind, PartnershipStatus, Slug, ThemePath};
use crate::error::{AppError, AppResult};
use crate::graphql::exec::limits;
use crate::graphql::ids::{GlobalId, RecordKind};
use crate::graphql::inputs::bounded_list;
use crate::graphql::types::pagination;
use crate::graphql::types::partnership::{Partnership, PartnershipConnection, Total};
use crate::service;
use crate::service::partnerships::PartnershipFilter as Filter;

/// Which partnerships to list. Every list is "any of"; the parts combine with AND.
#[derive(InputObject, Default)]
pub struct PartnershipFilter {
    /// Partnerships of any of these kinds.
    pub kinds: Option<Vec<PartnershipKind>>,
    /// Partnerships in any of these states.
    pub statuses: Option<Vec<PartnershipStatus>>,
    /// City slugs; a partnership matches when one of them takes part.
    pub cities: Option<Vec<String>>,
    /// Theme paths; each matches its whole subtree.
    pub themes: Option<Vec<String>>,
    /// Region codes (UN M49, ISO 3166-1 alpha-2 or 3166-2); a partnership matches when a
    /// participant lies in one of their subtrees.
    pub regions: Option<Vec<String>>,
}

fn parse_list<T>(
    values: Option<Vec<String>>,
    field: &str,
    parse: impl Fn(&str) -> Result<T, String>,
) -> AppResult<Vec<T>> {
    bounded_list(values, ["filter", field])?
        .iter()
        .enumerate()
        .map(|(index, value)| {
            parse(value).map_err(|message| {
                AppError::bad_input(
                    crate::domain::FieldPath::from(["filter", field]).index(index),
                    message,
                )
            })
        })
        .collect()
}

impl PartnershipFilter {
    pub fn parse(self) -> AppResult<Filter> {
        Ok(Filter {
            kinds: bounded_list(self.kinds, ["filter", "kinds"])?,
            statuses: bounded_list(self.statuses, ["filter", "statuses"])?,
            cities: parse_list(self.cities, "cities", Slug::parse)?,
            themes: parse_list(self.themes, "themes", ThemePath::parse)?,
            regions: parse_list(self.regions, "regions", |code| Ok(code.to_owned()))?,
        })
    }
}

#[derive(Default)]
pub struct PartnershipQuery;

#[Object]
impl PartnershipQuery {
    /// City-to-city partnerships by name. `first` or `last` (1..100) is required.
    #[graphql(complexity = "limits::connection_complexity(first, last, child_complexity)")]
    async fn partnerships(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Which partnerships to list; null lists every partnership.")]
        filter: Option<PartnershipFilter>,
        #[graphql(desc = "Page forwards: at most this many partnerships (1..100) after `after`.")]
        first: Option<i32>,
        #[graphql(desc = "Cursor (an edge's `cursor` or `pageInfo.endCursor`) to start after.")]
        after: Option<String>,
        #[graphql(
            desc = "Page backwards: at most this many partnerships (1..100) before `before`."
        )]
        last: Option<i32>,
        #[graphql(desc = "Cursor (an edge's `cursor` or `pageInfo.startCursor`) to end before.")]
        before: Option<String>,
    ) -> AppResult<PartnershipConnection> {
        let request = pagination::request(first, after, last, before)?;
        let filter = filter.unwrap_or_default().parse()?;
        let page = service::partnerships::page(crate::graphql::db(ctx), &filter, &request).await?;
        Ok(PartnershipConnection::new(page, Total::Filter(filter)))
    }

    /// One partnership by global `id` or by `slug` (give exactly one), or null.
    async fn partnership(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The partnership's global ID, as `Partnership.id` gives it.")] id: Option<
            ID,
        >,
        #[graphql(desc = "The partnership's slug.")] slug: Option<String>,
    ) -> AppResult<Option<Partnership>> {
        let db = crate::graphql::db(ctx);
        let row = match (id, slug) {
            (Some(id), None) => match GlobalId::decode(&id) {
                Some(GlobalId {
                    kind: RecordKind::Partnership,
                    id,
                }) => service::partnerships::by_id(db, id).await?,
                _ => None,
            },
            (None, Some(slug)) => service::partnerships::by_slug(db, &slug).await?,
            _ => {
                return Err(AppError::bad_input(
                    ["id"],
                    "give exactly one of `id` or `slug`",
                ));
            }
        };
        Ok(row.map(Partnership))
    }
}
