//! Cities: found by their names, their subdivision's and country's, and by place.

use async_trait::async_trait;
use chrono::Utc;
use sea_orm::{DatabaseConnection, EntityTrait, QuerySelect};

use super::{DocumentMapping, places};
use crate::entity::city;
use crate::search::concepts::ConceptMatcher;
use crate::search::document::{LocalizedText, RecordKind, SearchDocument, Tag};

pub struct CityMapping;

#[async_trait]
impl DocumentMapping for CityMapping {
    fn kind(&self) -> RecordKind {
        RecordKind::City
    }

    async fn load(
        &self,
        db: &DatabaseConnection,
        ids: &[i32],
        _vocabulary: &ConceptMatcher,
    ) -> Result<Vec<SearchDocument>, sea_orm::DbErr> {
        let places = places::load(db, ids).await?;
        Ok(places
            .into_values()
            .map(|place| {
                let city = &place.city;
                let mut doc = SearchDocument::new(RecordKind::City, city.id);
                // Proper names: the plain analyzer, whatever the language.
                doc.texts.push(LocalizedText {
                    language: String::new(),
                    title: city.name.clone(),
                    ..LocalizedText::default()
                });
                doc.suggest.push(city.name.clone());
                if let Some(local) = city.local_names.as_object() {
                    for name in local.values().filter_map(|name| name.as_str()) {
                        if name != city.name {
                            doc.suggest.push(name.to_owned());
                        }
                    }
                }
                doc.tags.extend(place.names.iter().cloned().map(Tag::plain));
                doc.regions.push(place.region_path.clone());
                doc.countries.push(city.country_code.clone());
                doc.cities.push(city.slug.clone());
                doc.networks = place.networks.clone();
                doc.locations.extend(place.point());
                doc.date = Some(city.updated_at.with_timezone(&Utc));
                doc
            })
            .collect())
    }

    async fn all_ids(&self, db: &DatabaseConnection) -> Result<Vec<i32>, sea_orm::DbErr> {
        city::Entity::find()
            .select_only()
            .column(city::Column::Id)
            .into_tuple()
            .all(db)
            .await
    }

    async fn dependents(
        &self,
        db: &DatabaseConnection,
        ids: &[i32],
    ) -> Result<Vec<(RecordKind, i32)>, sea_orm::DbErr> {
        use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QuerySelect};
        let practices: Vec<i32> = crate::entity::practice_city::Entity::find()
            .select_only()
            .column(crate::entity::practice_city::Column::PracticeId)
            .filter(crate::entity::practice_city::Column::CityId.is_in(ids.iter().copied()))
            .distinct()
            .into_tuple()
            .all(db)
            .await?;
        Ok(super::tagged(RecordKind::Practice, practices))
    }
}
