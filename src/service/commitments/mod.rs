//! Commitment criteria: the facts [`domain::initiatives::assess`] needs, read from the
//! database, and the cities of an initiative that miss one of its criteria; and, one file per
//! action, the writes of a city's commitments (admins, and the city's own account), which change
//! what is derived at once.

pub mod create;
pub mod delete;
pub mod update;
mod validate;

pub use validate::NewCommitment;

use std::collections::HashMap;

use sea_orm::sea_query::Expr;
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, JoinType, QueryFilter, QueryOrder, QuerySelect,
    RelationTrait,
};

use crate::domain::initiatives::{self, CommitmentFacts, Initiative, TargetFacts};
use crate::domain::{CommitmentCriterion, Viewer};
use crate::entity::{city, commitment, organisation, practice, practice_city};

/// Today's date in UTC, the day criteria with a time window are judged on.
pub fn today() -> chrono::NaiveDate {
    chrono::Utc::now().date_naive()
}

/// The facts of one commitment of `city`, given the city's most recent published practice.
pub fn facts(
    city: &city::Model,
    commitment: &commitment::Model,
    published_practice: Option<i32>,
) -> CommitmentFacts {
    let recorded: Vec<String> =
        serde_json::from_value(commitment.criteria_met.clone()).unwrap_or_default();
    CommitmentFacts {
        targets: TargetFacts {
            target_year: city.target_year,
            reduction_pct: city.target_reduction_pct,
            net_zero_year: city.net_zero_year,
        },
        joined_on: commitment.joined_on,
        reference: commitment.evidence.clone(),
        pledge_recorded: recorded
            .iter()
            .any(|value| value == CommitmentCriterion::Pledge.as_str()),
        published_practice,
        reporting_platform: commitment.reporting_platform.clone(),
        last_reported_on: commitment.last_reported_on,
    }
}

/// The most recently published practice of each city (by city id); cities without one are
/// absent.
pub async fn latest_published_practices(
    db: &impl ConnectionTrait,
    city_ids: &[i32],
) -> Result<HashMap<i32, i32>, sea_orm::DbErr> {
    super::chunked::load(
        db,
        city_ids,
        super::chunked::PerKey::IN_LIST,
        |ids| async move {
            let rows: Vec<(i32, i32)> = practice_city::Entity::find()
                .select_only()
                .column(practice_city::Column::CityId)
                .column(practice_city::Column::PracticeId)
                .join(JoinType::InnerJoin, practice_city::Relation::Practice.def())
                .filter(practice_city::Column::CityId.is_in(ids.iter().copied()))
                .filter(
                    practice_city::Column::PracticeId
                        .in_subquery(super::practices::visible_ids(&Viewer::anonymous())),
                )
                .order_by_desc(Expr::col((practice::Entity, practice::Column::PublishedAt)))
                .order_by_desc(Expr::col((practice::Entity, practice::Column::Id)))
                .into_tuple()
                .all(db)
                .await?;
            let mut latest = HashMap::new();
            for (city_id, practice_id) in rows {
                latest.entry(city_id).or_insert(practice_id);
            }
            Ok(latest)
        },
    )
    .await
}

/// Ids of the cities committed to `initiative` that miss criterion `code` today.
pub async fn cities_missing(
    db: &impl ConnectionTrait,
    initiative: &Initiative,
    code: &str,
) -> Result<Vec<i32>, sea_orm::DbErr> {
    let commitments = commitment::Entity::find()
        .join(
            JoinType::InnerJoin,
            commitment::Relation::Organisation.def(),
        )
        .filter(organisation::Column::Slug.eq(initiative.slug))
        .all(db)
        .await?;
    let city_ids: Vec<i32> = commitments.iter().map(|row| row.city_id).collect();
    let cities: HashMap<i32, city::Model> = super::cities::by_ids(db, &city_ids)
        .await?
        .into_iter()
        .map(|row| (row.id, row))
        .collect();
    let practices = latest_published_practices(db, &city_ids).await?;
    let today = today();
    let mut missing = Vec::new();
    for row in &commitments {
        let Some(city) = cities.get(&row.city_id) else {
            continue;
        };
        let facts = facts(city, row, practices.get(&row.city_id).copied());
        let assessed = initiatives::assess(initiative, &facts, today);
        if assessed
            .iter()
            .any(|assessment| assessment.criterion.code == code && !assessment.met)
        {
            missing.push(row.city_id);
        }
    }
    missing.sort_unstable();
    Ok(missing)
}

/// The commitment of city `city_id` to organisation `organisation_id`, if any.
pub async fn find(
    db: &impl ConnectionTrait,
    city_id: i32,
    organisation_id: i32,
) -> Result<Option<commitment::Model>, sea_orm::DbErr> {
    commitment::Entity::find()
        .filter(commitment::Column::CityId.eq(city_id))
        .filter(commitment::Column::OrganisationId.eq(organisation_id))
        .one(db)
        .await
}
