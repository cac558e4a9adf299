//! Published practices with their translations, places, themes and SDGs. The index holds what
//! an anonymous visitor may see; search adds a viewer's unpublished practices per request.

use std::collections::HashMap;

use async_trait::async_trait;
use chrono::Utc;
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QuerySelect};

use super::{DocumentMapping, links_of, places};
use crate::domain::Viewer;
use crate::entity::{practice, practice_city, practice_sdg, practice_theme, practice_translation};
use crate::search::concepts::ConceptMatcher;
use crate::search::document::{LocalizedText, RecordKind, SearchDocument, Tag};
use crate::service;
use crate::service::batch::group;

pub struct PracticeMapping;

#[async_trait]
impl DocumentMapping for PracticeMapping {
    fn kind(&self) -> RecordKind {
        RecordKind::Practice
    }

    async fn load(
        &self,
        db: &DatabaseConnection,
        ids: &[i32],
        vocabulary: &ConceptMatcher,
    ) -> Result<Vec<SearchDocument>, sea_orm::DbErr> {
        let practices = service::practices::by_ids(db, &Viewer::anonymous(), ids).await?;
        documents(db, practices, vocabulary).await
    }

    async fn all_ids(&self, db: &DatabaseConnection) -> Result<Vec<i32>, sea_orm::DbErr> {
        service::practices::visible(&Viewer::anonymous())
            .select_only()
            .column(practice::Column::Id)
            .into_tuple()
            .all(db)
            .await
    }
}

/// The documents of practices `viewer` may see among `ids`, whatever their status: what
/// search adds, per request, to the public index for that viewer.
pub async fn for_viewer(
    db: &DatabaseConnection,
    viewer: &Viewer,
    ids: &[i32],
) -> Result<Vec<SearchDocument>, sea_orm::DbErr> {
    let practices = service::practices::by_ids(db, viewer, ids).await?;
    if practices.is_empty() {
        return Ok(Vec::new());
    }
    let vocabulary = service::concepts::matcher(db).await?;
    documents(db, practices, &vocabulary).await
}

async fn documents(
    db: &DatabaseConnection,
    practices: Vec<practice::Model>,
    vocabulary: &ConceptMatcher,
) -> Result<Vec<SearchDocument>, sea_orm::DbErr> {
    {
        if practices.is_empty() {
            return Ok(Vec::new());
        }
        let ids: Vec<i32> = practices.iter().map(|row| row.id).collect();
        let translations = practice_translation::Entity::find()
            .filter(practice_translation::Column::PracticeId.is_in(ids.clone()))
            .all(db)
            .await?;
        let city_links: Vec<(i32, i32)> = practice_city::Entity::find()
            .select_only()
            .column(practice_city::Column::PracticeId)
            .column(practice_city::Column::CityId)
            .filter(practice_city::Column::PracticeId.is_in(ids.clone()))
            .into_tuple()
            .all(db)
            .await?;
        let theme_links: Vec<(i32, i32)> = practice_theme::Entity::find()
            .select_only()
            .column(practice_theme::Column::PracticeId)
            .column(practice_theme::Column::ThemeId)
            .filter(practice_theme::Column::PracticeId.is_in(ids.clone()))
            .into_tuple()
            .all(db)
            .await?;
        let sdg_links: Vec<(i32, i16)> = practice_sdg::Entity::find()
            .select_only()
            .column(practice_sdg::Column::PracticeId)
            .column(practice_sdg::Column::Sdg)
            .filter(practice_sdg::Column::PracticeId.is_in(ids))
            .into_tuple()
            .all(db)
            .await?;
        let city_ids: Vec<i32> = city_links.iter().map(|(_, city)| *city).collect();
        let places = places::load(db, &city_ids).await?;
        let theme_ids: Vec<i32> = theme_links.iter().map(|(_, theme)| *theme).collect();
        let themes: HashMap<i32, service::themes::Theme> = service::themes::by_ids(db, &theme_ids)
            .await?
            .into_iter()
            .map(|theme| (theme.row.id, theme))
            .collect();

        let mut translations = group(translations.into_iter().map(|row| (row.practice_id, row)));
        let city_links = group(city_links);
        let theme_links = group(theme_links);
        let sdg_links = group(sdg_links);
        let mut tagger = vocabulary.tagger();
        Ok(practices
            .into_iter()
            .map(|row| {
                let mut doc = SearchDocument::new(RecordKind::Practice, row.id);
                doc.texts.push(LocalizedText {
                    language: row.original_language.clone(),
                    title: row.title.clone(),
                    summary: row.summary.clone(),
                    body: row.body.clone(),
                });
                doc.suggest.push(row.title.clone());
                doc.languages.push(row.original_language.clone());
                for translation in translations.remove(&row.id).unwrap_or_default() {
                    doc.suggest.push(translation.title.clone());
                    doc.languages.push(translation.language.clone());
                    doc.texts.push(LocalizedText {
                        language: translation.language,
                        title: translation.title,
                        summary: translation.summary,
                        body: translation.body,
                    });
                }
                for city_id in links_of(&city_links, row.id) {
                    let Some(place) = places.get(city_id) else {
                        continue;
                    };
                    doc.tags.extend(place.names.iter().cloned().map(Tag::plain));
                    doc.regions.push(place.region_path.clone());
                    doc.countries.push(place.city.country_code.clone());
                    doc.cities.push(place.city.slug.clone());
                    doc.networks.extend(place.networks.iter().cloned());
                    doc.locations.extend(place.point());
                }
                for theme_id in links_of(&theme_links, row.id) {
                    let Some(theme) = themes.get(theme_id) else {
                        continue;
                    };
                    doc.themes.push(theme.row.path.clone());
                    doc.tags.extend(
                        theme
                            .labels
                            .iter()
                            .map(|(language, label)| Tag::in_language(language, label)),
                    );
                }
                if let Some(benefits) = row.co_benefits.as_array() {
                    doc.tags.extend(
                        benefits
                            .iter()
                            .filter_map(|benefit| benefit.as_str())
                            .map(|benefit| Tag::in_language("en", benefit)),
                    );
                }
                doc.sdgs = links_of(&sdg_links, row.id)
                    .filter_map(|sdg| u8::try_from(*sdg).ok())
                    .collect();
                doc.score = row.score;
                doc.evaluation_label = row.evaluation_label.clone();
                doc.date = row.published_at.map(|date| date.with_timezone(&Utc));
                doc.concepts = tagger.tag(&doc);
                doc
            })
            .collect())
    }
}
