//! `kxc import`: one JSON object per line; every line is validated and written in its own
//! transaction, so valid lines are stored and each bad line is reported with its number and field.

use std::fmt;
use std::io::IsTerminal;
use std::path::Path;

use anyhow::Context;
use indicatif::{ProgressBar, ProgressStyle};
use sea_orm::{DatabaseConnection, TransactionTrait};

use super::records::{FieldError, FundingRecord, PracticeRecord, parse_record};
use super::{ServiceError, funding_write, practice_write};
use crate::domain::{FieldPath, Slug};

#[derive(Clone, Debug)]
pub enum Kind {
    Practices,
    Funding { source: String },
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
    let source = match &kind {
        Kind::Funding { source } => {
            Some(Slug::parse(source).map_err(|message| anyhow::anyhow!("--source: {message}"))?)
        }
        Kind::Practices => None,
    };
    let lines: Vec<(usize, &str)> = text
        .lines()
        .enumerate()
        .map(|(index, line)| (index + 1, line.trim()))
        .filter(|(_, line)| !line.is_empty())
        .collect();
    let progress = progress_bar(lines.len() as u64);
    let mut report = ImportReport::default();
    for (number, line) in lines {
        let result = match &source {
            None => import_practice(db, line).await,
            Some(source) => import_funding(db, source, line).await,
        };
        match result {
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
    let txn = db.begin().await?;
    practice_write::upsert(&txn, record).await?;
    txn.commit().await?;
    Ok(true)
}

async fn import_funding(
    db: &DatabaseConnection,
    source: &Slug,
    line: &str,
) -> Result<bool, LineFailure> {
    let record: FundingRecord =
        parse_record(line).map_err(|error| LineFailure::Invalid(vec![error]))?;
    if let Some(own) = &record.source
        && own != source
    {
        return Err(LineFailure::Invalid(vec![FieldError::new(
            "source",
            format!("`{own}` differs from --source `{source}`"),
        )]));
    }
    let txn = db.begin().await?;
    let outcome = funding_write::upsert(&txn, source, record).await?;
    txn.commit().await?;
    Ok(!matches!(outcome, funding_write::Outcome::Unchanged(_)))
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
