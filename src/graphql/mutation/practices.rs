//! The practice life cycle: `createPractice`, `updatePractice`, `submitPractice`,
//! `publishPractice`, `rejectPractice`, `archivePractice`, `evaluatePractice`,
//! `upsertPracticeTranslation` and `removePracticeTranslation`. Field values are checked as the
//! importer checks them (`service::practice_lifecycle`); a transition the practice's state does
//! not allow is a `CONFLICT` error with `extensions.currentVersion`.

use async_graphql::{Context, ID, InputObject, MaybeUndefined, Object, ScalarType, SimpleObject};
use serde_json::{Value, json};

use super::answer;
use crate::domain::GovernanceLevel;
use crate::error::AppResult;
use crate::graphql::guard::Allowed;
use crate::graphql::ids::{GlobalId, RecordKind};
use crate::graphql::scalars::Date;
use crate::graphql::types::practice::{Evaluation, Practice};
use crate::graphql::types::user_error::UserError;
use crate::service::ServiceError;
use crate::service::permissions::Action;
use crate::service::practice_lifecycle::{self as lifecycle, Fields, Transition};
use crate::service::records::FieldError;

#[derive(Default)]
pub struct PracticeMutation;

/// A cost: an amount in a currency.
#[derive(InputObject)]
pub struct MoneyInput {
    /// The amount, at least 0.
    pub amount: f64,
    /// ISO 4217 currency code, such as `EUR`.
    pub currency: String,
}

/// Expected or measured climate impact.
#[derive(InputObject)]
pub struct ImpactInput {
    /// Greenhouse-gas emissions avoided per year, in tonnes of CO₂ equivalent (at least 0).
    pub annual_tco2e: Option<f64>,
    /// What the impact is measured against (at most 5000 characters).
    pub baseline: Option<String>,
    /// How the impact was estimated or measured (at most 5000 characters).
    pub method: Option<String>,
}

/// Someone to ask about the practice.
#[derive(InputObject)]
pub struct ContactInput {
    /// The person's or office's name (1..200 characters).
    pub name: String,
    /// What they do for the practice, such as "Project owner" (at most 200 characters).
    pub role: Option<String>,
    /// An e-mail address.
    pub email: Option<String>,
}

/// A web page about the practice.
#[derive(InputObject)]
pub struct LinkInput {
    /// What the page is (1..200 characters).
    pub title: String,
    /// An absolute `http` or `https` address; other schemes (`javascript:`, `data:`) are refused.
    pub url: String,
}

/// The fields of a practice besides its text, each optional. An absent (or, for lists, null)
/// field is left as it is; `null` clears an optional single value.
#[derive(InputObject, Default)]
pub struct PracticeFieldsInput {
    /// Theme paths such as `mobility/cycling` (see `themes`); publishing needs one.
    pub themes: Option<Vec<String>>,
    /// City slugs such as `asker`; publishing needs one.
    pub cities: Option<Vec<String>>,
    /// UN Sustainable Development Goals, 1..17; publishing needs one.
    pub sdgs: Option<Vec<i32>>,
    /// The level of government that carries the practice out.
    pub governance_level: MaybeUndefined<GovernanceLevel>,
    /// The day implementation started.
    pub start_date: MaybeUndefined<Date>,
    /// The day implementation ended; not before `startDate`.
    pub end_date: MaybeUndefined<Date>,
    /// What the practice cost.
    pub cost: MaybeUndefined<MoneyInput>,
    /// Its climate impact.
    pub impact: MaybeUndefined<ImpactInput>,
    /// Benefits besides climate (each 1..200 characters).
    pub co_benefits: Option<Vec<String>>,
    /// What another city needs to replicate it (at most 5000 characters).
    pub replicability_notes: MaybeUndefined<String>,
    /// The slug of the practice this one replicates.
    pub replicated_from: MaybeUndefined<String>,
    /// People to ask.
    pub contacts: Option<Vec<ContactInput>>,
    /// Web pages about it.
    pub links: Option<Vec<LinkInput>>,
}

