//! The region tree: world > continents > sub-regions (M49) > every ISO 3166-1 country
//! (from `keshvar`) > ISO 3166-2 subdivisions of the countries that have seed cities, corrected
//! where keshvar is stale by the table in `region_overrides.rs`.

use std::collections::{BTreeSet, HashMap};

use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseTransaction, EntityTrait, QueryFilter, QuerySelect, Set,
};

use super::{m49, region_overrides};
use crate::entity::region;
use crate::service::change_log::{self, Operation, RecordKind};

struct Row {
    code: String,
    kind: &'static str,
    name: String,
    parent: Option<String>,
    m49: Option<String>,
    alpha3: Option<String>,
    point: Option<(f64, f64)>,
}

/// A subdivision that a seed city names, added when keshvar's table lacks it (codes change,
/// e.g. Norway's 2024 counties).
pub struct ExtraSubdivision {
    pub code: String,
    pub name: String,
    pub country: String,
}

/// Inserts every region that is not there yet; returns how many were added.
pub async fn load(
    txn: &DatabaseTransaction,
    subdivision_countries: &BTreeSet<String>,
    extra: &[ExtraSubdivision],
) -> Result<usize, sea_orm::DbErr> {
    let rows = rows(subdivision_countries, extra);
    let existing: Vec<(i32, String)> = region::Entity::find()
        .select_only()
        .column(region::Column::Id)
        .column(region::Column::Code)
        .into_tuple()
        .all(txn)
        .await?;
    let mut ids: HashMap<String, i32> = existing.into_iter().map(|(id, code)| (code, id)).collect();
    let mut paths: HashMap<String, String> = HashMap::new();
    let mut added = 0;
    for row in rows {
        let parent_path = row
            .parent
            .as_ref()
            .and_then(|code| paths.get(code))
            .cloned()
            .unwrap_or_default();
        let path = format!("{parent_path}{}/", row.code);
        paths.insert(row.code.clone(), path.clone());
        if ids.contains_key(&row.code) {
            continue;
        }
        let parent_id = row.parent.as_ref().and_then(|code| ids.get(code)).copied();
        let inserted = region::ActiveModel {
            code: Set(row.code.clone()),
            kind: Set(row.kind.to_owned()),
            name: Set(row.name),
            parent_id: Set(parent_id),
            path: Set(path),
            m49_code: Set(row.m49),
            alpha3: Set(row.alpha3),
            lat: Set(row.point.map(|(lat, _)| lat)),
            lon: Set(row.point.map(|(_, lon)| lon)),
            ..Default::default()
        }
        .insert(txn)
        .await?;
        change_log::append(txn, RecordKind::Region, inserted.id, Operation::Upsert).await?;
        ids.insert(row.code, inserted.id);
        added += 1;
    }
    Ok(added)
}

fn rows(subdivision_countries: &BTreeSet<String>, extra: &[ExtraSubdivision]) -> Vec<Row> {
    let mut rows = vec![Row {
        code: m49::WORLD.0.into(),
        kind: "world",
        name: m49::WORLD.1.into(),
        parent: None,
        m49: Some(m49::WORLD.0.into()),
        alpha3: None,
        point: None,
    }];
    for (code, name) in m49::CONTINENTS {
        rows.push(Row {
            code: code.into(),
            kind: "continent",
            name: name.into(),
            parent: Some(m49::WORLD.0.into()),
            m49: Some(code.into()),
            alpha3: None,
            point: None,
        });
    }
    for (code, name, parent) in m49::SUBREGIONS {
        rows.push(Row {
            code: code.into(),
            kind: "subregion",
            name: name.into(),
            parent: Some(parent.into()),
            m49: Some(code.into()),
            alpha3: None,
            point: None,
        });
    }
    let mut countries: Vec<keshvar::Country> = keshvar::CountryIterator::new().collect();
    countries.sort_by_key(|country| country.alpha2().to_string());
    let mut subdivisions = Vec::new();
    for country in &countries {
        let alpha2 = country.alpha2().to_string();
        let parent = country
            .maybe_subregion()
            .and_then(|subregion| m49::subregion_code(&subregion.to_string()))
            .or_else(|| {
                country
                    .maybe_region()
                    .and_then(|region| m49::continent_code(&region.to_string()))
            })
            .unwrap_or(m49::WORLD.0);
        rows.push(Row {
            code: alpha2.clone(),
            kind: "country",
            name: country.iso_short_name().to_owned(),
            parent: Some(parent.into()),
            m49: Some(country.number().to_owned()),
            alpha3: Some(keshvar::Alpha3::from(country.alpha2()).to_string()),
            point: Some((country.geo().latitude(), country.geo().longitude())),
        });
        if subdivision_countries.contains(&alpha2) {
            let mut own: Vec<_> = country.subdivisions().values().collect();
            own.sort_by_key(|subdivision| subdivision.code());
            for subdivision in own {
                let code = format!("{alpha2}-{}", subdivision.code());
                if region_overrides::is_removed(&code) {
                    continue;
                }
                subdivisions.push(Row {
                    code,
                    kind: "subdivision",
                    name: subdivision.name().to_owned(),
                    parent: Some(alpha2.clone()),
                    m49: None,
                    alpha3: None,
                    point: subdivision
                        .geo()
                        .and_then(|geo| Some((geo.latitude()?, geo.longitude()?))),
                });
            }
            for (code, name) in region_overrides::added(&alpha2) {
                if !subdivisions.iter().any(|row| row.code == code) {
                    subdivisions.push(Row {
                        code: code.to_owned(),
                        kind: "subdivision",
                        name: name.to_owned(),
                        parent: Some(alpha2.clone()),
                        m49: None,
                        alpha3: None,
                        point: None,
                    });
                }
            }
        }
    }
    for subdivision in extra {
        if !subdivisions.iter().any(|row| row.code == subdivision.code) {
            subdivisions.push(Row {
                code: subdivision.code.clone(),
                kind: "subdivision",
                name: subdivision.name.clone(),
                parent: Some(subdivision.country.clone()),
                m49: None,
                alpha3: None,
                point: None,
            });
        }
    }
    rows.extend(subdivisions);
    rows
}

/// Region ids by code, for the loaders that follow.
pub async fn ids_by_code(
    txn: &DatabaseTransaction,
    codes: &[String],
) -> Result<HashMap<String, i32>, sea_orm::DbErr> {
    let found: Vec<(i32, String)> = region::Entity::find()
        .select_only()
        .column(region::Column::Id)
        .column(region::Column::Code)
        .filter(region::Column::Code.is_in(codes.iter().cloned()))
        .into_tuple()
        .all(txn)
        .await?;
    Ok(found.into_iter().map(|(id, code)| (code, id)).collect())
}
