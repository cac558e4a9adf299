//! The CSV spelling of funding records, shared by `GET /export/funding.csv` (writing) and
//! `kxc import funding FILE.csv` (reading), so an export re-imports unchanged.
//!
//! - One header row naming the columns: [`COLUMNS`], the import format's fields (snake_case,
//!   stored enum values such as `technical_assistance`). The reader takes the columns in any
//!   order and any subset that holds the required fields; an unknown column is an error.
//! - List fields (`eligible_regions`, `eligible_applicants`, `themes`, `deadlines`) hold their
//!   elements in one cell separated by [`LIST_SEPARATOR`] (`|`, which no region code, theme path,
//!   applicant kind or date contains); an empty cell is an empty list.
//! - An empty cell is an absent value; `rolling` is `true` or `false`; numbers are decimal.
//! - Funding records carry no translations (the import format has none), so there are no
//!   translation columns.
//! - The export ends with one trailer row of the same width whose `source` cell is
//!   [`TRAILER_MARKER`] and whose `external_id` cell is the change cursor of the snapshot (no
//!   slug starts with `#`); the reader skips it when it is the last row.
//!
//! Quoting follows RFC 4180 (the `csv` crate).

use serde_json::{Map, Value};

use super::export::Line;
use super::records::FieldError;

/// The columns, in export order.
pub const COLUMNS: [&str; 21] = [
    "source",
    "external_id",
    "title",
    "summary",
    "provider",
    "provider_level",
    "provider_country",
    "instrument",
    "direction",
    "eligible_regions",
    "eligible_applicants",
    "themes",
    "amount_min",
    "amount_max",
    "currency",
    "co_financing_rate",
    "opens_at",
    "deadlines",
    "rolling",
    "url",
    "language",
];

/// Separates the elements of a list field inside its cell.
pub const LIST_SEPARATOR: char = '|';

/// The `source` cell of the trailer row.
pub const TRAILER_MARKER: &str = "#change-cursor";

const LISTS: [&str; 4] = [
    "eligible_regions",
    "eligible_applicants",
    "themes",
    "deadlines",
];
const NUMBERS: [&str; 3] = ["amount_min", "amount_max", "co_financing_rate"];

/// The header row.
pub fn header() -> Vec<u8> {
    encode([COLUMNS.map(str::to_owned)])
}

/// The rows of `lines`, in [`COLUMNS`] order.
pub fn rows(lines: &[Line]) -> Vec<u8> {
    encode(lines.iter().map(row))
}

/// The trailer row naming the snapshot's change cursor.
pub fn trailer(cursor: &str) -> Vec<u8> {
    let mut cells: [String; COLUMNS.len()] = Default::default();
    cells[0] = TRAILER_MARKER.to_owned();
    cells[1] = cursor.to_owned();
    encode([cells])
}

fn encode(rows: impl IntoIterator<Item = [String; COLUMNS.len()]>) -> Vec<u8> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    for row in rows {
        writer.write_record(&row).expect("writing to memory");
    }
    writer.into_inner().expect("writing to memory")
}

fn row(line: &Line) -> [String; COLUMNS.len()] {
    let text = |value: &Option<String>| value.clone().unwrap_or_default();
    let number = |value: Option<f64>| value.map(|number| number.to_string()).unwrap_or_default();
    let list = |values: &[String]| values.join(&LIST_SEPARATOR.to_string());
    let stored = |wire: &str| wire.to_ascii_lowercase();
    [
        line.source.clone(),
        line.external_id.clone(),
        line.title.clone(),
        line.summary.clone(),
        text(&line.provider),
        stored(&line.provider_level),
        text(&line.provider_country),
        stored(&line.instrument),
        stored(&line.direction),
        list(&line.eligible_regions),
        list(
            &line
                .eligible_applicants
                .iter()
                .map(|kind| stored(kind))
                .collect::<Vec<_>>(),
        ),
        list(&line.themes),
        number(line.amount_min),
        number(line.amount_max),
        text(&line.currency),
        number(line.co_financing_rate),
        text(&line.opens_at),
        list(&line.deadlines),
        line.rolling.to_string(),
        text(&line.url),
        line.language.clone(),
    ]
}

/// One data row of a CSV file: its line number and the record in the import format's JSON
/// spelling, or the problems (paths are field names) that kept it from being read.
pub struct Row {
    pub line: usize,
    pub record: Result<Value, Vec<FieldError>>,
}

/// Reads a CSV file (header row first) into rows; the error is a problem of the file as a
/// whole (an unknown or repeated column, broken quoting) with its line number.
pub fn read(text: &str) -> Result<Vec<Row>, (usize, FieldError)> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(false)
        .from_reader(text.as_bytes());
    let headers = reader
        .headers()
        .map_err(|error| (1, FieldError::new("", format!("invalid CSV: {error}"))))?
        .clone();
    let mut columns: Vec<&'static str> = Vec::with_capacity(headers.len());
    for name in &headers {
        let Some(column) = COLUMNS.iter().find(|column| **column == name.trim()) else {
            return Err((
                1,
                FieldError::new(
                    name,
                    format!("unknown column; the columns are {}", COLUMNS.join(", ")),
                ),
            ));
        };
        if columns.contains(column) {
            return Err((1, FieldError::new(*column, "the column appears twice")));
        }
        columns.push(column);
    }
    let mut rows = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|error| {
            let line = error
                .position()
                .map_or(0, |position| position.line() as usize);
            (line, FieldError::new("", format!("invalid CSV: {error}")))
        })?;
        let line = record
            .position()
            .map_or(0, |position| position.line() as usize);
        rows.push(Row {
            line,
            record: to_record(&columns, &record),
        });
    }
    // The export's trailer row is not a record.
    if let Some(last) = rows.last()
        && let Ok(record) = &last.record
        && record.get("source").and_then(Value::as_str) == Some(TRAILER_MARKER)
    {
        rows.pop();
    }
    Ok(rows)
}

fn to_record(
    columns: &[&'static str],
    record: &csv::StringRecord,
) -> Result<Value, Vec<FieldError>> {
    let mut object = Map::new();
    let mut errors = Vec::new();
    for (column, cell) in columns.iter().zip(record.iter()) {
        let value = if LISTS.contains(column) {
            Value::Array(
                cell.split(LIST_SEPARATOR)
                    .filter(|element| !element.is_empty())
                    .map(|element| Value::String(element.to_owned()))
                    .collect(),
            )
        } else if cell.is_empty() {
            continue;
        } else if NUMBERS.contains(column) {
            match cell.trim().parse::<f64>() {
                Ok(number) if number.is_finite() => Value::from(number),
                _ => {
                    errors.push(FieldError::new(
                        *column,
                        format!("`{cell}` is not a number"),
                    ));
                    continue;
                }
            }
        } else if *column == "rolling" {
            match cell.trim() {
                "true" => Value::Bool(true),
                "false" => Value::Bool(false),
                _ => {
                    errors.push(FieldError::new(
                        *column,
                        format!("`{cell}` is neither `true` nor `false`"),
                    ));
                    continue;
                }
            }
        } else {
            Value::String(cell.to_owned())
        };
        object.insert((*column).to_owned(), value);
    }
    if errors.is_empty() {
        Ok(Value::Object(object))
    } else {
        Err(errors)
    }
}
