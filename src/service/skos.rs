//! The concept vocabulary as SKOS in Turtle, read and written with oxttl (the oxigraph
//! project's parser and serializer), so a platform can load a GEMET- or EuroVoc-style
//! vocabulary instead of kxc's own and export kxc's for other tools.
//!
//! Each concept is a `skos:Concept` in the `urn:kxc:vocabulary` scheme with `skos:prefLabel` /
//! `skos:altLabel` per language, `skos:notation` (its key), `skos:broader` / `skos:narrower`,
//! and `dct:subject <urn:kxc:theme:PATH>` per theme. Concepts of kxc's own are named
//! `urn:kxc:concept:KEY`; imported ones keep their IRI. On import, a theme may also be given
//! as `skos:exactMatch` / `skos:relatedMatch` to a theme IRI, and a concept without a theme
//! takes its broader concept's.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use oxrdf::vocab::rdf;
use oxrdf::{Literal, NamedNode, NamedOrBlankNode, Term, Triple};
use oxttl::{TurtleParser, TurtleSerializer};
use sea_orm::DatabaseConnection;

use super::concepts::{self, Concept, ConceptRecord, LabelRecord};
use crate::domain::{Language, Name, Slug, ThemePath};

const SKOS: &str = "http://www.w3.org/2004/02/skos/core#";
const DCT: &str = "http://purl.org/dc/terms/";
pub const SCHEME: &str = "urn:kxc:vocabulary";
const CONCEPT_PREFIX: &str = "urn:kxc:concept:";
const THEME_PREFIX: &str = "urn:kxc:theme:";
/// Largest SKOS file `kxc vocabulary import` reads.
pub const MAX_FILE_BYTES: u64 = 64 * 1024 * 1024;
/// Most concepts one import may hold.
pub const MAX_CONCEPTS: usize = 50_000;

fn skos(name: &str) -> NamedNode {
    NamedNode::new_unchecked(format!("{SKOS}{name}"))
}

fn concept_iri(concept: &Concept) -> NamedNode {
    match &concept.row.uri {
        Some(uri) => NamedNode::new(uri.as_str()).unwrap_or_else(|_| {
            NamedNode::new_unchecked(format!("{CONCEPT_PREFIX}{}", concept.row.key))
        }),
        None => NamedNode::new_unchecked(format!("{CONCEPT_PREFIX}{}", concept.row.key)),
    }
}

/// The vocabulary as a SKOS Turtle document.
pub fn to_turtle(concepts: &[Concept]) -> anyhow::Result<String> {
    let mut serializer = TurtleSerializer::new()
        .with_prefix("skos", SKOS)?
        .with_prefix("dct", DCT)?
        .for_writer(Vec::new());
    let scheme = NamedNode::new_unchecked(SCHEME);
    let iris: HashMap<&str, NamedNode> = concepts
        .iter()
        .map(|concept| (concept.row.key.as_str(), concept_iri(concept)))
        .collect();
    let mut triples = vec![
        Triple::new(scheme.clone(), rdf::TYPE, skos("ConceptScheme")),
        Triple::new(
            scheme.clone(),
            skos("prefLabel"),
            Literal::new_language_tagged_literal_unchecked("kxc urban climate vocabulary", "en"),
        ),
    ];
    for concept in concepts {
        let iri = iris[concept.row.key.as_str()].clone();
        triples.push(Triple::new(iri.clone(), rdf::TYPE, skos("Concept")));
        triples.push(Triple::new(iri.clone(), skos("inScheme"), scheme.clone()));
        triples.push(Triple::new(
            iri.clone(),
            skos("notation"),
            Literal::new_simple_literal(concept.row.key.clone()),
        ));
        // Preferred labels first, then alternative ones, each by language: the same
        // vocabulary always gives the same document.
        let mut labels: Vec<_> = concept.labels.iter().collect();
        labels.sort_by(|a, b| (!a.preferred, &a.language).cmp(&(!b.preferred, &b.language)));
        for label in labels {
            let predicate = if label.preferred {
                "prefLabel"
            } else {
                "altLabel"
            };
            triples.push(Triple::new(
                iri.clone(),
                skos(predicate),
                Literal::new_language_tagged_literal_unchecked(
                    label.label.clone(),
                    label.language.clone(),
                ),
            ));
        }
        match concept.broader_key.as_deref().and_then(|key| iris.get(key)) {
            Some(broader) => {
                triples.push(Triple::new(iri.clone(), skos("broader"), broader.clone()));
                triples.push(Triple::new(broader.clone(), skos("narrower"), iri.clone()));
            }
            None => triples.push(Triple::new(
                scheme.clone(),
                skos("hasTopConcept"),
                iri.clone(),
            )),
        }
        for theme in &concept.themes {
            triples.push(Triple::new(
                iri.clone(),
                NamedNode::new_unchecked(format!("{DCT}subject")),
                NamedNode::new_unchecked(format!("{THEME_PREFIX}{theme}")),
            ));
        }
    }
    for triple in &triples {
        serializer.serialize_triple(triple)?;
    }
    Ok(String::from_utf8(serializer.finish()?)?)
}

