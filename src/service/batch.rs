//! Batched reads behind the GraphQL DataLoaders: each takes many parent ids and answers with one
//! or two statements per chunk of ids (see [`chunked`]), grouped by parent id.

use std::collections::HashMap;

use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};

use super::chunked::{self, PerKey};
use super::reference::Reference;
use super::themes::Theme;
use crate::domain::Viewer;
use crate::entity::{
    city, commitment, evaluation, funding_applicant, funding_deadline, funding_region,
    funding_theme, membership, organisation, practice_city, practice_sdg, practice_theme,
    practice_translation, region,
};

/// `pairs` grouped by key, each group's values in their original order.
pub(crate) fn group<K: std::hash::Hash + Eq, V>(
    pairs: impl IntoIterator<Item = (K, V)>,
) -> HashMap<K, Vec<V>> {
    let mut grouped: HashMap<K, Vec<V>> = HashMap::new();
    for (key, value) in pairs {
        grouped.entry(key).or_default().push(value);
    }
    grouped
}

pub async fn practice_cities(
    db: &impl ConnectionTrait,
    ids: &[i32],
) -> Result<HashMap<i32, Vec<city::Model>>, sea_orm::DbErr> {
    chunked::load(db, ids, PerKey::IN_LIST, |ids| async move {
        let rows = practice_city::Entity::find()
            .filter(practice_city::Column::PracticeId.is_in(ids.iter().copied()))
            .find_also_related(city::Entity)
            .order_by_asc(city::Column::Name)
            .all(db)
            .await?;
        Ok(group(rows.into_iter().filter_map(|(link, city)| {
            Some((link.practice_id, city?))
        })))
    })
    .await
}

/// The themes of each practice, in tree order, labelled from `reference`: one statement.
pub async fn practice_themes(
    db: &impl ConnectionTrait,
    reference: &Reference,
    ids: &[i32],
) -> Result<HashMap<i32, Vec<Theme>>, sea_orm::DbErr> {
    chunked::load(db, ids, PerKey::IN_LIST, |ids| async move {
        let links = practice_theme::Entity::find()
            .filter(practice_theme::Column::PracticeId.is_in(ids.iter().copied()))
            .all(db)
            .await?;
        let mut grouped =
            group(links.into_iter().filter_map(|link| {
                Some((link.practice_id, reference.theme(link.theme_id)?.clone()))
            }));
        for themes in grouped.values_mut() {
            themes.sort_by_key(|theme| theme.row.position);
        }
        Ok(grouped)
    })
    .await
}

pub async fn practice_sdgs(
    db: &impl ConnectionTrait,
    ids: &[i32],
) -> Result<HashMap<i32, Vec<i32>>, sea_orm::DbErr> {
    chunked::load(db, ids, PerKey::IN_LIST, |ids| async move {
        let rows = practice_sdg::Entity::find()
            .filter(practice_sdg::Column::PracticeId.is_in(ids.iter().copied()))
            .order_by_asc(practice_sdg::Column::Sdg)
            .all(db)
            .await?;
        Ok(group(
            rows.into_iter()
                .map(|row| (row.practice_id, i32::from(row.sdg))),
        ))
    })
    .await
}

pub async fn practice_translations(
    db: &impl ConnectionTrait,
    ids: &[i32],
) -> Result<HashMap<i32, Vec<practice_translation::Model>>, sea_orm::DbErr> {
    chunked::load(db, ids, PerKey::IN_LIST, |ids| async move {
        let rows = practice_translation::Entity::find()
            .filter(practice_translation::Column::PracticeId.is_in(ids.iter().copied()))
            .order_by_asc(practice_translation::Column::Language)
            .all(db)
            .await?;
        Ok(group(rows.into_iter().map(|row| (row.practice_id, row))))
    })
    .await
}

pub async fn practice_evaluations(
    db: &impl ConnectionTrait,
    ids: &[i32],
) -> Result<HashMap<i32, Vec<evaluation::Model>>, sea_orm::DbErr> {
    chunked::load(db, ids, PerKey::IN_LIST, |ids| async move {
        let rows = evaluation::Entity::find()
            .filter(evaluation::Column::PracticeId.is_in(ids.iter().copied()))
            .order_by_desc(evaluation::Column::EvaluatedOn)
            .order_by_asc(evaluation::Column::Id)
            .all(db)
            .await?;
        Ok(group(rows.into_iter().map(|row| (row.practice_id, row))))
    })
    .await
}

