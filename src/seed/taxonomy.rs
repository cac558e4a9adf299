//! Seed loaders for the theme tree and organisations.

use std::collections::BTreeMap;

use chrono::Utc;
use sea_orm::{ActiveModelTrait, ColumnTrait, DatabaseTransaction, EntityTrait, QueryFilter, Set};
use serde::Deserialize;

use crate::domain::{
    CountryCode, Description, HttpUrl, Language, Name, OrganisationKind, Slug, ThemePath,
};
use crate::entity::{organisation, theme, theme_label};
use crate::service::change_log::{self, Operation, RecordKind};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ThemeSeed {
    pub path: ThemePath,
    pub labels: BTreeMap<Language, Name>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OrganisationSeed {
    pub slug: Slug,
    pub name: Name,
    pub kind: OrganisationKind,
    pub country: Option<CountryCode>,
    pub url: Option<HttpUrl>,
    pub description: Description,
}

pub async fn load_themes(txn: &DatabaseTransaction, themes: &[ThemeSeed]) -> anyhow::Result<usize> {
    for (position, seed) in themes.iter().enumerate() {
        let parent_id = match seed.path.parent() {
            Some(parent) => Some(
                theme::Entity::find()
                    .filter(theme::Column::Path.eq(parent.as_str()))
                    .one(txn)
                    .await?
                    .ok_or_else(|| {
                        anyhow::anyhow!("theme {} is listed before its parent", seed.path)
                    })?
                    .id,
            ),
            None => None,
        };
        let existing = theme::Entity::find()
            .filter(theme::Column::Path.eq(seed.path.as_str()))
            .one(txn)
            .await?;
        let mut model = theme::ActiveModel {
            path: Set(seed.path.to_string()),
            slug: Set(seed.path.slug().to_owned()),
            parent_id: Set(parent_id),
            depth: Set(i16::try_from(seed.path.depth()).unwrap_or(i16::MAX)),
            position: Set(i32::try_from(position).unwrap_or(i32::MAX)),
            ..Default::default()
        };
        let id = match existing {
            Some(row) => {
                model.id = Set(row.id);
                model.update(txn).await?.id
            }
            None => model.insert(txn).await?.id,
        };
        theme_label::Entity::delete_many()
            .filter(theme_label::Column::ThemeId.eq(id))
            .exec(txn)
            .await?;
        for (language, label) in &seed.labels {
            theme_label::ActiveModel {
                theme_id: Set(id),
                language: Set(language.to_string()),
                label: Set(label.to_string()),
            }
            .insert(txn)
            .await?;
        }
        change_log::append(txn, RecordKind::Theme, id, Operation::Upsert).await?;
    }
    Ok(themes.len())
}

pub async fn load_organisations(
    txn: &DatabaseTransaction,
    organisations: &[OrganisationSeed],
) -> anyhow::Result<usize> {
    let now = Utc::now().fixed_offset();
    for seed in organisations {
        let existing = organisation::Entity::find()
            .filter(organisation::Column::Slug.eq(seed.slug.as_str()))
            .one(txn)
            .await?;
        let mut model = organisation::ActiveModel {
            slug: Set(seed.slug.to_string()),
            name: Set(seed.name.to_string()),
            kind: Set(seed.kind.as_str().to_owned()),
            country_code: Set(seed.country.as_ref().map(ToString::to_string)),
            url: Set(seed.url.as_ref().map(ToString::to_string)),
            description: Set(seed.description.to_string()),
            updated_at: Set(now),
            ..Default::default()
        };
        let id = match existing {
            Some(row) => {
                model.id = Set(row.id);
                model.update(txn).await?.id
            }
            None => {
                model.created_at = Set(now);
                model.insert(txn).await?.id
            }
        };
        change_log::append(txn, RecordKind::Organisation, id, Operation::Upsert).await?;
    }
    Ok(organisations.len())
}