/// A new practice, saved as a draft owned by the viewer.
#[derive(InputObject)]
pub struct CreatePracticeInput {
    /// The title (1..300 characters).
    pub title: String,
    /// A short plain-text summary (1..2000 characters).
    pub summary: String,
    /// The description in Markdown (1..100000 characters).
    pub body: String,
    /// ISO 639-1 code of the language the text is written in, such as `en`.
    pub language: String,
    /// Everything else about the practice.
    #[graphql(flatten)]
    pub fields: PracticeFieldsInput,
}

/// Changes to a practice: only the given fields change.
#[derive(InputObject)]
pub struct UpdatePracticeInput {
    /// The practice's global ID.
    pub id: ID,
    /// The `version` the change is based on; when the practice has another one now the answer
    /// is `CONFLICT` with `extensions.currentVersion`. Null skips the check.
    pub expected_version: Option<i64>,
    /// The title (1..300 characters).
    pub title: Option<String>,
    /// A short plain-text summary (1..2000 characters).
    pub summary: Option<String>,
    /// The description in Markdown (1..100000 characters).
    pub body: Option<String>,
    /// ISO 639-1 code of the language the text is written in.
    pub language: Option<String>,
    /// Everything else about the practice.
    #[graphql(flatten)]
    pub fields: PracticeFieldsInput,
}

/// The practice to move along its life cycle.
#[derive(InputObject)]
pub struct PracticeTransitionInput {
    /// The practice's global ID.
    pub id: ID,
    /// Why, kept in the audit log and as `reviewReason` (at most 5000 characters).
    pub reason: Option<String>,
}

/// A practice to reject and why.
#[derive(InputObject)]
pub struct RejectPracticeInput {
    /// The practice's global ID.
    pub id: ID,
    /// Why it is rejected, for its author (required, at most 5000 characters).
    pub reason: String,
}

/// The practice to submit for review.
#[derive(InputObject)]
pub struct SubmitPracticeInput {
    /// The practice's global ID.
    pub id: ID,
}

/// The practice to publish.
#[derive(InputObject)]
pub struct PublishPracticeInput {
    /// The practice's global ID.
    pub id: ID,
}

/// The seven criterion scores of an evaluation, each 1 (weak) to 5 (excellent).
#[derive(InputObject)]
pub struct EvaluationScoresInput {
    /// Relevance to climate neutrality, 1..5.
    pub relevance: i32,
    /// Size of the climate impact, 1..5.
    pub impact: i32,
    /// Quality of the evidence for the impact, 1..5.
    pub evidence_quality: i32,
    /// How easily other cities can replicate it, 1..5.
    pub replicability: i32,
    /// Impact for the money, 1..5.
    pub cost_effectiveness: i32,
    /// Benefits besides climate, 1..5.
    pub co_benefits: i32,
    /// How residents and stakeholders took part, 1..5.
    pub participation: i32,
}

/// An evaluation of a published practice.
#[derive(InputObject)]
pub struct EvaluatePracticeInput {
    /// The practice's global ID.
    pub practice_id: ID,
    /// The scores.
    pub scores: EvaluationScoresInput,
    /// The evaluator's conclusions in plain text (1..2000 characters).
    pub summary: String,
}

/// A translation of a practice to add or replace.
#[derive(InputObject)]
pub struct UpsertPracticeTranslationInput {
    /// The practice's global ID.
    pub practice_id: ID,
    /// ISO 639-1 code of the translation's language; not the original language.
    pub language: String,
    /// The translated title (1..300 characters).
    pub title: String,
    /// The translated summary (1..2000 characters).
    pub summary: String,
    /// The translated body in Markdown (1..100000 characters).
    pub body: String,
    /// True when a machine made the translation.
    #[graphql(default)]
    pub machine_translated: bool,
}

/// A translation of a practice to remove.
#[derive(InputObject)]
pub struct RemovePracticeTranslationInput {
    /// The practice's global ID.
    pub practice_id: ID,
    /// ISO 639-1 code of the translation to remove.
    pub language: String,
}

