//! Creating or replacing a practice from a [`PracticeRecord`], with its links, translations and
//! evaluations, in one transaction that also appends to the change log.

use chrono::{NaiveDate, Utc};
use sea_orm::{ActiveModelTrait, ColumnTrait, DatabaseTransaction, EntityTrait, QueryFilter, Set};

use super::ServiceError;
use super::change_log::{self, Operation, RecordKind};
use super::lookup;
use super::records::{FieldError, PracticeRecord, check_list_length};
use crate::domain::PracticeStatus;
use crate::domain::{EvaluationLabel, FieldPath, limits};
use crate::entity::{
    evaluation, practice, practice_city, practice_sdg, practice_theme, practice_translation,
};

/// Inserts the practice, or replaces the one with the same slug. Returns its id.
/// Nothing is written when any field is invalid.
pub async fn upsert(
    txn: &DatabaseTransaction,
    record: PracticeRecord,
) -> Result<i32, ServiceError> {
    upsert_owned(txn, record, None).await
}

/// [`upsert`], and a new practice is owned by `owner` (an account id): its author sees it
/// through every read path before it is published. An existing practice keeps its owner.
pub async fn upsert_owned(
    txn: &DatabaseTransaction,
    record: PracticeRecord,
    owner: Option<i32>,
) -> Result<i32, ServiceError> {
    write(txn, record, owner, Mode::Import).await
}

/// What a write replaces.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// The record is the whole practice: translations, evaluations and score too, and it
    /// needs a theme (the importer, the seed).
    Import,
    /// A contributor's edit (`createPractice`, `updatePractice`): the practice's fields, cities,
    /// themes and SDGs; its translations, evaluations and score stay as they are, and a draft
    /// may have no theme yet (`submitPractice` checks what publishing needs).
    Contribution,
}

/// Writes a contributor's version of a practice (see [`Mode::Contribution`]) with the same
/// validation as the importer, and its `change_log` row. A new practice is owned by `owner`.
/// Returns its id; the version goes up by one.
pub async fn save_contribution(
    txn: &DatabaseTransaction,
    record: PracticeRecord,
    owner: Option<i32>,
) -> Result<i32, ServiceError> {
    write(txn, record, owner, Mode::Contribution).await
}

