//! Turning a [`SearchRequest`] into a tantivy query.
//!
//! Each word is looked up in every language: analyzed by each language's analyzer and matched in
//! that language's title, summary, body and tag fields, combined with a disjunction-max so a
//! record translated into five languages does not score five times. The query's language gets
//! a boost. A word of 5 letters or more also matches with one typo (two from 9 letters) in the
//! unstemmed `*_all` fields, at a small constant score; exact matches get a bonus of the same
//! size, so for each word they rank above typo-only matches. A word found as typed in at least
//! [`COMMON_WORD_DOCUMENTS`] records is not expanded with typos.
//! Typo expansion is done here, against the searched dictionaries, so it can be capped
//! ([`MAX_FUZZY_TERMS_PER_WORD`], [`MAX_FUZZY_TERMS_PER_QUERY`]).
//! Under [`Matching::Partial`] words need not all match: see [`COVERAGE_SCORE`].
//! Filters are added as zero-score required clauses; with no words left the filters alone
//! select (browsing).

use std::collections::{BTreeSet, HashMap};
use std::ops::Bound;

use tantivy::query::{
    AllQuery, BooleanQuery, BoostQuery, ConstScoreQuery, DisjunctionMaxQuery, FuzzyTermQuery,
    Occur, PhraseQuery, Query, RangeQuery, TermQuery, TermSetQuery,
};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::tokenizer::TextAnalyzer;
use tantivy::{Searcher, Term};

use super::analysis::{self, TextLanguage};
use super::concepts::{self, ConceptMatcher};
use super::document::SEARCHABLE;
use super::encode::day_number;
use super::fields::{Fields, Keyword, Part};
use super::request::{Matching, SearchFilter, SearchRequest};
use super::syntax::Clause;

/// Multiplies the exact-match boosts of the query's own language.
const LANGUAGE_BOOST: f32 = 1.5;
/// Lets a record's best field dominate while other matching fields still count a little.
const TIE_BREAKER: f32 = 0.1;
/// Constant score of a typo-tolerant match in a title; other parts scale by their boosts.
const FUZZY_TITLE_SCORE: f32 = 0.3;
/// Constant score of a match through a concept only (a document tagged with a concept the query
/// names, without the query's words): below any direct match of the same words, which scores
/// this too when the document is tagged, plus its own text score.
const CONCEPT_SCORE: f32 = 0.5;

/// Analyzers for one query: one per language plus the plain one.
#[derive(Clone)]
pub struct Analyzers {
    languages: Vec<(TextLanguage, TextAnalyzer)>,
    plain: TextAnalyzer,
}

impl Analyzers {
    pub fn new() -> Self {
        Self {
            languages: TextLanguage::ALL
                .iter()
                .map(|language| (*language, language.analyzer()))
                .collect(),
            plain: analysis::plain_analyzer(),
        }
    }

    /// A copy of the analyzer of `language`.
    pub fn analyzer(&self, language: TextLanguage) -> TextAnalyzer {
        self.languages
            .iter()
            .find(|(candidate, _)| *candidate == language)
            .map(|(_, analyzer)| analyzer.clone())
            .unwrap_or_else(|| language.analyzer())
    }

    /// The tokens of `text` under every language's analyzer.
    pub fn language_tokens(&mut self, text: &str) -> Vec<(TextLanguage, Vec<String>)> {
        self.languages
            .iter_mut()
            .map(|(language, analyzer)| {
                let tokens = analysis::tokens(analyzer, text)
                    .into_iter()
                    .map(|(_, token)| token)
                    .collect();
                (*language, tokens)
            })
            .collect()
    }

    pub fn plain_tokens(&mut self, text: &str) -> Vec<String> {
        analysis::tokens(&mut self.plain, text)
            .into_iter()
            .map(|(_, token)| token)
            .collect()
    }
}

impl Default for Analyzers {
    fn default() -> Self {
        Self::new()
    }
}

/// The compiled query, and the exact terms per field that highlighting should mark.
pub struct Compiled {
    pub query: Box<dyn Query>,
    pub highlight_terms: HashMap<Field, BTreeSet<String>>,
    /// How many indexed words the typo-tolerant matching of the query's words expanded to
    /// (at most [`MAX_FUZZY_TERMS_PER_QUERY`]).
    pub expansions: usize,
    /// Keys of the concepts the query was expanded with.
    pub concepts: Vec<String>,
}

