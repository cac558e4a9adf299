//! The arguments of `search`, and their parsing into a [`SearchRequest`]. Every problem is a
//! `BAD_USER_INPUT` error naming the argument path (`["filter", "near", "radiusKm"]`).

use async_graphql::{Enum, InputObject};

use crate::domain::{BoundingBox, FieldPath, GeoPoint, GeoRadius, Language, Sdg, Slug, ThemePath};
use crate::error::{AppError, AppResult};
use crate::search::analysis::TextLanguage;
use crate::search::document::RecordKind;
use crate::search::geo::GeoFilter;
use crate::search::request::{
    FacetKind, MAX_PAGE_SIZE, Matching, SearchCursor, SearchFilter, SearchRequest, SortOrder,
};
use crate::search::syntax::ParsedQuery;
use crate::service::search::SearchGate;

/// The kinds of record `search` can return.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum SearchType {
    /// Best practices.
    Practice,
    /// Funding and advising opportunities.
    FundingOpportunity,
    /// Cities.
    City,
    /// Community threads (their title and approved posts).
    Thread,
}

/// The facets `search` can count.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Facet {
    /// The theme tree; a theme counts every hit in its subtree.
    Theme,
    /// The region tree (world, continents, subregions, countries, subdivisions).
    Region,
    /// ISO 3166-1 alpha-2 country codes.
    Country,
    /// City slugs.
    City,
    /// UN Sustainable Development Goals, 1..17.
    Sdg,
    /// ISO 639-1 codes of the languages a record is available in.
    Language,
    /// Funding instruments (grant, loan, ...).
    Instrument,
    /// Funding provider levels (international, eu, national, regional, city).
    ProviderLevel,
    /// Practice evaluation labels (exemplary, proven, promising, emerging).
    EvaluationLabel,
}

/// How the words of a `search` query must match (Meilisearch calls this the matching
/// strategy). "Phrases" and -exclusions are strict under both.
#[derive(Enum, Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum MatchingStrategy {
    /// Every word (or OR group) must match, in some language or with a typo.
    All,
    /// The default: hits matching every word first, then hits matching most of the query,
    /// weighted by how rare (informative) the missing words are; at least one word must match.
    #[default]
    Partial,
}

/// How `search` orders its hits.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum SearchOrder {
    /// Best match first; for an empty query (browsing), the same as DATE.
    Relevance,
    /// Newest first: practices by publication, other records by their last update.
    Date,
    /// Best evaluated practice first; records without an evaluation last.
    Score,
    /// Nearest to `filter.near` first; needs `filter.near`.
    Distance,
}

/// A circle on the map.
#[derive(InputObject, Clone, Copy, Debug)]
#[graphql(name = "GeoRadius")]
pub struct GeoRadiusInput {
    /// Latitude of the centre, -90..90.
    pub lat: f64,
    /// Longitude of the centre, -180..180.
    pub lon: f64,
    /// More than 0 and at most 20000.
    pub radius_km: f64,
}

/// A latitude/longitude rectangle; `west` greater than `east` crosses the antimeridian.
#[derive(InputObject, Clone, Copy, Debug)]
#[graphql(name = "BoundingBox")]
pub struct BoundingBoxInput {
    /// Southern edge: latitude in WGS84 degrees, -90..90, at most `north`.
    pub south: f64,
    /// Western edge: longitude in WGS84 degrees, -180..180.
    pub west: f64,
    /// Northern edge: latitude in WGS84 degrees, -90..90.
    pub north: f64,
    /// Eastern edge: longitude in WGS84 degrees, -180..180.
    pub east: f64,
}

