//! Search-as-you-type completions, and "did you mean" corrections for queries with few hits.

use std::collections::HashMap;

use tantivy::collector::TopDocs;
use tantivy::query::{
    BooleanQuery, ConstScoreQuery, FuzzyTermQuery, Occur, Query, RegexQuery, TermQuery,
};
use tantivy::schema::{IndexRecordOption, Value};
use tantivy::{Searcher, TantivyDocument, Term};

use super::Generation;
use crate::search::analysis::{self, plain_analyzer};
use crate::search::document::{DocKey, DocKind};
use crate::search::fields::{Fields, Keyword, Part};
use crate::search::query::{Analyzers, typo_budget};
use crate::search::request::Suggestion;
use crate::search::syntax::{Clause, ParsedQuery};

/// Kinds offered while typing, with the score that orders them: a place or a theme is the
/// likelier target of a short prefix than one of many practice titles.
const SUGGESTED_KINDS: [(DocKind, f32); 4] = [
    (DocKind::City, 4.0),
    (DocKind::Theme, 3.0),
    (DocKind::Funder, 2.0),
    (DocKind::Practice, 1.0),
];

/// Completions for `prefix`: every earlier word must match a word of the label, the last word
/// may be the start of one.
pub fn complete(
    generation: &Generation,
    prefix: &str,
    first: usize,
) -> anyhow::Result<Vec<Suggestion>> {
    let words: Vec<String> = analysis::tokens(&mut plain_analyzer(), prefix)
        .into_iter()
        .map(|(_, token)| token)
        .collect();
    let Some((last, complete_words)) = words.split_last() else {
        return Ok(Vec::new());
    };
    let fields = &generation.fields;
    let mut clauses: Vec<(Occur, Box<dyn Query>)> = complete_words
        .iter()
        .map(|word| {
            let term = Term::from_field_text(fields.suggest, word);
            let query: Box<dyn Query> = Box::new(TermQuery::new(term, IndexRecordOption::Basic));
            (
                Occur::Must,
                Box::new(ConstScoreQuery::new(query, 0.0)) as Box<dyn Query>,
            )
        })
        .collect();
    let pattern = format!("{}.*", escape(last));
    clauses.push((
        Occur::Must,
        Box::new(ConstScoreQuery::new(
            Box::new(RegexQuery::from_pattern(&pattern, fields.suggest)?),
            0.0,
        )),
    ));
    let kinds: Vec<(Occur, Box<dyn Query>)> = SUGGESTED_KINDS
        .iter()
        .map(|(kind, score)| {
            let term = Term::from_field_text(fields.keyword(Keyword::Kind), kind.as_str());
            let query: Box<dyn Query> = Box::new(TermQuery::new(term, IndexRecordOption::Basic));
            (
                Occur::Should,
                Box::new(ConstScoreQuery::new(query, *score)) as Box<dyn Query>,
            )
        })
        .collect();
    clauses.push((Occur::Must, Box::new(BooleanQuery::new(kinds))));

    let searcher = generation.reader.searcher();
    // More candidates than asked for, so the shortest labels can be picked among equals.
    let candidates = searcher.search(
        &BooleanQuery::new(clauses),
        &TopDocs::with_limit((first * 4).max(20)).order_by_score(),
    )?;
    let mut found: Vec<(f32, Suggestion)> = Vec::new();
    for (score, address) in candidates {
        let doc: TantivyDocument = searcher.doc(address)?;
        let Some(key) = doc
            .get_first(fields.uid)
            .and_then(|value| value.as_u64())
            .and_then(DocKey::from_raw)
        else {
            continue;
        };
        let labels = doc
            .get_all(fields.suggest)
            .filter_map(|value| value.as_str());
        if let Some(text) = labels
            .filter(|label| matches_words(label, complete_words, last))
            .min_by_key(|label| label.chars().count())
        {
            found.push((
                score,
                Suggestion {
                    key,
                    text: text.to_owned(),
                },
            ));
        }
    }
    found.sort_by(|(score_a, a), (score_b, b)| {
        score_b
            .total_cmp(score_a)
            .then(a.text.chars().count().cmp(&b.text.chars().count()))
            .then(a.text.cmp(&b.text))
    });
    found.dedup_by(|(_, a), (_, b)| a.text == b.text && a.key.kind() == b.key.kind());
    Ok(found
        .into_iter()
        .take(first)
        .map(|(_, suggestion)| suggestion)
        .collect())
}

