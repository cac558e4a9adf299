//! The practice life cycle: contributors create and edit drafts, submit them, moderators
//! publish or reject them, moderators or owners archive them, evaluators score published ones.
//!
//! ```text
//! draft ──submit (owner)──▶ submitted ──publish (moderator)──▶ published ──archive──▶ archived
//!                             │    ▲                              │  (moderator or owner)
//!                             │    └──── edit by the owner ◀──────┤
//!                             └──reject (moderator, reason)──▶ rejected ──archive──▶ archived
//! ```
//!
//! A transition that is not allowed from the current state is `CONFLICT` (with the current
//! version and a message naming both states); asking for the state the practice is already in
//! changes nothing and answers the practice. Each change is one transaction: the practice, its
//! `change_log` row (the search index follows it) and an audit row. Field values are checked by
//! the importer's rules ([`PracticeRecord`], [`practice_write`](super::practice_write)).

use chrono::Utc;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseConnection, DatabaseTransaction, EntityTrait,
    IntoActiveModel, PaginatorTrait, QueryFilter, QuerySelect, Set,
};
use serde_json::{Map, Value, json};

use super::change_log::{self, Operation};
use super::concurrency::check_version;
use super::permissions::{self, Action};
use super::records::{FieldError, PracticeRecord, TranslationRecord};
use super::{ServiceError, audit, practice_write};
use crate::domain::PracticeStatus;
use crate::domain::{
    Description, EvaluationLabel, FieldPath, RecordKind, Score, Summary, Viewer, limits,
};
use crate::entity::{
    city, evaluation, practice, practice_city, practice_sdg, practice_theme, practice_translation,
    theme,
};

/// The fields of a practice as the importer spells them (`original_language`, `cities`,
/// `cost: {amount, currency}`, ...): only those given are set. `slug`, `status`,
/// `published_at`, `translations` and `evaluations` are not the contributor's to set.
pub type Fields = Map<String, Value>;

const NOT_SETTABLE: [&str; 5] = [
    "slug",
    "status",
    "published_at",
    "translations",
    "evaluations",
];

/// A life-cycle step a reviewer or owner asks for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Transition {
    Submit,
    Publish,
    Reject,
    Archive,
}

impl Transition {
    fn target(self) -> PracticeStatus {
        match self {
            Self::Submit => PracticeStatus::Submitted,
            Self::Publish => PracticeStatus::Published,
            Self::Reject => PracticeStatus::Rejected,
            Self::Archive => PracticeStatus::Archived,
        }
    }

    /// The states the step may start from.
    fn from(self) -> &'static [&'static str] {
        match self {
            Self::Submit => &["draft", "rejected"],
            Self::Publish | Self::Reject => &["submitted"],
            Self::Archive => &["published", "rejected"],
        }
    }

    fn action(self) -> &'static str {
        match self {
            Self::Submit => "practice.submit",
            Self::Publish => "practice.publish",
            Self::Reject => "practice.reject",
            Self::Archive => "practice.archive",
        }
    }

    fn verb(self) -> &'static str {
        match self {
            Self::Submit => "submit",
            Self::Publish => "publish",
            Self::Reject => "reject",
            Self::Archive => "archive",
        }
    }
}

/// Creates a draft owned by the viewer (members and above). Only `title`, `summary`, `body`
/// and `original_language` are required now; [`transition`] to `Submit` checks the rest.
pub async fn create(
    db: &DatabaseConnection,
    viewer: &Viewer,
    fields: Fields,
) -> Result<practice::Model, ServiceError> {
    permissions::check(viewer, Action::ContributePractices)?;
    let mut base = Map::new();
    base.insert("themes".into(), json!([]));
    let title = fields.get("title").and_then(Value::as_str).unwrap_or("");
    base.insert("slug".into(), json!(slug_base(title)));
    base.insert("status".into(), json!("draft"));
    let record = merge(base, fields)?;
    let txn = crate::service::change_log::begin_write(db).await?;
    let record = PracticeRecord {
        slug: free_slug(&txn, record.slug.as_str()).await?,
        ..record
    };
    let id = practice_write::save_contribution(&txn, record, viewer.account_id())
        .await
        .map_err(rename_language)?;
    let row = finish(&txn, viewer, id, "practice.create", None, json!({})).await?;
    txn.commit().await?;
    Ok(row)
}

