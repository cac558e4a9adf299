//! The funding snapshot for a partner's first sync (`GET /export/funding.jsonl`): every live
//! (not tombstoned) funding opportunity as one line of the push format, read in ONE read-only
//! transaction together with the change-log position it is consistent with. The transaction is
//! REPEATABLE READ on PostgreSQL; on SQLite (WAL) a read transaction sees one snapshot from its
//! first read. The position is read first, so the snapshot holds exactly the changes up to it:
//! `change_log::append` makes seqs commit in order, so a change after the position is not in
//! the snapshot and a change up to it is.
//!
//! Rows are read by keyset on `id` in batches of [`BATCH`], so memory stays constant however
//! large the table is.

use std::collections::HashMap;

use sea_orm::{
    AccessMode, ColumnTrait, ConnectionTrait, DatabaseConnection, DatabaseTransaction, EntityTrait,
    IsolationLevel, QueryFilter, QueryOrder, QuerySelect, SqliteTransactionMode,
    TransactionOptions, TransactionTrait,
};
use serde::Serialize;

use crate::entity::{
    funding_applicant, funding_deadline, funding_opportunity, funding_region, funding_theme,
    organisation, region, theme,
};

/// Records read per statement.
pub const BATCH: u64 = 500;

/// An open snapshot: the read transaction and the change-log position it is consistent with.
pub struct Snapshot {
    /// Open until the last batch was read.
    txn: Option<DatabaseTransaction>,
    /// The greatest `change_log.seq` in the snapshot (0: no change yet).
    pub seq: i64,
    source: Option<String>,
    after_id: i32,
}

impl Snapshot {
    /// Begins the read transaction and reads the change-log position inside it (the first
    /// read, which fixes the snapshot on both backends).
    pub async fn begin(
        db: &DatabaseConnection,
        source: Option<String>,
    ) -> Result<Self, sea_orm::DbErr> {
        let txn = read_snapshot(db).await?;
        let seq = crate::service::change_consumer::latest_seq(&txn).await?;
        Ok(Self {
            txn: Some(txn),
            seq,
            source,
            after_id: 0,
        })
    }

    /// The next batch of lines, in `id` order; empty when every record was read, after which
    /// the transaction is closed.
    pub async fn next_batch(&mut self) -> Result<Vec<Line>, sea_orm::DbErr> {
        let Some(txn) = &self.txn else {
            return Ok(Vec::new());
        };
        let mut query = super::funding::live()
            .filter(funding_opportunity::Column::Id.gt(self.after_id))
            .order_by_asc(funding_opportunity::Column::Id)
            .limit(BATCH);
        if let Some(source) = &self.source {
            query = query.filter(funding_opportunity::Column::Source.eq(source.as_str()));
        }
        let rows = query.all(txn).await?;
        let last_batch = rows.len() < BATCH as usize;
        if let Some(last) = rows.last() {
            self.after_id = last.id;
        }
        let lines = lines(txn, rows).await?;
        if last_batch && let Some(txn) = self.txn.take() {
            // Nothing was written: committing the read-only transaction just ends it.
            txn.commit().await?;
        }
        Ok(lines)
    }
}

/// A read-only transaction that sees one snapshot of the database from its first read:
/// REPEATABLE READ on PostgreSQL, a deferred transaction on SQLite (WAL). Every export reads
/// its batches in one.
pub async fn read_snapshot(db: &DatabaseConnection) -> Result<DatabaseTransaction, sea_orm::DbErr> {
    let options = if crate::db::is_postgres(db) {
        TransactionOptions {
            isolation_level: Some(IsolationLevel::RepeatableRead),
            access_mode: Some(AccessMode::ReadOnly),
            sqlite_transaction_mode: None,
        }
    } else {
        // A deferred transaction: its first read takes the WAL snapshot it keeps.
        TransactionOptions {
            sqlite_transaction_mode: Some(SqliteTransactionMode::Deferred),
            ..Default::default()
        }
    };
    db.begin_with_options(options).await
}

