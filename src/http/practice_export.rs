//! `GET /export/practices.csv`, `.jsonl` and `.geojson`: the published practices a filter
//! selects, for researchers (`service::practice_export`), streamed batch by batch from one
//! read snapshot (`export::streamed`), so memory stays constant. The query parameters are the
//! fields of `practices(filter:)`'s `PracticeFilter`, parsed into the same service filter by
//! the GraphQL input's own `parse` (lists comma-separated):
//!
//! `themes`, `regions`, `cities`, `networks`, `sdgs`, `languages`, `evaluationLabel` (lists);
//! `minScore`; `impactMin`, `impactMax`; `costMin`, `costMax`, `costCurrency`;
//! `implementedFrom`, `implementedTo` (`YYYY-MM-DD`, both or neither); `updatedSince` (RFC 3339).
//!
//! A bad or unknown value is 400 `BAD_USER_INPUT` whose message and `extensions.parameter`
//! name the parameter (`themes[1]`, `costCurrency`). Public data: anyone may read it; an export
//! costs `export::EXPORT_COST` from the caller's budget, like the funding export.

use axum::extract::{ConnectInfo, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::AppState;
use super::export::{Chunks, EXPORT_COST, json_lines, streamed};
use super::negotiate::ResponseMedia;
use super::reply;
use crate::domain::{FieldPath, RecordKind, Segment};
use crate::error::{AppError, ErrorCode};
use crate::graphql::ids::GlobalId;
use crate::graphql::inputs::{DateRange, EvaluationLabel, FloatRange, MoneyRange, PracticeFilter};
use crate::graphql::scalars::{Date, DateTime};
use crate::service::ServiceError;
use crate::service::practice_export::{ExportedPractice, PracticeSnapshot};

/// The filter as query parameters; every value is text, parsed here so a bad one names its
/// parameter.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PracticeExportParams {
    themes: Option<String>,
    regions: Option<String>,
    cities: Option<String>,
    networks: Option<String>,
    sdgs: Option<String>,
    languages: Option<String>,
    evaluation_label: Option<String>,
    min_score: Option<String>,
    impact_min: Option<String>,
    impact_max: Option<String>,
    cost_min: Option<String>,
    cost_max: Option<String>,
    cost_currency: Option<String>,
    implemented_from: Option<String>,
    implemented_to: Option<String>,
    updated_since: Option<String>,
}

/// A refused parameter: its name and why.
struct Refusal {
    parameter: String,
    message: String,
}

impl Refusal {
    fn new(parameter: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            parameter: parameter.into(),
            message: message.into(),
        }
    }

    fn response(self) -> Response {
        reply::bad_parameter(
            &self.parameter,
            format!("`{}`: {}", self.parameter, self.message),
        )
    }
}

/// A comma-separated list; absent or empty is no list (as a null GraphQL list).
fn list(text: Option<&str>) -> Option<Vec<String>> {
    let text = text.map(str::trim).filter(|text| !text.is_empty())?;
    Some(text.split(',').map(|item| item.trim().to_owned()).collect())
}

fn number(text: Option<&str>, parameter: &str) -> Result<Option<f64>, Refusal> {
    text.map(str::trim)
        .filter(|text| !text.is_empty())
        .map(|text| {
            text.parse::<f64>()
                .ok()
                .filter(|value| value.is_finite())
                .ok_or_else(|| {
                    Refusal::new(
                        parameter,
                        format!("`{}` is not a number", crate::domain::excerpt(text)),
                    )
                })
        })
        .transpose()
}

fn text(value: Option<&str>) -> Option<&str> {
    value.map(str::trim).filter(|value| !value.is_empty())
}

