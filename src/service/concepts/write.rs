//! `createConcept`, `updateConcept` and `deleteConcept` (admins): the vocabulary edited one
//! concept at a time. Each writes through [`super::save`] (or deletes) in one transaction with
//! its `change_log` row, which makes the indexer reload the vocabulary and tag documents
//! again, and its audit row.

use std::collections::{BTreeMap, HashSet};

use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, ModelTrait, QueryFilter, QuerySelect};

use super::{Concept, ConceptRecord, LabelRecord, MAX_LABELS_PER_CONCEPT, MAX_THEMES_PER_CONCEPT};
use crate::domain::{FieldPath, Language, Name, RecordKind, Slug, ThemePath, Viewer};
use crate::entity::{concept, concept_label, concept_theme, theme};
use crate::service::change_log::{self, Operation};
use crate::service::permissions::{self, Action};
use crate::service::records::FieldError;
use crate::service::{ServiceError, audit};

/// The labels of one language: at most one preferred label and any alternative ones.
#[derive(Clone, Debug, PartialEq)]
pub struct LanguageLabels {
    pub language: Language,
    pub pref_label: Option<Name>,
    pub alt_labels: Vec<Name>,
}

/// A concept to create.
#[derive(Clone, Debug)]
pub struct NewConcept {
    pub key: Slug,
    pub labels: Vec<LanguageLabels>,
    pub themes: Vec<ThemePath>,
}

/// What to change: each language given replaces that language's labels (none removes the
/// language); `themes`, when given, replaces the themes.
#[derive(Clone, Debug, Default)]
pub struct ConceptChanges {
    pub labels: Vec<LanguageLabels>,
    pub themes: Option<Vec<ThemePath>>,
}

pub async fn create(
    db: &DatabaseConnection,
    viewer: &Viewer,
    new: NewConcept,
    reason: Option<String>,
) -> Result<Concept, ServiceError> {
    permissions::check(viewer, Action::ManageVocabulary)?;
    let mut errors = check_input(&new.labels, &new.themes, db).await?;
    let taken = concept::Entity::find()
        .filter(concept::Column::Key.eq(new.key.as_str()))
        .one(db)
        .await?
        .is_some();
    if taken {
        errors.push(FieldError::new("key", format!("`{}` is taken", new.key)));
    }
    let record = ConceptRecord {
        key: new.key,
        uri: None,
        broader: None,
        themes: new.themes,
        labels: merge(BTreeMap::new(), &new.labels),
    };
    check_labels(&record.labels, &mut errors);
    finish(errors)?;
    write(db, viewer, record, "concept.create", reason).await
}

pub async fn update(
    db: &DatabaseConnection,
    viewer: &Viewer,
    id: i32,
    changes: ConceptChanges,
    reason: Option<String>,
) -> Result<Concept, ServiceError> {
    permissions::check(viewer, Action::ManageVocabulary)?;
    let stored = super::by_ids(db, &[id])
        .await?
        .into_iter()
        .next()
        .ok_or_else(|| ServiceError::not_found("concept"))?;
    let themes = match changes.themes {
        Some(themes) => themes,
        None => stored
            .themes
            .iter()
            .filter_map(|path| ThemePath::parse(path).ok())
            .collect(),
    };
    let mut errors = check_input(&changes.labels, &themes, db).await?;
    let mut by_language: BTreeMap<String, Vec<LabelRecord>> = BTreeMap::new();
    for label in &stored.labels {
        let (Ok(language), Ok(text)) = (
            Language::parse(&label.language),
            Name::parse(label.label.clone()),
        ) else {
            continue;
        };
        by_language
            .entry(label.language.clone())
            .or_default()
            .push(LabelRecord {
                language,
                preferred: label.preferred,
                text,
            });
    }
    let record = ConceptRecord {
        key: Slug::parse(&stored.row.key).map_err(|_| {
            ServiceError::Db(sea_orm::DbErr::Custom(format!(
                "concept {id} has an invalid key"
            )))
        })?,
        uri: stored.row.uri.clone(),
        broader: stored.broader_key.clone(),
        themes,
        labels: merge(by_language, &changes.labels),
    };
    check_labels(&record.labels, &mut errors);
    finish(errors)?;
    write(db, viewer, record, "concept.update", reason).await
}