/// Changes the given fields of a practice (its owner, or a reviewer). An owner's edit of a
/// published or rejected practice sends it back to `submitted` review; archived practices are
/// not edited (`CONFLICT`).
pub async fn update(
    db: &DatabaseConnection,
    viewer: &Viewer,
    id: i32,
    expected_version: Option<i64>,
    fields: Fields,
) -> Result<practice::Model, ServiceError> {
    permissions::check(viewer, Action::ContributePractices)?;
    let row = visible_row(db, viewer, id).await?;
    let owner = is_owner(viewer, &row);
    if !owner && !permissions::may(viewer, Action::ReviewPractices) {
        return Err(ServiceError::Forbidden(
            "only the practice's owner, moderators and admins may edit it".into(),
        ));
    }
    let mut base = stored_fields(db, &row).await?;
    let status = match row.status.as_str() {
        "archived" => {
            return Err(conflict(&row, "an archived practice is not edited"));
        }
        "published" | "rejected" if owner => "submitted",
        other => other,
    };
    base.insert("status".into(), json!(status));
    let record = merge(base, fields)?;
    let txn = crate::service::change_log::begin_write(db).await?;
    let current = practice::Entity::find_by_id(id)
        .one(&txn)
        .await?
        .ok_or_else(|| ServiceError::not_found("practice"))?;
    check_version("practice", expected_version, i64::from(current.version))?;
    let id = practice_write::save_contribution(&txn, record, None)
        .await
        .map_err(rename_language)?;
    let details = json!({ "status_before": row.status, "status": status });
    let row = finish(&txn, viewer, id, "practice.update", None, details).await?;
    txn.commit().await?;
    Ok(row)
}

/// Moves a practice along its life cycle. `reason` is required to reject, kept for archival
/// and on the practice (`reviewReason`).
pub async fn transition(
    db: &DatabaseConnection,
    viewer: &Viewer,
    id: i32,
    step: Transition,
    reason: Option<String>,
) -> Result<practice::Model, ServiceError> {
    permissions::check(viewer, Action::ContributePractices)?;
    let row = visible_row(db, viewer, id).await?;
    let reviewer = permissions::may(viewer, Action::ReviewPractices);
    let allowed = match step {
        Transition::Submit | Transition::Archive => reviewer || is_owner(viewer, &row),
        Transition::Publish | Transition::Reject => reviewer,
    };
    if !allowed {
        return Err(ServiceError::Forbidden(match step {
            Transition::Publish | Transition::Reject => {
                format!("only moderators and admins may {} a practice", step.verb())
            }
            _ => format!(
                "only the practice's owner, moderators and admins may {} it",
                step.verb()
            ),
        }));
    }
    let reason = check_reason(step, reason)?;
    let target = step.target();
    if row.status == target.as_str() {
        return Ok(row);
    }
    if !step.from().contains(&row.status.as_str()) {
        return Err(conflict(
            &row,
            &format!(
                "the practice is {}; only a practice that is {} can be {}",
                row.status,
                step.from().join(" or "),
                past(step)
            ),
        ));
    }
    if step == Transition::Submit {
        check_publishable(db, &row).await?;
    }
    let txn = crate::service::change_log::begin_write(db).await?;
    let current = practice::Entity::find_by_id(id)
        .one(&txn)
        .await?
        .ok_or_else(|| ServiceError::not_found("practice"))?;
    if current.version != row.version {
        return Err(conflict(&current, "the practice changed meanwhile"));
    }
    let now = Utc::now().fixed_offset();
    let mut model = current.clone().into_active_model();
    model.status = Set(target.as_str().to_owned());
    model.version = Set(current.version + 1);
    model.updated_at = Set(now);
    match step {
        Transition::Publish => {
            model.published_at = Set(current.published_at.or(Some(now)));
            model.review_reason = Set(None);
        }
        Transition::Reject | Transition::Archive => model.review_reason = Set(reason.clone()),
        Transition::Submit => {}
    }
    model.update(&txn).await?;
    let details = json!({ "status_before": current.status, "status": target.as_str() });
    let row = finish(&txn, viewer, id, step.action(), reason, details).await?;
    txn.commit().await?;
    Ok(row)
}

