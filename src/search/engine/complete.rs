//! Search-as-you-type completions.

use tantivy::collector::TopDocs;
use tantivy::query::{BooleanQuery, ConstScoreQuery, Occur, Query, RegexQuery, TermQuery};
use tantivy::schema::{IndexRecordOption, Value};
use tantivy::{TantivyDocument, Term};

use super::Generation;
use crate::search::analysis::{self, plain_analyzer};
use crate::search::deadline::Deadline;
use crate::search::document::{DocKey, RecordKind};
use crate::search::fields::Keyword;
use crate::search::request::Suggestion;

/// Kinds offered while typing, with the score that orders them: a place or a theme is the
/// likelier target of a short prefix than one of many practice titles.
const SUGGESTED_KINDS: [(RecordKind, f32); 4] = [
    (RecordKind::City, 4.0),
    (RecordKind::Theme, 3.0),
    (RecordKind::Organisation, 2.0),
    (RecordKind::Practice, 1.0),
];

/// Completions for `prefix`: every earlier word must match a word of the label, the last word
/// may be the start of one.
pub fn complete(
    generation: &Generation,
    prefix: &str,
    first: usize,
    deadline: Deadline,
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
            let term = Term::from_field_text(fields.keyword(Keyword::Kind), kind.name());
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
    let candidates = searcher
        .search(
            &BooleanQuery::new(clauses),
            &deadline.collector(TopDocs::with_limit((first * 4).max(20)).order_by_score()),
        )
        .map_err(|error| deadline.explain(error))?;
    let mut found: Vec<(f32, Suggestion)> = Vec::new();
    for (score, address) in candidates {
        deadline.check()?;
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
