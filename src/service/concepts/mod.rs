//! The concept vocabulary: concepts with preferred and alternative labels per language, linked
//! to themes. The seed and SKOS imports save them through [`save`]; search tags documents and
//! expands queries with the labels [`labels_for_matching`] lists. Admins edit it one concept
//! at a time through [`write`].

pub mod write;

use std::collections::{BTreeMap, BTreeSet, HashMap};

use chrono::Utc;
use sea_orm::sea_query::{Expr, ExprTrait, Func};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseTransaction, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect, Set,
};

use super::ServiceError;
use super::change_log::{self, Operation, RecordKind};
use super::records::FieldError;
use crate::domain::{FieldPath, Language, Name, Slug, ThemePath};
use crate::entity::{concept, concept_label, concept_theme, theme};

/// Labels one concept may carry (all languages together).
pub const MAX_LABELS_PER_CONCEPT: usize = 200;
/// Themes one concept may belong to.
pub const MAX_THEMES_PER_CONCEPT: usize = 20;
/// Characters of a `concepts(filter: {query})` search.
pub const MAX_FILTER_QUERY_CHARS: usize = 200;

/// A concept to save: its labels in order, the first preferred label per language first.
#[derive(Clone, Debug, PartialEq)]
pub struct ConceptRecord {
    pub key: Slug,
    /// The IRI the concept was imported from, when it came from outside kxc.
    pub uri: Option<String>,
    /// The key of its broader concept.
    pub broader: Option<String>,
    pub themes: Vec<ThemePath>,
    pub labels: Vec<LabelRecord>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct LabelRecord {
    pub language: Language,
    pub preferred: bool,
    pub text: Name,
}

/// A stored concept with its labels (in order) and theme paths.
#[derive(Clone, Debug)]
pub struct Concept {
    pub row: concept::Model,
    pub labels: Vec<concept_label::Model>,
    pub themes: Vec<String>,
    pub broader_key: Option<String>,
}

impl Concept {
    /// The preferred label in `language`, else in English, else any preferred label, else the key.
    pub fn pref_label(&self, language: Option<&str>) -> &str {
        let preferred = |wanted: &str| {
            self.labels
                .iter()
                .find(|label| label.preferred && label.language == wanted)
        };
        language
            .and_then(preferred)
            .or_else(|| preferred("en"))
            .or_else(|| self.labels.iter().find(|label| label.preferred))
            .map_or(self.row.key.as_str(), |label| label.label.as_str())
    }

    /// Alternative labels in `language`, or in every language when `None`.
    pub fn alt_labels(&self, language: Option<&str>) -> Vec<&str> {
        self.labels
            .iter()
            .filter(|label| {
                !label.preferred && language.is_none_or(|wanted| label.language == wanted)
            })
            .map(|label| label.label.as_str())
            .collect()
    }