macro_rules! practice_payload {
    ($name:ident, $doc:literal) => {
        #[doc = $doc]
        #[derive(SimpleObject)]
        pub struct $name {
            /// The practice as it is now; null when `userErrors` is not empty.
            pub practice: Option<Practice>,
            /// What is wrong with the input; when not empty, nothing was stored.
            pub user_errors: Vec<UserError>,
        }

        impl $name {
            fn from_outcome(
                ctx: &Context<'_>,
                outcome: Result<crate::entity::practice::Model, ServiceError>,
            ) -> AppResult<Self> {
                Ok(match answer(outcome)? {
                    Ok(row) => Self {
                        practice: Some(Practice::new(row, ctx, None)),
                        user_errors: Vec::new(),
                    },
                    Err(user_errors) => Self {
                        practice: None,
                        user_errors,
                    },
                })
            }
        }
    };
}

practice_payload!(CreatePracticePayload, "What `createPractice` did.");
practice_payload!(UpdatePracticePayload, "What `updatePractice` did.");
practice_payload!(SubmitPracticePayload, "What `submitPractice` did.");
practice_payload!(PublishPracticePayload, "What `publishPractice` did.");
practice_payload!(RejectPracticePayload, "What `rejectPractice` did.");
practice_payload!(ArchivePracticePayload, "What `archivePractice` did.");
practice_payload!(
    UpsertPracticeTranslationPayload,
    "What `upsertPracticeTranslation` did."
);
practice_payload!(
    RemovePracticeTranslationPayload,
    "What `removePracticeTranslation` did."
);

/// What `evaluatePractice` did.
#[derive(SimpleObject)]
pub struct EvaluatePracticePayload {
    /// The practice with its new score and label; null when `userErrors` is not empty.
    pub practice: Option<Practice>,
    /// The evaluation recorded; null when `userErrors` is not empty.
    pub evaluation: Option<Evaluation>,
    /// What is wrong with the input; when not empty, nothing was stored.
    pub user_errors: Vec<UserError>,
}

/// The practice id behind a global ID, or an error at `field`.
fn practice_id(id: &ID, field: &str) -> Result<i32, ServiceError> {
    match GlobalId::decode(id) {
        Some(GlobalId {
            kind: RecordKind::Practice,
            id,
        }) => Ok(id),
        _ => Err(ServiceError::Invalid(vec![FieldError::new(
            field,
            "not the global ID of a practice",
        )])),
    }
}

fn date(value: &Date) -> Value {
    value.to_value().into_json().unwrap_or(Value::Null)
}

impl PracticeFieldsInput {
    fn into_fields(self, fields: &mut Fields) {
        let mut set = |key: &str, value: Option<Value>| {
            if let Some(value) = value {
                fields.insert(key.to_owned(), value);
            }
        };
        fn maybe<T>(value: MaybeUndefined<T>, convert: impl Fn(T) -> Value) -> Option<Value> {
            match value {
                MaybeUndefined::Undefined => None,
                MaybeUndefined::Null => Some(Value::Null),
                MaybeUndefined::Value(value) => Some(convert(value)),
            }
        }
        set("themes", self.themes.map(|list| json!(list)));
        set("cities", self.cities.map(|list| json!(list)));
        set("sdgs", self.sdgs.map(|list| json!(list)));
        set(
            "governance_level",
            maybe(self.governance_level, |level| json!(level.as_str())),
        );
        set("start_date", maybe(self.start_date, |day| date(&day)));
        set("end_date", maybe(self.end_date, |day| date(&day)));
        set(
            "cost",
            maybe(
                self.cost,
                |cost| json!({ "amount": cost.amount, "currency": cost.currency }),
            ),
        );
        set(
            "impact",
            maybe(self.impact, |impact| {
                json!({
                    "annual_tco2e": impact.annual_tco2e,
                    "baseline": impact.baseline,
                    "method": impact.method,
                })
            }),
        );
        set("co_benefits", self.co_benefits.map(|list| json!(list)));
        set(
            "replicability_notes",
            maybe(self.replicability_notes, |text| json!(text)),
        );
        set(
            "replicated_from",
            maybe(self.replicated_from, |slug| json!(slug)),
        );
        set(
            "contacts",
            self.contacts.map(|list| {
                Value::Array(
                    list.into_iter()
                        .map(|contact| {
                            json!({ "name": contact.name, "role": contact.role, "email": contact.email })
                        })
                        .collect(),
                )
            }),
        );
        set(
            "links",
            self.links.map(|list| {
                Value::Array(
                    list.into_iter()
                        .map(|link| json!({ "title": link.title, "url": link.url }))
                        .collect(),
                )
            }),
        );
    }
}

