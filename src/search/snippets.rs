//! Highlighted fragments: for each stored part of a hit (title, summary, body), the fragment in
//! the first language that has a match, trying the query's language first.

use std::collections::{BTreeSet, HashMap};

use tantivy::TantivyDocument;
use tantivy::schema::Field;
use tantivy::snippet::SnippetGenerator;

use super::analysis::TextLanguage;
use super::fields::{Fields, Part};
use super::query::Analyzers;
use super::request::Highlight;

const SHOWN_PARTS: [(Part, usize); 3] =
    [(Part::Title, 200), (Part::Summary, 240), (Part::Body, 240)];

pub struct Highlighter {
    generators: Vec<(Part, TextLanguage, SnippetGenerator)>,
}

impl Highlighter {
    pub fn new(
        fields: &Fields,
        analyzers: &Analyzers,
        terms: &HashMap<Field, BTreeSet<String>>,
        preferred: Option<TextLanguage>,
    ) -> Self {
        let mut languages: Vec<TextLanguage> = preferred.into_iter().collect();
        languages.extend(
            TextLanguage::ALL
                .iter()
                .filter(|language| Some(**language) != preferred),
        );
        let mut generators = Vec::new();
        for (part, max_chars) in SHOWN_PARTS {
            for language in &languages {
                let field = fields.text(part, *language);
                let Some(words) = terms.get(&field) else {
                    continue;
                };
                let weights = words.iter().map(|word| (word.clone(), 1.0)).collect();
                let generator =
                    SnippetGenerator::new(weights, analyzers.analyzer(*language), field, max_chars);
                generators.push((part, *language, generator));
            }
        }
        Self { generators }
    }

    pub fn highlights(&self, doc: &TantivyDocument) -> Vec<Highlight> {
        let mut highlights: Vec<Highlight> = Vec::new();
        for (part, language, generator) in &self.generators {
            if highlights.iter().any(|highlight| highlight.part == *part) {
                continue;
            }
            let mut snippet = generator.snippet_from_doc(doc);
            if snippet.highlighted().is_empty() {
                continue;
            }
            snippet.set_snippet_prefix_postfix("<mark>", "</mark>");
            highlights.push(Highlight {
                part: *part,
                language: (*language != TextLanguage::Other).then(|| language.suffix().to_owned()),
                html: snippet.to_html(),
            });
        }
        highlights
    }
}
