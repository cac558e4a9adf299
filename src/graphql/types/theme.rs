//! The theme tree: `themes`, `theme(path:)` and the `Theme` type.

use async_graphql::{Context, ID, Object, SimpleObject};

use crate::error::AppResult;
use crate::graphql::exec::language::AcceptedLanguages;
use crate::graphql::ids::{GlobalId, RecordKind};
use crate::graphql::types::practice_connection::PracticeConnection;
use crate::service;

/// A theme such as `energy/renewables/solar`.
#[derive(Clone)]
pub struct Theme(pub service::themes::Theme);

/// A label in one language.
#[derive(SimpleObject)]
pub struct LocalizedLabel {
    /// ISO 639-1 code.
    pub language: String,
    /// The label in that language, e.g. "Cycling".
    pub label: String,
}

/// A theme such as `energy/renewables/solar`, in a tree of themes.
#[Object]
impl Theme {
    /// Opaque global ID.
    pub async fn id(&self) -> ID {
        GlobalId::new(RecordKind::Theme, self.0.row.id).encode()
    }

    /// Stable slug path from the root, such as `energy/renewables/solar`.
    async fn path(&self) -> &str {
        &self.0.row.path
    }

    /// The last segment of `path`.
    async fn slug(&self) -> &str {
        &self.0.row.slug
    }

    /// 0 for a root theme.
    async fn depth(&self) -> i32 {
        self.0.row.depth.into()
    }

    /// The label in `lang` (ISO 639-1; default: the first `Accept-Language` with a label),
    /// falling back to English.
    async fn label(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "ISO 639-1 code of the wanted language; null for `Accept-Language`.")]
        lang: Option<String>,
    ) -> String {
        let wanted = lang.or_else(|| {
            ctx.data_opt::<AcceptedLanguages>().and_then(|accepted| {
                accepted
                    .0
                    .iter()
                    .find(|code| self.0.labels.contains_key(*code))
                    .cloned()
            })
        });
        self.0.label(wanted.as_deref().unwrap_or("en")).to_owned()
    }

    /// Every label, by language.
    async fn labels(&self) -> Vec<LocalizedLabel> {
        let mut labels: Vec<LocalizedLabel> = self
            .0
            .labels
            .iter()
            .map(|(language, label)| LocalizedLabel {
                language: language.clone(),
                label: label.clone(),
            })
            .collect();
        labels.sort_by(|a, b| a.language.cmp(&b.language));
        labels
    }

    /// `path` of the parent theme; null for a root theme.
    async fn parent_path(&self) -> Option<&str> {
        self.0.row.path.rsplit_once('/').map(|(parent, _)| parent)
    }

    /// The parent theme; null for a root theme.
    async fn parent(&self, ctx: &Context<'_>) -> AppResult<Option<Theme>> {
        let Some(parent_id) = self.0.row.parent_id else {
            return Ok(None);
        };
        let all = crate::graphql::loaders(ctx).all_themes().await?;
        Ok(all
            .iter()
            .find(|theme| theme.row.id == parent_id)
            .cloned()
            .map(Theme))
    }

    /// From the root down to the parent.
    async fn ancestors(&self, ctx: &Context<'_>) -> AppResult<Vec<Theme>> {
        let all = crate::graphql::loaders(ctx).all_themes().await?;
        let path = &self.0.row.path;
        let mut ancestors: Vec<Theme> = all
            .iter()
            .filter(|theme| path.starts_with(&format!("{}/", theme.row.path)))
            .cloned()
            .map(Theme)
            .collect();
        ancestors.sort_by_key(|theme| theme.0.row.depth);
        Ok(ancestors)
    }

    /// The themes directly below this one; empty for a leaf theme.
    async fn children(&self, ctx: &Context<'_>) -> AppResult<Vec<Theme>> {
        let all = crate::graphql::loaders(ctx).all_themes().await?;
        Ok(all
            .iter()
            .filter(|theme| theme.row.parent_id == Some(self.0.row.id))
            .cloned()
            .map(Theme)
            .collect())
    }

    /// Practices the viewer may see tagged with this theme or any theme below it (as
    /// `practices(filter: {themes: [path]})` lists them: keyset pages, newest published first
    /// unless `orderBy` says otherwise). `first` or `last` (1..100) is required.
    #[graphql(
        complexity = "crate::graphql::exec::limits::connection_complexity(first, last, child_complexity)"
    )]
    #[allow(clippy::too_many_arguments)]
    async fn practices(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The order; null for newest published first (PUBLISHED_AT DESC).")]
        order_by: Option<crate::graphql::inputs::PracticeOrder>,
        #[graphql(desc = "Page forwards: at most this many practices (1..100) after `after`.")]
        first: Option<i32>,
        #[graphql(desc = "Cursor (an edge's `cursor` or `pageInfo.endCursor`) to start after.")]
        after: Option<String>,
        #[graphql(desc = "Page backwards: at most this many practices (1..100) before `before`.")]
        last: Option<i32>,
        #[graphql(desc = "Cursor (an edge's `cursor` or `pageInfo.startCursor`) to end before.")]
        before: Option<String>,
        #[graphql(desc = "ISO 639-1 language to answer in, falling back to the original")]
        lang: Option<String>,
    ) -> AppResult<PracticeConnection> {
        let path = crate::domain::ThemePath::parse(&self.0.row.path)
            .map_err(|message| crate::error::AppError::internal(anyhow::anyhow!(message)))?;
        let filter = service::practice_query::PracticeFilter {
            themes: vec![path],
            ..Default::default()
        };
        PracticeConnection::list(ctx, filter, order_by, (first, after, last, before), lang).await
    }

    /// Published practices tagged with this theme or any theme below it.
    async fn practice_count(&self, ctx: &Context<'_>) -> AppResult<i64> {
        Ok(crate::graphql::loaders(ctx)
            .theme_practice_counts
            .load_one(self.0.row.path.clone())
            .await?
            .unwrap_or(0))
    }
}
