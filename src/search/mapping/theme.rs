//! Themes, for search-as-you-type only: their labels in every language.

use async_trait::async_trait;
use sea_orm::{DatabaseConnection, EntityTrait, QuerySelect};

use super::DocumentMapping;
use crate::entity::theme;
use crate::search::concepts::ConceptMatcher;
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
        _vocabulary: &ConceptMatcher,
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

    async fn dependents(
        &self,
        db: &DatabaseConnection,
        ids: &[i32],
    ) -> Result<Vec<(RecordKind, i32)>, sea_orm::DbErr> {
        use crate::entity::{funding_theme, practice_theme};
        use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QuerySelect};
        let practices: Vec<i32> = practice_theme::Entity::find()
            .select_only()
            .column(practice_theme::Column::PracticeId)
            .filter(practice_theme::Column::ThemeId.is_in(ids.iter().copied()))
            .distinct()
            .into_tuple()
            .all(db)
            .await?;
        let funding: Vec<i32> = funding_theme::Entity::find()
            .select_only()
            .column(funding_theme::Column::FundingId)
            .filter(funding_theme::Column::ThemeId.is_in(ids.iter().copied()))
            .distinct()
            .into_tuple()
            .all(db)
            .await?;
        let mut found = super::tagged(RecordKind::Practice, practices);
        found.extend(super::tagged(RecordKind::FundingOpportunity, funding));
        Ok(found)
    }
}
