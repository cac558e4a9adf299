//! Themes, for search-as-you-type only: their labels in every language.

use async_trait::async_trait;
use sea_orm::{DatabaseConnection, EntityTrait, QuerySelect};

use super::DocumentMapping;
use crate::entity::theme;
use crate::search::document::{RecordKind, SearchDocument};
use crate::service;

pub struct ThemeMapping;

#[async_trait]
impl DocumentMapping for ThemeMapping {
    fn kind(&self) -> RecordKind {
        RecordKind::Theme
    }

    async fn load(
        &self,
        db: &DatabaseConnection,
        ids: &[i32],
    ) -> Result<Vec<SearchDocument>, sea_orm::DbErr> {
        Ok(service::themes::by_ids(db, ids)
            .await?
            .into_iter()
            .map(|theme| {
                let mut doc = SearchDocument::new(RecordKind::Theme, theme.row.id);
                let mut labels: Vec<String> = theme.labels.values().cloned().collect();
                labels.sort();
                labels.dedup();
                doc.suggest = labels;
                doc.themes.push(theme.row.path.clone());
                doc
            })
            .collect())
    }

    async fn all_ids(&self, db: &DatabaseConnection) -> Result<Vec<i32>, sea_orm::DbErr> {
        theme::Entity::find()
            .select_only()
            .column(theme::Column::Id)
            .into_tuple()
            .all(db)
            .await
    }
}
