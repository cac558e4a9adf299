//! `kxc import`: practices from JSON Lines, funding records from JSON Lines or CSV.
//!
//! - Practices: every line is validated and written in its own transaction, so valid lines are
//!   stored and each bad line is reported with its number and field.
//! - Funding (`--source S`): the records go through `upsertFundingOpportunities`'s code
//!   (`funding_sync::push`) in batches of [`MAX_BATCH`](super::funding_sync::MAX_BATCH):
//!   every batch of the file is checked first, and a bad line anywhere stores nothing (each
//!   problem is reported with its line number and field); then the batches are stored, each in
//!   its own transaction with its `change_log` rows and audit row. The file is CSV when its
//!   name ends in `.csv` (or `--format csv`; the columns are `service::funding_csv`'s), JSON
//!   Lines otherwise.

use std::fmt;
use std::io::IsTerminal;
use std::path::Path;

use anyhow::Context;
use indicatif::{ProgressBar, ProgressStyle};
use sea_orm::DatabaseConnection;

use std::collections::HashMap;

use super::funding_sync::MAX_BATCH;
use super::funding_sync::push::{self, Incoming, Push};
use super::records::{FieldError, FundingRecord, PracticeRecord, parse_record, parse_value};
use super::{ServiceError, funding_csv, funding_write, practice_write};
use crate::domain::{FieldPath, Segment, Slug, Viewer};

#[derive(Clone, Debug)]
pub enum Kind {
    Practices,
    Funding {
        source: String,
        /// `None`: from the file name (`.csv` is CSV, anything else JSON Lines).
        format: Option<Format>,
    },
}

/// How a funding file is written.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Jsonl,
    Csv,
}

