//! The theme tree: `themes`, `theme(path:)` and the `Theme` type.

use async_graphql::{Context, Object};

use crate::error::AppResult;
use crate::graphql::types::theme::Theme;

#[derive(Default)]
pub struct ThemeQuery;

#[Object]
impl ThemeQuery {
    /// Every theme in tree order (parents before children), or only the roots with `roots: true`.
    async fn themes(
        &self,
        ctx: &Context<'_>,
        #[graphql(default = false, desc = "True for only the top-level themes.")] roots: bool,
    ) -> AppResult<Vec<Theme>> {
        let all = crate::graphql::loaders(ctx).all_themes().await?;
        Ok(all
            .iter()
            .filter(|theme| !roots || theme.row.parent_id.is_none())
            .cloned()
            .map(Theme)
            .collect())
    }

    /// One theme by its path, such as `energy/renewables/solar`, or null.
    async fn theme(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "A theme path: slugs joined by `/`, such as `mobility/cycling`.")]
        path: String,
    ) -> AppResult<Option<Theme>> {
        let all = crate::graphql::loaders(ctx).all_themes().await?;
        Ok(all
            .iter()
            .find(|theme| theme.row.path == path)
            .cloned()
            .map(Theme))
    }
}