async fn write(
    txn: &DatabaseTransaction,
    record: PracticeRecord,
    owner: Option<i32>,
    mode: Mode,
) -> Result<i32, ServiceError> {
    let mut errors = check_record(&record, mode);
    let city_slugs: Vec<&str> = record.cities.iter().map(|slug| slug.as_str()).collect();
    let city_ids = lookup::city_ids(txn, &city_slugs, "cities", &mut errors).await?;
    let theme_paths: Vec<&str> = record.themes.iter().map(|path| path.as_str()).collect();
    let theme_ids = lookup::theme_ids(txn, &theme_paths, "themes", &mut errors).await?;
    let replicated_from_id = match &record.replicated_from {
        Some(slug) => {
            let before = errors.len();
            let ids =
                lookup::practice_ids(txn, &[slug.as_str()], "replicated_from", &mut errors).await?;
            lookup::as_single_field(&mut errors, before, "replicated_from");
            ids.first().copied()
        }
        None => None,
    };
    if !errors.is_empty() {
        return Err(ServiceError::Invalid(errors));
    }

    let existing = practice::Entity::find()
        .filter(practice::Column::Slug.eq(record.slug.as_str()))
        .one(txn)
        .await?;
    let now = Utc::now().fixed_offset();
    let published_at = match (record.status, record.published_at) {
        (PracticeStatus::Published, Some(day)) => Some(midnight(day)),
        (PracticeStatus::Published, None) => existing
            .as_ref()
            .and_then(|row| row.published_at)
            .or(Some(now)),
        _ => None,
    };
    let scores: Vec<f64> = record
        .evaluations
        .iter()
        .map(|evaluation| evaluation.scores.mean())
        .collect();
    let score = crate::domain::practice_score(&scores);

    let mut model = practice::ActiveModel {
        slug: Set(record.slug.to_string()),
        title: Set(record.title.as_str().to_owned()),
        summary: Set(record.summary.as_str().to_owned()),
        body: Set(record.body.as_str().to_owned()),
        original_language: Set(record.original_language.to_string()),
        status: Set(record.status.as_str().to_owned()),
        governance_level: Set(record
            .governance_level
            .map(|level| level.as_str().to_owned())),
        start_date: Set(record.start_date),
        end_date: Set(record.end_date),
        cost_amount: Set(record.cost.as_ref().map(|cost| cost.amount.get())),
        cost_currency: Set(record.cost.as_ref().map(|cost| cost.currency.to_string())),
        impact_tco2e: Set(record
            .impact
            .as_ref()
            .and_then(|impact| impact.annual_tco2e.map(|value| value.get()))),
        impact_baseline: Set(record
            .impact
            .as_ref()
            .and_then(|impact| impact.baseline.clone().map(String::from))),
        impact_method: Set(record
            .impact
            .as_ref()
            .and_then(|impact| impact.method.clone().map(String::from))),
        co_benefits: Set(serde_json::json!(record.co_benefits)),
        replicability_notes: Set(record.replicability_notes.clone().map(String::from)),
        replicated_from_id: Set(replicated_from_id),
        contacts: Set(serde_json::json!(record.contacts)),
        links: Set(serde_json::json!(record.links)),
        score: Set(score),
        evaluation_label: Set(
            score.map(|value| EvaluationLabel::from_score(value).as_str().to_owned())
        ),
        evaluation_count: Set(i32::try_from(record.evaluations.len()).unwrap_or(i32::MAX)),
        published_at: Set(published_at),
        deleted_at: Set(None),
        updated_at: Set(now),
        ..Default::default()
    };
    if mode == Mode::Contribution {
        // Evaluations are added one by one (`evaluatePractice`); an edit keeps their score.
        model.score = sea_orm::ActiveValue::NotSet;
        model.evaluation_label = sea_orm::ActiveValue::NotSet;
        model.evaluation_count = sea_orm::ActiveValue::NotSet;
    }
    let practice_id = match &existing {
        Some(row) => {
            model.id = Set(row.id);
            model.created_at = Set(row.created_at);
            model.version = Set(row.version + 1);
            model.update(txn).await?.id
        }
        None => {
            model.created_at = Set(now);
            model.owner_id = Set(owner);
            model.version = Set(1);
            if mode == Mode::Contribution {
                model.score = Set(None);
                model.evaluation_label = Set(None);
                model.evaluation_count = Set(0);
            }
            model.insert(txn).await?.id
        }
    };
    replace_children(txn, practice_id, &record, &city_ids, &theme_ids, mode).await?;
    change_log::append(txn, RecordKind::Practice, practice_id, Operation::Upsert).await?;
    Ok(practice_id)
}

fn midnight(day: NaiveDate) -> chrono::DateTime<chrono::FixedOffset> {
    day.and_hms_opt(0, 0, 0)
        .expect("midnight exists")
        .and_utc()
        .fixed_offset()
}

/// Checks within the record itself (no database needed).
fn check_record(record: &PracticeRecord, mode: Mode) -> Vec<FieldError> {
    let mut errors = Vec::new();
    for (field, length, max) in [
        ("cities", record.cities.len(), limits::CITIES),
        ("themes", record.themes.len(), limits::THEMES),
        ("co_benefits", record.co_benefits.len(), limits::CO_BENEFITS),
        ("contacts", record.contacts.len(), limits::CONTACTS),
        ("links", record.links.len(), limits::LINKS),
        (
            "translations",
            record.translations.len(),
            limits::TRANSLATIONS,
        ),
        ("evaluations", record.evaluations.len(), limits::EVALUATIONS),
    ] {
        check_list_length(&mut errors, field, length, max);
    }
    if let (Some(start), Some(end)) = (record.start_date, record.end_date)
        && end < start
    {
        errors.push(FieldError::new("end_date", "must not be before start_date"));
    }
    if record.replicated_from.as_ref() == Some(&record.slug) {
        errors.push(FieldError::new(
            "replicated_from",
            "a practice cannot replicate itself",
        ));
    }
    if record.themes.is_empty() && mode == Mode::Import {
        errors.push(FieldError::new("themes", "at least one theme is required"));
    }
    let mut languages = Vec::new();
    for (index, translation) in record.translations.iter().enumerate() {
        if translation.language == record.original_language {
            errors.push(FieldError::new(
                FieldPath::from("translations")
                    .index(index)
                    .field("language"),
                "the original language is not a translation",
            ));
        } else if languages.contains(&&translation.language) {
            errors.push(FieldError::new(
                FieldPath::from("translations")
                    .index(index)
                    .field("language"),
                format!("`{}` is translated twice", translation.language),
            ));
        }
        languages.push(&translation.language);
    }
    errors
}

