//! The concept vocabulary as search uses it. Every label is analysed by its language's analyzer
//! (so `Dachbegrünung` and `Dachbegrünungen`, `green roof` and `green roofs` meet) and kept
//! under its first token. A document is tagged with the concepts whose labels occur in its
//! text in the label's language, multi-word labels as consecutive tokens; a query's words are
//! looked up the same way in every language, and the concepts they name expand the query.
//!
//! Cost is bounded on both sides: tagging is one hash lookup per token plus a comparison per
//! label starting with it, labels longer than [`MAX_LABEL_TOKENS`] are ignored, a document
//! carries at most [`MAX_CONCEPTS_PER_DOCUMENT`] concepts and a query expands to at most
//! [`MAX_CONCEPTS_PER_QUERY`].

use std::collections::{BTreeMap, BTreeSet, HashMap};

use tantivy::tokenizer::TextAnalyzer;

use super::analysis::{self, TextLanguage};
use super::document::SearchDocument;

/// Concepts one document is tagged with at most (the first found, in text order).
pub const MAX_CONCEPTS_PER_DOCUMENT: usize = 64;
/// Concepts one query expands to at most (the longest matches first).
pub const MAX_CONCEPTS_PER_QUERY: usize = 8;
/// Labels of more analysed tokens than this are not matched.
pub const MAX_LABEL_TOKENS: usize = 8;

#[derive(Clone, Debug, PartialEq, Eq)]
struct Label {
    /// The analysed tokens after the first.
    rest: Vec<String>,
    concept: usize,
}

/// The vocabulary's labels, analysed, per language.
#[derive(Debug, Default)]
pub struct ConceptMatcher {
    keys: Vec<String>,
    labels: HashMap<TextLanguage, HashMap<String, Vec<Label>>>,
}

/// Query words `first..=last` (indices of query groups) name `concept`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConceptSpan {
    pub concept: String,
    pub first: usize,
    pub last: usize,
}

impl ConceptMatcher {
    /// From `(concept key, language code, label)` triples.
    pub fn new<'a>(labels: impl IntoIterator<Item = (&'a str, &'a str, &'a str)>) -> Self {
        let mut matcher = Self::default();
        let mut index: HashMap<String, usize> = HashMap::new();
        let mut analyzers: HashMap<TextLanguage, TextAnalyzer> = HashMap::new();
        for (key, language, label) in labels {
            let language = TextLanguage::from_code(language);
            let analyzer = analyzers
                .entry(language)
                .or_insert_with(|| language.analyzer());
            let tokens: Vec<String> = analysis::tokens(analyzer, label)
                .into_iter()
                .map(|(_, token)| token)
                .collect();
            let Some((first, rest)) = tokens.split_first() else {
                continue;
            };
            if tokens.len() > MAX_LABEL_TOKENS {
                continue;
            }
            let concept = *index.entry(key.to_owned()).or_insert_with(|| {
                matcher.keys.push(key.to_owned());
                matcher.keys.len() - 1
            });
            let entry = Label {
                rest: rest.to_vec(),
                concept,
            };
            let bucket = matcher
                .labels
                .entry(language)
                .or_default()
                .entry(first.clone())
                .or_default();
            if !bucket.contains(&entry) {
                bucket.push(entry);
            }
        }
        matcher
    }

    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    /// Every `(start, end, concept)` of a label occurring in `tokens` (analysed in `language`).
    fn occurrences(&self, language: TextLanguage, tokens: &[String]) -> Vec<(usize, usize, usize)> {
        let Some(labels) = self.labels.get(&language) else {
            return Vec::new();
        };
        let mut found = Vec::new();
        for (start, token) in tokens.iter().enumerate() {
            let Some(candidates) = labels.get(token) else {
                continue;
            };
            for label in candidates {
                let end = start + 1 + label.rest.len();
                if end <= tokens.len() && tokens[start + 1..end] == label.rest[..] {
                    found.push((start, end, label.concept));
                }
            }
        }
        found
    }

    /// The keys of the concepts whose labels occur in `document`'s text, in its language, or
    /// in its language-tagged tags (theme labels), at most [`MAX_CONCEPTS_PER_DOCUMENT`].
    /// Tagging many documents, use one [`ConceptMatcher::tagger`] for all of them.
    pub fn tag(&self, document: &SearchDocument) -> Vec<String> {
        self.tagger().tag(document)
    }

    /// A tagger that keeps its analyzers (and their stem caches) from one document to the next.
    pub fn tagger(&self) -> Tagger<'_> {
        Tagger {
            matcher: self,
            analyzers: HashMap::new(),
            tokens: Vec::new(),
        }
    }
}