/// Narrows a search. Each list matches any of its values (at most 100); different fields must all match.
#[derive(InputObject, Clone, Debug, Default)]
#[graphql(name = "SearchFilter")]
pub struct SearchFilterInput {
    /// Theme paths such as `energy/renewables`; each matches its whole subtree.
    pub themes: Option<Vec<String>>,
    /// Region codes: UN M49 for world, continents and subregions (`150`), ISO 3166-1 alpha-2
    /// for countries (`NO`), ISO 3166-2 for subdivisions (`NO-03`). Practices and cities match
    /// when located in the region's subtree; funding when open to the region, as
    /// `fundingOpportunities(filter: {eligibleRegion})` has it (listing it, a region containing
    /// it, or no region at all).
    pub regions: Option<Vec<String>>,
    /// City slugs.
    pub cities: Option<Vec<String>>,
    /// Network slugs (`c40`, `cnca`, `eurocities`, ...): records of member cities.
    pub networks: Option<Vec<String>>,
    /// Sustainable Development Goals, 1..17.
    pub sdgs: Option<Vec<i32>>,
    /// ISO 639-1 codes: records available in any of these languages.
    pub languages: Option<Vec<String>>,
    /// Lowest mean evaluation score, 1..5 (only evaluated practices match).
    pub min_score: Option<f64>,
    /// Funding instruments (the same values as `FundingFilter.instruments`).
    pub instruments: Option<Vec<crate::graphql::inputs::Instrument>>,
    /// Only funding opportunities accepting applications on this day.
    pub open_at: Option<crate::graphql::scalars::Date>,
    /// Only records with a location inside this circle.
    pub near: Option<GeoRadiusInput>,
    /// Only records with a location inside this rectangle.
    pub bbox: Option<BoundingBoxInput>,
}

/// The raw arguments of `search`.
pub struct SearchArgs {
    pub query: String,
    pub types: Option<Vec<SearchType>>,
    pub filter: Option<SearchFilterInput>,
    pub facets: Option<Vec<Facet>>,
    pub order_by: SearchOrder,
    pub matching: MatchingStrategy,
    pub language: Option<String>,
    pub first: i32,
    pub after: Option<String>,
}

/// The request, and the region codes the service resolves against the database.
pub fn parse(gate: &SearchGate, args: SearchArgs) -> AppResult<(SearchRequest, Vec<String>)> {
    gate.check_length("query", &args.query)?;
    // An empty query browses: every visible record the filters match.
    let query = if args.query.trim().is_empty() {
        ParsedQuery::default()
    } else {
        ParsedQuery::parse(&args.query).ok_or_else(|| {
            AppError::bad_input(
                ["query"],
                "`query` must contain a word or phrase to look for besides -exclusions (or be empty, to browse)",
            )
        })?
    };
    // Browsing has no relevance to order by: newest first instead.
    let order_by = match args.order_by {
        SearchOrder::Relevance if query.groups.is_empty() => SearchOrder::Date,
        order => order,
    };
    if query.term_count() > gate.max_terms {
        return Err(AppError::bad_input(
            ["query"],
            format!(
                "`query` must look for at most {} words (it has {})",
                gate.max_terms,
                query.term_count()
            ),
        ));
    }
    let language = args
        .language
        .as_deref()
        .map(|code| {
            Language::parse(code)
                .map(|language| TextLanguage::from_code(language.as_str()))
                .map_err(|message| AppError::bad_input(["language"], message))
        })
        .transpose()?;
    let input = args.filter.unwrap_or_default();
    let regions = super::bounded_list(input.regions.clone(), ["filter", "regions"])?;
    if let Some(index) = regions.iter().position(|code| code.trim().is_empty()) {
        return Err(bad_filter(
            FieldPath::from("regions").index(index),
            "a region code must not be empty",
        ));
    }
    let filter = parse_filter(input)?;
    if order_by == SearchOrder::Distance && filter.geo.near.is_none() {
        return Err(AppError::bad_input(
            ["orderBy"],
            "DISTANCE ordering needs `filter.near`",
        ));
    }
    let first = usize::try_from(args.first)
        .ok()
        .filter(|first| (1..=MAX_PAGE_SIZE).contains(first))
        .ok_or_else(|| {
            AppError::bad_input(
                ["first"],
                format!("`first` must be between 1 and {MAX_PAGE_SIZE}"),
            )
        })?;
    let after = args
        .after
        .as_deref()
        .map(SearchCursor::decode)
        .transpose()
        .map_err(|message| AppError::bad_input(["after"], format!("`after` {message}")))?;
    let request = SearchRequest {
        query,
        matching: match args.matching {
            MatchingStrategy::All => Matching::All,
            MatchingStrategy::Partial => Matching::Partial,
        },
        language,
        kinds: super::bounded_list(args.types, ["types"])?
            .into_iter()
            .map(|kind| match kind {
                SearchType::Practice => RecordKind::Practice,
                SearchType::FundingOpportunity => RecordKind::FundingOpportunity,
                SearchType::City => RecordKind::City,
                SearchType::Thread => RecordKind::Thread,
            })
            .collect(),
        filter,
        facets: super::bounded_list(args.facets, ["facets"])?
            .into_iter()
            .map(facet_kind)
            .collect(),
        order: match order_by {
            SearchOrder::Relevance => SortOrder::Relevance,
            SearchOrder::Date => SortOrder::Date,
            SearchOrder::Score => SortOrder::Score,
            SearchOrder::Distance => SortOrder::Distance,
        },
        first,
        after,
        deadline: crate::search::deadline::Deadline::NONE,
    };
    Ok((request, regions))
}

