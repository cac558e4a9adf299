//! `partnerSuggestions(city:, themes:, first:)`.

use async_graphql::{Context, ID, Object};

use crate::error::{AppError, AppResult};
use crate::graphql::ids::{GlobalId, RecordKind};
use crate::graphql::inputs::bounded_list;
use crate::graphql::types::partner::{PartnerSuggestion, PartnerSuggestionConnection};
use crate::service;
use crate::service::partners::{MAX_FIRST, MAX_THEMES};

#[derive(Default)]
pub struct PartnerQuery;

#[Object]
impl PartnerQuery {
    /// Cities `city` could partner with, ranked by shared ambition, evaluated practices on
    /// themes `city` has none on, similar size, nearness, shared networks and existing
    /// partnerships; each reason carries its weight and evidence. Never `city` itself nor a
    /// city it is in an active partnership with. Ties go by city name.
    #[graphql(
        complexity = "crate::graphql::exec::limits::connection_complexity(Some(first), None, child_complexity)"
    )]
    async fn partner_suggestions(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The city asking: its global ID (`City.id`) or its slug.")] city: ID,
        #[graphql(
            desc = "Theme paths (each with its subtree, at most 20) to look for practices on; null or empty looks at every top-level theme the city has no practice on."
        )]
        themes: Option<Vec<String>>,
        #[graphql(desc = "At most this many suggestions (1..100).")] first: i32,
    ) -> AppResult<PartnerSuggestionConnection> {
        let first = usize::try_from(first)
            .ok()
            .filter(|first| (1..=MAX_FIRST).contains(first))
            .ok_or_else(|| {
                AppError::bad_input(["first"], format!("`first` must be 1..{MAX_FIRST}"))
            })?;
        let themes = bounded_list(themes, ["themes"])?;
        if themes.len() > MAX_THEMES {
            return Err(AppError::bad_input(
                ["themes"],
                format!(
                    "`themes` has {} items; at most {MAX_THEMES} are allowed",
                    themes.len()
                ),
            ));
        }
        let db = crate::graphql::db(ctx);
        let city_id = match GlobalId::decode(&city) {
            Some(GlobalId {
                kind: RecordKind::City,
                id,
            }) => Some(id),
            Some(_) => None,
            None => service::cities::by_slug(db, city.as_str())
                .await?
                .map(|row| row.id),
        }
        .ok_or_else(|| AppError::bad_input(["city"], "unknown city"))?;
        let (total, suggestions) = service::partners::suggest(db, city_id, &themes, first).await?;
        Ok(PartnerSuggestionConnection {
            total_count: total,
            nodes: suggestions.into_iter().map(PartnerSuggestion).collect(),
        })
    }
}
