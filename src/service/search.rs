//! Searching: checks that filters name existing themes, regions, cities and networks, runs the
//! query on the blocking pool, then loads the records of the hits and labels the facets.
//! Search-as-you-type lives here too.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QuerySelect};

use crate::domain::Viewer;
use crate::entity::{city, funding_opportunity, organisation, practice};
use crate::error::{AppError, AppResult, ErrorCode};
use crate::search::deadline::{Deadline, SearchTimedOut};
use crate::search::document::{DocKey, RecordKind};
use crate::search::request::{Hit, SearchRequest};
use crate::search::{SharedIndex, Suggestion};
use crate::service;
use crate::service::records::FieldError;
use crate::service::reference::Reference;
use crate::service::search_labels::{self, LabelledFacet};

/// What bounds the work of searches: query size, how many run at once (searches are CPU
/// work on the blocking pool, so one per core), and how long one may take. Shared by every
/// request through the schema's data.
#[derive(Clone, Debug)]
pub struct SearchGate {
    pub max_query_chars: usize,
    pub max_terms: usize,
    pub timeout: Duration,
    permits: Arc<tokio::sync::Semaphore>,
}

impl SearchGate {
    pub fn new(max_query_chars: usize, max_terms: usize, timeout: Duration) -> Self {
        let cores = std::thread::available_parallelism().map_or(1, usize::from);
        Self {
            max_query_chars,
            max_terms,
            timeout,
            permits: Arc::new(tokio::sync::Semaphore::new(cores)),
        }
    }

    pub fn from_settings(api: &crate::config::ApiSettings) -> Self {
        Self::new(
            api.search_max_query_chars,
            api.search_max_terms,
            api.execution_timeout(),
        )
    }

    /// Fails with `field` when `text` is longer than `max_query_chars`.
    pub fn check_length(&self, field: &str, text: &str) -> AppResult<()> {
        if text.chars().count() > self.max_query_chars {
            return Err(AppError::bad_input(
                [field],
                format!(
                    "`{field}` must be at most {} characters",
                    self.max_query_chars
                ),
            ));
        }
        Ok(())
    }

    /// A permit to run one search until `deadline`; when none frees up by then, `TIMEOUT`.
    async fn enter(
        &self,
        deadline: tokio::time::Instant,
    ) -> AppResult<tokio::sync::OwnedSemaphorePermit> {
        match tokio::time::timeout_at(deadline, self.permits.clone().acquire_owned()).await {
            Ok(Ok(permit)) => Ok(permit),
            Ok(Err(closed)) => Err(AppError::internal(closed)),
            Err(_) => Err(AppError::new(
                ErrorCode::Timeout,
                "the server is busy with other searches; try again shortly",
            )),
        }
    }
}

/// The blocking search's error: `TIMEOUT` when it stopped at its deadline.
fn search_error(error: anyhow::Error) -> AppError {
    if error.is::<SearchTimedOut>() {
        AppError::new(ErrorCode::Timeout, "the search took too long")
    } else if error.is::<crate::search::pending::IndexBuilding>() {
        AppError::new(ErrorCode::Timeout, error.to_string())
    } else {
        AppError::internal(error)
    }
}

/// A record found by a search.
pub enum Found {
    Practice(practice::Model),
    FundingOpportunity(funding_opportunity::Model),
    City(city::Model),
    Thread(crate::entity::thread::Model),
}

pub struct FoundHit {
    pub found: Found,
    pub hit: Hit,
}

pub struct SearchPage {
    /// Every match across all pages.
    pub total: usize,
    pub hits: Vec<FoundHit>,
    pub has_next_page: bool,
    pub facets: Vec<LabelledFacet>,
    pub suggestion: Option<String>,
    /// ISO 639-1 code of the language the query was treated as.
    pub language: Option<String>,
}

