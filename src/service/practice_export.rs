//! The practice export for researchers (`GET /export/practices.{csv,jsonl,geojson}`): every
//! practice an anonymous visitor sees (published ones) that a [`PracticeFilter`] selects, the
//! same rows `practices(filter:)` lists, read by keyset on `id` in batches of [`BATCH`] inside
//! one read-only snapshot transaction (`export::read_snapshot`), so memory stays constant and
//! the export is consistent however long it streams.

use std::collections::HashMap;
use std::sync::Arc;

use chrono::{DateTime, FixedOffset, NaiveDate};
use sea_orm::{
    ColumnTrait, DatabaseConnection, DatabaseTransaction, QueryFilter, QueryOrder, QuerySelect,
    Select,
};

use super::ServiceError;
use super::practice_query::PracticeFilter;
use super::reference::{Reference, ReferenceCache};
use crate::domain::Viewer;
use crate::entity::practice;

/// Practices read per statement.
pub const BATCH: u64 = 200;

/// An open export: the read transaction and the filtered query it pages through.
pub struct PracticeSnapshot {
    /// Open until the last batch was read.
    txn: Option<DatabaseTransaction>,
    /// Themes and regions as of the snapshot's `change_log` tail (or newer, when the
    /// process's cache already holds a later check).
    reference: Arc<Reference>,
    query: Select<practice::Entity>,
    after_id: i32,
}

impl PracticeSnapshot {
    /// Begins the read transaction and resolves `filter` inside it; an unknown theme, region,
    /// city or network is `ServiceError::Invalid` at `filter.<field>[i]`, as for the query.
    pub async fn begin(
        db: &DatabaseConnection,
        cache: &ReferenceCache,
        filter: &PracticeFilter,
    ) -> Result<Self, ServiceError> {
        let txn = super::export::read_snapshot(db).await?;
        let reference = cache.current(&txn).await?;
        let query =
            super::practices::filtered(&txn, &reference, &Viewer::anonymous(), filter).await?;
        Ok(Self {
            txn: Some(txn),
            reference,
            query,
            after_id: 0,
        })
    }

    /// The next batch in `id` order; empty when every practice was read, after which the
    /// transaction is closed.
    pub async fn next_batch(&mut self) -> Result<Vec<ExportedPractice>, sea_orm::DbErr> {
        let Some(txn) = &self.txn else {
            return Ok(Vec::new());
        };
        let rows = self
            .query
            .clone()
            .filter(practice::Column::Id.gt(self.after_id))
            .order_by_asc(practice::Column::Id)
            .limit(BATCH)
            .all(txn)
            .await?;
        let last_batch = rows.len() < BATCH as usize;
        if let Some(last) = rows.last() {
            self.after_id = last.id;
        }
        let exported = exported(txn, &self.reference, rows).await?;
        if last_batch && let Some(txn) = self.txn.take() {
            // Nothing was written: committing the read-only transaction just ends it.
            txn.commit().await?;
        }
        Ok(exported)
    }
}

/// A city carrying out an exported practice, with its point.
#[derive(Clone, Debug)]
pub struct CityPoint {
    pub slug: String,
    pub name: String,
    pub country_code: String,
    pub lon: f64,
    pub lat: f64,
}

/// One exported practice: its columns, theme paths (in theme order) and cities (by name).
#[derive(Clone, Debug)]
pub struct ExportedPractice {
    pub id: i32,
    pub slug: String,
    pub title: String,
    pub summary: String,
    pub language: String,
    pub themes: Vec<String>,
    pub cities: Vec<CityPoint>,
    /// The stored label (`proven`); null when unevaluated.
    pub evaluation_label: Option<String>,
    pub score: Option<f64>,
    pub evaluation_count: i32,
    pub impact_tco2e: Option<f64>,
    pub cost_amount: Option<f64>,
    pub cost_currency: Option<String>,
    pub start_date: Option<NaiveDate>,
    pub end_date: Option<NaiveDate>,
    pub published_at: Option<DateTime<FixedOffset>>,
    pub updated_at: DateTime<FixedOffset>,
    /// The practice's first http(s) link (its source page), as `Practice.links` lists them.
    pub url: Option<String>,
}

#[derive(serde::Deserialize)]
struct StoredLink {
    url: String,
}

fn first_link(links: &serde_json::Value) -> Option<String> {
    let links: Vec<StoredLink> = serde_json::from_value(links.clone()).unwrap_or_default();
    links
        .into_iter()
        .map(|link| link.url)
        .find(|url| crate::domain::HttpUrl::parse(url).is_ok())
}

async fn exported(
    txn: &DatabaseTransaction,
    reference: &Reference,
    rows: Vec<practice::Model>,
) -> Result<Vec<ExportedPractice>, sea_orm::DbErr> {
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    let ids: Vec<i32> = rows.iter().map(|row| row.id).collect();
    let mut cities = super::batch::practice_cities(txn, &ids).await?;
    let mut themes: HashMap<i32, Vec<String>> = super::batch::practice_themes(txn, reference, &ids)
        .await?
        .into_iter()
        .map(|(id, themes)| (id, themes.into_iter().map(|theme| theme.row.path).collect()))
        .collect();
    Ok(rows
        .into_iter()
        .map(|row| ExportedPractice {
            themes: themes.remove(&row.id).unwrap_or_default(),
            cities: cities
                .remove(&row.id)
                .unwrap_or_default()
                .into_iter()
                .map(|city| CityPoint {
                    slug: city.slug,
                    name: city.name,
                    country_code: city.country_code,
                    lon: city.lon,
                    lat: city.lat,
                })
                .collect(),
            url: first_link(&row.links),
            id: row.id,
            slug: row.slug,
            title: row.title,
            summary: row.summary,
            language: row.original_language,
            evaluation_label: row.evaluation_label,
            score: row.score,
            evaluation_count: row.evaluation_count,
            impact_tco2e: row.impact_tco2e,
            cost_amount: row.cost_amount,
            cost_currency: row.cost_currency,
            start_date: row.start_date,
            end_date: row.end_date,
            published_at: row.published_at,
            updated_at: row.updated_at,
        })
        .collect())
}
