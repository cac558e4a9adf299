//! Turning a [`SearchDocument`] into a tantivy document.

use std::collections::BTreeSet;

use tantivy::TantivyDocument;

use super::analysis::TextLanguage;
use super::document::{OpenWindow, SearchDocument};
use super::fields::{Fields, Keyword, Part};
use super::geo;

/// Open ends of a funding window are stored as these so a range query needs no special case.
pub const OPEN_START: i64 = i64::MIN;
pub const OPEN_END: i64 = i64::MAX;

pub fn encode(fields: &Fields, source: &SearchDocument) -> TantivyDocument {
    let mut doc = TantivyDocument::new();
    doc.add_u64(fields.uid, source.key().raw());
    doc.add_text(fields.keyword(Keyword::Kind), source.kind.name());

    for text in &source.texts {
        let language = TextLanguage::from_code(&text.language);
        for (part, value) in [
            (Part::Title, &text.title),
            (Part::Summary, &text.summary),
            (Part::Body, &text.body),
        ] {
            if value.trim().is_empty() {
                continue;
            }
            doc.add_text(fields.text(part, language), value);
            doc.add_text(fields.all(part), value);
        }
    }
    for tag in &source.tags {
        let language = tag
            .language
            .as_deref()
            .map_or(TextLanguage::Other, TextLanguage::from_code);
        doc.add_text(fields.text(Part::Tags, language), &tag.text);
        doc.add_text(fields.all(Part::Tags), &tag.text);
    }
    for label in &source.suggest {
        doc.add_text(fields.suggest, label);
    }
    for concept in distinct(&source.concepts) {
        doc.add_text(fields.concept, concept);
    }

    add_keywords(
        &mut doc,
        fields,
        Keyword::Theme,
        with_ancestors(&source.themes),
    );
    add_keywords(
        &mut doc,
        fields,
        Keyword::Region,
        with_ancestors(&source.regions),
    );
    if source.kind == super::document::RecordKind::FundingOpportunity {
        let eligible: BTreeSet<String> = if source.eligible_regions.is_empty() {
            BTreeSet::from([super::fields::ANY_REGION.to_owned()])
        } else {
            source
                .eligible_regions
                .iter()
                .map(|path| path.trim_matches('/').to_owned())
                .collect()
        };
        add_keywords(&mut doc, fields, Keyword::EligibleRegion, eligible);
    }
    add_keywords(
        &mut doc,
        fields,
        Keyword::Country,
        distinct(&source.countries),
    );
    add_keywords(&mut doc, fields, Keyword::City, distinct(&source.cities));
    add_keywords(
        &mut doc,
        fields,
        Keyword::Network,
        distinct(&source.networks),
    );
    let sdgs: Vec<String> = source.sdgs.iter().map(ToString::to_string).collect();
    add_keywords(&mut doc, fields, Keyword::Sdg, distinct(&sdgs));
    add_keywords(
        &mut doc,
        fields,
        Keyword::Language,
        distinct(&source.languages),
    );
    for (keyword, value) in [
        (Keyword::Instrument, &source.instrument),
        (Keyword::ProviderLevel, &source.provider_level),
        (Keyword::EvaluationLabel, &source.evaluation_label),
    ] {
        if let Some(value) = value {
            doc.add_text(fields.keyword(keyword), value);
        }
    }

    if let Some(score) = source.score {
        doc.add_f64(fields.score, score);
    }
    if let Some(date) = source.date {
        doc.add_i64(fields.date, date.timestamp());
    }
    for point in &source.locations {
        doc.add_u64(fields.geo, geo::encode(*point));
    }
    if let Some(window) = source.open_window {
        let (opens, closes) = window_days(window);
        doc.add_i64(fields.opens_day, opens);
        doc.add_i64(fields.closes_day, closes);
    }
    doc
}

/// Days since the Unix epoch of a window's ends, open ends widened to the extremes.
pub fn window_days(window: OpenWindow) -> (i64, i64) {
    (
        window.opens.map_or(OPEN_START, day_number),
        window.closes.map_or(OPEN_END, day_number),
    )
}

pub fn day_number(day: chrono::NaiveDate) -> i64 {
    (day - chrono::NaiveDate::default()).num_days()
}

fn add_keywords(
    doc: &mut TantivyDocument,
    fields: &Fields,
    keyword: Keyword,
    values: BTreeSet<String>,
) {
    for value in values {
        doc.add_text(fields.keyword(keyword), value);
    }
}

fn distinct(values: &[String]) -> BTreeSet<String> {
    values
        .iter()
        .filter(|value| !value.is_empty())
        .cloned()
        .collect()
}

/// Every path with all of its ancestors: `a/b/c` gives `a`, `a/b` and `a/b/c`. Trailing slashes
/// (as region paths are stored) are ignored.
pub fn with_ancestors(paths: &[String]) -> BTreeSet<String> {
    let mut nodes = BTreeSet::new();
    for path in paths {
        let path = path.trim_matches('/');
        let mut end = 0;
        for segment in path.split('/') {
            if segment.is_empty() {
                continue;
            }
            end = if end == 0 {
                segment.len()
            } else {
                end + 1 + segment.len()
            };
            nodes.insert(path[..end].to_owned());
        }
    }
    nodes
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_path_brings_its_ancestors() {
        let nodes = with_ancestors(&["001/150/154/NO/".into(), "001/150/155/DE".into()]);
        let nodes: Vec<&str> = nodes.iter().map(String::as_str).collect();
        assert_eq!(
            nodes,
            [
                "001",
                "001/150",
                "001/150/154",
                "001/150/154/NO",
                "001/150/155",
                "001/150/155/DE"
            ]
        );
    }
}