/// Indexed words one query word may match through a typo: the closest, most frequent ones.
pub const MAX_FUZZY_TERMS_PER_WORD: usize = 16;
/// Indexed words all typo-tolerant words of one query may match together.
pub const MAX_FUZZY_TERMS_PER_QUERY: usize = 64;
/// A word found as typed in at least this many searched documents is not expanded with typos:
/// it is a word of the corpus, and its typo neighbours would only add noise below its own
/// matches (and cost most of a query's time on a large index).
pub const COMMON_WORD_DOCUMENTS: u64 = 100;
/// Dictionary entries one word's typo lookup reads per field and segment before it stops.
const MAX_FUZZY_CANDIDATES: usize = 2_000;
/// Under partial matching, a hit gets this much times the share (by IDF) of the query's words
/// it matches, and as much again when it matches them all: hits matching every word rank
/// first, then those missing only common words.
pub const COVERAGE_SCORE: f32 = 100.0;

pub fn compile(
    fields: &Fields,
    analyzers: &mut Analyzers,
    vocabulary: &ConceptMatcher,
    request: &SearchRequest,
    language: Option<TextLanguage>,
    searchers: &[&Searcher],
) -> Compiled {
    let mut builder = Builder {
        fields,
        analyzers,
        language,
        highlight_terms: HashMap::new(),
        searchers,
        expansions: 0,
    };
    let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
    let mut optional: Vec<Box<dyn Query>> = Vec::new();
    // Partial matching: the word groups that count towards coverage, with their weights.
    let mut partial: Vec<(Box<dyn Query>, f32)> = Vec::new();
    let mut groups: Vec<Option<Group>> = Vec::new();
    for group in &request.query.groups {
        let mut alternatives = Vec::new();
        let mut required = false;
        let strict = group
            .iter()
            .all(|clause| matches!(clause, Clause::Phrase(_)));
        for clause in group {
            let matched = builder.clause(clause, true);
            required |= matched.required;
            alternatives.extend(matched.query);
        }
        let query: Box<dyn Query> = match alternatives.len() {
            0 => {
                groups.push(None);
                continue;
            }
            1 => alternatives.remove(0),
            _ => Box::new(BooleanQuery::union(alternatives)),
        };
        let weight = builder.idf(group);
        groups.push(Some(Group {
            query,
            required,
            strict,
            weight,
        }));
    }
    let concepts =
        expand_with_concepts(fields, builder.analyzers, vocabulary, request, &mut groups);
    for group in groups.into_iter().flatten() {
        if !group.required {
            optional.push(group.query);
        } else if request.matching == Matching::Partial && !group.strict {
            partial.push((group.query, group.weight));
        } else {
            clauses.push((Occur::Must, group.query));
        }
    }
    if !partial.is_empty() {
        let words = partial_match(partial);
        // Alongside phrases the words only rank; otherwise one of them must match.
        let occur = if clauses.is_empty() {
            Occur::Must
        } else {
            Occur::Should
        };
        clauses.push((occur, words));
    }
    // Filters are required clauses, which would make optional words match everything; when
    // only optional words are left, at least one of them must match.
    if clauses.is_empty() && !optional.is_empty() {
        clauses.push((Occur::Must, Box::new(BooleanQuery::union(optional))));
    } else {
        clauses.extend(optional.into_iter().map(|query| (Occur::Should, query)));
    }
    for clause in &request.query.excluded {
        if let Some(query) = builder.clause(clause, false).query {
            clauses.push((Occur::MustNot, query));
        }
    }
    let highlight_terms = std::mem::take(&mut builder.highlight_terms);
    let expansions = builder.expansions;
    for filter in filters(fields, request) {
        clauses.push((Occur::Must, Box::new(ConstScoreQuery::new(filter, 0.0))));
    }
    if clauses.is_empty() {
        // Browsing: no words, only filters (the kind filter at least).
        clauses.push((Occur::Must, Box::new(AllQuery)));
    }
    Compiled {
        query: Box::new(BooleanQuery::new(clauses)),
        highlight_terms,
        expansions,
        concepts,
    }
}