/// What a SKOS file says about one concept.
#[derive(Default)]
struct Described {
    is_concept: bool,
    notation: Option<String>,
    labels: Vec<(bool, String, String)>,
    broader: Vec<String>,
    themes: BTreeSet<String>,
}

/// The concepts of a SKOS Turtle document, ready for [`concepts::save`]. Problems (a syntax
/// error with its position, a label too long, too many concepts) are reported, nothing is kept.
pub fn parse_turtle(bytes: &[u8]) -> anyhow::Result<Vec<ConceptRecord>> {
    let mut subjects: BTreeMap<String, Described> = BTreeMap::new();
    let mut narrower: Vec<(String, String)> = Vec::new();
    for triple in TurtleParser::new().for_slice(bytes) {
        let triple = triple.map_err(|error| anyhow::anyhow!("not valid Turtle: {error}"))?;
        let NamedOrBlankNode::NamedNode(subject) = triple.subject else {
            continue;
        };
        let predicate = triple.predicate.as_str();
        let described = subjects.entry(subject.as_str().to_owned()).or_default();
        match (predicate.strip_prefix(SKOS), &triple.object) {
            (Some("prefLabel" | "altLabel"), Term::Literal(literal)) => {
                if let Some(language) = literal.language() {
                    described.labels.push((
                        predicate.ends_with("prefLabel"),
                        language.to_owned(),
                        literal.value().to_owned(),
                    ));
                }
            }
            (Some("notation"), Term::Literal(literal)) => {
                described.notation = Some(literal.value().to_owned());
            }
            (Some("broader"), Term::NamedNode(object)) => {
                described.broader.push(object.as_str().to_owned());
            }
            (Some("narrower"), Term::NamedNode(object)) => {
                narrower.push((object.as_str().to_owned(), subject.as_str().to_owned()));
            }
            (Some("exactMatch" | "relatedMatch" | "closeMatch"), Term::NamedNode(object)) => {
                if let Some(path) = object.as_str().strip_prefix(THEME_PREFIX) {
                    described.themes.insert(path.to_owned());
                }
            }
            _ => {
                if predicate == format!("{DCT}subject")
                    && let Term::NamedNode(object) = &triple.object
                    && let Some(path) = object.as_str().strip_prefix(THEME_PREFIX)
                {
                    described.themes.insert(path.to_owned());
                }
                if predicate == rdf::TYPE.as_str()
                    && matches!(&triple.object, Term::NamedNode(object) if object.as_str() == format!("{SKOS}Concept"))
                {
                    described.is_concept = true;
                }
            }
        }
    }
    for (child, parent) in narrower {
        let described = subjects.entry(child).or_default();
        if !described.broader.contains(&parent) {
            described.broader.push(parent);
        }
    }
    subjects.retain(|_, described| described.is_concept);
    if subjects.len() > MAX_CONCEPTS {
        anyhow::bail!(
            "a vocabulary holds at most {MAX_CONCEPTS} concepts (this one has {})",
            subjects.len()
        );
    }
    // Keys: the notation when it is a valid key, else the IRI's last segment, made unique.
    let mut keys: HashMap<String, String> = HashMap::new();
    let mut taken: BTreeSet<String> = BTreeSet::new();
    for (iri, described) in &subjects {
        let base = iri
            .strip_prefix(CONCEPT_PREFIX)
            .map(str::to_owned)
            .or_else(|| {
                described
                    .notation
                    .as_deref()
                    .filter(|notation| Slug::parse(notation).is_ok())
                    .map(str::to_owned)
            })
            .unwrap_or_else(|| slugify(iri));
        let mut key = base.clone();
        let mut n = 2;
        while !taken.insert(key.clone()) {
            key = format!("{base}-{n}");
            n += 1;
        }
        keys.insert(iri.clone(), key);
    }
    let themes_of = |iri: &str| -> BTreeSet<String> {
        // A concept without a theme takes the nearest broader concept's (bounded walk).
        let mut current = iri.to_owned();
        for _ in 0..16 {
            let Some(described) = subjects.get(&current) else {
                break;
            };
            if !described.themes.is_empty() {
                return described.themes.clone();
            }
            match described.broader.first() {
                Some(parent) => current = parent.clone(),
                None => break,
            }
        }
        BTreeSet::new()
    };
    let mut problems = Vec::new();
    let mut records = Vec::with_capacity(subjects.len());
    for (iri, described) in &subjects {
        let key = &keys[iri];
        let mut labels = Vec::new();
        let mut preferred_seen = BTreeSet::new();
        // Preferred labels first, then alternative ones, in file order.
        let mut ordered: Vec<&(bool, String, String)> = described.labels.iter().collect();
        ordered.sort_by_key(|(preferred, _, _)| !preferred);
        for (preferred, language, text) in ordered {
            let primary = language.split('-').next().unwrap_or(language);
            let Ok(language) = Language::parse(primary) else {
                continue;
            };
            let text = match Name::parse(text.trim().to_owned()) {
                Ok(text) => text,
                Err(message) => {
                    problems.push(format!("{iri}: label `{}`: {message}", excerpt(text)));
                    continue;
                }
            };
            // SKOS allows one preferred label per language; a second one counts as alternative.
            let preferred = *preferred && preferred_seen.insert(language.to_string());
            labels.push(LabelRecord {
                language,
                preferred,
                text,
            });
        }
        let mut themes = Vec::new();
        for path in themes_of(iri) {
            match ThemePath::parse(&path) {
                Ok(path) => themes.push(path),
                Err(message) => problems.push(format!("{iri}: theme `{path}`: {message}")),
            }
        }
        let key = match Slug::parse(key) {
            Ok(key) => key,
            Err(message) => {
                problems.push(format!("{iri}: key `{key}`: {message}"));
                continue;
            }
        };
        records.push(ConceptRecord {
            key,
            uri: (!iri.starts_with(CONCEPT_PREFIX)).then(|| iri.clone()),
            broader: described
                .broader
                .first()
                .and_then(|parent| keys.get(parent).cloned()),
            themes,
            labels,
        });
    }
    if !problems.is_empty() {
        anyhow::bail!("{}", problems.join("\n"));
    }
    Ok(records)
}

