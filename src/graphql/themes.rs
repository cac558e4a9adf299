//! The theme tree.

use async_graphql::{Context, ID, Object};

use super::ids::{GlobalId, NodeType};
use crate::error::AppResult;
use crate::service;

#[derive(Default)]
pub struct ThemeQuery;

#[Object]
impl ThemeQuery {
    /// Every theme, parents before children.
    async fn themes(&self, ctx: &Context<'_>) -> AppResult<Vec<Theme>> {
        Ok(service::themes::all(super::db(ctx))
            .await?
            .into_iter()
            .map(Theme)
            .collect())
    }
}

/// A theme such as `energy/renewables/solar`.
#[derive(Clone)]
pub struct Theme(pub service::themes::Theme);

#[Object]
impl Theme {
    pub async fn id(&self) -> ID {
        GlobalId::new(NodeType::Theme, self.0.row.id).encode()
    }

    /// Stable slug path from the root, such as `energy/renewables/solar`.
    async fn path(&self) -> &str {
        &self.0.row.path
    }

    async fn slug(&self) -> &str {
        &self.0.row.slug
    }

    /// 0 for a root theme.
    async fn depth(&self) -> i32 {
        self.0.row.depth.into()
    }

    /// The label in `lang` (ISO 639-1), falling back to English.
    async fn label(&self, #[graphql(default = "en")] lang: String) -> &str {
        self.0.label(&lang)
    }

    async fn parent_path(&self) -> Option<&str> {
        self.0.row.path.rsplit_once('/').map(|(parent, _)| parent)
    }
}