/// One group of the query (a word, a phrase or `OR` alternatives) as compiled.
struct Group {
    query: Box<dyn Query>,
    /// False for a word that is a stop word in some language (see [`Matched::required`]).
    required: bool,
    /// Phrases only: never left out under partial matching.
    strict: bool,
    /// How informative the group is (IDF), its share of partial-matching coverage.
    weight: f32,
}

/// Word groups that need not all match: each adds its text score, plus [`COVERAGE_SCORE`]
/// times its share of the groups' total weight when it matches, plus [`COVERAGE_SCORE`] when
/// all of them match. One group alone needs no coverage: every hit matches it.
fn partial_match(mut groups: Vec<(Box<dyn Query>, f32)>) -> Box<dyn Query> {
    if groups.len() == 1 {
        return groups.remove(0).0;
    }
    let total: f32 = groups
        .iter()
        .map(|(_, weight)| weight)
        .sum::<f32>()
        .max(f32::EPSILON);
    let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
    let all: Vec<(Occur, Box<dyn Query>)> = groups
        .iter()
        .map(|(query, _)| (Occur::Must, query.box_clone()))
        .collect();
    clauses.push((
        Occur::Should,
        Box::new(ConstScoreQuery::new(
            Box::new(BooleanQuery::new(all)),
            COVERAGE_SCORE,
        )),
    ));
    for (query, weight) in groups {
        let coverage = COVERAGE_SCORE * weight / total;
        clauses.push((
            Occur::Should,
            Box::new(ConstScoreQuery::new(query.box_clone(), coverage)),
        ));
        clauses.push((Occur::Should, query));
    }
    Box::new(BooleanQuery::new(clauses))
}

/// Lets each run of query words that names vocabulary concepts match either word by word or
/// through a document tagged with one of those concepts (at [`CONCEPT_SCORE`]). Only single
/// words take part: phrases and `OR` groups stay as written. The run becomes one group whose
/// partial-matching weight is the sum of its words'. Returns the concepts used.
fn expand_with_concepts(
    fields: &Fields,
    analyzers: &Analyzers,
    vocabulary: &ConceptMatcher,
    request: &SearchRequest,
    groups: &mut [Option<Group>],
) -> Vec<String> {
    let words: Vec<(usize, &str)> = request
        .query
        .groups
        .iter()
        .enumerate()
        .filter_map(|(index, group)| match group.as_slice() {
            [Clause::Word(word)] => Some((index, word.as_str())),
            _ => None,
        })
        .collect();
    let spans = vocabulary.match_query(|language| analyzers.analyzer(language), &words);
    let mut used = Vec::new();
    for (first, last, concepts) in concepts::segments(&spans) {
        let mut direct: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        let mut weight = 0.0;
        for slot in &mut groups[first..=last] {
            if let Some(group) = slot.take() {
                let occur = if group.required {
                    Occur::Must
                } else {
                    Occur::Should
                };
                weight += group.weight;
                direct.push((occur, group.query));
            }
        }
        let field = fields.concept;
        let tagged: Box<dyn Query> = Box::new(ConstScoreQuery::new(
            Box::new(TermSetQuery::new(
                concepts
                    .iter()
                    .map(|concept| Term::from_field_text(field, concept)),
            )),
            CONCEPT_SCORE,
        ));
        let either: Box<dyn Query> = if direct.is_empty() {
            tagged
        } else {
            Box::new(BooleanQuery::union(vec![
                Box::new(BooleanQuery::new(direct)),
                tagged,
            ]))
        };
        groups[first] = Some(Group {
            query: either,
            required: true,
            strict: false,
            weight,
        });
        used.extend(concepts);
    }
    used
}

struct Matched {
    query: Option<Box<dyn Query>>,
    /// False for a word that is a stop word in some language: records in that language cannot
    /// contain it, so it may raise a score but must not exclude.
    required: bool,
}

struct Builder<'a> {
    fields: &'a Fields,
    analyzers: &'a mut Analyzers,
    language: Option<TextLanguage>,
    highlight_terms: HashMap<Field, BTreeSet<String>>,
    /// Whose dictionaries typo-tolerant words expand against and whose statistics weigh words.
    searchers: &'a [&'a Searcher],
    expansions: usize,
}