fn matches_words(label: &str, complete_words: &[String], last: &str) -> bool {
    let words: Vec<String> = analysis::tokens(&mut plain_analyzer(), label)
        .into_iter()
        .map(|(_, token)| token)
        .collect();
    complete_words.iter().all(|word| words.contains(word))
        && words.iter().any(|word| word.starts_with(last))
}

/// Tokens are letters and digits, but a regex must never see a meta character unescaped.
fn escape(token: &str) -> String {
    token
        .chars()
        .map(|c| {
            if c.is_alphanumeric() {
                c.to_string()
            } else {
                format!("\\{c}")
            }
        })
        .collect()
}

/// The query with each word that is in no document replaced by the closest word that is
/// (fewest edits, then most documents); `None` when nothing needed replacing.
pub fn did_you_mean(
    searcher: &Searcher,
    fields: &Fields,
    analyzers: &mut Analyzers,
    query: &ParsedQuery,
) -> anyhow::Result<Option<String>> {
    let mut replacements: HashMap<String, String> = HashMap::new();
    for clause in query.clauses() {
        let Clause::Word(word) = clause else {
            continue;
        };
        let tokens = analyzers.plain_tokens(word);
        let [token] = tokens.as_slice() else {
            continue;
        };
        let letters = token.chars().count();
        let budget = typo_budget(letters).max(u8::from(letters >= 4));
        if budget == 0 || is_known(searcher, fields, analyzers, word, token)? {
            continue;
        }
        if let Some(best) = closest(searcher, fields, token, budget)? {
            replacements.insert(word.clone(), best);
        }
    }
    if replacements.is_empty() {
        return Ok(None);
    }
    let corrected = query.map_words(|word| {
        replacements
            .get(word)
            .cloned()
            .unwrap_or_else(|| word.to_owned())
    });
    Ok(Some(corrected.to_string()))
}

/// True when some document has the word as written or, stemmed, in one of the languages.
fn is_known(
    searcher: &Searcher,
    fields: &Fields,
    analyzers: &mut Analyzers,
    word: &str,
    token: &str,
) -> anyhow::Result<bool> {
    for part in Part::ALL {
        if searcher.doc_freq(&Term::from_field_text(fields.all(part), token))? > 0 {
            return Ok(true);
        }
    }
    for (language, stems) in analyzers.language_tokens(word) {
        for stem in stems {
            for part in Part::ALL {
                let term = Term::from_field_text(fields.text(part, language), &stem);
                if searcher.doc_freq(&term)? > 0 {
                    return Ok(true);
                }
            }
        }
    }
    Ok(false)
}

fn closest(
    searcher: &Searcher,
    fields: &Fields,
    token: &str,
    budget: u8,
) -> anyhow::Result<Option<String>> {
    let mut candidates: HashMap<String, u64> = HashMap::new();
    for part in Part::ALL {
        let field = fields.all(part);
        let fuzzy = FuzzyTermQuery::new(Term::from_field_text(field, token), budget, true);
        for segment in searcher.segment_readers() {
            let inverted = segment.inverted_index(field)?;
            let mut stream = inverted.terms().search(fuzzy.automaton()?).into_stream()?;
            while stream.advance() {
                if let Ok(term) = std::str::from_utf8(stream.key()) {
                    *candidates.entry(term.to_owned()).or_default() +=
                        u64::from(stream.value().doc_freq);
                }
            }
        }
    }
    Ok(candidates
        .into_iter()
        .min_by(|(a, freq_a), (b, freq_b)| {
            strsim::osa_distance(token, a)
                .cmp(&strsim::osa_distance(token, b))
                .then(freq_b.cmp(freq_a))
                .then(a.cmp(b))
        })
        .map(|(term, _)| term))
}
