//! Turning a [`SearchRequest`] into a tantivy query.
//!
//! Each word is looked up in every language: analyzed by each language's analyzer and matched in
//! that language's title, summary, body and tag fields, combined with a disjunction-max so a
//! record translated into five languages does not score five times. The query's language gets
//! a boost. A word of 5 letters or more also matches with one typo (two from 9 letters) in the
//! unstemmed `*_all` fields, at a small constant score; exact matches get a bonus of the same
//! size, so for each word they rank above typo-only matches.
//! Filters are added as zero-score required clauses.

use std::collections::{BTreeSet, HashMap};
use std::ops::Bound;

use tantivy::Term;
use tantivy::query::{
    BooleanQuery, BoostQuery, ConstScoreQuery, DisjunctionMaxQuery, FuzzyTermQuery, Occur,
    PhraseQuery, Query, RangeQuery, TermQuery, TermSetQuery,
};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::tokenizer::TextAnalyzer;

use super::analysis::{self, TextLanguage};
use super::concepts::{self, ConceptMatcher};
use super::document::SEARCHABLE;
use super::encode::day_number;
use super::fields::{Fields, Keyword, Part};
use super::request::{SearchFilter, SearchRequest};
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
    /// Keys of the concepts the query was expanded with.
    pub concepts: Vec<String>,
}

pub fn compile(
    fields: &Fields,
    analyzers: &mut Analyzers,
    vocabulary: &ConceptMatcher,
    request: &SearchRequest,
    language: Option<TextLanguage>,
) -> Compiled {
    let mut builder = Builder {
        fields,
        analyzers,
        language,
        highlight_terms: HashMap::new(),
    };
    let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
    let mut optional: Vec<Box<dyn Query>> = Vec::new();
    let mut groups: Vec<Option<(Box<dyn Query>, bool)>> = Vec::new();
    for group in &request.query.groups {
        let mut alternatives = Vec::new();
        let mut required = false;
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
        groups.push(Some((query, required)));
    }
    let concepts =
        expand_with_concepts(fields, builder.analyzers, vocabulary, request, &mut groups);
    for (query, required) in groups.into_iter().flatten() {
        if required {
            clauses.push((Occur::Must, query));
        } else {
            optional.push(query);
        }
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
    for filter in filters(fields, request) {
        clauses.push((Occur::Must, Box::new(ConstScoreQuery::new(filter, 0.0))));
    }
    Compiled {
        query: Box::new(BooleanQuery::new(clauses)),
        highlight_terms,
        concepts,
    }
}

/// Lets each run of query words that names vocabulary concepts match either word by word or
/// through a document tagged with one of those concepts (at [`CONCEPT_SCORE`]). Only single
/// words take part: phrases and `OR` groups stay as written. Returns the concepts used.
fn expand_with_concepts(
    fields: &Fields,
    analyzers: &Analyzers,
    vocabulary: &ConceptMatcher,
    request: &SearchRequest,
    groups: &mut [Option<(Box<dyn Query>, bool)>],
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
        for slot in &mut groups[first..=last] {
            if let Some((query, required)) = slot.take() {
                let occur = if required { Occur::Must } else { Occur::Should };
                direct.push((occur, query));
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
        groups[first] = Some((either, true));
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

    fn fuzzy(&mut self, word: &str) -> Option<Box<dyn Query>> {
        let tokens = self.analyzers.plain_tokens(word);
        let [token] = tokens.as_slice() else {
            return None;
        };
        let distance = typo_budget(token.chars().count());
        if distance == 0 {
            return None;
        }
        let fuzzies: Vec<Box<dyn Query>> = Part::ALL
            .iter()
            .map(|part| {
                let term = Term::from_field_text(self.fields.all(*part), token);
                let score = FUZZY_TITLE_SCORE * part.boost() / Part::Title.boost();
                Box::new(BoostQuery::new(
                    Box::new(FuzzyTermQuery::new(term, distance, true)),
                    score,
                )) as Box<dyn Query>
            })
            .collect();
        Some(Box::new(DisjunctionMaxQuery::new(fuzzies)))
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

fn any_of<S: AsRef<str>>(fields: &Fields, keyword: Keyword, values: Vec<S>) -> Box<dyn Query> {
    let field = fields.keyword(keyword);
    Box::new(TermSetQuery::new(
        values
            .iter()
            .map(|value| Term::from_field_text(field, value.as_ref())),
    ))
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
