//! Running a search against one generation: one pass collects the page (ordered and
//! keyset-paged by a sort key), the total and the facet counts. A second, private generation
//! (a viewer's unpublished records, in memory) can be searched alongside: its documents are
//! scored with the public generation's statistics so both rank on one scale, and the two
//! passes merge into one page, total and set of facets.

use std::cmp::Ordering;

use tantivy::collector::{Count, TopDocs};
use tantivy::schema::Value;
use tantivy::{DocAddress, DocId, Score, SegmentReader, TantivyDocument};

use super::Generation;
use super::spelling;
use crate::search::analysis;
use crate::search::concepts::ConceptMatcher;
use crate::search::document::DocKey;
use crate::search::facets::{self, FacetCounter};
use crate::search::fields::{self, Part};
use crate::search::geo;
use crate::search::query::{self, Analyzers};
use crate::search::request::{
    Hit, Matching, SearchCursor, SearchRequest, SearchResults, SortOrder,
};
use crate::search::snippets::Highlighter;

/// Below this many hits a spelling suggestion is computed (under `Matching::All`).
const FEW_HITS: usize = 3;
/// Indexed words per query word that highlighting of typo-only matches considers.
const TYPO_HIGHLIGHT_WORDS: usize = 50;
/// Sort key of a document that lacks the value ordered by: after every real value.
const MISSING: f64 = -1e300;

/// Orders by `primary`, then `uid`, both descending; the rest rides along.
#[derive(Clone, Copy, Debug)]
struct SortKey {
    primary: f64,
    uid: u64,
    relevance: Score,
    distance_km: Option<f64>,
}

impl SortKey {
    /// Documents at or before the cursor are pushed below every real key and dropped.
    const SKIPPED: SortKey = SortKey {
        primary: f64::NEG_INFINITY,
        uid: 0,
        relevance: 0.0,
        distance_km: None,
    };

    fn is_after(&self, cursor: &SearchCursor) -> bool {
        self.primary < cursor.sort_key || (self.primary == cursor.sort_key && self.uid < cursor.uid)
    }
}

impl PartialEq for SortKey {
    fn eq(&self, other: &Self) -> bool {
        self.partial_cmp(other) == Some(Ordering::Equal)
    }
}

impl PartialOrd for SortKey {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(
            self.primary
                .total_cmp(&other.primary)
                .then(self.uid.cmp(&other.uid)),
        )
    }
}

/// The page collector: the `first + 1` best documents after the cursor, by sort key.
fn top_collector(
    request: &SearchRequest,
) -> impl tantivy::collector::Collector<Fruit = Vec<(SortKey, DocAddress)>> {
    let order = request.order;
    let after = request.after;
    let near = request.filter.geo.near;
    TopDocs::with_limit(request.first + 1).tweak_score(move |segment: &SegmentReader| {
        let fast = segment.fast_fields();
        let uid = fast.u64(fields::UID).ok();
        let date = fast.column_opt::<i64>(fields::DATE).ok().flatten();
        let score = fast.column_opt::<f64>(fields::SCORE).ok().flatten();
        let geo = fast.column_opt::<u64>(fields::GEO).ok().flatten();
        move |doc: DocId, relevance: Score| {
            let distance_km = match (near, &geo) {
                (Some(near), Some(geo)) => geo::nearest_km(geo, doc, near.center()),
                _ => None,
            };
            let primary = match order {
                SortOrder::Relevance => f64::from(relevance),
                SortOrder::Date => date
                    .as_ref()
                    .and_then(|column| column.first(doc))
                    .map_or(MISSING, |seconds| seconds as f64),
                SortOrder::Score => score
                    .as_ref()
                    .and_then(|column| column.first(doc))
                    .unwrap_or(MISSING),
                SortOrder::Distance => distance_km.map_or(MISSING, |km| -km),
            };
            let key = SortKey {
                primary,
                uid: uid
                    .as_ref()
                    .and_then(|column| column.first(doc))
                    .unwrap_or(0),
                relevance,
                distance_km,
            };
            match after {
                Some(cursor) if !key.is_after(&cursor) => SortKey::SKIPPED,
                _ => key,
            }
        }
    })
}