/// The GraphQL filter input the parameters spell, before its own validation.
fn input(params: &PracticeExportParams) -> Result<PracticeFilter, Refusal> {
    let sdgs = list(params.sdgs.as_deref())
        .map(|goals| {
            goals
                .iter()
                .enumerate()
                .map(|(index, goal)| {
                    goal.parse::<i32>().map_err(|_| {
                        Refusal::new(
                            format!("sdgs[{index}]"),
                            format!("`{}` is not a goal number", crate::domain::excerpt(goal)),
                        )
                    })
                })
                .collect::<Result<Vec<_>, _>>()
        })
        .transpose()?;
    let evaluation_label = list(params.evaluation_label.as_deref())
        .map(|labels| {
            labels
                .iter()
                .enumerate()
                .map(|(index, label)| {
                    EvaluationLabel::parse(&label.to_ascii_lowercase()).ok_or_else(|| {
                        Refusal::new(
                            format!("evaluationLabel[{index}]"),
                            format!(
                                "`{}` is no evaluation label (EXEMPLARY, PROVEN, PROMISING, EMERGING)",
                                crate::domain::excerpt(label)
                            ),
                        )
                    })
                })
                .collect::<Result<Vec<_>, _>>()
        })
        .transpose()?;
    let impact_min = number(params.impact_min.as_deref(), "impactMin")?;
    let impact_max = number(params.impact_max.as_deref(), "impactMax")?;
    let cost_min = number(params.cost_min.as_deref(), "costMin")?;
    let cost_max = number(params.cost_max.as_deref(), "costMax")?;
    let cost = match text(params.cost_currency.as_deref()) {
        Some(currency) => Some(MoneyRange {
            min: cost_min,
            max: cost_max,
            currency: currency.to_owned(),
        }),
        None if cost_min.is_some() || cost_max.is_some() => {
            return Err(Refusal::new(
                "costCurrency",
                "is required with `costMin` or `costMax`",
            ));
        }
        None => None,
    };
    let implemented_between = match (
        text(params.implemented_from.as_deref()),
        text(params.implemented_to.as_deref()),
    ) {
        (Some(from), Some(to)) => Some(DateRange {
            from: day(from, "implementedFrom")?,
            to: day(to, "implementedTo")?,
        }),
        (None, None) => None,
        (Some(_), None) => {
            return Err(Refusal::new(
                "implementedTo",
                "is required with `implementedFrom`",
            ));
        }
        (None, Some(_)) => {
            return Err(Refusal::new(
                "implementedFrom",
                "is required with `implementedTo`",
            ));
        }
    };
    let updated_since = text(params.updated_since.as_deref())
        .map(|since| {
            chrono::DateTime::parse_from_rfc3339(since)
                .map(DateTime::from)
                .map_err(|_| {
                    Refusal::new(
                        "updatedSince",
                        format!(
                            "`{}` is not an RFC 3339 date and time (such as 2026-03-01T09:30:00Z)",
                            crate::domain::excerpt(since)
                        ),
                    )
                })
        })
        .transpose()?;
    Ok(PracticeFilter {
        themes: list(params.themes.as_deref()),
        regions: list(params.regions.as_deref()),
        cities: list(params.cities.as_deref()),
        networks: list(params.networks.as_deref()),
        sdgs,
        languages: list(params.languages.as_deref()),
        min_score: number(params.min_score.as_deref(), "minScore")?,
        evaluation_label,
        impact: (impact_min.is_some() || impact_max.is_some()).then_some(FloatRange {
            min: impact_min,
            max: impact_max,
        }),
        cost,
        implemented_between,
        updated_since,
    })
}

fn day(text: &str, parameter: &str) -> Result<Date, Refusal> {
    chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .map(Date::from)
        .map_err(|_| {
            Refusal::new(
                parameter,
                format!(
                    "`{}` is not a calendar date (YYYY-MM-DD)",
                    crate::domain::excerpt(text)
                ),
            )
        })
}