impl CreatePracticeInput {
    fn into_fields(self) -> Fields {
        let mut fields = Fields::new();
        fields.insert("title".into(), json!(self.title));
        fields.insert("summary".into(), json!(self.summary));
        fields.insert("body".into(), json!(self.body));
        fields.insert("original_language".into(), json!(self.language));
        self.fields.into_fields(&mut fields);
        fields
    }
}

impl UpdatePracticeInput {
    fn into_fields(self) -> Fields {
        let mut fields = Fields::new();
        for (key, value) in [
            ("title", self.title),
            ("summary", self.summary),
            ("body", self.body),
            ("original_language", self.language),
        ] {
            if let Some(value) = value {
                fields.insert(key.into(), json!(value));
            }
        }
        self.fields.into_fields(&mut fields);
        fields
    }
}

#[Object]
impl PracticeMutation {
    /// Saves a new practice as a draft owned by the viewer (members, evaluators, moderators,
    /// admins). Only `title`, `summary`, `body` and `language` are needed now;
    /// `submitPractice` checks what publishing needs.
    #[graphql(guard = "Allowed(Action::ContributePractices)")]
    async fn create_practice(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The practice's text and whatever else is known.")]
        input: CreatePracticeInput,
    ) -> AppResult<CreatePracticePayload> {
        let outcome = lifecycle::create(
            crate::graphql::db(ctx),
            crate::graphql::viewer(ctx),
            input.into_fields(),
        )
        .await;
        CreatePracticePayload::from_outcome(ctx, outcome)
    }

    /// Changes the given fields of a practice (its owner, moderators, admins). When its owner
    /// edits a published or rejected practice it goes back to `SUBMITTED` for review;
    /// archived practices are not edited (`CONFLICT`).
    #[graphql(guard = "Allowed(Action::ContributePractices)")]
    async fn update_practice(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The practice, the version the change is based on and the changes.")]
        input: UpdatePracticeInput,
    ) -> AppResult<UpdatePracticePayload> {
        let outcome = match practice_id(&input.id, "id") {
            Ok(id) => {
                let expected = input.expected_version;
                lifecycle::update(
                    crate::graphql::db(ctx),
                    crate::graphql::viewer(ctx),
                    id,
                    expected,
                    input.into_fields(),
                )
                .await
            }
            Err(error) => Err(error),
        };
        UpdatePracticePayload::from_outcome(ctx, outcome)
    }

    /// Sends a draft (or a rejected practice) to review (its owner; moderators and admins
    /// too). Answers a user error for each field publishing needs that is empty (`themes`,
    /// `cities`, `sdgs`); from another state, `CONFLICT`.
    #[graphql(guard = "Allowed(Action::ContributePractices)")]
    async fn submit_practice(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The practice to submit.")] input: SubmitPracticeInput,
    ) -> AppResult<SubmitPracticePayload> {
        let outcome = step(ctx, &input.id, Transition::Submit, None).await;
        SubmitPracticePayload::from_outcome(ctx, outcome)
    }

    /// Publishes a submitted practice (moderators, admins): everybody sees it and search finds
    /// it. From another state, `CONFLICT`.
    #[graphql(guard = "Allowed(Action::ReviewPractices)")]
    async fn publish_practice(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The practice to publish.")] input: PublishPracticeInput,
    ) -> AppResult<PublishPracticePayload> {
        let outcome = step(ctx, &input.id, Transition::Publish, None).await;
        PublishPracticePayload::from_outcome(ctx, outcome)
    }

    /// Rejects a submitted practice with a reason for its author (moderators, admins). The
    /// author may edit it and submit it again. From another state, `CONFLICT`.
    #[graphql(guard = "Allowed(Action::ReviewPractices)")]
    async fn reject_practice(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The practice to reject and why.")] input: RejectPracticeInput,
    ) -> AppResult<RejectPracticePayload> {
        let outcome = step(ctx, &input.id, Transition::Reject, Some(input.reason)).await;
        RejectPracticePayload::from_outcome(ctx, outcome)
    }