impl Builder<'_> {
    fn clause(&mut self, clause: &Clause, positive: bool) -> Matched {
        let (text, is_word) = match clause {
            Clause::Word(word) => (word.as_str(), true),
            Clause::Phrase(phrase) => (phrase.as_str(), false),
        };
        let mut exact: Vec<Box<dyn Query>> = Vec::new();
        let mut stop_word_somewhere = false;
        for index in 0..self.analyzers.languages.len() {
            let (language, analyzer) = &mut self.analyzers.languages[index];
            let language = *language;
            let tokens = analysis::tokens(analyzer, text);
            if tokens.is_empty() {
                stop_word_somewhere = true;
                continue;
            }
            for part in Part::ALL {
                let field = self.fields.text(part, language);
                if positive {
                    self.highlight_terms
                        .entry(field)
                        .or_default()
                        .extend(tokens.iter().map(|(_, token)| token.clone()));
                }
                let mut boost = part.boost();
                if Some(language) == self.language {
                    boost *= LANGUAGE_BOOST;
                }
                exact.push(Box::new(BoostQuery::new(
                    exact_query(field, &tokens),
                    boost,
                )));
            }
        }
        if exact.is_empty() {
            return Matched {
                query: None,
                required: false,
            };
        }
        let exact: Box<dyn Query> =
            Box::new(DisjunctionMaxQuery::with_tie_breaker(exact, TIE_BREAKER));
        let fuzzy = if is_word && positive {
            self.fuzzy(text)
        } else {
            None
        };
        let query = match fuzzy {
            // The bonus equals the best fuzzy score, so any exact match (which also matches
            // fuzzily, at distance 0) outscores every typo-only match of the word.
            Some(fuzzy) => {
                let bonus = Box::new(ConstScoreQuery::new(exact.box_clone(), FUZZY_TITLE_SCORE));
                Box::new(BooleanQuery::union(vec![exact, bonus, fuzzy]))
            }
            None => exact,
        };
        Matched {
            query: Some(query),
            required: !(is_word && stop_word_somewhere),
        }
    }

    /// The word matched with typos in the unstemmed `*_all` fields: the indexed words within
    /// its typo budget, the closest and most frequent first, at most
    /// [`MAX_FUZZY_TERMS_PER_WORD`] and what is left of [`MAX_FUZZY_TERMS_PER_QUERY`].
    fn fuzzy(&mut self, word: &str) -> Option<Box<dyn Query>> {
        let tokens = self.analyzers.plain_tokens(word);
        let [token] = tokens.as_slice() else {
            return None;
        };
        let distance = typo_budget(token.chars().count());
        let room = MAX_FUZZY_TERMS_PER_WORD.min(MAX_FUZZY_TERMS_PER_QUERY - self.expansions);
        if distance == 0 || room == 0 || self.is_common(token) {
            return None;
        }
        let words = self.typo_words(token, distance, room);
        if words.is_empty() {
            return None;
        }
        self.expansions += words.len();
        let fuzzies: Vec<Box<dyn Query>> = Part::ALL
            .iter()
            .map(|part| {
                let field = self.fields.all(*part);
                let score = FUZZY_TITLE_SCORE * part.boost() / Part::Title.boost();
                let terms = words.iter().map(|word| Term::from_field_text(field, word));
                Box::new(ConstScoreQuery::new(
                    Box::new(TermSetQuery::new(terms)),
                    score,
                )) as Box<dyn Query>
            })
            .collect();
        Some(Box::new(DisjunctionMaxQuery::new(fuzzies)))
    }

    /// Up to `limit` indexed words within `distance` edits of `token`: fewest edits first, then
    /// in most documents.
    fn typo_words(&self, token: &str, distance: u8, limit: usize) -> Vec<String> {
        let mut found: HashMap<String, u64> = HashMap::new();
        // The automaton depends on the word only: built once, walked over every field.
        let fuzzy = FuzzyTermQuery::new(
            Term::from_field_text(self.fields.all(Part::Title), token),
            distance,
            true,
        );
        let Ok(automaton) = fuzzy.automaton() else {
            return Vec::new();
        };
        for part in Part::ALL {
            let field = self.fields.all(part);
            for searcher in self.searchers {
                for segment in searcher.segment_readers() {
                    let Ok(inverted) = segment.inverted_index(field) else {
                        continue;
                    };
                    let Ok(mut stream) = inverted.terms().search(&automaton).into_stream() else {
                        continue;
                    };
                    let mut read = 0;
                    while read < MAX_FUZZY_CANDIDATES && stream.advance() {
                        read += 1;
                        if let Ok(term) = std::str::from_utf8(stream.key()) {
                            *found.entry(term.to_owned()).or_default() +=
                                u64::from(stream.value().doc_freq);
                        }
                    }
                }
            }
        }
        let mut ranked: Vec<(usize, u64, String)> = found
            .into_iter()
            .map(|(term, freq)| (strsim::osa_distance(token, &term), freq, term))
            .collect();
        ranked.sort_by(|a, b| a.0.cmp(&b.0).then(b.1.cmp(&a.1)).then(a.2.cmp(&b.2)));
        ranked.truncate(limit);
        ranked.into_iter().map(|(_, _, term)| term).collect()
    }

    /// True when `token`, as typed, is in at least [`COMMON_WORD_DOCUMENTS`] of the searched
    /// documents (in any part): such a word is taken as meant and not expanded with typos, so
    /// frequent words cost no automaton walk over the dictionaries.
    fn is_common(&self, token: &str) -> bool {
        Part::ALL
            .iter()
            .map(|part| self.doc_freq(self.fields.all(*part), token))
            .max()
            .unwrap_or(0)
            >= COMMON_WORD_DOCUMENTS
    }

    /// In how many searched documents `field` holds `form`.
    fn doc_freq(&self, field: Field, form: &str) -> u64 {
        let term = Term::from_field_text(field, form);
        self.searchers
            .iter()
            .map(|searcher| searcher.doc_freq(&term).unwrap_or(0))
            .sum()
    }

    /// How informative matching `group` is: the IDF of its most frequent word form (the
    /// unstemmed word, or a stem in some language) among the searched documents; an OR group
    /// counts the documents of all its words.
    fn idf(&mut self, group: &[Clause]) -> f32 {
        let mut documents: u64 = 0;
        let mut frequency: u64 = 0;
        for searcher in self.searchers {
            documents += searcher.num_docs();
        }
        for clause in group {
            let Clause::Word(word) = clause else {
                continue;
            };
            let mut most = 0;
            let mut forms: Vec<(Field, String)> = Vec::new();
            for token in self.analyzers.plain_tokens(word) {
                forms.extend(Part::ALL.map(|part| (self.fields.all(part), token.clone())));
            }
            for (language, stems) in self.analyzers.language_tokens(word) {
                for stem in stems {
                    forms.extend(
                        Part::ALL.map(|part| (self.fields.text(part, language), stem.clone())),
                    );
                }
            }
            for (field, form) in forms {
                most = most.max(self.doc_freq(field, &form));
            }
            frequency += most;
        }
        let documents = documents as f32;
        let frequency = (frequency as f32).min(documents);
        (1.0 + (documents - frequency + 0.5) / (frequency + 0.5)).ln()
    }
}

