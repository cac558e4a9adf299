//! Reading the theme tree with labels.

use std::collections::HashMap;

use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};

use super::chunked::{self, PerKey};
use crate::entity::{theme, theme_label};

/// A theme with its labels by language.
#[derive(Clone, Debug)]
pub struct Theme {
    pub row: theme::Model,
    pub labels: HashMap<String, String>,
}

impl Theme {
    /// The label in `language`, falling back to English, then to the slug.
    pub fn label(&self, language: &str) -> &str {
        self.labels
            .get(language)
            .or_else(|| self.labels.get("en"))
            .map(String::as_str)
            .unwrap_or(&self.row.slug)
    }
}

/// Every theme in tree order (parents before children, siblings by seed position).
pub async fn all(db: &impl ConnectionTrait) -> Result<Vec<Theme>, sea_orm::DbErr> {
    let rows = theme::Entity::find()
        .order_by_asc(theme::Column::Position)
        .all(db)
        .await?;
    with_labels(db, rows).await
}

/// Themes with `ids`, in tree order.
pub async fn by_ids(db: &impl ConnectionTrait, ids: &[i32]) -> Result<Vec<Theme>, sea_orm::DbErr> {
    let mut themes: Vec<Theme> = chunked::load(db, ids, PerKey::IN_LIST, |ids| async move {
        let rows = theme::Entity::find()
            .filter(theme::Column::Id.is_in(ids.iter().copied()))
            .all(db)
            .await?;
        with_labels(db, rows).await
    })
    .await?;
    themes.sort_by_key(|theme| theme.row.position);
    Ok(themes)
}

async fn with_labels(
    db: &impl ConnectionTrait,
    rows: Vec<theme::Model>,
) -> Result<Vec<Theme>, sea_orm::DbErr> {
    let labels = theme_label::Entity::find()
        .filter(theme_label::Column::ThemeId.is_in(rows.iter().map(|row| row.id)))
        .all(db)
        .await?;
    let mut by_theme: HashMap<i32, HashMap<String, String>> = HashMap::new();
    for label in labels {
        by_theme
            .entry(label.theme_id)
            .or_default()
            .insert(label.language, label.label);
    }
    Ok(rows
        .into_iter()
        .map(|row| {
            let labels = by_theme.remove(&row.id).unwrap_or_default();
            Theme { row, labels }
        })
        .collect())
}