/// The push-format line of each row, with its lists, in the order of `rows`.
async fn lines(
    db: &impl ConnectionTrait,
    rows: Vec<funding_opportunity::Model>,
) -> Result<Vec<Line>, sea_orm::DbErr> {
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    let ids: Vec<i32> = rows.iter().map(|row| row.id).collect();
    let mut deadlines: HashMap<i32, Vec<String>> = HashMap::new();
    for row in funding_deadline::Entity::find()
        .filter(funding_deadline::Column::FundingId.is_in(ids.iter().copied()))
        .order_by_asc(funding_deadline::Column::Deadline)
        .all(db)
        .await?
    {
        deadlines
            .entry(row.funding_id)
            .or_default()
            .push(day(row.deadline));
    }
    let mut applicants: HashMap<i32, Vec<String>> = HashMap::new();
    for row in funding_applicant::Entity::find()
        .filter(funding_applicant::Column::FundingId.is_in(ids.iter().copied()))
        .order_by_asc(funding_applicant::Column::ApplicantKind)
        .all(db)
        .await?
    {
        applicants
            .entry(row.funding_id)
            .or_default()
            .push(wire_enum(&row.applicant_kind));
    }
    let regions: Vec<(i32, String)> = funding_region::Entity::find()
        .select_only()
        .column(funding_region::Column::FundingId)
        .column(region::Column::Code)
        .inner_join(region::Entity)
        .filter(funding_region::Column::FundingId.is_in(ids.iter().copied()))
        .order_by_asc(region::Column::Code)
        .into_tuple()
        .all(db)
        .await?;
    let mut region_codes: HashMap<i32, Vec<String>> = HashMap::new();
    for (funding_id, code) in regions {
        region_codes.entry(funding_id).or_default().push(code);
    }
    let themes: Vec<(i32, String)> = funding_theme::Entity::find()
        .select_only()
        .column(funding_theme::Column::FundingId)
        .column(theme::Column::Path)
        .inner_join(theme::Entity)
        .filter(funding_theme::Column::FundingId.is_in(ids.iter().copied()))
        .order_by_asc(theme::Column::Path)
        .into_tuple()
        .all(db)
        .await?;
    let mut theme_paths: HashMap<i32, Vec<String>> = HashMap::new();
    for (funding_id, path) in themes {
        theme_paths.entry(funding_id).or_default().push(path);
    }
    let provider_ids: Vec<i32> = rows.iter().filter_map(|row| row.provider_id).collect();
    let providers: HashMap<i32, String> = if provider_ids.is_empty() {
        HashMap::new()
    } else {
        organisation::Entity::find()
            .select_only()
            .column(organisation::Column::Id)
            .column(organisation::Column::Slug)
            .filter(organisation::Column::Id.is_in(provider_ids))
            .into_tuple()
            .all(db)
            .await?
            .into_iter()
            .collect()
    };
    Ok(rows
        .into_iter()
        .map(|row| Line {
            provider: row.provider_id.and_then(|id| providers.get(&id).cloned()),
            provider_level: wire_enum(&row.provider_level),
            instrument: wire_enum(&row.instrument),
            direction: wire_enum(&row.direction),
            eligible_regions: region_codes.remove(&row.id).unwrap_or_default(),
            eligible_applicants: applicants.remove(&row.id).unwrap_or_default(),
            themes: theme_paths.remove(&row.id).unwrap_or_default(),
            opens_at: row.opens_at.map(day),
            deadlines: deadlines.remove(&row.id).unwrap_or_default(),
            external_id: row.external_id,
            source: row.source,
            title: row.title,
            summary: row.summary,
            provider_country: row.provider_country,
            amount_min: row.amount_min,
            amount_max: row.amount_max,
            currency: row.currency,
            co_financing_rate: row.co_financing_rate,
            rolling: row.rolling,
            url: row.url,
            language: row.language,
            version: row.version,
        })
        .collect())
}

/// One line of the export: the push mutation's record fields (GraphQL enum values), plus the
/// record's `source` and stored `version`. Lists are sorted.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Line {
    pub external_id: String,
    pub source: String,
    pub title: String,
    pub summary: String,
    pub provider: Option<String>,
    pub provider_level: String,
    pub provider_country: Option<String>,
    pub instrument: String,
    pub direction: String,
    pub eligible_regions: Vec<String>,
    pub eligible_applicants: Vec<String>,
    pub themes: Vec<String>,
    pub amount_min: Option<f64>,
    pub amount_max: Option<f64>,
    pub currency: Option<String>,
    pub co_financing_rate: Option<f64>,
    pub opens_at: Option<String>,
    pub deadlines: Vec<String>,
    pub rolling: bool,
    pub url: Option<String>,
    pub language: String,
    pub version: i32,
}

fn day(date: chrono::NaiveDate) -> String {
    date.format("%Y-%m-%d").to_string()
}

/// A stored enum value (`technical_assistance`) as the GraphQL enum value the push mutation
/// takes (`TECHNICAL_ASSISTANCE`).
fn wire_enum(stored: &str) -> String {
    stored.to_ascii_uppercase()
}