/// Runs `request`, whose region filter is given as region codes (`NO`, `150`, `NO-03`).
pub async fn search(
    db: &DatabaseConnection,
    reference: &Reference,
    index: &SharedIndex,
    gate: &SearchGate,
    viewer: &Viewer,
    mut request: SearchRequest,
    region_codes: &[String],
) -> AppResult<SearchPage> {
    let started = tokio::time::Instant::now();
    check_filter(db, reference, &request).await?;
    request.filter.regions = region_paths(reference, region_codes)?;
    let label_language = request
        .language
        .map(|language| language.suffix().to_owned());
    let extra = unpublished_documents(db, viewer, &request).await?;
    let deadline = started + gate.timeout;
    let permit = gate.enter(deadline).await?;
    request.deadline =
        Deadline::after(deadline.saturating_duration_since(tokio::time::Instant::now()));
    let index = index.clone();
    // The permit goes with the blocking work: if the caller gives up, the search still holds
    // it until it stops at its deadline.
    let results = tokio::task::spawn_blocking(move || {
        let _permit = permit;
        index.search_including(&request, &extra)
    })
    .await
    .context("search task")?
    .map_err(search_error)?;
    let language = results
        .language
        .map(|language| language.suffix().to_owned());
    let hits = load_hits(db, viewer, results.hits).await?;
    let labels_in = language
        .clone()
        .or(label_language)
        .unwrap_or_else(|| "en".into());
    let facets = search_labels::label(db, reference, results.facets, &labels_in).await?;
    Ok(SearchPage {
        total: results.total,
        hits,
        has_next_page: results.has_next_page,
        facets,
        suggestion: results.suggestion,
        language,
    })
}

/// The most unpublished practices one search adds for a viewer (most recently updated first).
pub const MAX_UNPUBLISHED_PRACTICES: u64 = 200;

/// Documents of the practices `viewer` may see that the public index leaves out (their own
/// drafts; for moderators every unpublished one), so search shows them exactly what
/// `practices` and `node` show. Anonymous viewers cost nothing here. Why not index them: the
/// index, its spelling dictionary and its completions then stay public by construction, and
/// these sets are small (one author's drafts, a review queue).
async fn unpublished_documents(
    db: &DatabaseConnection,
    viewer: &Viewer,
    request: &SearchRequest,
) -> AppResult<Vec<crate::search::document::SearchDocument>> {
    let wants_practices = request.kinds.is_empty() || request.kinds.contains(&RecordKind::Practice);
    if !wants_practices {
        return Ok(Vec::new());
    }
    let ids =
        service::practices::unpublished_visible_ids(db, viewer, MAX_UNPUBLISHED_PRACTICES).await?;
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    Ok(crate::search::mapping::practices_for_viewer(db, viewer, &ids).await?)
}

/// Completions for `prefix`, at most `first` (1..=20).
pub async fn suggest(
    index: &SharedIndex,
    gate: &SearchGate,
    prefix: &str,
    first: i32,
) -> AppResult<Vec<Suggestion>> {
    if prefix.trim().is_empty() {
        return Err(AppError::bad_input(
            ["prefix"],
            "`prefix` must not be empty",
        ));
    }
    gate.check_length("prefix", prefix)?;
    let first = usize::try_from(first)
        .ok()
        .filter(|first| (1..=20).contains(first))
        .ok_or_else(|| AppError::bad_input(["first"], "`first` must be between 1 and 20"))?;
    let deadline = tokio::time::Instant::now() + gate.timeout;
    let permit = gate.enter(deadline).await?;
    let index = index.clone();
    let prefix = prefix.to_owned();
    let deadline = Deadline::after(deadline.saturating_duration_since(tokio::time::Instant::now()));
    tokio::task::spawn_blocking(move || {
        let _permit = permit;
        index.suggest(&prefix, first, deadline)
    })
    .await
    .context("suggest task")?
    .map_err(search_error)
}

async fn check_filter(
    db: &DatabaseConnection,
    reference: &Reference,
    request: &SearchRequest,
) -> AppResult<()> {
    let filter = &request.filter;
    let themes: Vec<&str> = filter.themes.iter().map(|path| path.as_str()).collect();
    let mut errors = Vec::new();
    reference.theme_ids(&themes, "themes", &mut errors);
    first_error(errors)?;
    let cities: Vec<&str> = filter.cities.iter().map(|slug| slug.as_str()).collect();
    check_known::<city::Entity>(db, city::Column::Slug, &cities, "cities", "city").await?;
    let networks: Vec<&str> = filter.networks.iter().map(|slug| slug.as_str()).collect();
    check_known::<organisation::Entity>(
        db,
        organisation::Column::Slug,
        &networks,
        "networks",
        "network",
    )
    .await
}