/// Tags documents with a [`ConceptMatcher`]'s concepts; see [`ConceptMatcher::tag`].
pub struct Tagger<'a> {
    matcher: &'a ConceptMatcher,
    analyzers: HashMap<TextLanguage, TextAnalyzer>,
    tokens: Vec<String>,
}

impl Tagger<'_> {
    /// The keys of the concepts found in `document`, as [`ConceptMatcher::tag`] gives them.
    pub fn tag(&mut self, document: &SearchDocument) -> Vec<String> {
        let matcher = self.matcher;
        if matcher.is_empty() {
            return Vec::new();
        }
        let mut found: Vec<usize> = Vec::new();
        let mut seen = BTreeSet::new();
        let texts = document
            .texts
            .iter()
            .flat_map(|text| {
                [&text.title, &text.summary, &text.body]
                    .into_iter()
                    .map(move |part| (text.language.as_str(), part.as_str()))
            })
            .chain(document.tags.iter().filter_map(|tag| {
                tag.language
                    .as_deref()
                    .map(|language| (language, tag.text.as_str()))
            }));
        'texts: for (language, text) in texts {
            let language = TextLanguage::from_code(language);
            if !matcher.labels.contains_key(&language) {
                continue;
            }
            let analyzer = self
                .analyzers
                .entry(language)
                .or_insert_with(|| language.analyzer());
            self.tokens.clear();
            let mut stream = analyzer.token_stream(text);
            while let Some(token) = stream.next() {
                self.tokens.push(token.text.clone());
            }
            for (_, _, concept) in matcher.occurrences(language, &self.tokens) {
                if seen.insert(concept) {
                    found.push(concept);
                    if found.len() == MAX_CONCEPTS_PER_DOCUMENT {
                        break 'texts;
                    }
                }
            }
        }
        found.into_iter().map(|c| matcher.keys[c].clone()).collect()
    }
}

impl ConceptMatcher {
    /// The concepts named by consecutive query words, in any language: `words` are
    /// `(group index, word)` pairs in query order. The widest span per concept is kept, the
    /// widest spans win when more than [`MAX_CONCEPTS_PER_QUERY`] concepts match.
    pub fn match_query(
        &self,
        analyzer: impl Fn(TextLanguage) -> TextAnalyzer,
        words: &[(usize, &str)],
    ) -> Vec<ConceptSpan> {
        if self.is_empty() || words.is_empty() {
            return Vec::new();
        }
        let mut best: BTreeMap<usize, (usize, usize)> = BTreeMap::new();
        for language in TextLanguage::ALL {
            if !self.labels.contains_key(&language) {
                continue;
            }
            let mut analyzer = analyzer(language);
            let mut tokens = Vec::new();
            let mut groups = Vec::new();
            for (group, word) in words {
                for (_, token) in analysis::tokens(&mut analyzer, word) {
                    tokens.push(token);
                    groups.push(*group);
                }
            }
            for (start, end, concept) in self.occurrences(language, &tokens) {
                let span = (groups[start], groups[end - 1]);
                // Only words next to each other in the query form a label.
                let contiguous = words
                    .iter()
                    .filter(|(group, _)| (span.0..=span.1).contains(group))
                    .count()
                    == span.1 - span.0 + 1;
                if !contiguous {
                    continue;
                }
                let entry = best.entry(concept).or_insert(span);
                if span.1 - span.0 > entry.1 - entry.0 {
                    *entry = span;
                }
            }
        }
        let mut spans: Vec<(usize, (usize, usize))> = best.into_iter().collect();
        spans.sort_by_key(|(concept, (first, last))| {
            (std::cmp::Reverse(last - first), *first, *concept)
        });
        spans.truncate(MAX_CONCEPTS_PER_QUERY);
        spans
            .into_iter()
            .map(|(concept, (first, last))| ConceptSpan {
                concept: self.keys[concept].clone(),
                first,
                last,
            })
            .collect()
    }
}