/// The parameter a filter path (`filter.themes[1]`, `filter.cost.currency`) names.
fn parameter(path: &FieldPath) -> String {
    let segments = path.segments();
    let rest = match segments.first() {
        Some(Segment::Field(name)) if name == "filter" => &segments[1..],
        _ => segments,
    };
    let field = |segment: Option<&Segment>| match segment {
        Some(Segment::Field(name)) => Some(FieldPath::from(name.as_str()).camel_text()),
        _ => None,
    };
    let Some(name) = field(rest.first()) else {
        return "filter".to_owned();
    };
    match (name.as_str(), rest.get(1)) {
        (_, Some(Segment::Index(index))) => format!("{name}[{index}]"),
        ("impact" | "cost", Some(next)) => {
            let next = field(Some(next)).unwrap_or_default();
            let mut chars = next.chars();
            let capital: String = chars
                .next()
                .map(|c| c.to_ascii_uppercase())
                .into_iter()
                .collect();
            format!("{name}{capital}{}", chars.as_str())
        }
        ("implementedBetween", Some(next)) => match field(Some(next)).as_deref() {
            Some("to") => "implementedTo".to_owned(),
            _ => "implementedFrom".to_owned(),
        },
        _ => name,
    }
}

fn refused_input(error: AppError) -> Response {
    Refusal::new(parameter(&error.field), error.message).response()
}

fn refused_filter(error: ServiceError) -> Response {
    match error {
        ServiceError::Invalid(errors) if !errors.is_empty() => {
            let first = parameter(&errors[0].path);
            let message = errors
                .iter()
                .map(|error| format!("`{}`: {}", parameter(&error.path), error.message))
                .collect::<Vec<_>>()
                .join("; ");
            reply::bad_parameter(&first, message)
        }
        other => {
            tracing::error!(error = ?other, "practice export: begin snapshot");
            reply::rejection(
                StatusCode::INTERNAL_SERVER_ERROR,
                ResponseMedia::Json,
                ErrorCode::Internal,
                "internal error",
            )
        }
    }
}

/// The formats a practice export is written in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Format {
    Csv,
    Jsonl,
    GeoJson,
}

impl Format {
    fn content_type(self) -> &'static str {
        match self {
            Format::Csv => "text/csv; charset=utf-8; header=present",
            Format::Jsonl => "application/jsonl; charset=utf-8",
            Format::GeoJson => "application/geo+json",
        }
    }

    fn head(self) -> Vec<u8> {
        match self {
            Format::Csv => csv_rows([COLUMNS.map(str::to_owned).to_vec()]),
            Format::Jsonl => Vec::new(),
            Format::GeoJson => br#"{"type":"FeatureCollection","features":["#.to_vec(),
        }
    }

    fn tail(self) -> Vec<u8> {
        match self {
            Format::GeoJson => b"\n]}\n".to_vec(),
            Format::Csv | Format::Jsonl => Vec::new(),
        }
    }
}

/// The CSV columns, in order. Lists are joined with `;`.
const COLUMNS: [&str; 19] = [
    "id",
    "slug",
    "title",
    "summary",
    "language",
    "themes",
    "cities",
    "countries",
    "evaluation_label",
    "score",
    "evaluation_count",
    "impact_tco2e",
    "cost_amount",
    "cost_currency",
    "start_date",
    "end_date",
    "published_at",
    "updated_at",
    "url",
];

fn global_id(id: i32) -> String {
    GlobalId::new(RecordKind::Practice, id).encode().0
}

/// The GraphQL enum value of a stored label (`proven` → `PROVEN`).
fn label(practice: &ExportedPractice) -> Option<String> {
    practice
        .evaluation_label
        .as_deref()
        .map(str::to_ascii_uppercase)
}

fn optional<T: ToString>(value: Option<T>) -> String {
    value.map(|value| value.to_string()).unwrap_or_default()
}

fn csv_rows(rows: impl IntoIterator<Item = Vec<String>>) -> Vec<u8> {
    let mut writer = csv::WriterBuilder::new()
        .has_headers(false)
        .from_writer(Vec::new());
    for row in rows {
        writer
            .write_record(&row)
            .expect("writing to memory succeeds");
    }
    writer.into_inner().expect("writing to memory succeeds")
}

