//! `search` and `suggest`: thin resolvers over `service::search`.

use async_graphql::{ComplexObject, Context, Enum, Object, SimpleObject};

use super::cities::City;
use super::funding::FundingOpportunity;
use super::node::Node;
use super::pagination::PageInfo;
use super::practice::Practice;
use super::search_input::{self, Facet, SearchArgs, SearchFilterInput, SearchOrder, SearchType};
use super::themes::Theme;
use crate::error::AppResult;
use crate::search::document::DocKind;
use crate::search::fields::Part;
use crate::search::{SharedIndex, request};
use crate::service;
use crate::service::search::Found;
use crate::service::search_labels::LabelledValue;

#[derive(Default)]
pub struct SearchQuery;

#[Object]
impl SearchQuery {
    /// Full-text search over published practices, live funding opportunities and cities, in
    /// every language at once. `query` understands words (all required), "exact phrases",
    /// -excluded words and OR; words of 5 letters or more forgive one typo (two from 9).
    #[allow(clippy::too_many_arguments)]
    async fn search(
        &self,
        ctx: &Context<'_>,
        query: String,
        #[graphql(desc = "Kinds of record to return; all when omitted.")] types: Option<
            Vec<SearchType>,
        >,
        filter: Option<SearchFilterInput>,
        #[graphql(desc = "Facets to count over every hit (not only this page).")] facets: Option<
            Vec<Facet>,
        >,
        #[graphql(desc = "RELEVANCE when omitted.")] order_by: Option<SearchOrder>,
        #[graphql(
            desc = "ISO 639-1 code of the query's language, boosted in ranking; detected when omitted."
        )]
        language: Option<String>,
        #[graphql(desc = "Page size, 1..100; 10 when omitted.")] first: Option<i32>,
        #[graphql(desc = "The `cursor` of the last hit of the previous page.")] after: Option<
            String,
        >,
    ) -> AppResult<SearchResult> {
        let (request, regions) = search_input::parse(SearchArgs {
            query,
            types,
            filter,
            facets,
            order_by: order_by.unwrap_or(SearchOrder::Relevance),
            language,
            first: first.unwrap_or(10),
            after,
        })?;
        let page =
            service::search::search(super::db(ctx), search_index(ctx), request, &regions).await?;
        let end_cursor = page.hits.last().map(|found| found.hit.cursor.encode());
        Ok(SearchResult {
            total_count: page.total as u64,
            page_info: PageInfo {
                has_next_page: page.has_next_page,
                has_previous_page: false,
                start_cursor: page.hits.first().map(|found| found.hit.cursor.encode()),
                end_cursor,
            },
            hits: page.hits.into_iter().map(SearchHit::from).collect(),
            facets: page
                .facets
                .into_iter()
                .map(|facet| FacetResult {
                    facet: search_input::facet_of(facet.kind),
                    values: facet.values.into_iter().map(FacetValue::from).collect(),
                })
                .collect(),
            suggestion: page.suggestion,
            language: page.language,
        })
    }

    /// Search-as-you-type: completions of `prefix` among practice titles (in every
    /// language), cities, themes and funders.
    async fn suggest(
        &self,
        ctx: &Context<'_>,
        prefix: String,
        #[graphql(desc = "How many completions, 1..20; 8 when omitted.")] first: Option<i32>,
    ) -> AppResult<Vec<Suggestion>> {
        let suggestions =
            service::search::suggest(search_index(ctx), &prefix, first.unwrap_or(8)).await?;
        Ok(suggestions
            .into_iter()
            .filter_map(|suggestion| {
                let (kind, id) = service::search::completion_target(&suggestion)?;
                let kind = match kind {
                    DocKind::Practice => SuggestionKind::Practice,
                    DocKind::City => SuggestionKind::City,
                    DocKind::Theme => SuggestionKind::Theme,
                    DocKind::Funder => SuggestionKind::Funder,
                    DocKind::FundingOpportunity => return None,
                };
                Some(Suggestion {
                    text: suggestion.text,
                    kind,
                    id,
                })
            })
            .collect())
    }
}

fn search_index<'a>(ctx: &Context<'a>) -> &'a SharedIndex {
    ctx.data_unchecked::<SharedIndex>()
}

/// One page of search results.
#[derive(SimpleObject)]
pub struct SearchResult {
    /// How many records match, across all pages.
    pub total_count: u64,
    /// This page's hits, best first (or in `orderBy` order).
    pub hits: Vec<SearchHit>,
    /// Pass `endCursor` as `after` for the next page.
    pub page_info: PageInfo,
    /// Counts of the requested facets over every hit.
    pub facets: Vec<FacetResult>,
    /// A corrected query ("did you mean"), offered when there are few hits.
    pub suggestion: Option<String>,
    /// ISO 639-1 code of the language the query was treated as (given or detected), if any.
    pub language: Option<String>,
}