pub async fn delete(
    db: &DatabaseConnection,
    viewer: &Viewer,
    id: i32,
    reason: Option<String>,
) -> Result<concept::Model, ServiceError> {
    permissions::check(viewer, Action::ManageVocabulary)?;
    let txn = crate::service::change_log::begin_write(db).await?;
    let row = concept::Entity::find_by_id(id)
        .one(&txn)
        .await?
        .ok_or_else(|| ServiceError::not_found("concept"))?;
    concept_label::Entity::delete_many()
        .filter(concept_label::Column::ConceptId.eq(id))
        .exec(&txn)
        .await?;
    concept_theme::Entity::delete_many()
        .filter(concept_theme::Column::ConceptId.eq(id))
        .exec(&txn)
        .await?;
    // Narrower concepts move to the top of the hierarchy.
    concept::Entity::update_many()
        .col_expr(concept::Column::BroaderId, Expr::value(Option::<i32>::None))
        .filter(concept::Column::BroaderId.eq(id))
        .exec(&txn)
        .await?;
    row.clone().delete(&txn).await?;
    let seq = change_log::append(&txn, RecordKind::Concept, id, Operation::Delete).await?;
    audit::record(
        &txn,
        viewer,
        audit::Entry {
            action: "concept.delete",
            target: RecordKind::Concept,
            target_id: id,
            reason,
            details: serde_json::json!({ "key": row.key }),
            change_seq: Some(seq),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(row)
}

/// Saves `record` with its audit row in one transaction and reads it back.
async fn write(
    db: &DatabaseConnection,
    viewer: &Viewer,
    record: ConceptRecord,
    action: &'static str,
    reason: Option<String>,
) -> Result<Concept, ServiceError> {
    let txn = crate::service::change_log::begin_write(db).await?;
    let saved = super::save(&txn, std::slice::from_ref(&record)).await?;
    let (id, seq) = saved[0];
    audit::record(
        &txn,
        viewer,
        audit::Entry {
            action,
            target: RecordKind::Concept,
            target_id: id,
            reason,
            details: serde_json::json!({
                "key": record.key.as_str(),
                "labels": record.labels.len(),
                "themes": record.themes.iter().map(ThemePath::as_str).collect::<Vec<_>>(),
            }),
            change_seq: Some(seq),
        },
    )
    .await?;
    let concept = super::by_ids(&txn, &[id])
        .await?
        .into_iter()
        .next()
        .ok_or_else(|| ServiceError::not_found("concept"))?;
    txn.commit().await?;
    Ok(concept)
}

/// `stored` labels by language with each language of `given` replaced: preferred label first.
fn merge(
    mut by_language: BTreeMap<String, Vec<LabelRecord>>,
    given: &[LanguageLabels],
) -> Vec<LabelRecord> {
    for entry in given {
        let labels: Vec<LabelRecord> = entry
            .pref_label
            .iter()
            .map(|text| (true, text))
            .chain(entry.alt_labels.iter().map(|text| (false, text)))
            .map(|(preferred, text)| LabelRecord {
                language: entry.language.clone(),
                preferred,
                text: text.clone(),
            })
            .collect();
        by_language.insert(entry.language.to_string(), labels);
    }
    let mut labels: Vec<LabelRecord> = by_language.into_values().flatten().collect();
    // Preferred labels first (stable within a language), as `save` expects.
    labels.sort_by_key(|label| !label.preferred);
    labels
}

/// Problems of the given labels and themes, at their input paths.
async fn check_input(
    labels: &[LanguageLabels],
    themes: &[ThemePath],
    db: &DatabaseConnection,
) -> Result<Vec<FieldError>, ServiceError> {
    let mut errors = Vec::new();
    let mut languages = HashSet::new();
    for (index, entry) in labels.iter().enumerate() {
        let path = FieldPath::from("labels").index(index);
        if !languages.insert(entry.language.clone()) {
            errors.push(FieldError::new(
                path.clone().field("language"),
                format!("`{}` is given twice", entry.language),
            ));
        }
        let mut seen = HashSet::new();
        if let Some(text) = &entry.pref_label {
            seen.insert(text.as_str().to_lowercase());
        }
        for (position, text) in entry.alt_labels.iter().enumerate() {
            if !seen.insert(text.as_str().to_lowercase()) {
                errors.push(FieldError::new(
                    path.clone().field("altLabels").index(position),
                    format!("`{text}` is already a label of this language"),
                ));
            }
        }
    }
    if themes.len() > MAX_THEMES_PER_CONCEPT {
        errors.push(FieldError::new(
            "themes",
            format!("a concept belongs to at most {MAX_THEMES_PER_CONCEPT} themes"),
        ));
    }
    let known: HashSet<String> = theme::Entity::find()
        .select_only()
        .column(theme::Column::Path)
        .filter(theme::Column::Path.is_in(themes.iter().map(ThemePath::as_str)))
        .into_tuple::<String>()
        .all(db)
        .await?
        .into_iter()
        .collect();
    for (index, path) in themes.iter().enumerate() {
        if !known.contains(path.as_str()) {
            errors.push(FieldError::new(
                FieldPath::from("themes").index(index),
                format!("unknown theme `{path}`"),
            ));
        }
    }
    Ok(errors)
}

/// The merged labels: at least one preferred label, at most [`MAX_LABELS_PER_CONCEPT`].
fn check_labels(labels: &[LabelRecord], errors: &mut Vec<FieldError>) {
    if !labels.iter().any(|label| label.preferred) {
        errors.push(FieldError::new(
            "labels",
            "a concept needs a preferred label in at least one language",
        ));
    }
    if labels.len() > MAX_LABELS_PER_CONCEPT {
        errors.push(FieldError::new(
            "labels",
            format!(
                "a concept has at most {MAX_LABELS_PER_CONCEPT} labels (this one would have {})",
                labels.len()
            ),
        ));
    }
}

fn finish(errors: Vec<FieldError>) -> Result<(), ServiceError> {
    if errors.is_empty() {
        Ok(())
    } else {
        Err(ServiceError::Invalid(errors))
    }
}