/// Overlapping spans merged: each `(first, last, concepts)` is a run of query groups that may be
/// matched either word by word or through any of its concepts.
pub fn segments(spans: &[ConceptSpan]) -> Vec<(usize, usize, Vec<String>)> {
    let mut sorted: Vec<&ConceptSpan> = spans.iter().collect();
    sorted.sort_by_key(|span| (span.first, span.last));
    let mut segments: Vec<(usize, usize, Vec<String>)> = Vec::new();
    for span in sorted {
        match segments.last_mut() {
            Some((_, last, concepts)) if span.first <= *last => {
                *last = (*last).max(span.last);
                concepts.push(span.concept.clone());
            }
            _ => segments.push((span.first, span.last, vec![span.concept.clone()])),
        }
    }
    segments
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::search::document::{LocalizedText, RecordKind};

    fn matcher() -> ConceptMatcher {
        ConceptMatcher::new([
            ("green-roof", "en", "green roof"),
            ("green-roof", "de", "Dachbegrünung"),
            ("green-roof", "no", "grønne tak"),
            ("district-heating", "de", "Fernwärme"),
            ("district-heating", "en", "district heating"),
            ("heating", "en", "heating"),
        ])
    }

    fn document(language: &str, body: &str) -> SearchDocument {
        let mut doc = SearchDocument::new(RecordKind::Practice, 1);
        doc.texts.push(LocalizedText {
            language: language.into(),
            title: String::new(),
            summary: String::new(),
            body: body.into(),
        });
        doc
    }

    #[test]
    fn documents_are_tagged_by_labels_in_their_own_language() {
        let matcher = matcher();
        assert_eq!(
            matcher.tag(&document(
                "de",
                "Hamburg fördert Dachbegrünungen und Fernwärme."
            )),
            ["green-roof", "district-heating"]
        );
        assert_eq!(
            matcher.tag(&document("no", "Byen har mange grønne tak.")),
            ["green-roof"]
        );
        // A multi-word label needs its words next to each other.
        assert!(
            matcher
                .tag(&document("en", "green walls on every roof"))
                .is_empty()
        );
        // English labels do not tag a German text.
        assert!(matcher.tag(&document("de", "green roof")).is_empty());
    }

    #[test]
    fn one_tagger_over_many_documents_tags_each_as_alone() {
        let matcher = matcher();
        let documents = [
            document("de", "Hamburg fördert Dachbegrünungen und Fernwärme."),
            document("en", "district heating for heated homes"),
            document("no", "Byen har mange grønne tak."),
            document("en", "green walls on every roof"),
            document("de", "Fernwärme, wieder Fernwärme"),
        ];
        let mut tagger = matcher.tagger();
        // Twice through, so the second pass meets every word in the analyzers' stem caches.
        for _ in 0..2 {
            for doc in &documents {
                assert_eq!(tagger.tag(doc), matcher.tag(doc));
            }
        }
        assert_eq!(tagger.tag(&documents[1]), ["district-heating", "heating"]);
    }

    #[test]
    fn query_words_name_concepts_in_any_language_widest_first() {
        let matcher = matcher();
        let analyzer = |language: TextLanguage| language.analyzer();
        let spans = matcher.match_query(analyzer, &[(0, "green"), (1, "roofs")]);
        assert_eq!(
            spans,
            [ConceptSpan {
                concept: "green-roof".into(),
                first: 0,
                last: 1
            }]
        );
        let spans = matcher.match_query(analyzer, &[(0, "district"), (1, "heating")]);
        let concepts: Vec<&str> = spans.iter().map(|span| span.concept.as_str()).collect();
        assert_eq!(concepts, ["district-heating", "heating"]);
        assert_eq!(
            segments(&spans),
            [(
                0,
                1,
                vec!["district-heating".to_owned(), "heating".to_owned()]
            )]
        );
        // Words that are not next to each other in the query do not form a label.
        assert!(
            matcher
                .match_query(analyzer, &[(0, "green"), (2, "roof")])
                .is_empty()
        );
    }

    #[test]
    fn expansion_is_capped() {
        let labels: Vec<(String, String)> = (0..50)
            .map(|n| (format!("c{n}"), "solar".to_owned()))
            .collect();
        let matcher = ConceptMatcher::new(
            labels
                .iter()
                .map(|(key, label)| (key.as_str(), "en", label.as_str())),
        );
        let spans = matcher.match_query(|language| language.analyzer(), &[(0, "solar")]);
        assert_eq!(spans.len(), MAX_CONCEPTS_PER_QUERY);
    }
}
