//! Live (not tombstoned) funding opportunities.

use std::collections::HashMap;

use async_trait::async_trait;
use chrono::Utc;
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QuerySelect};

use super::{DocumentMapping, links_of};
use crate::entity::{
    funding_deadline, funding_opportunity, funding_region, funding_theme, organisation, region,
};
use crate::search::concepts::ConceptMatcher;
use crate::search::document::{LocalizedText, OpenWindow, RecordKind, SearchDocument, Tag};
use crate::service;
use crate::service::batch::group;

pub struct FundingMapping;

#[async_trait]
impl DocumentMapping for FundingMapping {
    fn kind(&self) -> RecordKind {
        RecordKind::FundingOpportunity
    }

    async fn load(
        &self,
        db: &DatabaseConnection,
        ids: &[i32],
        vocabulary: &ConceptMatcher,
    ) -> Result<Vec<SearchDocument>, sea_orm::DbErr> {
        let rows = service::funding::by_ids(db, ids).await?;
        if rows.is_empty() {
            return Ok(Vec::new());
        }
        let ids: Vec<i32> = rows.iter().map(|row| row.id).collect();
        let theme_links: Vec<(i32, i32)> = funding_theme::Entity::find()
            .select_only()
            .column(funding_theme::Column::FundingId)
            .column(funding_theme::Column::ThemeId)
            .filter(funding_theme::Column::FundingId.is_in(ids.clone()))
            .into_tuple()
            .all(db)
            .await?;
        let region_links: Vec<(i32, i32)> = funding_region::Entity::find()
            .select_only()
            .column(funding_region::Column::FundingId)
            .column(funding_region::Column::RegionId)
            .filter(funding_region::Column::FundingId.is_in(ids.clone()))
            .into_tuple()
            .all(db)
            .await?;
        let deadlines = funding_deadline::Entity::find()
            .filter(funding_deadline::Column::FundingId.is_in(ids))
            .all(db)
            .await?;
        let region_paths: HashMap<i32, String> = region::Entity::find()
            .filter(region::Column::Id.is_in(region_links.iter().map(|(_, id)| *id)))
            .all(db)
            .await?
            .into_iter()
            .map(|row| (row.id, row.path))
            .collect();
        let providers: HashMap<i32, String> = organisation::Entity::find()
            .filter(organisation::Column::Id.is_in(rows.iter().filter_map(|row| row.provider_id)))
            .all(db)
            .await?
            .into_iter()
            .map(|row| (row.id, row.name))
            .collect();
        let theme_ids: Vec<i32> = theme_links.iter().map(|(_, id)| *id).collect();
        let themes: HashMap<i32, service::themes::Theme> = service::themes::by_ids(db, &theme_ids)
            .await?
            .into_iter()
            .map(|theme| (theme.row.id, theme))
            .collect();
        let theme_links = group(theme_links);
        let region_links = group(region_links);
        let deadlines = group(deadlines.into_iter().map(|row| (row.funding_id, row)));
        let mut tagger = vocabulary.tagger();
        Ok(rows
            .into_iter()
            .map(|row| {
                let mut doc = SearchDocument::new(RecordKind::FundingOpportunity, row.id);
                doc.texts.push(LocalizedText {
                    language: row.language.clone(),
                    title: row.title.clone(),
                    summary: row.summary.clone(),
                    body: String::new(),
                });
                doc.languages.push(row.language.clone());
                if let Some(name) = row.provider_id.and_then(|id| providers.get(&id)) {
                    doc.tags.push(Tag::plain(name.clone()));
                }
                // "loan", "technical assistance": the instrument is a word people search for.
                doc.tags
                    .push(Tag::in_language("en", row.instrument.replace('_', " ")));
                for theme_id in links_of(&theme_links, row.id) {
                    if let Some(theme) = themes.get(theme_id) {
                        doc.themes.push(theme.row.path.clone());
                        doc.tags.extend(
                            theme
                                .labels
                                .iter()
                                .map(|(language, label)| Tag::in_language(language, label)),
                        );
                    }
                }
                doc.regions = links_of(&region_links, row.id)
                    .filter_map(|region| region_paths.get(region).cloned())
                    .collect();
                doc.eligible_regions = doc.regions.clone();
                doc.countries.extend(row.provider_country.clone());
                doc.instrument = Some(row.instrument.clone());
                doc.provider_level = Some(row.provider_level.clone());
                let last_deadline = links_of(&deadlines, row.id)
                    .map(|deadline| deadline.deadline)
                    .max();
                // Same rule as `FundingStatus`: rolling or deadline-less calls stay open.
                doc.open_window = Some(OpenWindow {
                    opens: row.opens_at,
                    closes: if row.rolling { None } else { last_deadline },
                });
                doc.date = Some(row.updated_at.with_timezone(&Utc));
                doc.concepts = tagger.tag(&doc);
                doc
            })
            .collect())
    }

    async fn all_ids(&self, db: &DatabaseConnection) -> Result<Vec<i32>, sea_orm::DbErr> {
        service::funding::live()
            .select_only()
            .column(funding_opportunity::Column::Id)
            .into_tuple()
            .all(db)
            .await
    }
}