/// One evaluator's scores of a published practice.
#[derive(Clone, Debug)]
pub struct NewEvaluation {
    pub practice_id: i32,
    /// The seven criteria in the order of [`crate::domain::CRITERIA`], each 1..5.
    pub scores: [(&'static str, i64); 7],
    pub summary: String,
}

/// Records an evaluation (evaluators and admins) and updates the practice's score and label in
/// the same transaction. Nobody evaluates their own practice (`FORBIDDEN`) or one practice
/// twice (`CONFLICT`); only published practices are evaluated (`CONFLICT`).
pub async fn evaluate(
    db: &DatabaseConnection,
    viewer: &Viewer,
    new: NewEvaluation,
) -> Result<(practice::Model, evaluation::Model), ServiceError> {
    permissions::check(viewer, Action::EvaluatePractices)?;
    let row = visible_row(db, viewer, new.practice_id).await?;
    if is_owner(viewer, &row) {
        return Err(ServiceError::Forbidden(
            "nobody evaluates their own practice".into(),
        ));
    }
    let mut errors = Vec::new();
    let mut scores = [0_i16; 7];
    for (slot, (criterion, value)) in scores.iter_mut().zip(new.scores) {
        match Score::try_from(value) {
            Ok(score) => *slot = i16::from(score.get()),
            Err(message) => {
                errors.push(FieldError::new(
                    FieldPath::from("scores").field(criterion),
                    message,
                ));
            }
        }
    }
    if let Err(message) = Summary::parse(new.summary.clone()) {
        errors.push(FieldError::new("summary", message));
    }
    if !errors.is_empty() {
        return Err(ServiceError::Invalid(errors));
    }
    if row.status != "published" {
        return Err(conflict(
            &row,
            &format!(
                "the practice is {}; only published ones are evaluated",
                row.status
            ),
        ));
    }
    let txn = crate::service::change_log::begin_write(db).await?;
    if let Some(account) = viewer.account_id() {
        let earlier = evaluation::Entity::find()
            .filter(evaluation::Column::PracticeId.eq(row.id))
            .filter(evaluation::Column::EvaluatorAccountId.eq(account))
            .count(&txn)
            .await?;
        if earlier > 0 {
            return Err(conflict(&row, "you have evaluated this practice already"));
        }
    }
    let now = Utc::now().fixed_offset();
    let [
        relevance,
        impact,
        evidence,
        replicability,
        cost,
        co_benefits,
        participation,
    ] = scores;
    let evaluator = viewer
        .account()
        .map(|account| account.name.clone())
        .unwrap_or_else(|| "operator".into());
    let added = evaluation::ActiveModel {
        practice_id: Set(row.id),
        evaluator: Set(evaluator),
        evaluator_account_id: Set(viewer.account_id()),
        relevance: Set(relevance),
        impact: Set(impact),
        evidence_quality: Set(evidence),
        replicability: Set(replicability),
        cost_effectiveness: Set(cost),
        co_benefits: Set(co_benefits),
        participation: Set(participation),
        summary: Set(new.summary.trim().to_owned()),
        evaluated_on: Set(now.date_naive()),
        status: Set("published".into()),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    let means: Vec<f64> = evaluation::Entity::find()
        .filter(evaluation::Column::PracticeId.eq(row.id))
        .filter(evaluation::Column::Status.eq("published"))
        .all(&txn)
        .await?
        .into_iter()
        .map(|row| crate::domain::mean_score(row.scores()))
        .collect();
    // As the importer computes it; never `None` here, the new evaluation is among them.
    let score = crate::domain::practice_score(&means);
    let mut model = row.clone().into_active_model();
    model.score = Set(score);
    model.evaluation_label =
        Set(score.map(|value| EvaluationLabel::from_score(value).as_str().to_owned()));
    model.evaluation_count = Set(i32::try_from(means.len()).unwrap_or(i32::MAX));
    model.version = Set(row.version + 1);
    model.updated_at = Set(now);
    model.update(&txn).await?;
    let details = json!({ "evaluation_id": added.id, "score": score, "scores": scores });
    let row = finish(&txn, viewer, row.id, "practice.evaluate", None, details).await?;
    txn.commit().await?;
    Ok((row, added))
}

/// Adds or replaces the translation of a practice into `record.language` (owner or reviewer).
pub async fn upsert_translation(
    db: &DatabaseConnection,
    viewer: &Viewer,
    practice_id: i32,
    fields: Fields,
) -> Result<practice::Model, ServiceError> {
    permissions::check(viewer, Action::ContributePractices)?;
    let row = editable_row(db, viewer, practice_id).await?;
    let record: TranslationRecord = parse_all(fields, &Map::new())?;
    if record.language.as_str() == row.original_language {
        return Err(ServiceError::invalid(
            "language",
            "the original language is not a translation",
        ));
    }
    let txn = crate::service::change_log::begin_write(db).await?;
    let now = Utc::now().fixed_offset();
    let existing = practice_translation::Entity::find()
        .filter(practice_translation::Column::PracticeId.eq(row.id))
        .filter(practice_translation::Column::Language.eq(record.language.as_str()))
        .one(&txn)
        .await?;
    match existing {
        Some(found) => {
            let mut model = found.into_active_model();
            model.title = Set(record.title.as_str().to_owned());
            model.summary = Set(record.summary.as_str().to_owned());
            model.body = Set(record.body.as_str().to_owned());
            model.machine_translated = Set(record.machine_translated);
            model.updated_at = Set(now);
            model.update(&txn).await?;
        }
        None => {
            let count = practice_translation::Entity::find()
                .filter(practice_translation::Column::PracticeId.eq(row.id))
                .count(&txn)
                .await?;
            if count >= limits::TRANSLATIONS as u64 {
                return Err(ServiceError::invalid(
                    "language",
                    format!(
                        "a practice has at most {} translations",
                        limits::TRANSLATIONS
                    ),
                ));
            }
            practice_translation::ActiveModel {
                practice_id: Set(row.id),
                language: Set(record.language.to_string()),
                title: Set(record.title.as_str().to_owned()),
                summary: Set(record.summary.as_str().to_owned()),
                body: Set(record.body.as_str().to_owned()),
                machine_translated: Set(record.machine_translated),
                created_at: Set(now),
                updated_at: Set(now),
                ..Default::default()
            }
            .insert(&txn)
            .await?;
        }
    }
    touch(&txn, &row).await?;
    let details = json!({ "language": record.language.as_str() });
    let row = finish(&txn, viewer, row.id, "practice.translate", None, details).await?;
    txn.commit().await?;
    Ok(row)
}

/// Removes the translation into `language`; removing one that does not exist changes nothing.
pub async fn remove_translation(
    db: &DatabaseConnection,
    viewer: &Viewer,
    practice_id: i32,
    language: &str,
) -> Result<practice::Model, ServiceError> {
    permissions::check(viewer, Action::ContributePractices)?;
    let row = editable_row(db, viewer, practice_id).await?;
    let txn = crate::service::change_log::begin_write(db).await?;
    let removed = practice_translation::Entity::delete_many()
        .filter(practice_translation::Column::PracticeId.eq(row.id))
        .filter(practice_translation::Column::Language.eq(language))
        .exec(&txn)
        .await?;
    if removed.rows_affected == 0 {
        return Ok(row);
    }
    touch(&txn, &row).await?;
    let details = json!({ "language": language });
    let row = finish(&txn, viewer, row.id, "practice.untranslate", None, details).await?;
    txn.commit().await?;
    Ok(row)
}

/// The practice `id` as `viewer` sees it; `NOT_FOUND` when it may not.
async fn visible_row(
    db: &DatabaseConnection,
    viewer: &Viewer,
    id: i32,
) -> Result<practice::Model, ServiceError> {
    super::practices::visible(viewer)
        .filter(practice::Column::Id.eq(id))
        .one(db)
        .await?
        .ok_or_else(|| ServiceError::not_found("practice"))
}

async fn editable_row(
    db: &DatabaseConnection,
    viewer: &Viewer,
    id: i32,
) -> Result<practice::Model, ServiceError> {
    let row = visible_row(db, viewer, id).await?;
    if is_owner(viewer, &row) || permissions::may(viewer, Action::ReviewPractices) {
        Ok(row)
    } else {
        Err(ServiceError::Forbidden(
            "only the practice's owner, moderators and admins may edit it".into(),
        ))
    }
}

fn is_owner(viewer: &Viewer, row: &practice::Model) -> bool {
    viewer.account_id().is_some() && viewer.account_id() == row.owner_id
}

fn conflict(row: &practice::Model, message: &str) -> ServiceError {
    ServiceError::Conflict {
        message: message.to_owned(),
        current_version: i64::from(row.version),
    }
}

fn past(step: Transition) -> &'static str {
    match step {
        Transition::Submit => "submitted",
        Transition::Publish => "published",
        Transition::Reject => "rejected",
        Transition::Archive => "archived",
    }
}

fn check_reason(step: Transition, reason: Option<String>) -> Result<Option<String>, ServiceError> {
    let reason = reason
        .map(|text| text.trim().to_owned())
        .filter(|text| !text.is_empty());
    if step == Transition::Reject && reason.is_none() {
        return Err(ServiceError::invalid(
            "reason",
            "say why the practice is rejected; its author reads it",
        ));
    }
    if let Some(text) = &reason {
        Description::parse(text.clone())
            .map_err(|message| ServiceError::invalid("reason", message))?;
    }
    Ok(reason)
}

/// What publishing needs beyond a draft: at least one theme, one city and one SDG. Each
/// missing one is an error at its field (`["input", "themes"]`, as `updatePractice` names it).
async fn check_publishable(
    db: &DatabaseConnection,
    row: &practice::Model,
) -> Result<(), ServiceError> {
    let themes = practice_theme::Entity::find()
        .filter(practice_theme::Column::PracticeId.eq(row.id))
        .count(db)
        .await?;
    let cities = practice_city::Entity::find()
        .filter(practice_city::Column::PracticeId.eq(row.id))
        .count(db)
        .await?;
    let sdgs = practice_sdg::Entity::find()
        .filter(practice_sdg::Column::PracticeId.eq(row.id))
        .count(db)
        .await?;
    let mut errors = Vec::new();
    for (field, count, what) in [
        ("themes", themes, "a theme"),
        ("cities", cities, "a city"),
        ("sdgs", sdgs, "a Sustainable Development Goal"),
    ] {
        if count == 0 {
            errors.push(FieldError::new(
                field,
                format!("publishing needs at least {what}; add one with updatePractice"),
            ));
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(ServiceError::Invalid(errors))
    }
}

/// Bumps the practice's version for a change of one of its parts (a translation).
async fn touch(txn: &DatabaseTransaction, row: &practice::Model) -> Result<(), sea_orm::DbErr> {
    let mut model = row.clone().into_active_model();
    model.version = Set(row.version + 1);
    model.updated_at = Set(Utc::now().fixed_offset());
    model.update(txn).await?;
    Ok(())
}

/// The change-log row (unless the write appended one) and the audit row, then the practice as
/// stored.
async fn finish(
    txn: &DatabaseTransaction,
    viewer: &Viewer,
    id: i32,
    action: &'static str,
    reason: Option<String>,
    details: Value,
) -> Result<practice::Model, ServiceError> {
    let seq = change_log::append(txn, RecordKind::Practice, id, Operation::Upsert).await?;
    audit::record(
        txn,
        viewer,
        audit::Entry {
            action,
            target: RecordKind::Practice,
            target_id: id,
            reason,
            details,
            change_seq: Some(seq),
        },
    )
    .await?;
    practice::Entity::find_by_id(id)
        .one(txn)
        .await?
        .ok_or_else(|| ServiceError::not_found("practice"))
}

/// `fields` over `base`, parsed as a practice record; every top-level field that fails is
/// reported (each at its path), and nothing is written.
fn merge(base: Fields, fields: Fields) -> Result<PracticeRecord, ServiceError> {
    let mut errors = Vec::new();
    for key in fields.keys() {
        if NOT_SETTABLE.contains(&key.as_str()) {
            errors.push(FieldError::new(key.as_str(), "not set here"));
        }
    }
    if !errors.is_empty() {
        return Err(ServiceError::Invalid(errors));
    }
    parse_all(fields, &base)
}

/// Parses `fields` over `base` into `T`, collecting the first error of every top-level field:
/// each failing field is set back to its `base` value (or removed) and parsing tried again.
fn parse_all<T: serde::de::DeserializeOwned>(
    fields: Fields,
    base: &Fields,
) -> Result<T, ServiceError> {
    let mut merged = base.clone();
    merged.extend(fields);
    let mut errors: Vec<FieldError> = Vec::new();
    let mut reported: Vec<String> = Vec::new();
    for _ in 0..2 * merged.len() + 2 {
        match serde_path_to_error::deserialize::<_, T>(Value::Object(merged.clone())) {
            Ok(value) if errors.is_empty() => return Ok(value),
            Ok(_) => break,
            Err(error) => {
                let path =
                    error
                        .path()
                        .iter()
                        .fold(FieldPath::root(), |path, segment| match segment {
                            serde_path_to_error::Segment::Seq { index } => path.index(*index),
                            serde_path_to_error::Segment::Map { key } => path.field(key.as_str()),
                            serde_path_to_error::Segment::Enum { variant } => {
                                path.field(variant.as_str())
                            }
                            serde_path_to_error::Segment::Unknown => path,
                        });
                let message = error.into_inner().to_string();
                let message = match message.rfind(" at line ") {
                    Some(index) => message[..index].to_owned(),
                    None => message,
                };
                let top = match path.segments().first() {
                    Some(crate::domain::Segment::Field(name)) => Some(name.clone()),
                    _ => None,
                };
                let missing = message
                    .strip_prefix("missing field `")
                    .and_then(|rest| rest.split('`').next())
                    .map(str::to_owned);
                if let Some(field) = &missing
                    && reported.contains(field)
                {
                    // Removed after its own error: stand in for it to check the rest.
                    merged.insert(field.clone(), placeholder(field));
                    continue;
                }
                let error_path = match (&missing, path.is_empty()) {
                    (Some(field), true) => FieldPath::from(field.as_str()),
                    _ => path,
                };
                errors.push(rename_path(FieldError::new(
                    error_path,
                    if missing.is_some() {
                        "required".to_owned()
                    } else {
                        message
                    },
                )));
                let retry = match (top, missing) {
                    (Some(key), _) => key,
                    (None, Some(field)) => field,
                    (None, None) => break,
                };
                reported.push(retry.clone());
                // Put the stored value back, or leave the field out, to check the others.
                match base.get(&retry) {
                    Some(value) if merged.get(&retry) != Some(value) => {
                        merged.insert(retry, value.clone());
                    }
                    _ if merged.contains_key(&retry) => {
                        merged.remove(&retry);
                    }
                    _ => {
                        let stand_in = placeholder(&retry);
                        merged.insert(retry, stand_in);
                    }
                }
            }
        }
    }
    Err(ServiceError::Invalid(errors))
}

/// A stand-in for a missing required text, so the remaining fields are still checked.
fn placeholder(field: &str) -> Value {
    match field {
        "original_language" | "language" => json!("en"),
        _ => json!("x"),
    }
}

/// The importer says `original_language`; the mutations say `language`.
fn rename_path(error: FieldError) -> FieldError {
    match error.path.segments().first() {
        Some(crate::domain::Segment::Field(name)) if name == "original_language" => {
            let path = error.path.segments()[1..].iter().fold(
                FieldPath::from("language"),
                |path, segment| match segment {
                    crate::domain::Segment::Field(name) => path.field(name.clone()),
                    crate::domain::Segment::Index(index) => path.index(*index),
                },
            );
            FieldError {
                path,
                message: error.message,
            }
        }
        _ => error,
    }
}

fn rename_language(error: ServiceError) -> ServiceError {
    match error {
        ServiceError::Invalid(errors) => {
            ServiceError::Invalid(errors.into_iter().map(rename_path).collect())
        }
        other => other,
    }
}

/// The stored practice in the importer's spelling, for an edit to change some fields of.
async fn stored_fields(
    db: &DatabaseConnection,
    row: &practice::Model,
) -> Result<Fields, ServiceError> {
    let cities: Vec<String> = city::Entity::find()
        .inner_join(practice_city::Entity)
        .filter(practice_city::Column::PracticeId.eq(row.id))
        .select_only()
        .column(city::Column::Slug)
        .into_tuple()
        .all(db)
        .await?;
    let themes: Vec<String> = theme::Entity::find()
        .inner_join(practice_theme::Entity)
        .filter(practice_theme::Column::PracticeId.eq(row.id))
        .select_only()
        .column(theme::Column::Path)
        .into_tuple()
        .all(db)
        .await?;
    let sdgs: Vec<i16> = practice_sdg::Entity::find()
        .filter(practice_sdg::Column::PracticeId.eq(row.id))
        .select_only()
        .column(practice_sdg::Column::Sdg)
        .into_tuple()
        .all(db)
        .await?;
    let replicated_from = match row.replicated_from_id {
        Some(id) => practice::Entity::find_by_id(id)
            .one(db)
            .await?
            .map(|source| source.slug),
        None => None,
    };
    let cost = match (row.cost_amount, &row.cost_currency) {
        (Some(amount), Some(currency)) => json!({ "amount": amount, "currency": currency }),
        _ => Value::Null,
    };
    let impact = if row.impact_tco2e.is_some()
        || row.impact_baseline.is_some()
        || row.impact_method.is_some()
    {
        json!({
            "annual_tco2e": row.impact_tco2e,
            "baseline": row.impact_baseline,
            "method": row.impact_method,
        })
    } else {
        Value::Null
    };
    let value = json!({
        "slug": row.slug,
        "original_language": row.original_language,
        "title": row.title,
        "summary": row.summary,
        "body": row.body,
        "published_at": Value::Null,
        "cities": cities,
        "themes": themes,
        "sdgs": sdgs,
        "governance_level": row.governance_level,
        "start_date": row.start_date,
        "end_date": row.end_date,
        "cost": cost,
        "impact": impact,
        "co_benefits": row.co_benefits,
        "replicability_notes": row.replicability_notes,
        "replicated_from": replicated_from,
        "contacts": row.contacts,
        "links": row.links,
    });
    match value {
        Value::Object(map) => Ok(map),
        _ => unreachable!("a JSON object"),
    }
}

/// A slug from a title: lower-case ASCII letters and digits joined by single hyphens.
fn slug_base(title: &str) -> String {
    let mut slug = String::new();
    for character in title.chars().flat_map(char::to_lowercase) {
        if character.is_ascii_alphanumeric() {
            slug.push(character);
        } else if !slug.is_empty() && !slug.ends_with('-') {
            slug.push('-');
        }
        if slug.len() >= 80 {
            break;
        }
    }
    let slug = slug.trim_end_matches('-');
    if slug.is_empty() {
        "practice".into()
    } else {
        slug.to_owned()
    }
}

/// `base`, or `base-2`, `base-3`, ... : the first slug no practice has.
async fn free_slug(
    txn: &DatabaseTransaction,
    base: &str,
) -> Result<crate::domain::Slug, ServiceError> {
    let taken: Vec<String> = practice::Entity::find()
        .filter(practice::Column::Slug.starts_with(base))
        .select_only()
        .column(practice::Column::Slug)
        .into_tuple()
        .all(txn)
        .await?;
    let mut candidate = base.to_owned();
    let mut suffix = 2;
    while taken.contains(&candidate) {
        candidate = format!("{base}-{suffix}");
        suffix += 1;
    }
    crate::domain::Slug::parse(&candidate)
        .map_err(|message| ServiceError::invalid("title", message))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_come_from_titles() {
        assert_eq!(
            slug_base("Bergen's zeolite Battery!"),
            "bergen-s-zeolite-battery"
        );
        assert_eq!(slug_base("  ---  "), "practice");
        assert_eq!(slug_base("Ökostrom für alle"), "kostrom-f-r-alle");
    }

    #[test]
    fn every_bad_field_is_reported_and_the_language_is_named_as_the_input_names_it() {
        let mut fields = Map::new();
        fields.insert("title".into(), json!("x".repeat(100_000)));
        fields.insert("summary".into(), json!("A summary."));
        fields.insert("body".into(), json!("Body"));
        fields.insert("original_language".into(), json!("english"));
        fields.insert(
            "links".into(),
            json!([{ "title": "Run", "url": "javascript:alert(1)" }]),
        );
        let mut base = Map::new();
        base.insert("slug".into(), json!("a"));
        base.insert("themes".into(), json!([]));
        let Err(ServiceError::Invalid(errors)) = merge(base, fields) else {
            panic!("invalid");
        };
        let paths: Vec<String> = errors.iter().map(|error| error.path.snake()).collect();
        assert!(paths.contains(&"title".to_owned()), "{paths:?}");
        assert!(paths.contains(&"language".to_owned()), "{paths:?}");
        assert!(paths.contains(&"links[0].url".to_owned()), "{paths:?}");
    }
}
