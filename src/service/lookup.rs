//! Resolving stable identifiers (slugs, theme paths, region codes) to row ids for writes,
//! collecting a field error for each one that does not exist.

use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect};

use super::chunked::{self, PerKey};
use super::records::FieldError;
use crate::domain::FieldPath;
use crate::entity::{campaign, city, organisation, practice, region, theme};

macro_rules! id_lookup {
    ($fn_name:ident, $entity:ident, $column:expr, $what:literal) => {
        /// Ids for `keys` in order; unknown keys become errors at `field[index]`.
        pub async fn $fn_name(
            db: &impl ConnectionTrait,
            keys: &[&str],
            field: &str,
            errors: &mut Vec<FieldError>,
        ) -> Result<Vec<i32>, sea_orm::DbErr> {
            if keys.is_empty() {
                return Ok(Vec::new());
            }
            let found: Vec<(i32, String)> = chunked::load(db, keys, PerKey::IN_LIST, |keys| {
                $entity::Entity::find()
                    .select_only()
                    .column($entity::Column::Id)
                    .column($column)
                    .filter($column.is_in(keys.iter().copied()))
                    .into_tuple()
                    .all(db)
            })
            .await?;
            let by_key: std::collections::HashMap<&str, i32> = found
                .iter()
                .map(|(id, value)| (value.as_str(), *id))
                .collect();
            Ok(resolve_keys(keys, field, $what, errors, |key| {
                by_key.get(key).copied()
            }))
        }
    };
}

/// `lookup(key)` for each of `keys` in order; a key it does not know becomes the error
/// "unknown {what} `key`" at `field[index]`.
pub(crate) fn resolve_keys<T>(
    keys: &[&str],
    field: &str,
    what: &str,
    errors: &mut Vec<FieldError>,
    lookup: impl Fn(&str) -> Option<T>,
) -> Vec<T> {
    let mut found = Vec::with_capacity(keys.len());
    for (index, key) in keys.iter().enumerate() {
        match lookup(key) {
            Some(value) => found.push(value),
            None => errors.push(FieldError::new(
                FieldPath::from(field).index(index),
                format!("unknown {what} `{key}`"),
            )),
        }
    }
    found
}

id_lookup!(city_ids, city, city::Column::Slug, "city");
id_lookup!(theme_ids, theme, theme::Column::Path, "theme");
id_lookup!(region_ids, region, region::Column::Code, "region");
id_lookup!(
    organisation_ids,
    organisation,
    organisation::Column::Slug,
    "organisation"
);
id_lookup!(practice_ids, practice, practice::Column::Slug, "practice");
id_lookup!(campaign_ids, campaign, campaign::Column::Slug, "campaign");

/// Turns the errors of a one-key lookup (`field[0]`) into errors at `field` itself.
pub fn as_single_field(errors: &mut [FieldError], from: usize, field: &str) {
    for error in &mut errors[from..] {
        error.path = FieldPath::from(field);
    }
}
