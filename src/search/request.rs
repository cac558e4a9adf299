//! What a caller asks of a [`SearchIndex`](super::SearchIndex) and what it gets back. These are
//! engine-independent: another engine behind the trait takes and returns the same values.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::analysis::TextLanguage;
use super::document::{DocKey, RecordKind};
use super::fields::{Keyword, Part};
use super::geo::GeoFilter;
use super::syntax::ParsedQuery;
use crate::domain::{Language, Sdg, Slug, ThemePath};
use crate::service::records::Instrument;

pub const MAX_PAGE_SIZE: usize = 100;

#[derive(Clone, Debug)]
pub struct SearchRequest {
    pub query: ParsedQuery,
    /// Whether every word must match, or the best partial matches count too.
    pub matching: Matching,
    /// The query's language when the caller knows it; otherwise it is detected.
    pub language: Option<TextLanguage>,
    pub kinds: Vec<RecordKind>,
    pub filter: SearchFilter,
    pub facets: Vec<FacetKind>,
    pub order: SortOrder,
    /// 1..=[`MAX_PAGE_SIZE`].
    pub first: usize,
    pub after: Option<SearchCursor>,
    /// When the blocking search work stops with [`SearchTimedOut`](super::deadline::SearchTimedOut).
    pub deadline: super::deadline::Deadline,
}

/// Every list is "any of"; different filters combine with "and".
#[derive(Clone, Debug, Default)]
pub struct SearchFilter {
    pub themes: Vec<ThemePath>,
    /// Region paths such as `001/150/154/NO`, resolved from codes by the caller.
    pub regions: Vec<String>,
    pub cities: Vec<Slug>,
    pub networks: Vec<Slug>,
    pub sdgs: Vec<Sdg>,
    pub languages: Vec<Language>,
    pub min_score: Option<f64>,
    pub instruments: Vec<Instrument>,
    /// Only funding opportunities accepting applications on this day.
    pub open_at: Option<NaiveDate>,
    pub geo: GeoFilter,
}

/// How the words of a query must match. Phrases and exclusions are strict either way.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Matching {
    /// Every word (or OR group) must match.
    All,
    /// Records matching every word rank first, then those matching most of the query,
    /// weighted by how informative (rare) the words they miss are; at least one word must
    /// match.
    #[default]
    Partial,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SortOrder {
    /// Best match first.
    Relevance,
    /// Newest first.
    Date,
    /// Best evaluated first; unevaluated records last.
    Score,
    /// Nearest to the `near` centre first.
    Distance,
}

/// The facets a caller can ask to count.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FacetKind {
    Theme,
    Region,
    Country,
    City,
    Sdg,
    Language,
    Instrument,
    ProviderLevel,
    EvaluationLabel,
}

impl FacetKind {
    pub fn keyword(self) -> Keyword {
        match self {
            Self::Theme => Keyword::Theme,
            Self::Region => Keyword::Region,
            Self::Country => Keyword::Country,
            Self::City => Keyword::City,
            Self::Sdg => Keyword::Sdg,
            Self::Language => Keyword::Language,
            Self::Instrument => Keyword::Instrument,
            Self::ProviderLevel => Keyword::ProviderLevel,
            Self::EvaluationLabel => Keyword::EvaluationLabel,
        }
    }

    /// Tree facets count every node of the tree, each counted once per document.
    pub fn is_tree(self) -> bool {
        matches!(self, Self::Theme | Self::Region)
    }
}

/// Position after a hit: its sort key and its document key (the tie-breaker).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SearchCursor {
    pub sort_key: f64,
    pub uid: u64,
}

/// The sort key travels as its bit pattern: a decimal float may not parse back to the very
/// same value, and keyset paging compares for equality.
#[derive(Serialize, Deserialize)]
struct WireCursor {
    k: u64,
    u: u64,
}

impl SearchCursor {
    pub fn encode(&self) -> String {
        let wire = WireCursor {
            k: self.sort_key.to_bits(),
            u: self.uid,
        };
        URL_SAFE_NO_PAD.encode(serde_json::to_vec(&wire).unwrap_or_default())
    }

    pub fn decode(text: &str) -> Result<Self, String> {
        URL_SAFE_NO_PAD
            .decode(text)
            .ok()
            .and_then(|bytes| serde_json::from_slice::<WireCursor>(&bytes).ok())
            .map(|wire| Self {
                sort_key: f64::from_bits(wire.k),
                uid: wire.u,
            })
            .filter(|cursor| !cursor.sort_key.is_nan())
            .ok_or_else(|| "is not a search cursor returned by this API".to_owned())
    }
}

#[derive(Clone, Debug)]
pub struct SearchResults {
    pub total: usize,
    pub hits: Vec<Hit>,
    pub has_next_page: bool,
    pub facets: Vec<FacetCounts>,
    /// A corrected query, offered when there are few hits.
    pub suggestion: Option<String>,
    /// The language the query was treated as (given or detected).
    pub language: Option<TextLanguage>,
}

#[derive(Clone, Debug)]
pub struct Hit {
    pub key: DocKey,
    pub score: f32,
    pub cursor: SearchCursor,
    pub highlights: Vec<Highlight>,
    /// From the `near` centre to the document's nearest point.
    pub distance_km: Option<f64>,
    /// Keys of the query's concepts this document is tagged with.
    pub concepts: Vec<String>,
}

/// A fragment of one part of a hit, in one language, with matches wrapped in `<mark>`.
#[derive(Clone, Debug)]
pub struct Highlight {
    pub part: Part,
    /// ISO 639-1 code, or `None` for text in a language without its own analyzer.
    pub language: Option<String>,
    /// HTML: the text is escaped and matches are wrapped in `<mark>` … `</mark>`.
    pub html: String,
}

#[derive(Clone, Debug)]
pub struct FacetCounts {
    pub kind: FacetKind,
    /// Flat facets: one level. Tree facets: roots, each with its children.
    pub values: Vec<FacetValue>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FacetValue {
    /// The value as a filter takes it: a theme path, a region path, a country code, ...
    pub value: String,
    pub count: u64,
    pub children: Vec<FacetValue>,
}

/// A search-as-you-type completion.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Suggestion {
    pub key: DocKey,
    pub text: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_garbage_is_rejected() {
        let cursor = SearchCursor {
            sort_key: 1.2210525274276733,
            uid: (1 << 32) | 7,
        };
        assert_eq!(SearchCursor::decode(&cursor.encode()).unwrap(), cursor);
        assert!(SearchCursor::decode("garbage").is_err());
    }
}