/// Searches `generation`, and `private` alongside it when given.
pub fn search(
    generation: &Generation,
    private: Option<&Generation>,
    prototype: &Analyzers,
    vocabulary: &ConceptMatcher,
    request: &SearchRequest,
) -> anyhow::Result<SearchResults> {
    let language = request
        .language
        .or_else(|| analysis::detect(&request.query.plain_text()));
    let mut analyzers = prototype.clone();
    let searcher = generation.reader.searcher();
    let private_searcher = private.map(|private| private.reader.searcher());
    let searchers: Vec<&tantivy::Searcher> = std::iter::once(&searcher)
        .chain(&private_searcher)
        .collect();
    let compiled = query::compile(
        &generation.fields,
        &mut analyzers,
        vocabulary,
        request,
        language,
        &searchers,
    );
    tracing::debug!(expansions = compiled.expansions, "search query compiled");
    let deadline = request.deadline;
    let collector = deadline.collector((
        top_collector(request),
        Count,
        FacetCounter::new(&request.facets),
    ));
    let (public_page, mut total, mut raw_facets) = searcher
        .search(compiled.query.as_ref(), &collector)
        .map_err(|error| deadline.explain(error))?;
    // Each entry remembers whether it came from the private generation.
    let mut page: Vec<(SortKey, DocAddress, bool)> = public_page
        .into_iter()
        .map(|(key, address)| (key, address, false))
        .collect();
    if let Some(private_searcher) = &private_searcher {
        let (private_page, private_total, private_facets) = private_searcher
            .search_with_statistics_provider(compiled.query.as_ref(), &collector, &searcher)
            .map_err(|error| deadline.explain(error))?;
        total += private_total;
        facets::add(&mut raw_facets, private_facets);
        page.extend(
            private_page
                .into_iter()
                .map(|(key, address)| (key, address, true)),
        );
        page.sort_by(|a, b| b.0.partial_cmp(&a.0).unwrap_or(Ordering::Equal));
        // A record changing state between index and database could sit in both.
        let mut seen = std::collections::HashSet::new();
        page.retain(|(key, _, _)| seen.insert(key.uid));
    }

    page.retain(|(key, _, _)| key.primary != f64::NEG_INFINITY);
    let has_next_page = page.len() > request.first;
    page.truncate(request.first);

    let highlighter = Highlighter::new(
        &generation.fields,
        &analyzers,
        &compiled.highlight_terms,
        language,
    );
    let mut typo_highlighter: Option<Highlighter> = None;
    let mut hits = Vec::with_capacity(page.len());
    for (key, address, from_private) in page {
        deadline.check()?;
        let Some(doc_key) = DocKey::from_raw(key.uid) else {
            continue;
        };
        let doc: TantivyDocument = match (&private_searcher, from_private) {
            (Some(private_searcher), true) => private_searcher.doc(address)?,
            _ => searcher.doc(address)?,
        };
        let mut highlights = highlighter.highlights(&doc);
        if highlights.is_empty() && !request.query.groups.is_empty() {
            // Matched through a typo only: mark the indexed words close to the query's.
            if typo_highlighter.is_none() {
                let mut terms = compiled.highlight_terms.clone();
                let words = spelling::typo_matches(
                    &searcher,
                    &generation.fields,
                    &mut analyzers,
                    &request.query,
                    TYPO_HIGHLIGHT_WORDS,
                )?;
                for word in words {
                    for (language, stems) in analyzers.language_tokens(&word) {
                        for part in Part::ALL {
                            terms
                                .entry(generation.fields.text(part, language))
                                .or_default()
                                .extend(stems.iter().cloned());
                        }
                    }
                }
                typo_highlighter = Some(Highlighter::new(
                    &generation.fields,
                    &analyzers,
                    &terms,
                    language,
                ));
            }
            if let Some(typo_highlighter) = &typo_highlighter {
                highlights = typo_highlighter.highlights(&doc);
            }
        }
        let concepts = if compiled.concepts.is_empty() {
            Vec::new()
        } else {
            doc.get_all(generation.fields.concept)
                .filter_map(|value| value.as_str())
                .filter(|key| compiled.concepts.iter().any(|concept| concept == key))
                .map(str::to_owned)
                .collect()
        };
        hits.push(Hit {
            concepts,
            key: doc_key,
            score: key.relevance,
            cursor: SearchCursor {
                sort_key: key.primary,
                uid: key.uid,
            },
            highlights,
            distance_km: key.distance_km,
        });
    }

    deadline.check()?;
    // Partial matching finds hits for a query with a misspelt word (through its other words),
    // so the correction is offered whenever some word is in no document.
    let suggestion = if total < FEW_HITS || request.matching == Matching::Partial {
        spelling::did_you_mean(
            &searcher,
            &generation.fields,
            &mut analyzers,
            &request.query,
        )?
    } else {
        None
    };
    Ok(SearchResults {
        total,
        hits,
        has_next_page,
        facets: facets::shape(&request.facets, raw_facets),
        suggestion,
        language,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::search::document::{LocalizedText, RecordKind, SearchDocument};
    use crate::search::request::{SearchFilter, SortOrder};
    use crate::search::syntax::ParsedQuery;

    fn request(text: &str) -> SearchRequest {
        SearchRequest {
            query: ParsedQuery::parse(text).unwrap(),
            matching: Matching::Partial,
            language: None,
            kinds: Vec::new(),
            filter: SearchFilter::default(),
            facets: Vec::new(),
            order: SortOrder::Relevance,
            first: 10,
            after: None,
            deadline: crate::search::deadline::Deadline::NONE,
        }
    }

    /// Every word one edit away from `word` by changing one letter.
    fn neighbours(word: &str) -> Vec<String> {
        let letters: Vec<char> = word.chars().collect();
        let mut found = Vec::new();
        for position in 0..letters.len() {
            for letter in 'a'..='z' {
                if letter != letters[position] {
                    let mut changed = letters.clone();
                    changed[position] = letter;
                    found.push(changed.into_iter().collect());
                }
            }
        }
        found
    }

    #[test]
    fn typo_expansions_are_capped_per_word_and_per_query() {
        // 125 indexed words within one typo of "bbbbb", 20 to a document.
        let words = neighbours("bbbbb");
        let documents: Vec<SearchDocument> = words
            .chunks(20)
            .enumerate()
            .map(|(id, chunk)| {
                let mut doc = SearchDocument::new(RecordKind::Practice, id as i32 + 1);
                doc.texts.push(LocalizedText {
                    language: "en".into(),
                    title: chunk.join(" "),
                    summary: String::new(),
                    body: String::new(),
                });
                doc
            })
            .collect();
        let generation = Generation::in_ram(&documents).unwrap();
        let searcher = generation.reader.searcher();
        let compile = |text: &str| {
            let mut analyzers = Analyzers::new();
            query::compile(
                &generation.fields,
                &mut analyzers,
                &ConceptMatcher::default(),
                &request(text),
                None,
                &[&searcher],
            )
        };
        let typical = compile("cycling lanes").expansions;
        let one = compile("bbbbb").expansions;
        assert_eq!(
            one,
            query::MAX_FUZZY_TERMS_PER_WORD,
            "{} words in reach",
            words.len()
        );
        // Many fuzzy words, each with over a hundred indexed words in reach.
        let pathological: Vec<String> = words.iter().take(40).cloned().collect();
        let worst = compile(&pathological.join(" ")).expansions;
        assert_eq!(worst, query::MAX_FUZZY_TERMS_PER_QUERY);
        assert!(worst <= 4 * query::MAX_FUZZY_TERMS_PER_WORD.max(typical));
        // And the search still runs and finds them.
        let results = search(
            &generation,
            None,
            &Analyzers::new(),
            &ConceptMatcher::default(),
            &request(&pathological.join(" ")),
        )
        .unwrap();
        assert!(results.total > 0);
    }

    #[test]
    fn a_word_in_many_documents_is_not_expanded_with_typos() {
        let documents_with = |count: usize| -> Vec<SearchDocument> {
            (0..count + 1)
                .map(|id| {
                    let mut doc = SearchDocument::new(RecordKind::Practice, id as i32 + 1);
                    doc.texts.push(LocalizedText {
                        language: "en".into(),
                        // One document holds a typo neighbour of "heating" instead.
                        title: if id == count { "heatinx" } else { "heating" }.into(),
                        summary: String::new(),
                        body: String::new(),
                    });
                    doc
                })
                .collect()
        };
        let expansions = |count: usize| {
            let generation = Generation::in_ram(&documents_with(count)).unwrap();
            let searcher = generation.reader.searcher();
            query::compile(
                &generation.fields,
                &mut Analyzers::new(),
                &ConceptMatcher::default(),
                &request("heating"),
                None,
                &[&searcher],
            )
            .expansions
        };
        let common = query::COMMON_WORD_DOCUMENTS as usize;
        assert!(
            expansions(common - 1) > 0,
            "a rarer word still forgives typos"
        );
        assert_eq!(expansions(common), 0);
    }
}