fn csv_row(practice: &ExportedPractice) -> Vec<String> {
    let mut countries: Vec<&str> = practice
        .cities
        .iter()
        .map(|city| city.country_code.as_str())
        .collect();
    countries.sort_unstable();
    countries.dedup();
    vec![
        global_id(practice.id),
        practice.slug.clone(),
        practice.title.clone(),
        practice.summary.clone(),
        practice.language.clone(),
        practice.themes.join(";"),
        practice
            .cities
            .iter()
            .map(|city| city.slug.as_str())
            .collect::<Vec<_>>()
            .join(";"),
        countries.join(";"),
        label(practice).unwrap_or_default(),
        optional(practice.score),
        practice.evaluation_count.to_string(),
        optional(practice.impact_tco2e),
        optional(practice.cost_amount),
        optional(practice.cost_currency.as_ref()),
        optional(practice.start_date),
        optional(practice.end_date),
        optional(practice.published_at.map(|at| at.to_rfc3339())),
        practice.updated_at.to_rfc3339(),
        optional(practice.url.as_ref()),
    ]
}

/// A city of a JSON Lines record.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct CityLine<'a> {
    slug: &'a str,
    name: &'a str,
    country_code: &'a str,
    lon: f64,
    lat: f64,
}

/// One JSON Lines record.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PracticeLine<'a> {
    id: String,
    slug: &'a str,
    title: &'a str,
    summary: &'a str,
    language: &'a str,
    themes: &'a [String],
    cities: Vec<CityLine<'a>>,
    evaluation_label: Option<String>,
    score: Option<f64>,
    evaluation_count: i32,
    impact_tco2e: Option<f64>,
    cost_amount: Option<f64>,
    cost_currency: Option<&'a str>,
    start_date: Option<String>,
    end_date: Option<String>,
    published_at: Option<String>,
    updated_at: String,
    url: Option<&'a str>,
}

fn line(practice: &ExportedPractice) -> PracticeLine<'_> {
    PracticeLine {
        id: global_id(practice.id),
        slug: &practice.slug,
        title: &practice.title,
        summary: &practice.summary,
        language: &practice.language,
        themes: &practice.themes,
        cities: practice
            .cities
            .iter()
            .map(|city| CityLine {
                slug: &city.slug,
                name: &city.name,
                country_code: &city.country_code,
                lon: city.lon,
                lat: city.lat,
            })
            .collect(),
        evaluation_label: label(practice),
        score: practice.score,
        evaluation_count: practice.evaluation_count,
        impact_tco2e: practice.impact_tco2e,
        cost_amount: practice.cost_amount,
        cost_currency: practice.cost_currency.as_deref(),
        start_date: practice.start_date.map(|day| day.to_string()),
        end_date: practice.end_date.map(|day| day.to_string()),
        published_at: practice.published_at.map(|at| at.to_rfc3339()),
        updated_at: practice.updated_at.to_rfc3339(),
        url: practice.url.as_deref(),
    }
}

/// One GeoJSON Feature: a MultiPoint of the practice's cities (`[lon, lat]`, by city name),
/// null geometry when it has none.
fn feature(practice: &ExportedPractice) -> serde_json::Value {
    let geometry = if practice.cities.is_empty() {
        serde_json::Value::Null
    } else {
        json!({
            "type": "MultiPoint",
            "coordinates": practice
                .cities
                .iter()
                .map(|city| [city.lon, city.lat])
                .collect::<Vec<_>>(),
        })
    };
    let id = global_id(practice.id);
    json!({
        "type": "Feature",
        "id": id,
        "geometry": geometry,
        "properties": {
            "id": id,
            "slug": practice.slug,
            "title": practice.title,
            "language": practice.language,
            "themes": practice.themes,
            "cities": practice.cities.iter().map(|city| city.slug.as_str()).collect::<Vec<_>>(),
            "evaluationLabel": label(practice),
            "score": practice.score,
            "impactTco2e": practice.impact_tco2e,
            "url": practice.url,
        },
    })
}