/// Edits allowed for a word of `letters` letters: none below 5, one from 5, two from 9.
pub fn typo_budget(letters: usize) -> u8 {
    match letters {
        0..=4 => 0,
        5..=8 => 1,
        _ => 2,
    }
}

fn exact_query(field: Field, tokens: &[(usize, String)]) -> Box<dyn Query> {
    if let [(_, token)] = tokens {
        return Box::new(TermQuery::new(
            Term::from_field_text(field, token),
            IndexRecordOption::WithFreqs,
        ));
    }
    let first = tokens.first().map_or(0, |(position, _)| *position);
    let terms: Vec<(usize, Term)> = tokens
        .iter()
        .map(|(position, token)| (position - first, Term::from_field_text(field, token)))
        .collect();
    Box::new(PhraseQuery::new_with_offset(terms))
}

fn filters(fields: &Fields, request: &SearchRequest) -> Vec<Box<dyn Query>> {
    let SearchFilter {
        themes,
        regions,
        cities,
        networks,
        sdgs,
        languages,
        min_score,
        instruments,
        open_at,
        geo,
    } = &request.filter;
    let mut queries: Vec<Box<dyn Query>> = Vec::new();
    let kinds: Vec<&str> = request
        .kinds
        .iter()
        .filter(|kind| SEARCHABLE.contains(kind))
        .map(|kind| kind.name())
        .collect();
    let kinds = if kinds.is_empty() {
        SEARCHABLE.iter().map(|kind| kind.name()).collect()
    } else {
        kinds
    };
    queries.push(any_of(fields, Keyword::Kind, kinds));
    let keyword_filters: [(Keyword, Vec<String>); 6] = [
        (
            Keyword::Theme,
            themes.iter().map(ToString::to_string).collect(),
        ),
        (
            Keyword::City,
            cities.iter().map(ToString::to_string).collect(),
        ),
        (
            Keyword::Network,
            networks.iter().map(ToString::to_string).collect(),
        ),
        (
            Keyword::Sdg,
            sdgs.iter().map(|sdg| sdg.get().to_string()).collect(),
        ),
        (
            Keyword::Language,
            languages.iter().map(ToString::to_string).collect(),
        ),
        (
            Keyword::Instrument,
            instruments
                .iter()
                .map(|value| value.as_str().to_owned())
                .collect(),
        ),
    ];
    if !regions.is_empty() {
        queries.push(region_filter(fields, regions));
    }
    for (keyword, values) in keyword_filters {
        if !values.is_empty() {
            queries.push(any_of(fields, keyword, values));
        }
    }
    if let Some(min_score) = min_score {
        queries.push(Box::new(RangeQuery::new(
            Bound::Included(Term::from_field_f64(fields.score, *min_score)),
            Bound::Unbounded,
        )));
    }
    if let Some(day) = open_at {
        let day = day_number(*day);
        queries.push(Box::new(RangeQuery::new(
            Bound::Unbounded,
            Bound::Included(Term::from_field_i64(fields.opens_day, day)),
        )));
        queries.push(Box::new(RangeQuery::new(
            Bound::Included(Term::from_field_i64(fields.closes_day, day)),
            Bound::Unbounded,
        )));
    }
    if !geo.is_empty() {
        queries.push(Box::new(geo.query()));
    }
    queries
}

