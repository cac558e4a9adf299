//! "Did you mean": corrections for queries with few hits.

use std::collections::HashMap;

use tantivy::query::FuzzyTermQuery;
use tantivy::{Searcher, Term};

use crate::search::fields::{Fields, Part};
use crate::search::query::{Analyzers, typo_budget};
use crate::search::syntax::{Clause, ParsedQuery};

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

/// The indexed words within the typo budget of each query word, for highlighting hits that
/// matched only through a typo. At most `limit` words per query word.
pub fn typo_matches(
    searcher: &Searcher,
    fields: &Fields,
    analyzers: &mut Analyzers,
    query: &ParsedQuery,
    limit: usize,
) -> anyhow::Result<Vec<String>> {
    let mut matches = Vec::new();
    for clause in query.clauses() {
        let Clause::Word(word) = clause else {
            continue;
        };
        let tokens = analyzers.plain_tokens(word);
        let [token] = tokens.as_slice() else {
            continue;
        };
        let budget = typo_budget(token.chars().count());
        if budget == 0 {
            continue;
        }
        let mut found = std::collections::BTreeSet::new();
        'parts: for part in Part::ALL {
            let field = fields.all(part);
            let fuzzy = FuzzyTermQuery::new(Term::from_field_text(field, token), budget, true);
            for segment in searcher.segment_readers() {
                let inverted = segment.inverted_index(field)?;
                let mut stream = inverted.terms().search(fuzzy.automaton()?).into_stream()?;
                while stream.advance() {
                    if let Ok(term) = std::str::from_utf8(stream.key()) {
                        found.insert(term.to_owned());
                    }
                    if found.len() >= limit {
                        break 'parts;
                    }
                }
            }
        }
        matches.extend(found);
    }
    Ok(matches)
}