    /// Languages with at least one label, sorted.
    pub fn languages(&self) -> Vec<String> {
        self.labels
            .iter()
            .map(|label| label.language.clone())
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect()
    }
}

/// Saves `records` (matched by key, or by IRI when they have one): labels and themes are
/// replaced, and each concept gets a `change_log` row so search re-tags what mentions it.
/// Broader links may point at any concept of the batch or one already stored. Returns each
/// record's `(id, change_log seq)`.
pub async fn save(
    txn: &DatabaseTransaction,
    records: &[ConceptRecord],
) -> Result<Vec<(i32, i64)>, ServiceError> {
    let theme_ids: HashMap<String, i32> = theme::Entity::find()
        .select_only()
        .column(theme::Column::Path)
        .column(theme::Column::Id)
        .into_tuple::<(String, i32)>()
        .all(txn)
        .await?
        .into_iter()
        .collect();
    let mut errors = Vec::new();
    for (index, record) in records.iter().enumerate() {
        check(record, &theme_ids, index, &mut errors);
    }
    if !errors.is_empty() {
        return Err(ServiceError::Invalid(errors));
    }
    let now = Utc::now().fixed_offset();
    let mut ids = Vec::with_capacity(records.len());
    let mut by_key: HashMap<String, i32> = HashMap::new();
    for record in records {
        let existing = match &record.uri {
            Some(uri) => {
                concept::Entity::find()
                    .filter(concept::Column::Uri.eq(uri.as_str()))
                    .one(txn)
                    .await?
            }
            None => None,
        };
        let existing = match existing {
            Some(row) => Some(row),
            None => {
                concept::Entity::find()
                    .filter(concept::Column::Key.eq(record.key.as_str()))
                    .one(txn)
                    .await?
            }
        };
        let id = match existing {
            Some(row) => {
                let id = row.id;
                let mut model: concept::ActiveModel = row.into();
                model.key = Set(record.key.to_string());
                model.uri = Set(record.uri.clone());
                model.updated_at = Set(now);
                model.update(txn).await?;
                id
            }
            None => {
                concept::ActiveModel {
                    key: Set(record.key.to_string()),
                    uri: Set(record.uri.clone()),
                    broader_id: Set(None),
                    created_at: Set(now),
                    updated_at: Set(now),
                    ..Default::default()
                }
                .insert(txn)
                .await?
                .id
            }
        };
        concept_label::Entity::delete_many()
            .filter(concept_label::Column::ConceptId.eq(id))
            .exec(txn)
            .await?;
        concept_theme::Entity::delete_many()
            .filter(concept_theme::Column::ConceptId.eq(id))
            .exec(txn)
            .await?;
        if !record.labels.is_empty() {
            concept_label::Entity::insert_many(record.labels.iter().enumerate().map(
                |(position, label)| concept_label::ActiveModel {
                    concept_id: Set(id),
                    language: Set(label.language.to_string()),
                    preferred: Set(label.preferred),
                    label: Set(label.text.to_string()),
                    position: Set(i32::try_from(position).unwrap_or(i32::MAX)),
                    ..Default::default()
                },
            ))
            .exec(txn)
            .await?;
        }
        let themes: BTreeSet<i32> = record
            .themes
            .iter()
            .filter_map(|path| theme_ids.get(path.as_str()).copied())
            .collect();
        if !themes.is_empty() {
            concept_theme::Entity::insert_many(themes.into_iter().map(|theme_id| {
                concept_theme::ActiveModel {
                    concept_id: Set(id),
                    theme_id: Set(theme_id),
                }
            }))
            .exec(txn)
            .await?;
        }
        by_key.insert(record.key.to_string(), id);
        ids.push(id);
    }
    let mut saved = Vec::with_capacity(ids.len());
    for (record, id) in records.iter().zip(&ids) {
        let broader_id = match &record.broader {
            Some(key) => match by_key.get(key) {
                Some(id) => Some(*id),
                None => concept::Entity::find()
                    .filter(concept::Column::Key.eq(key.as_str()))
                    .one(txn)
                    .await?
                    .map(|row| row.id),
            },
            None => None,
        };
        concept::Entity::update_many()
            .col_expr(concept::Column::BroaderId, Expr::value(broader_id))
            .filter(concept::Column::Id.eq(*id))
            .exec(txn)
            .await?;
        let seq = change_log::append(txn, RecordKind::Concept, *id, Operation::Upsert).await?;
        saved.push((*id, seq));
    }
    Ok(saved)
}

fn check(
    record: &ConceptRecord,
    theme_ids: &HashMap<String, i32>,
    index: usize,
    errors: &mut Vec<FieldError>,
) {
    let path = |field: &str| FieldPath::root().index(index).field(field);
    if record.labels.len() > MAX_LABELS_PER_CONCEPT {
        errors.push(FieldError::new(
            path("labels"),
            format!(
                "a concept has at most {MAX_LABELS_PER_CONCEPT} labels (this one has {})",
                record.labels.len()
            ),
        ));
    }
    if !record.labels.iter().any(|label| label.preferred) {
        errors.push(FieldError::new(
            path("labels"),
            "needs at least one preferred label",
        ));
    }
    if record.themes.len() > MAX_THEMES_PER_CONCEPT {
        errors.push(FieldError::new(
            path("themes"),
            format!("a concept belongs to at most {MAX_THEMES_PER_CONCEPT} themes"),
        ));
    }
    for theme in &record.themes {
        if !theme_ids.contains_key(theme.as_str()) {
            errors.push(FieldError::new(
                path("themes"),
                format!("unknown theme `{theme}`"),
            ));
        }
    }
}

/// What `concepts(filter:)` narrows to; every part is optional and they combine with "and".
#[derive(Clone, Debug, Default)]
pub struct ConceptFilter {
    /// Concepts of this theme or any theme below it.
    pub theme: Option<ThemePath>,
    /// Concepts with a label containing this text (case-insensitive).
    pub query: Option<String>,
    /// Concepts with a label in this language (and `query` matched in it).
    pub language: Option<Language>,
}

/// A page of concepts by key after `after` (a key), and whether more follow.
pub async fn list(
    db: &impl ConnectionTrait,
    filter: &ConceptFilter,
    first: u64,
    after: Option<&str>,
) -> Result<(Vec<Concept>, bool), sea_orm::DbErr> {
    let mut query = concept::Entity::find();
    if let Some(theme) = &filter.theme {
        let theme_ids: Vec<i32> = theme::Entity::find()
            .select_only()
            .column(theme::Column::Id)
            .filter(
                theme::Column::Path
                    .eq(theme.as_str())
                    .or(theme::Column::Path.like(format!("{}/%", theme.as_str()))),
            )
            .into_tuple()
            .all(db)
            .await?;
        let concept_ids: Vec<i32> = concept_theme::Entity::find()
            .select_only()
            .column(concept_theme::Column::ConceptId)
            .filter(concept_theme::Column::ThemeId.is_in(theme_ids))
            .distinct()
            .into_tuple()
            .all(db)
            .await?;
        query = query.filter(concept::Column::Id.is_in(concept_ids));
    }
    if filter.query.is_some() || filter.language.is_some() {
        let mut labels = concept_label::Entity::find()
            .select_only()
            .column(concept_label::Column::ConceptId)
            .distinct();
        if let Some(language) = &filter.language {
            labels = labels.filter(concept_label::Column::Language.eq(language.as_str()));
        }
        if let Some(text) = &filter.query {
            // `%` and `_` in the text act as wildcards: harmless, and the text is bounded.
            let pattern = format!("%{}%", text.to_lowercase());
            labels = labels.filter(
                Expr::expr(Func::lower(Expr::col(concept_label::Column::Label))).like(pattern),
            );
        }
        let concept_ids: Vec<i32> = labels.into_tuple().all(db).await?;
        query = query.filter(concept::Column::Id.is_in(concept_ids));
    }
    if let Some(after) = after {
        query = query.filter(concept::Column::Key.gt(after));
    }
    let mut rows = query
        .order_by_asc(concept::Column::Key)
        .limit(first + 1)
        .all(db)
        .await?;
    let has_next = rows.len() as u64 > first;
    rows.truncate(usize::try_from(first).unwrap_or(usize::MAX));
    Ok((with_details(db, rows).await?, has_next))
}

pub async fn by_ids(
    db: &impl ConnectionTrait,
    ids: &[i32],
) -> Result<Vec<Concept>, sea_orm::DbErr> {
    let rows = concept::Entity::find()
        .filter(concept::Column::Id.is_in(ids.iter().copied()))
        .order_by_asc(concept::Column::Key)
        .all(db)
        .await?;
    with_details(db, rows).await
}

pub async fn by_keys(
    db: &impl ConnectionTrait,
    keys: &[String],
) -> Result<Vec<Concept>, sea_orm::DbErr> {
    let rows = concept::Entity::find()
        .filter(concept::Column::Key.is_in(keys.iter().cloned()))
        .order_by_asc(concept::Column::Key)
        .all(db)
        .await?;
    with_details(db, rows).await
}

/// Every concept, by key (for the SKOS export).
pub async fn all(db: &impl ConnectionTrait) -> Result<Vec<Concept>, sea_orm::DbErr> {
    let rows = concept::Entity::find()
        .order_by_asc(concept::Column::Key)
        .all(db)
        .await?;
    let mut concepts = Vec::with_capacity(rows.len());
    for chunk in rows.chunks(300) {
        concepts.extend(with_details(db, chunk.to_vec()).await?);
    }
    Ok(concepts)
}

async fn with_details(
    db: &impl ConnectionTrait,
    rows: Vec<concept::Model>,
) -> Result<Vec<Concept>, sea_orm::DbErr> {
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    let ids: Vec<i32> = rows.iter().map(|row| row.id).collect();
    let labels = concept_label::Entity::find()
        .filter(concept_label::Column::ConceptId.is_in(ids.clone()))
        .order_by_asc(concept_label::Column::ConceptId)
        .order_by_asc(concept_label::Column::Position)
        .all(db)
        .await?;
    let themes: Vec<(i32, String)> = concept_theme::Entity::find()
        .select_only()
        .column(concept_theme::Column::ConceptId)
        .column(theme::Column::Path)
        .inner_join(theme::Entity)
        .filter(concept_theme::Column::ConceptId.is_in(ids))
        .into_tuple()
        .all(db)
        .await?;
    let broader_ids: Vec<i32> = rows.iter().filter_map(|row| row.broader_id).collect();
    let broader: HashMap<i32, String> = if broader_ids.is_empty() {
        HashMap::new()
    } else {
        concept::Entity::find()
            .select_only()
            .column(concept::Column::Id)
            .column(concept::Column::Key)
            .filter(concept::Column::Id.is_in(broader_ids))
            .into_tuple::<(i32, String)>()
            .all(db)
            .await?
            .into_iter()
            .collect()
    };
    let mut labels_by: BTreeMap<i32, Vec<concept_label::Model>> = BTreeMap::new();
    for label in labels {
        labels_by.entry(label.concept_id).or_default().push(label);
    }
    let mut themes_by: BTreeMap<i32, BTreeSet<String>> = BTreeMap::new();
    for (id, path) in themes {
        themes_by.entry(id).or_default().insert(path);
    }
    Ok(rows
        .into_iter()
        .map(|row| Concept {
            labels: labels_by.remove(&row.id).unwrap_or_default(),
            themes: themes_by
                .remove(&row.id)
                .unwrap_or_default()
                .into_iter()
                .collect(),
            broader_key: row.broader_id.and_then(|id| broader.get(&id).cloned()),
            row,
        })
        .collect())
}

/// Every label as `(concept key, language, label)`: what search tags documents and expands
/// queries with.
pub async fn labels_for_matching(
    db: &impl ConnectionTrait,
) -> Result<Vec<(String, String, String)>, sea_orm::DbErr> {
    concept_label::Entity::find()
        .select_only()
        .column(concept::Column::Key)
        .column(concept_label::Column::Language)
        .column(concept_label::Column::Label)
        .inner_join(concept::Entity)
        .order_by_asc(concept_label::Column::Id)
        .into_tuple()
        .all(db)
        .await
}

/// The search vocabulary built from the database's labels.
pub async fn matcher(
    db: &impl ConnectionTrait,
) -> Result<crate::search::concepts::ConceptMatcher, sea_orm::DbErr> {
    let labels = labels_for_matching(db).await?;
    Ok(crate::search::concepts::ConceptMatcher::new(
        labels
            .iter()
            .map(|(key, language, label)| (key.as_str(), language.as_str(), label.as_str())),
    ))
}