pub fn facet_kind(facet: Facet) -> FacetKind {
    match facet {
        Facet::Theme => FacetKind::Theme,
        Facet::Region => FacetKind::Region,
        Facet::Country => FacetKind::Country,
        Facet::City => FacetKind::City,
        Facet::Sdg => FacetKind::Sdg,
        Facet::Language => FacetKind::Language,
        Facet::Instrument => FacetKind::Instrument,
        Facet::ProviderLevel => FacetKind::ProviderLevel,
        Facet::EvaluationLabel => FacetKind::EvaluationLabel,
    }
}

pub fn facet_of(kind: FacetKind) -> Facet {
    match kind {
        FacetKind::Theme => Facet::Theme,
        FacetKind::Region => Facet::Region,
        FacetKind::Country => Facet::Country,
        FacetKind::City => Facet::City,
        FacetKind::Sdg => Facet::Sdg,
        FacetKind::Language => Facet::Language,
        FacetKind::Instrument => Facet::Instrument,
        FacetKind::ProviderLevel => Facet::ProviderLevel,
        FacetKind::EvaluationLabel => Facet::EvaluationLabel,
    }
}

fn bad_filter(path: impl Into<FieldPath>, message: impl Into<String>) -> AppError {
    AppError::bad_input(FieldPath::from("filter").join(&path.into()), message)
}

/// Parses every value of a list filter, naming the index of the first bad one.
fn each<T, R>(
    name: &str,
    values: Option<Vec<T>>,
    parse: impl Fn(T) -> Result<R, String>,
) -> AppResult<Vec<R>> {
    super::bounded_list(values, ["filter", name])?
        .into_iter()
        .enumerate()
        .map(|(index, value)| {
            parse(value).map_err(|message| bad_filter(FieldPath::from(name).index(index), message))
        })
        .collect()
}

fn parse_filter(input: SearchFilterInput) -> AppResult<SearchFilter> {
    let min_score = match input.min_score {
        Some(score) if !(1.0..=5.0).contains(&score) => {
            return Err(bad_filter(
                ["minScore"],
                "`minScore` must be between 1 and 5",
            ));
        }
        other => other,
    };
    let near = input
        .near
        .map(|near| {
            GeoPoint::new(near.lat, 0.0).map_err(|message| bad_filter(["near", "lat"], message))?;
            let center = GeoPoint::new(near.lat, near.lon)
                .map_err(|message| bad_filter(["near", "lon"], message))?;
            GeoRadius::new(center, near.radius_km)
                .map_err(|message| bad_filter(["near", "radiusKm"], message))
        })
        .transpose()?;
    let bbox = input
        .bbox
        .map(|bbox| {
            BoundingBox::new(bbox.south, bbox.west, bbox.north, bbox.east)
                .map_err(|message| bad_filter(["bbox"], message))
        })
        .transpose()?;
    Ok(SearchFilter {
        themes: each("themes", input.themes, |path| ThemePath::parse(&path))?,
        regions: Vec::new(),
        cities: each("cities", input.cities, |slug| Slug::parse(&slug))?,
        networks: each("networks", input.networks, |slug| Slug::parse(&slug))?,
        sdgs: each("sdgs", input.sdgs, |goal| Sdg::try_from(i64::from(goal)))?,
        languages: each("languages", input.languages, |code| Language::parse(&code))?,
        min_score,
        instruments: super::bounded_list(input.instruments, ["filter", "instruments"])?
            .into_iter()
            .map(Into::into)
            .collect(),
        open_at: input
            .open_at
            .map(|day| day.day(["filter", "openAt"]))
            .transpose()?,
        geo: GeoFilter { near, bbox },
    })
}