fn excerpt(text: &str) -> String {
    text.chars().take(40).collect()
}

/// A key from an IRI's last path segment or fragment: `…/gemet/concept/7400` gives `7400`.
fn slugify(iri: &str) -> String {
    let tail = iri
        .rsplit(['/', '#', ':'])
        .find(|segment| !segment.is_empty())
        .unwrap_or("concept");
    let mut slug = String::new();
    for character in tail.chars().flat_map(char::to_lowercase) {
        if character.is_ascii_alphanumeric() {
            slug.push(character);
        } else if !slug.ends_with('-') && !slug.is_empty() {
            slug.push('-');
        }
    }
    let slug = slug.trim_matches('-').chars().take(100).collect::<String>();
    if slug.is_empty() {
        "concept".to_owned()
    } else {
        slug
    }
}

/// Reads a SKOS Turtle file and saves its concepts in one transaction; returns how many.
pub async fn import_file(db: &DatabaseConnection, path: &std::path::Path) -> anyhow::Result<usize> {
    use anyhow::Context;
    let size = std::fs::metadata(path)
        .with_context(|| format!("read {}", path.display()))?
        .len();
    if size > MAX_FILE_BYTES {
        anyhow::bail!(
            "{} is {size} bytes; a vocabulary file may have at most {MAX_FILE_BYTES}",
            path.display()
        );
    }
    let bytes = std::fs::read(path).with_context(|| format!("read {}", path.display()))?;
    let records = parse_turtle(&bytes)?;
    let txn = crate::service::change_log::begin_write(db).await?;
    concepts::save(&txn, &records)
        .await
        .map_err(|error| anyhow::anyhow!("{error}"))?;
    txn.commit().await?;
    Ok(records.len())
}

/// The whole vocabulary as SKOS Turtle.
pub async fn export(db: &DatabaseConnection) -> anyhow::Result<String> {
    to_turtle(&concepts::all(db).await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_come_from_the_iri_when_there_is_no_usable_notation() {
        assert_eq!(
            slugify("http://www.eionet.europa.eu/gemet/concept/7400"),
            "7400"
        );
        assert_eq!(slugify("http://example.org/vocab#Green_Roof"), "green-roof");
    }

    #[test]
    fn a_gemet_style_file_gives_concepts_with_labels_broader_and_inherited_themes() {
        let turtle = r#"
            @prefix skos: <http://www.w3.org/2004/02/skos/core#> .
            <http://example.org/c/1> a skos:Concept ;
                skos:prefLabel "urban greening"@en, "Stadtbegrünung"@de-DE ;
                skos:exactMatch <urn:kxc:theme:nature-based-solutions> .
            <http://example.org/c/2> a skos:Concept ;
                skos:prefLabel "roof garden"@en ; skos:altLabel "Dachgarten"@de ;
                skos:broader <http://example.org/c/1> .
        "#;
        let records = parse_turtle(turtle.as_bytes()).unwrap();
        assert_eq!(records.len(), 2);
        let child = records
            .iter()
            .find(|record| record.key.as_str() == "2")
            .unwrap();
        assert_eq!(child.broader.as_deref(), Some("1"));
        assert_eq!(child.themes[0].as_str(), "nature-based-solutions");
        assert_eq!(child.uri.as_deref(), Some("http://example.org/c/2"));
        assert!(
            child
                .labels
                .iter()
                .any(|label| !label.preferred && label.text.as_str() == "Dachgarten")
        );
        assert!(parse_turtle(b"<a> <b> .").is_err());
    }
}