impl Format {
    fn of(path: &Path) -> Self {
        match path.extension().and_then(|extension| extension.to_str()) {
            Some(extension) if extension.eq_ignore_ascii_case("csv") => Self::Csv,
            _ => Self::Jsonl,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LineError {
    pub line: usize,
    /// Printed in the import file's spelling, `cost.currency` or `links[0].url`.
    pub path: FieldPath,
    pub message: String,
}

#[derive(Clone, Debug, Default)]
pub struct ImportReport {
    pub stored: usize,
    pub unchanged: usize,
    pub errors: Vec<LineError>,
}

impl ImportReport {
    /// Number of lines that were not stored.
    pub fn rejected(&self) -> usize {
        let mut lines: Vec<usize> = self.errors.iter().map(|error| error.line).collect();
        lines.dedup();
        lines.len()
    }
}

impl fmt::Display for ImportReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for error in &self.errors {
            let field = if error.path.is_empty() {
                "(line)".to_owned()
            } else {
                error.path.snake()
            };
            writeln!(f, "line {}: {}: {}", error.line, field, error.message)?;
        }
        write!(
            f,
            "{} stored, {} unchanged, {} rejected",
            self.stored,
            self.unchanged,
            self.rejected()
        )
    }
}

pub async fn import_file(
    db: &DatabaseConnection,
    path: &Path,
    kind: Kind,
) -> anyhow::Result<ImportReport> {
    let text = std::fs::read_to_string(path).with_context(|| format!("read {}", path.display()))?;
    if let Kind::Funding { source, format } = &kind {
        let source =
            Slug::parse(source).map_err(|message| anyhow::anyhow!("--source: {message}"))?;
        let format = format.unwrap_or_else(|| Format::of(path));
        return import_funding_file(db, &source, &text, format).await;
    }
    let lines: Vec<(usize, &str)> = text
        .lines()
        .enumerate()
        .map(|(index, line)| (index + 1, line.trim()))
        .filter(|(_, line)| !line.is_empty())
        .collect();
    let progress = progress_bar(lines.len() as u64);
    let mut report = ImportReport::default();
    for (number, line) in lines {
        match import_practice(db, line).await {
            Ok(true) => report.stored += 1,
            Ok(false) => report.unchanged += 1,
            Err(LineFailure::Invalid(errors)) => {
                report
                    .errors
                    .extend(errors.into_iter().map(|error| LineError {
                        line: number,
                        path: error.path,
                        message: error.message,
                    }));
            }
            Err(LineFailure::Db(error)) => {
                return Err(anyhow::Error::new(error).context(format!("line {number}")));
            }
        }
        progress.inc(1);
    }
    progress.finish_and_clear();
    Ok(report)
}

enum LineFailure {
    Invalid(Vec<FieldError>),
    Db(sea_orm::DbErr),
}

impl From<ServiceError> for LineFailure {
    fn from(error: ServiceError) -> Self {
        match error {
            ServiceError::Invalid(errors) => Self::Invalid(errors),
            ServiceError::Db(error) => Self::Db(error),
            // The importer runs as the operator; a refusal is reported against the line.
            other => Self::Invalid(vec![FieldError::new("", other.to_string())]),
        }
    }
}

impl From<sea_orm::DbErr> for LineFailure {
    fn from(error: sea_orm::DbErr) -> Self {
        Self::Db(error)
    }
}

async fn import_practice(db: &DatabaseConnection, line: &str) -> Result<bool, LineFailure> {
    let record: PracticeRecord =
        parse_record(line).map_err(|error| LineFailure::Invalid(vec![error]))?;
    let txn = crate::service::change_log::begin_write(db).await?;
    practice_write::upsert(&txn, record).await?;
    txn.commit().await?;
    Ok(true)
}

/// One record of a funding file: its line number and what parsing it gave.
type FundingLine = (usize, Result<FundingRecord, Vec<FieldError>>);

async fn import_funding_file(
    db: &DatabaseConnection,
    source: &Slug,
    text: &str,
    format: Format,
) -> anyhow::Result<ImportReport> {
    let mut report = ImportReport::default();
    let records: Vec<FundingLine> = match format {
        Format::Jsonl => text
            .lines()
            .enumerate()
            .map(|(index, line)| (index + 1, line.trim()))
            .filter(|(_, line)| !line.is_empty())
            .map(|(number, line)| (number, parse_record(line).map_err(|error| vec![error])))
            .collect(),
        Format::Csv => match funding_csv::read(text) {
            Ok(rows) => rows
                .into_iter()
                .map(|row| {
                    let record = row
                        .record
                        .and_then(|value| parse_value(value).map_err(|error| vec![error]));
                    (row.line, record)
                })
                .collect(),
            Err((line, error)) => {
                report.errors.push(LineError {
                    line,
                    path: error.path,
                    message: error.message,
                });
                return Ok(report);
            }
        },
    };
    let progress = progress_bar(records.len() as u64);
    // A record names the source it belongs to at most as `--source`, and each record once.
    let mut seen: HashMap<String, usize> = HashMap::new();
    let mut checked_lines = Vec::with_capacity(records.len());
    for (number, record) in records {
        let record = record.and_then(|record| {
            let mut problems = Vec::new();
            if let Some(own) = &record.source
                && own != source
            {
                problems.push(FieldError::new(
                    "source",
                    format!("`{own}` differs from --source `{source}`"),
                ));
            }
            let external_id = record.external_id.as_str().to_owned();
            if let Some(first) = seen.insert(external_id.clone(), number) {
                problems.push(FieldError::new(
                    "external_id",
                    format!("`{external_id}` is also on line {first}; list each record once"),
                ));
            }
            if problems.is_empty() {
                Ok(record)
            } else {
                Err(problems)
            }
        });
        checked_lines.push((number, record));
    }

    // Check every batch before storing any: a bad line anywhere stores nothing.
    let operator = Viewer::operator();
    let mut batches = Vec::new();
    let mut chunks = checked_lines.into_iter().peekable();
    while chunks.peek().is_some() {
        let chunk: Vec<FundingLine> = chunks.by_ref().take(MAX_BATCH).collect();
        let numbers: Vec<usize> = chunk.iter().map(|(number, _)| *number).collect();
        let push = Push {
            source: source.clone(),
            records: chunk
                .into_iter()
                .map(|(_, record)| Incoming {
                    record,
                    expected_version: None,
                })
                .collect(),
            reason: Some("kxc import funding".to_owned()),
        };
        match push::check(db, &operator, push).await {
            Ok(checked) => batches.push(checked),
            Err(ServiceError::Invalid(errors)) => {
                report
                    .errors
                    .extend(errors.into_iter().map(|error| at_line(&numbers, error)));
            }
            Err(ServiceError::Db(error)) => return Err(error.into()),
            Err(other) => anyhow::bail!("{other}"),
        }
    }
    if !report.errors.is_empty() {
        progress.finish_and_clear();
        return Ok(report);
    }
    for checked in batches {
        let count = checked.len() as u64;
        let pushed = match push::store(db, &operator, checked).await {
            Ok(pushed) => pushed,
            Err(ServiceError::Db(error)) => return Err(error.into()),
            Err(other) => anyhow::bail!("{other}"),
        };
        for result in pushed {
            match result.outcome {
                funding_write::Outcome::Unchanged(_) => report.unchanged += 1,
                _ => report.stored += 1,
            }
        }
        progress.inc(count);
    }
    progress.finish_and_clear();
    Ok(report)
}

/// A batch's error (`records[i].field`) as the file's (line of record `i`, `field`).
fn at_line(numbers: &[usize], error: FieldError) -> LineError {
    let segments = error.path.segments();
    match segments {
        [Segment::Field(_), Segment::Index(index), rest @ ..] => LineError {
            line: numbers.get(*index).copied().unwrap_or(0),
            path: rest
                .iter()
                .fold(FieldPath::root(), |path, segment| match segment {
                    Segment::Field(name) => path.field(name.clone()),
                    Segment::Index(index) => path.index(*index),
                }),
            message: error.message,
        },
        _ => LineError {
            line: numbers.first().copied().unwrap_or(0),
            path: error.path,
            message: error.message,
        },
    }
}

fn progress_bar(length: u64) -> ProgressBar {
    if !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new(length);
    if let Ok(style) = ProgressStyle::with_template("{bar:40} {pos}/{len} lines {elapsed}") {
        bar.set_style(style);
    }
    bar
}
