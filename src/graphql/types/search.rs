//! `search` and `suggest`: thin resolvers over `service::search`.

use async_graphql::{ComplexObject, Context, Enum, SimpleObject};

use crate::error::AppResult;
use crate::graphql::inputs::search::Facet;
use crate::graphql::types::city::City;
use crate::graphql::types::funding::FundingOpportunity;
use crate::graphql::types::node::Node;
use crate::graphql::types::pagination::PageInfo;
use crate::graphql::types::practice::Practice;
use crate::graphql::types::theme::Theme;
use crate::search::fields::Part;
use crate::search::request;
use crate::service;
use crate::service::search::Found;
use crate::service::search_labels::LabelledValue;

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
    /// The practice, funding opportunity, city or community thread that matched.
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
    /// Vocabulary concepts named by the query that this record is tagged with: why a record
    /// without the query's words (one in another language, say) matched.
    pub matched_concepts: Vec<crate::graphql::types::concept::Concept>,
    #[graphql(skip)]
    pub concept_keys: Vec<String>,
}

impl SearchHit {
    /// A hit whose practice answers in `lang`, else the request's `Accept-Language`, else
    /// its original language (as `practice(lang:)` does).
    pub fn new(found: service::search::FoundHit, ctx: &Context<'_>, lang: Option<&str>) -> Self {
        let node = match found.found {
            Found::Practice(row) => Node::Practice(Practice::new(row, ctx, lang)),
            Found::FundingOpportunity(row) => Node::FundingOpportunity(FundingOpportunity(row)),
            Found::City(row) => Node::City(City(row)),
            Found::Thread(row) => Node::Thread(crate::graphql::types::community::Thread(row)),
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
            matched_concepts: Vec::new(),
            concept_keys: found.hit.concepts,
        }
    }
}

/// The part of a record a highlight comes from.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum HighlightField {
    /// The title (or a city's name).
    Title,
    /// The summary.
    Summary,
    /// The body text.
    Body,
}

/// A fragment of a record with the matches marked.
#[derive(SimpleObject)]
pub struct Highlight {
    /// The part of the record the fragment comes from.
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
    /// The facet counted.
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
    /// How many hits have this value (for tree facets, this value or one below it).
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
    /// A practice title.
    Practice,
    /// A city name.
    City,
    /// A theme label.
    Theme,
    /// A funding organisation's name.
    Funder,
}

/// A completion for search-as-you-type.
#[derive(SimpleObject)]
#[graphql(complex)]
pub struct Suggestion {
    /// The completed text (a title, a city or theme name, a funder).
    pub text: String,
    /// What sort of record the completion names.
    pub kind: SuggestionKind,
    #[graphql(skip)]
    pub id: i32,
    /// The `lang` argument of `suggest`, for the node.
    #[graphql(skip)]
    pub lang: Option<String>,
}

#[ComplexObject]
impl Suggestion {
    /// The practice, city, theme or funding organisation suggested.
    async fn node(&self, ctx: &Context<'_>) -> AppResult<Option<Node>> {
        let db = crate::graphql::db(ctx);
        Ok(match self.kind {
            SuggestionKind::Practice => {
                service::practices::by_id(db, crate::graphql::viewer(ctx), self.id)
                    .await?
                    .map(|row| Node::Practice(Practice::new(row, ctx, self.lang.as_deref())))
            }
            SuggestionKind::City => service::cities::by_id(db, self.id)
                .await?
                .map(|row| Node::City(City(row))),
            SuggestionKind::Theme => service::themes::by_ids(db, &[self.id])
                .await?
                .into_iter()
                .next()
                .map(|theme| Node::Theme(Theme(theme))),
            SuggestionKind::Funder => {
                service::organisations::by_id(db, self.id)
                    .await?
                    .map(|row| {
                        Node::Organisation(crate::graphql::types::organisation::Organisation(row))
                    })
            }
        })
    }
}