pub async fn regions(
    db: &impl ConnectionTrait,
    ids: &[i32],
) -> Result<HashMap<i32, region::Model>, sea_orm::DbErr> {
    chunked::load(db, ids, PerKey::IN_LIST, |ids| async move {
        let rows = region::Entity::find()
            .filter(region::Column::Id.is_in(ids.iter().copied()))
            .all(db)
            .await?;
        Ok(rows.into_iter().map(|row| (row.id, row)).collect())
    })
    .await
}

pub async fn organisations(
    db: &impl ConnectionTrait,
    ids: &[i32],
) -> Result<HashMap<i32, organisation::Model>, sea_orm::DbErr> {
    chunked::load(db, ids, PerKey::IN_LIST, |ids| async move {
        let rows = organisation::Entity::find()
            .filter(organisation::Column::Id.is_in(ids.iter().copied()))
            .all(db)
            .await?;
        Ok(rows.into_iter().map(|row| (row.id, row)).collect())
    })
    .await
}

pub async fn cities(
    db: &impl ConnectionTrait,
    ids: &[i32],
) -> Result<HashMap<i32, city::Model>, sea_orm::DbErr> {
    chunked::load(db, ids, PerKey::IN_LIST, |ids| async move {
        let rows = city::Entity::find()
            .filter(city::Column::Id.is_in(ids.iter().copied()))
            .all(db)
            .await?;
        Ok(rows.into_iter().map(|row| (row.id, row)).collect())
    })
    .await
}

pub async fn city_memberships(
    db: &impl ConnectionTrait,
    ids: &[i32],
) -> Result<HashMap<i32, Vec<membership::Model>>, sea_orm::DbErr> {
    chunked::load(db, ids, PerKey::IN_LIST, |ids| async move {
        let rows = membership::Entity::find()
            .filter(membership::Column::CityId.is_in(ids.iter().copied()))
            .order_by_asc(membership::Column::Id)
            .all(db)
            .await?;
        Ok(group(rows.into_iter().map(|row| (row.city_id, row))))
    })
    .await
}

pub async fn organisation_members(
    db: &impl ConnectionTrait,
    ids: &[i32],
) -> Result<HashMap<i32, Vec<membership::Model>>, sea_orm::DbErr> {
    chunked::load(db, ids, PerKey::IN_LIST, |ids| async move {
        let rows = membership::Entity::find()
            .filter(membership::Column::OrganisationId.is_in(ids.iter().copied()))
            .order_by_asc(membership::Column::Id)
            .all(db)
            .await?;
        Ok(group(
            rows.into_iter().map(|row| (row.organisation_id, row)),
        ))
    })
    .await
}

pub async fn city_commitments(
    db: &impl ConnectionTrait,
    ids: &[i32],
) -> Result<HashMap<i32, Vec<commitment::Model>>, sea_orm::DbErr> {
    chunked::load(db, ids, PerKey::IN_LIST, |ids| async move {
        let rows = commitment::Entity::find()
            .filter(commitment::Column::CityId.is_in(ids.iter().copied()))
            .order_by_asc(commitment::Column::Id)
            .all(db)
            .await?;
        Ok(group(rows.into_iter().map(|row| (row.city_id, row))))
    })
    .await
}

pub async fn city_practice_ids(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
    ids: &[i32],
) -> Result<HashMap<i32, Vec<i32>>, sea_orm::DbErr> {
    chunked::load(db, ids, PerKey::IN_LIST, |ids| async move {
        let rows = practice_city::Entity::find()
            .filter(practice_city::Column::CityId.is_in(ids.iter().copied()))
            .filter(
                practice_city::Column::PracticeId
                    .in_subquery(super::practices::visible_ids(viewer)),
            )
            .all(db)
            .await?;
        Ok(group(
            rows.into_iter().map(|row| (row.city_id, row.practice_id)),
        ))
    })
    .await
}

/// Everything a funding opportunity links to, by opportunity id.
#[derive(Clone, Debug, Default)]
pub struct FundingLinks {
    pub deadlines: Vec<chrono::NaiveDate>,
    pub region_ids: Vec<i32>,
    pub theme_ids: Vec<i32>,
    pub applicants: Vec<String>,
}

