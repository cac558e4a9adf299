//! `updatePartnership` (admins): the stored partnership with the given fields replaced,
//! checked like a new one, written with its version bumped (`expectedVersion` guards it).

use chrono::Utc;
use sea_orm::{ActiveModelTrait, DatabaseConnection, EntityTrait, Set};

use super::validate::{self, NewPartnership, Participant};
use crate::domain::{
    Description, Name, PartnershipKind, PartnershipRole, PartnershipStatus, RecordKind, Slug,
    ThemePath, Viewer,
};
use crate::entity::{city, partnership, partnership_city, partnership_theme, theme};
use crate::service::change_log::Operation;
use crate::service::concurrency::check_version;
use crate::service::permissions::{self, Action};
use crate::service::{ServiceError, landscape};

/// What to change; `None` keeps the stored value. `ended_on: Some(None)` clears the end date.
#[derive(Clone, Debug, Default)]
pub struct Changes {
    pub name: Option<Name>,
    pub kind: Option<PartnershipKind>,
    pub status: Option<PartnershipStatus>,
    pub description: Option<Description>,
    pub started_on: Option<Option<chrono::NaiveDate>>,
    pub ended_on: Option<Option<chrono::NaiveDate>>,
    pub outcomes: Option<Option<Description>>,
    pub participants: Option<Vec<Participant>>,
    pub themes: Option<Vec<ThemePath>>,
}

pub async fn run(
    db: &DatabaseConnection,
    viewer: &Viewer,
    id: i32,
    expected_version: Option<i64>,
    changes: Changes,
    reason: Option<String>,
) -> Result<partnership::Model, ServiceError> {
    permissions::check(viewer, Action::ManageLandscape)?;
    let stored = super::by_id(db, id)
        .await?
        .ok_or_else(|| ServiceError::not_found("partnership"))?;
    check_version("partnership", expected_version, i64::from(stored.version))?;
    let merged = merge(db, &stored, changes).await?;
    let resolved = validate::check(db, &merged)
        .await?
        .map_err(ServiceError::Invalid)?;
    let now = Utc::now().fixed_offset();
    let txn = crate::service::change_log::begin_write(db).await?;
    let current = partnership::Entity::find_by_id(id)
        .one(&txn)
        .await?
        .ok_or_else(|| ServiceError::not_found("partnership"))?;
    check_version("partnership", expected_version, i64::from(current.version))?;
    let row = partnership::ActiveModel {
        id: Set(id),
        version: Set(current.version + 1),
        ..super::create::fields(&merged, now)
    }
    .update(&txn)
    .await?;
    super::create::write_links(&txn, id, &resolved).await?;
    landscape::log(
        &txn,
        viewer,
        landscape::Logged {
            kind: RecordKind::Partnership,
            id,
            operation: Operation::Upsert,
            action: "partnership.update",
            reason,
            details: serde_json::json!({ "slug": row.slug, "version": row.version }),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(row)
}

/// The stored partnership as a [`NewPartnership`], with `changes` applied.
async fn merge(
    db: &DatabaseConnection,
    stored: &partnership::Model,
    changes: Changes,
) -> Result<NewPartnership, ServiceError> {
    let corrupt = |column: &str| {
        ServiceError::Db(sea_orm::DbErr::Custom(format!(
            "partnership {} has an invalid {column}",
            stored.id
        )))
    };
    let participants = match changes.participants {
        Some(participants) => participants,
        None => {
            let rows = partnership_city::Entity::find()
                .filter_by_partnership(stored.id)
                .find_also_related(city::Entity)
                .all(db)
                .await?;
            rows.into_iter()
                .filter_map(|(link, city)| Some((link, city?)))
                .map(|(link, city)| {
                    Ok(Participant {
                        city: Slug::parse(&city.slug).map_err(|_| corrupt("city slug"))?,
                        role: PartnershipRole::from_stored(&link.role)
                            .ok_or_else(|| corrupt("role"))?,
                    })
                })
                .collect::<Result<_, ServiceError>>()?
        }
    };
    let themes = match changes.themes {
        Some(themes) => themes,
        None => partnership_theme::Entity::find()
            .filter_by_partnership(stored.id)
            .find_also_related(theme::Entity)
            .all(db)
            .await?
            .into_iter()
            .filter_map(|(_, theme)| theme)
            .map(|theme| ThemePath::parse(&theme.path).map_err(|_| corrupt("theme path")))
            .collect::<Result<_, ServiceError>>()?,
    };
    Ok(NewPartnership {
        slug: Slug::parse(&stored.slug).map_err(|_| corrupt("slug"))?,
        name: match changes.name {
            Some(name) => name,
            None => Name::parse(stored.name.clone()).map_err(|_| corrupt("name"))?,
        },
        kind: match changes.kind {
            Some(kind) => kind,
            None => PartnershipKind::from_stored(&stored.kind).ok_or_else(|| corrupt("kind"))?,
        },
        status: match changes.status {
            Some(status) => status,
            None => {
                PartnershipStatus::from_stored(&stored.status).ok_or_else(|| corrupt("status"))?
            }
        },
        description: match changes.description {
            Some(description) => description,
            None => Description::parse(stored.description.clone())
                .map_err(|_| corrupt("description"))?,
        },
        started_on: changes.started_on.unwrap_or(stored.started_on),
        ended_on: changes.ended_on.unwrap_or(stored.ended_on),
        outcomes: match changes.outcomes {
            Some(outcomes) => outcomes,
            None => stored
                .outcomes
                .clone()
                .map(Description::parse)
                .transpose()
                .map_err(|_| corrupt("outcomes"))?,
        },
        participants,
        themes,
    })
}

/// `filter(partnership_id = id)` on the two link tables.
trait ByPartnership {
    fn filter_by_partnership(self, id: i32) -> Self;
}

impl ByPartnership for sea_orm::Select<partnership_city::Entity> {
    fn filter_by_partnership(self, id: i32) -> Self {
        use sea_orm::{ColumnTrait, QueryFilter, QueryOrder};
        self.filter(partnership_city::Column::PartnershipId.eq(id))
            .order_by_asc(partnership_city::Column::CityId)
    }
}

impl ByPartnership for sea_orm::Select<partnership_theme::Entity> {
    fn filter_by_partnership(self, id: i32) -> Self {
        use sea_orm::{ColumnTrait, QueryFilter};
        self.filter(partnership_theme::Column::PartnershipId.eq(id))
    }
}