/// Fails on the first of `keys` that no row of `E` has in `column`.
async fn check_known<E: EntityTrait>(
    db: &DatabaseConnection,
    column: E::Column,
    keys: &[&str],
    field: &str,
    what: &str,
) -> AppResult<()> {
    if keys.is_empty() {
        return Ok(());
    }
    let found: Vec<String> = E::find()
        .select_only()
        .column(column)
        .filter(column.is_in(keys.iter().copied()))
        .into_tuple()
        .all(db)
        .await?;
    match keys
        .iter()
        .position(|key| !found.iter().any(|value| value == key))
    {
        Some(index) => Err(unknown(field, index, what, keys[index])),
        None => Ok(()),
    }
}

fn unknown(field: &str, index: usize, what: &str, key: &str) -> AppError {
    AppError::bad_input(
        crate::domain::FieldPath::from(["filter", field]).index(index),
        format!("unknown {what} `{key}`"),
    )
}

/// Region codes to the paths the index holds (`NO` to `001/150/154/NO`).
fn region_paths(reference: &Reference, codes: &[String]) -> AppResult<Vec<String>> {
    let trimmed: Vec<&str> = codes.iter().map(|code| code.trim()).collect();
    let mut errors = Vec::new();
    let paths = reference.region_paths(&trimmed, "regions", &mut errors);
    first_error(errors)?;
    Ok(paths
        .iter()
        .map(|path| path.trim_end_matches('/').to_owned())
        .collect())
}

/// The first of `errors`, under `filter`, as the input error of the request.
fn first_error(errors: Vec<FieldError>) -> AppResult<()> {
    match errors.into_iter().next() {
        Some(error) => {
            let error = error.under("filter");
            Err(AppError::bad_input(error.path, error.message))
        }
        None => Ok(()),
    }
}

/// The records of `hits`, in hit order. A record that stopped being visible after the index
/// saw it is skipped.
async fn load_hits(
    db: &DatabaseConnection,
    viewer: &Viewer,
    hits: Vec<Hit>,
) -> AppResult<Vec<FoundHit>> {
    let ids_of = |kind: RecordKind| -> Vec<i32> {
        hits.iter()
            .filter(|hit| hit.key.kind() == Some(kind))
            .map(|hit| hit.key.id())
            .collect()
    };
    let mut practices: HashMap<i32, practice::Model> =
        service::practices::by_ids(db, viewer, &ids_of(RecordKind::Practice))
            .await?
            .into_iter()
            .map(|row| (row.id, row))
            .collect();
    let mut funding: HashMap<i32, funding_opportunity::Model> =
        service::funding::by_ids(db, &ids_of(RecordKind::FundingOpportunity))
            .await?
            .into_iter()
            .map(|row| (row.id, row))
            .collect();
    let mut cities: HashMap<i32, city::Model> =
        service::cities::by_ids(db, &ids_of(RecordKind::City))
            .await?
            .into_iter()
            .map(|row| (row.id, row))
            .collect();
    let mut threads: HashMap<i32, crate::entity::thread::Model> =
        service::community::reads::threads_by_ids(db, viewer, &ids_of(RecordKind::Thread))
            .await?
            .into_iter()
            .map(|row| (row.id, row))
            .collect();
    Ok(hits
        .into_iter()
        .filter_map(|hit| {
            let id = hit.key.id();
            let found = match hit.key.kind()? {
                RecordKind::Practice => Found::Practice(practices.remove(&id)?),
                RecordKind::FundingOpportunity => Found::FundingOpportunity(funding.remove(&id)?),
                RecordKind::City => Found::City(cities.remove(&id)?),
                RecordKind::Thread => Found::Thread(threads.remove(&id)?),
                _ => return None,
            };
            Some(FoundHit { found, hit })
        })
        .collect())
}

/// The kind and row id behind a completion.
pub fn completion_target(suggestion: &Suggestion) -> Option<(RecordKind, i32)> {
    let key: DocKey = suggestion.key;
    Some((key.kind()?, key.id()))
}