/// The snapshot's batches in one format.
struct PracticeChunks {
    snapshot: PracticeSnapshot,
    format: Format,
    /// Whether a GeoJSON feature was written (the next one is preceded by a comma).
    wrote_feature: bool,
}

impl Chunks for PracticeChunks {
    async fn next_chunk(&mut self) -> Result<Option<Vec<u8>>, sea_orm::DbErr> {
        let practices = self.snapshot.next_batch().await?;
        if practices.is_empty() {
            return Ok(None);
        }
        Ok(Some(match self.format {
            Format::Csv => csv_rows(practices.iter().map(csv_row)),
            Format::Jsonl => json_lines(&practices.iter().map(line).collect::<Vec<_>>()),
            Format::GeoJson => {
                let mut chunk = Vec::with_capacity(practices.len() * 1024);
                for practice in &practices {
                    if self.wrote_feature {
                        chunk.push(b',');
                    }
                    chunk.push(b'\n');
                    serde_json::to_writer(&mut chunk, &feature(practice))
                        .expect("a feature serialises");
                    self.wrote_feature = true;
                }
                chunk
            }
        }))
    }
}

type Params = Result<Query<PracticeExportParams>, axum::extract::rejection::QueryRejection>;

async fn export(
    state: AppState,
    peer: std::net::SocketAddr,
    headers: HeaderMap,
    params: Params,
    format: Format,
) -> Response {
    let budget =
        match super::charge::charge(&state, &headers, peer.ip(), EXPORT_COST, "export").await {
            Ok(budget) => budget,
            Err(refused) => return refused,
        };
    let params = match params {
        Ok(Query(params)) => params,
        Err(rejection) => {
            return reply::rejection(
                StatusCode::BAD_REQUEST,
                ResponseMedia::Json,
                ErrorCode::BadUserInput,
                rejection.body_text(),
            );
        }
    };
    let filter = match input(&params) {
        Ok(input) => match input.parse() {
            Ok(filter) => filter,
            Err(error) => return refused_input(error),
        },
        Err(refusal) => return refusal.response(),
    };
    let snapshot = match PracticeSnapshot::begin(&state.db, &state.reference, &filter).await {
        Ok(snapshot) => snapshot,
        Err(error) => return refused_filter(error),
    };
    let body = streamed(
        format.head(),
        PracticeChunks {
            snapshot,
            format,
            wrote_feature: false,
        },
        format.tail(),
    );
    let mut response = (
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static(format.content_type()),
        )],
        body,
    )
        .into_response();
    reply::rate_limit_headers(response.headers_mut(), budget, None);
    response
}

pub async fn csv(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<std::net::SocketAddr>,
    headers: HeaderMap,
    params: Params,
) -> Response {
    export(state, peer, headers, params, Format::Csv).await
}

pub async fn jsonl(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<std::net::SocketAddr>,
    headers: HeaderMap,
    params: Params,
) -> Response {
    export(state, peer, headers, params, Format::Jsonl).await
}

pub async fn geojson(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<std::net::SocketAddr>,
    headers: HeaderMap,
    params: Params,
) -> Response {
    export(state, peer, headers, params, Format::GeoJson).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filter_paths_name_their_query_parameters() {
        let path = |segments: &[&str]| FieldPath::from(segments);
        assert_eq!(
            parameter(&path(&["filter", "themes"]).index(1)),
            "themes[1]"
        );
        assert_eq!(parameter(&path(&["filter", "minScore"])), "minScore");
        assert_eq!(
            parameter(&path(&["filter", "cost", "currency"])),
            "costCurrency"
        );
        assert_eq!(parameter(&path(&["filter", "impact", "min"])), "impactMin");
        assert_eq!(
            parameter(&path(&["filter", "implementedBetween", "to"])),
            "implementedTo"
        );
        assert_eq!(
            parameter(&path(&["filter", "evaluationLabel"])),
            "evaluationLabel"
        );
    }
}