async fn replace_children(
    txn: &DatabaseTransaction,
    practice_id: i32,
    record: &PracticeRecord,
    city_ids: &[i32],
    theme_ids: &[i32],
    mode: Mode,
) -> Result<(), sea_orm::DbErr> {
    practice_city::Entity::delete_many()
        .filter(practice_city::Column::PracticeId.eq(practice_id))
        .exec(txn)
        .await?;
    practice_theme::Entity::delete_many()
        .filter(practice_theme::Column::PracticeId.eq(practice_id))
        .exec(txn)
        .await?;
    practice_sdg::Entity::delete_many()
        .filter(practice_sdg::Column::PracticeId.eq(practice_id))
        .exec(txn)
        .await?;
    if mode == Mode::Import {
        practice_translation::Entity::delete_many()
            .filter(practice_translation::Column::PracticeId.eq(practice_id))
            .exec(txn)
            .await?;
        evaluation::Entity::delete_many()
            .filter(evaluation::Column::PracticeId.eq(practice_id))
            .exec(txn)
            .await?;
    }

    for city_id in super::sorted_unique(city_ids.to_vec()) {
        practice_city::ActiveModel {
            practice_id: Set(practice_id),
            city_id: Set(city_id),
        }
        .insert(txn)
        .await?;
    }
    for theme_id in super::sorted_unique(theme_ids.to_vec()) {
        practice_theme::ActiveModel {
            practice_id: Set(practice_id),
            theme_id: Set(theme_id),
        }
        .insert(txn)
        .await?;
    }
    let sdgs: Vec<i16> =
        super::sorted_unique(record.sdgs.iter().map(|sdg| i16::from(sdg.get())).collect());
    for sdg in sdgs {
        practice_sdg::ActiveModel {
            practice_id: Set(practice_id),
            sdg: Set(sdg),
        }
        .insert(txn)
        .await?;
    }
    let now = Utc::now().fixed_offset();
    for translation in &record.translations {
        practice_translation::ActiveModel {
            practice_id: Set(practice_id),
            language: Set(translation.language.to_string()),
            title: Set(translation.title.as_str().to_owned()),
            summary: Set(translation.summary.as_str().to_owned()),
            body: Set(translation.body.as_str().to_owned()),
            machine_translated: Set(translation.machine_translated),
            created_at: Set(now),
            updated_at: Set(now),
            ..Default::default()
        }
        .insert(txn)
        .await?;
    }
    for record in &record.evaluations {
        let [
            relevance,
            impact,
            evidence,
            replicability,
            cost,
            co_benefits,
            participation,
        ] = record.scores.as_array().map(|score| i16::from(score.get()));
        evaluation::ActiveModel {
            practice_id: Set(practice_id),
            evaluator: Set(record.evaluator.as_str().to_owned()),
            relevance: Set(relevance),
            impact: Set(impact),
            evidence_quality: Set(evidence),
            replicability: Set(replicability),
            cost_effectiveness: Set(cost),
            co_benefits: Set(co_benefits),
            participation: Set(participation),
            summary: Set(record.summary.to_string()),
            evaluated_on: Set(record.date),
            status: Set("published".to_owned()),
            created_at: Set(now),
            updated_at: Set(now),
            ..Default::default()
        }
        .insert(txn)
        .await?;
    }
    Ok(())
}