/// A record that matched, with why.
#[derive(SimpleObject)]
pub struct SearchHit {
    pub node: Node,
    /// Relevance (BM25-based; comparable within one result set only).
    pub score: f64,
    /// Position of this hit, for `after`.
    pub cursor: String,
    /// Fragments of the matching parts with matches wrapped in `<mark>`; the text is
    /// HTML-escaped.
    pub highlights: Vec<Highlight>,
    /// Kilometres from `filter.near` to the record's nearest location.
    pub distance_km: Option<f64>,
}

impl From<service::search::FoundHit> for SearchHit {
    fn from(found: service::search::FoundHit) -> Self {
        let node = match found.found {
            Found::Practice(row) => Node::Practice(Practice::plain(row)),
            Found::FundingOpportunity(row) => Node::FundingOpportunity(FundingOpportunity(row)),
            Found::City(row) => Node::City(City(row)),
        };
        Self {
            node,
            score: f64::from(found.hit.score),
            cursor: found.hit.cursor.encode(),
            highlights: found
                .hit
                .highlights
                .into_iter()
                .map(Highlight::from)
                .collect(),
            distance_km: found.hit.distance_km,
        }
    }
}

/// The part of a record a highlight comes from.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum HighlightField {
    Title,
    Summary,
    Body,
}

/// A fragment of a record with the matches marked.
#[derive(SimpleObject)]
pub struct Highlight {
    pub field: HighlightField,
    /// ISO 639-1 code of the fragment's language; null for languages without their own
    /// analyzer.
    pub language: Option<String>,
    /// HTML: escaped text with matches in `<mark>` … `</mark>`.
    pub snippet: String,
}

impl From<request::Highlight> for Highlight {
    fn from(highlight: request::Highlight) -> Self {
        Self {
            field: match highlight.part {
                Part::Title => HighlightField::Title,
                Part::Summary => HighlightField::Summary,
                Part::Body | Part::Tags => HighlightField::Body,
            },
            language: highlight.language,
            snippet: highlight.html,
        }
    }
}

/// Counts of one facet.
#[derive(SimpleObject)]
pub struct FacetResult {
    pub facet: Facet,
    /// Flat facets: values by count. Theme and region: the roots, each with its children.
    pub values: Vec<FacetValue>,
}

/// One value of a facet and how many hits have it.
#[derive(SimpleObject)]
pub struct FacetValue {
    /// What the matching filter takes: a theme path, a region or country code, a city slug,
    /// an SDG number, a language code, an instrument, a provider level or a label.
    pub value: String,
    /// A human-readable name, where there is one (theme label, region or city name).
    pub label: Option<String>,
    pub count: u64,
    /// Sub-values of tree facets (theme, region); empty otherwise.
    pub children: Vec<FacetValue>,
}

impl From<LabelledValue> for FacetValue {
    fn from(value: LabelledValue) -> Self {
        Self {
            value: value.value,
            label: value.label,
            count: value.count,
            children: value.children.into_iter().map(FacetValue::from).collect(),
        }
    }
}

/// What a completion points at.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum SuggestionKind {
    Practice,
    City,
    Theme,
    Funder,
}

/// A completion for search-as-you-type.
#[derive(SimpleObject)]
#[graphql(complex)]
pub struct Suggestion {
    /// The completed text (a title, a city or theme name, a funder).
    pub text: String,
    pub kind: SuggestionKind,
    #[graphql(skip)]
    pub id: i32,
}

#[ComplexObject]
impl Suggestion {
    /// The practice, city, theme or funding organisation suggested.
    async fn node(&self, ctx: &Context<'_>) -> AppResult<Option<Node>> {
        let db = super::db(ctx);
        Ok(match self.kind {
            SuggestionKind::Practice => service::practices::by_id(db, self.id)
                .await?
                .map(|row| Node::Practice(Practice::new(row, ctx, None))),
            SuggestionKind::City => service::cities::by_id(db, self.id)
                .await?
                .map(|row| Node::City(City(row))),
            SuggestionKind::Theme => service::themes::by_ids(db, &[self.id])
                .await?
                .into_iter()
                .next()
                .map(|theme| Node::Theme(Theme(theme))),
            SuggestionKind::Funder => service::organisations::by_id(db, self.id)
                .await?
                .map(|row| Node::Organisation(super::organisations::Organisation(row))),
        })
    }
}