pub async fn funding_links(
    db: &impl ConnectionTrait,
    ids: &[i32],
) -> Result<HashMap<i32, FundingLinks>, sea_orm::DbErr> {
    chunked::load(db, ids, PerKey::IN_LIST, |ids| async move {
        let mut links: HashMap<i32, FundingLinks> = ids
            .iter()
            .map(|id| (*id, FundingLinks::default()))
            .collect();
        for row in funding_deadline::Entity::find()
            .filter(funding_deadline::Column::FundingId.is_in(ids.iter().copied()))
            .order_by_asc(funding_deadline::Column::Deadline)
            .all(db)
            .await?
        {
            links
                .entry(row.funding_id)
                .or_default()
                .deadlines
                .push(row.deadline);
        }
        for row in funding_region::Entity::find()
            .filter(funding_region::Column::FundingId.is_in(ids.iter().copied()))
            .all(db)
            .await?
        {
            links
                .entry(row.funding_id)
                .or_default()
                .region_ids
                .push(row.region_id);
        }
        for row in funding_theme::Entity::find()
            .filter(funding_theme::Column::FundingId.is_in(ids.iter().copied()))
            .all(db)
            .await?
        {
            links
                .entry(row.funding_id)
                .or_default()
                .theme_ids
                .push(row.theme_id);
        }
        for row in funding_applicant::Entity::find()
            .filter(funding_applicant::Column::FundingId.is_in(ids.iter().copied()))
            .all(db)
            .await?
        {
            links
                .entry(row.funding_id)
                .or_default()
                .applicants
                .push(row.applicant_kind);
        }
        Ok(links)
    })
    .await
}

/// Practices `viewer` may see that replicate each practice id, oldest first.
pub async fn practice_replications(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
    ids: &[i32],
) -> Result<HashMap<i32, Vec<crate::entity::practice::Model>>, sea_orm::DbErr> {
    chunked::load(db, ids, PerKey::IN_LIST, |ids| async move {
        use crate::entity::practice;
        let rows = super::practices::visible(viewer)
            .filter(practice::Column::ReplicatedFromId.is_in(ids.iter().copied()))
            .order_by_asc(practice::Column::PublishedAt)
            .order_by_asc(practice::Column::Id)
            .all(db)
            .await?;
        Ok(group(
            rows.into_iter()
                .filter_map(|row| Some((row.replicated_from_id?, row))),
        ))
    })
    .await
}

/// Children of each region id, by name.
pub async fn region_children(
    db: &impl ConnectionTrait,
    ids: &[i32],
) -> Result<HashMap<i32, Vec<region::Model>>, sea_orm::DbErr> {
    chunked::load(db, ids, PerKey::IN_LIST, |ids| async move {
        let rows = region::Entity::find()
            .filter(region::Column::ParentId.is_in(ids.iter().copied()))
            .order_by_asc(region::Column::Name)
            .all(db)
            .await?;
        Ok(group(
            rows.into_iter()
                .filter_map(|row| Some((row.parent_id?, row))),
        ))
    })
    .await
}

/// Regions by code, for resolving the ancestors written in materialized paths.
pub async fn regions_by_code(
    db: &impl ConnectionTrait,
    codes: &[String],
) -> Result<HashMap<String, region::Model>, sea_orm::DbErr> {
    chunked::load(db, codes, PerKey::IN_LIST, |codes| async move {
        let rows = region::Entity::find()
            .filter(region::Column::Code.is_in(codes.iter().cloned()))
            .all(db)
            .await?;
        Ok(rows
            .into_iter()
            .map(|row| (row.code.clone(), row))
            .collect())
    })
    .await
}

/// Cities anywhere below each region (keyed by the region's materialized path), by name.
pub async fn cities_within(
    db: &impl ConnectionTrait,
    paths: &[String],
) -> Result<HashMap<String, Vec<city::Model>>, sea_orm::DbErr> {
    chunked::load(db, paths, PerKey::IN_LIST, |paths| async move {
        let any = chunked::any_of(
            paths
                .iter()
                .map(|path| region::Column::Path.starts_with(path.as_str()))
                .collect(),
        );
        let rows = city::Entity::find()
            .find_also_related(region::Entity)
            .filter(any)
            .order_by_asc(city::Column::Name)
            .all(db)
            .await?;
        let mut grouped: HashMap<String, Vec<city::Model>> = HashMap::new();
        for (city, region) in rows {
            let Some(region) = region else { continue };
            for path in paths
                .iter()
                .filter(|path| region.path.starts_with(path.as_str()))
            {
                grouped.entry(path.clone()).or_default().push(city.clone());
            }
        }
        Ok(grouped)
    })
    .await
}
