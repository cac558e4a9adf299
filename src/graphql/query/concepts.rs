//! The concept vocabulary: `concepts(filter:)` and `concept(id:|key:)`.

use async_graphql::{Context, ID, Object};

use crate::domain::{Language, ThemePath};
use crate::error::{AppError, AppResult};
use crate::graphql::ids::{GlobalId, RecordKind};
use crate::graphql::types::concept::{Concept, ConceptConnection, ConceptEdge, ConceptFilter};
use crate::graphql::types::pagination::PageInfo;
use crate::service;
use crate::service::concepts::MAX_FILTER_QUERY_CHARS;
use crate::service::paging::{Cursor, MAX_PAGE_SIZE};

#[derive(Default)]
pub struct ConceptQuery;

#[Object]
impl ConceptQuery {
    /// Concepts of the vocabulary by key, optionally narrowed by theme, label text and language.
    async fn concepts(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Which concepts to list; null lists every concept.")] filter: Option<
            ConceptFilter,
        >,
        #[graphql(desc = "Page size, 1..100 (default 20).")] first: Option<i32>,
        #[graphql(desc = "`endCursor` of the previous page.")] after: Option<String>,
    ) -> AppResult<ConceptConnection> {
        let filter = filter.unwrap_or_default();
        let first = first.unwrap_or(20);
        if !(1..=MAX_PAGE_SIZE as i32).contains(&first) {
            return Err(AppError::bad_input(
                ["first"],
                format!("`first` must be between 1 and {MAX_PAGE_SIZE}"),
            ));
        }
        let after = after
            .map(|cursor| {
                Cursor::decode(&cursor)
                    .ok()
                    .and_then(|cursor| cursor.key)
                    .ok_or_else(|| {
                        AppError::bad_input(["after"], "is not a cursor returned by this API")
                    })
            })
            .transpose()?;
        let theme = filter
            .theme
            .as_deref()
            .map(ThemePath::parse)
            .transpose()
            .map_err(|message| AppError::bad_input(["filter", "theme"], message))?;
        let language = filter
            .language
            .as_deref()
            .map(Language::parse)
            .transpose()
            .map_err(|message| AppError::bad_input(["filter", "language"], message))?;
        let query = match filter.query {
            Some(text) if text.chars().nth(MAX_FILTER_QUERY_CHARS).is_some() => {
                return Err(AppError::bad_input(
                    ["filter", "query"],
                    format!("must be at most {MAX_FILTER_QUERY_CHARS} characters"),
                ));
            }
            Some(text) if text.trim().is_empty() => None,
            other => other.map(|text| text.trim().to_owned()),
        };
        let (concepts, has_next_page) = service::concepts::list(
            crate::graphql::db(ctx),
            &service::concepts::ConceptFilter {
                theme,
                query,
                language,
            },
            first as u64,
            after.as_deref(),
        )
        .await?;
        let edges: Vec<ConceptEdge> = concepts
            .into_iter()
            .map(|concept| ConceptEdge {
                cursor: Cursor::from_text(&concept.row.key, concept.row.id).encode(),
                node: Concept(concept),
            })
            .collect();
        Ok(ConceptConnection {
            page_info: PageInfo {
                has_next_page,
                has_previous_page: false,
                start_cursor: edges.first().map(|edge| edge.cursor.clone()),
                end_cursor: edges.last().map(|edge| edge.cursor.clone()),
            },
            nodes: edges.iter().map(|edge| edge.node.clone()).collect(),
            edges,
        })
    }

    /// One concept by global ID or by key (such as `green-roof`); null when there is none.
    async fn concept(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The concept's global ID.")] id: Option<ID>,
        #[graphql(desc = "The concept's key, such as `green-roof`.")] key: Option<String>,
    ) -> AppResult<Option<Concept>> {
        let db = crate::graphql::db(ctx);
        let found = match (id, key) {
            (Some(id), None) => match GlobalId::decode(&id) {
                Some(global) if global.kind == RecordKind::Concept => {
                    service::concepts::by_ids(db, &[global.id]).await?
                }
                _ => Vec::new(),
            },
            (None, Some(key)) => service::concepts::by_keys(db, &[key]).await?,
            _ => {
                return Err(AppError::bad_input(
                    ["id"],
                    "give exactly one of `id` and `key`",
                ));
            }
        };
        Ok(found.into_iter().next().map(Concept))
    }
}
