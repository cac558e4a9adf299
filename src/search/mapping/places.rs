//! What documents say about the cities they concern: names to match, the region path, the
//! country, networks and coordinates.

use std::collections::HashMap;

use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};

use crate::domain::GeoPoint;
use crate::entity::{city, membership, organisation, region};

pub struct Place {
    pub city: city::Model,
    /// Such as `001/150/154/NO/NO-03/`.
    pub region_path: String,
    /// The city's names, its subdivision's and its country's.
    pub names: Vec<String>,
    /// Slugs of the networks the city belongs to.
    pub networks: Vec<String>,
}

impl Place {
    pub fn point(&self) -> Option<GeoPoint> {
        GeoPoint::new(self.city.lat, self.city.lon).ok()
    }
}

pub async fn load(
    db: &impl ConnectionTrait,
    city_ids: &[i32],
) -> Result<HashMap<i32, Place>, sea_orm::DbErr> {
    if city_ids.is_empty() {
        return Ok(HashMap::new());
    }
    let cities = city::Entity::find()
        .filter(city::Column::Id.is_in(city_ids.iter().copied()))
        .all(db)
        .await?;
    let own_regions: HashMap<i32, region::Model> = region::Entity::find()
        .filter(region::Column::Id.is_in(cities.iter().map(|city| city.region_id)))
        .all(db)
        .await?
        .into_iter()
        .map(|row| (row.id, row))
        .collect();
    // Subdivision and country names come from the region path's segments.
    let codes: Vec<String> = own_regions
        .values()
        .flat_map(|row| {
            row.path
                .split('/')
                .filter(|code| !code.is_empty())
                .map(str::to_owned)
        })
        .collect();
    let named: HashMap<String, region::Model> = region::Entity::find()
        .filter(region::Column::Code.is_in(codes))
        .all(db)
        .await?
        .into_iter()
        .map(|row| (row.code.clone(), row))
        .collect();
    let memberships = membership::Entity::find()
        .filter(membership::Column::CityId.is_in(city_ids.iter().copied()))
        .all(db)
        .await?;
    let organisations: HashMap<i32, String> = organisation::Entity::find()
        .filter(organisation::Column::Id.is_in(memberships.iter().map(|row| row.organisation_id)))
        .all(db)
        .await?
        .into_iter()
        .map(|row| (row.id, row.slug))
        .collect();

    let mut places = HashMap::new();
    for city in cities {
        let region_path = own_regions
            .get(&city.region_id)
            .map(|row| row.path.clone())
            .unwrap_or_default();
        let mut names = vec![city.name.clone()];
        if let Some(local) = city.local_names.as_object() {
            names.extend(
                local
                    .values()
                    .filter_map(|name| name.as_str())
                    .map(str::to_owned),
            );
        }
        for code in region_path.split('/').filter(|code| !code.is_empty()) {
            if let Some(row) = named.get(code)
                && matches!(row.kind.as_str(), "country" | "subdivision")
            {
                names.push(row.name.clone());
            }
        }
        names.sort();
        names.dedup();
        let networks = memberships
            .iter()
            .filter(|row| row.city_id == city.id)
            .filter_map(|row| organisations.get(&row.organisation_id).cloned())
            .collect();
        places.insert(
            city.id,
            Place {
                city,
                region_path,
                names,
                networks,
            },
        );
    }
    Ok(places)
}