    /// Archives a published or rejected practice (its owner, moderators, admins): only they
    /// see it from then on. From another state, `CONFLICT`.
    #[graphql(guard = "Allowed(Action::ContributePractices)")]
    async fn archive_practice(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The practice to archive and why.")] input: PracticeTransitionInput,
    ) -> AppResult<ArchivePracticePayload> {
        let outcome = step(ctx, &input.id, Transition::Archive, input.reason).await;
        ArchivePracticePayload::from_outcome(ctx, outcome)
    }

    /// Records an evaluation of a published practice (evaluators, admins) and updates the
    /// practice's score and label. Nobody evaluates their own practice (`FORBIDDEN`) or one
    /// practice twice (`CONFLICT`).
    #[graphql(guard = "Allowed(Action::EvaluatePractices)")]
    async fn evaluate_practice(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The practice, the scores and the conclusions.")]
        input: EvaluatePracticeInput,
    ) -> AppResult<EvaluatePracticePayload> {
        let outcome = match practice_id(&input.practice_id, "practice_id") {
            Ok(practice_id) => {
                let scores = &input.scores;
                lifecycle::evaluate(
                    crate::graphql::db(ctx),
                    crate::graphql::viewer(ctx),
                    lifecycle::NewEvaluation {
                        practice_id,
                        scores: [
                            ("relevance", scores.relevance.into()),
                            ("impact", scores.impact.into()),
                            ("evidence_quality", scores.evidence_quality.into()),
                            ("replicability", scores.replicability.into()),
                            ("cost_effectiveness", scores.cost_effectiveness.into()),
                            ("co_benefits", scores.co_benefits.into()),
                            ("participation", scores.participation.into()),
                        ],
                        summary: input.summary,
                    },
                )
                .await
            }
            Err(error) => Err(error),
        };
        Ok(match answer(outcome)? {
            Ok((row, evaluation)) => EvaluatePracticePayload {
                practice: Some(Practice::new(row, ctx, None)),
                evaluation: Some(evaluation.into()),
                user_errors: Vec::new(),
            },
            Err(user_errors) => EvaluatePracticePayload {
                practice: None,
                evaluation: None,
                user_errors,
            },
        })
    }

    /// Adds or replaces a translation of a practice (its owner, moderators, admins).
    #[graphql(guard = "Allowed(Action::ContributePractices)")]
    async fn upsert_practice_translation(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The practice and the translated text.")]
        input: UpsertPracticeTranslationInput,
    ) -> AppResult<UpsertPracticeTranslationPayload> {
        let outcome = match practice_id(&input.practice_id, "practice_id") {
            Ok(id) => {
                let mut fields = Fields::new();
                fields.insert("language".into(), json!(input.language));
                fields.insert("title".into(), json!(input.title));
                fields.insert("summary".into(), json!(input.summary));
                fields.insert("body".into(), json!(input.body));
                fields.insert("machine_translated".into(), json!(input.machine_translated));
                lifecycle::upsert_translation(
                    crate::graphql::db(ctx),
                    crate::graphql::viewer(ctx),
                    id,
                    fields,
                )
                .await
            }
            Err(error) => Err(error),
        };
        UpsertPracticeTranslationPayload::from_outcome(ctx, outcome)
    }

    /// Removes a translation of a practice (its owner, moderators, admins); removing one that
    /// does not exist changes nothing.
    #[graphql(guard = "Allowed(Action::ContributePractices)")]
    async fn remove_practice_translation(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The practice and the language to remove.")]
        input: RemovePracticeTranslationInput,
    ) -> AppResult<RemovePracticeTranslationPayload> {
        let outcome = match practice_id(&input.practice_id, "practice_id") {
            Ok(id) => {
                lifecycle::remove_translation(
                    crate::graphql::db(ctx),
                    crate::graphql::viewer(ctx),
                    id,
                    &input.language,
                )
                .await
            }
            Err(error) => Err(error),
        };
        RemovePracticeTranslationPayload::from_outcome(ctx, outcome)
    }
}

async fn step(
    ctx: &Context<'_>,
    id: &ID,
    transition: Transition,
    reason: Option<String>,
) -> Result<crate::entity::practice::Model, ServiceError> {
    let id = practice_id(id, "id")?;
    lifecycle::transition(
        crate::graphql::db(ctx),
        crate::graphql::viewer(ctx),
        id,
        transition,
        reason,
    )
    .await
}