/// Practices and cities located in one of `regions` (or below it); funding open to one of
/// them, as `fundingOpportunities(filter: {eligibleRegion})` has it: listing the region or one
/// containing it, or listing none.
fn region_filter(fields: &Fields, regions: &[String]) -> Box<dyn Query> {
    let funding = super::document::RecordKind::FundingOpportunity.name();
    let located: Box<dyn Query> = Box::new(BooleanQuery::new(vec![
        (
            Occur::Must,
            any_of(fields, Keyword::Region, regions.to_vec()),
        ),
        (Occur::MustNot, any_of(fields, Keyword::Kind, vec![funding])),
    ]));
    let mut eligible = super::encode::with_ancestors(regions);
    eligible.insert(super::fields::ANY_REGION.to_owned());
    let eligible = any_of(
        fields,
        Keyword::EligibleRegion,
        eligible.into_iter().collect(),
    );
    Box::new(BooleanQuery::new(vec![
        (Occur::Should, located),
        (Occur::Should, eligible),
    ]))
}

/// Documents whose `keyword` is one of `values`. One value is a plain term query, which an
/// intersection advances by seeking through its postings; a set of terms is matched through
/// an automaton over the term dictionary that reads every posting of every term into a bit
/// set first (a million bits per segment for "practices" at 1M).
fn any_of<S: AsRef<str>>(fields: &Fields, keyword: Keyword, values: Vec<S>) -> Box<dyn Query> {
    let field = fields.keyword(keyword);
    let term = |value: &S| Term::from_field_text(field, value.as_ref());
    if let [value] = values.as_slice() {
        return Box::new(TermQuery::new(term(value), IndexRecordOption::Basic));
    }
    Box::new(TermSetQuery::new(values.iter().map(term)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_typo_budget_grows_with_word_length() {
        assert_eq!(typo_budget(4), 0);
        assert_eq!(typo_budget(5), 1);
        assert_eq!(typo_budget(8), 1);
        assert_eq!(typo_budget(9), 2);
    }
}
