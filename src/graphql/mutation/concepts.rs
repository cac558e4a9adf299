//! `createConcept`, `updateConcept` and `deleteConcept` (admins): the search vocabulary edited
//! one concept at a time. The indexer tags documents again with the new labels.

use async_graphql::{Context, ID, InputObject, Object, SimpleObject};

use super::answer;
use super::partnerships::{Errors, check_reason, themes};
use crate::domain::{FieldPath, Language, Name, Slug};
use crate::error::AppResult;
use crate::graphql::guard::Allowed;
use crate::graphql::ids::{GlobalId, RecordKind};
use crate::graphql::types::concept::Concept;
use crate::graphql::types::user_error::UserError;
use crate::service::ServiceError;
use crate::service::concepts::write::{self, ConceptChanges, LanguageLabels, NewConcept};
use crate::service::permissions::Action;

#[derive(Default)]
pub struct ConceptMutation;

/// The labels of a concept in one language.
#[derive(InputObject)]
pub struct ConceptLanguageLabelsInput {
    /// ISO 639-1 code, such as `de`.
    pub language: String,
    /// The preferred label in this language (`skos:prefLabel`), such as "Dachbegrünung".
    pub pref_label: Option<String>,
    /// Alternative labels in this language (`skos:altLabel`): synonyms, abbreviations,
    /// common spellings.
    #[graphql(default)]
    pub alt_labels: Vec<String>,
}

/// A concept to add to the vocabulary.
#[derive(InputObject)]
pub struct CreateConceptInput {
    /// Stable lower-case key (letters, digits, hyphens), unique among concepts.
    pub key: String,
    /// The labels per language, each language once; at least one preferred label.
    pub labels: Vec<ConceptLanguageLabelsInput>,
    /// Theme paths the concept belongs to (at most 20).
    pub themes: Option<Vec<String>>,
    /// Why, kept in the audit log.
    pub reason: Option<String>,
}

/// Changes to a concept; what is left out keeps its value.
#[derive(InputObject)]
pub struct UpdateConceptInput {
    /// The concept's global ID.
    pub id: ID,
    /// Labels of the languages to change: each entry replaces every label of its language
    /// (an entry with neither `prefLabel` nor `altLabels` removes the language); languages not
    /// given keep their labels.
    #[graphql(default)]
    pub labels: Vec<ConceptLanguageLabelsInput>,
    /// The whole new list of theme paths (replaces the stored one).
    pub themes: Option<Vec<String>>,
    /// Why, kept in the audit log.
    pub reason: Option<String>,
}

/// A concept to delete.
#[derive(InputObject)]
pub struct DeleteConceptInput {
    /// The concept's global ID.
    pub id: ID,
    /// Why, kept in the audit log.
    pub reason: Option<String>,
}

/// What `createConcept` or `updateConcept` did.
#[derive(SimpleObject)]
pub struct ConceptPayload {
    /// The concept as stored; null when `userErrors` is not empty.
    pub concept: Option<Concept>,
    /// What is wrong with the input; when not empty, nothing was stored.
    pub user_errors: Vec<UserError>,
}

/// What `deleteConcept` did.
#[derive(SimpleObject)]
pub struct DeleteConceptPayload {
    /// The global ID of the deleted concept; null when `userErrors` is not empty.
    pub deleted_id: Option<ID>,
    /// What is wrong with the input; when not empty, nothing was changed.
    pub user_errors: Vec<UserError>,
}

fn concept_id(id: &ID) -> Result<i32, ServiceError> {
    match GlobalId::decode(id) {
        Some(GlobalId {
            kind: RecordKind::Concept,
            id,
        }) => Ok(id),
        _ => Err(ServiceError::not_found("concept")),
    }
}

fn labels(errors: &mut Errors, input: Vec<ConceptLanguageLabelsInput>) -> Vec<LanguageLabels> {
    let mut parsed = Vec::with_capacity(input.len());
    for (index, entry) in input.into_iter().enumerate() {
        let path = FieldPath::from("labels").index(index);
        let language = errors.take(
            path.clone().field("language"),
            Language::parse(&entry.language),
        );
        let pref_label = entry
            .pref_label
            .and_then(|text| errors.take(path.clone().field("prefLabel"), Name::parse(text)));
        let alt_labels = entry
            .alt_labels
            .into_iter()
            .enumerate()
            .filter_map(|(position, text)| {
                errors.take(
                    path.clone().field("altLabels").index(position),
                    Name::parse(text),
                )
            })
            .collect();
        if let Some(language) = language {
            parsed.push(LanguageLabels {
                language,
                pref_label,
                alt_labels,
            });
        }
    }
    parsed
}

impl CreateConceptInput {
    fn parse(self) -> Result<NewConcept, ServiceError> {
        let mut errors = Errors::default();
        let key = errors.take("key", Slug::parse(&self.key));
        let labels = labels(&mut errors, self.labels);
        let themes = themes(&mut errors, self.themes.unwrap_or_default());
        errors.finish(|| NewConcept {
            key: key.expect("checked"),
            labels,
            themes,
        })
    }
}

impl UpdateConceptInput {
    fn parse(self) -> Result<(i32, ConceptChanges), ServiceError> {
        let id = concept_id(&self.id)?;
        let mut errors = Errors::default();
        let labels = labels(&mut errors, self.labels);
        let themes = self.themes.map(|input| themes(&mut errors, input));
        errors.finish(|| (id, ConceptChanges { labels, themes }))
    }
}

fn payload(
    outcome: Result<crate::service::concepts::Concept, ServiceError>,
) -> AppResult<ConceptPayload> {
    Ok(match answer(outcome)? {
        Ok(concept) => ConceptPayload {
            concept: Some(Concept(concept)),
            user_errors: Vec::new(),
        },
        Err(user_errors) => ConceptPayload {
            concept: None,
            user_errors,
        },
    })
}

#[Object]
impl ConceptMutation {
    /// Adds a concept to the search vocabulary (admins); documents mentioning its labels are
    /// tagged with it shortly after.
    #[graphql(guard = "Allowed(Action::ManageVocabulary)")]
    async fn create_concept(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The concept, its labels and themes.")] input: CreateConceptInput,
    ) -> AppResult<ConceptPayload> {
        let reason = input.reason.clone();
        let outcome = match check_reason(&reason).and_then(|()| input.parse()) {
            Ok(new) => {
                write::create(
                    crate::graphql::db(ctx),
                    crate::graphql::viewer(ctx),
                    new,
                    reason,
                )
                .await
            }
            Err(error) => Err(error),
        };
        payload(outcome)
    }

    /// Changes a concept's labels per language or its themes (admins); search expands queries
    /// with the new labels and tags documents again shortly after.
    #[graphql(guard = "Allowed(Action::ManageVocabulary)")]
    async fn update_concept(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The concept and what to change.")] input: UpdateConceptInput,
    ) -> AppResult<ConceptPayload> {
        let reason = input.reason.clone();
        let outcome = match check_reason(&reason).and_then(|()| input.parse()) {
            Ok((id, changes)) => {
                write::update(
                    crate::graphql::db(ctx),
                    crate::graphql::viewer(ctx),
                    id,
                    changes,
                    reason,
                )
                .await
            }
            Err(error) => Err(error),
        };
        payload(outcome)
    }

    /// Deletes a concept and its labels (admins); its narrower concepts lose their broader
    /// one, and documents are no longer tagged with it.
    #[graphql(guard = "Allowed(Action::ManageVocabulary)")]
    async fn delete_concept(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The concept to delete.")] input: DeleteConceptInput,
    ) -> AppResult<DeleteConceptPayload> {
        let outcome = match check_reason(&input.reason).and_then(|()| concept_id(&input.id)) {
            Ok(id) => {
                write::delete(
                    crate::graphql::db(ctx),
                    crate::graphql::viewer(ctx),
                    id,
                    input.reason,
                )
                .await
            }
            Err(error) => Err(error),
        };
        Ok(match answer(outcome)? {
            Ok(row) => DeleteConceptPayload {
                deleted_id: Some(GlobalId::new(RecordKind::Concept, row.id).encode()),
                user_errors: Vec::new(),
            },
            Err(user_errors) => DeleteConceptPayload {
                deleted_id: None,
                user_errors,
            },
        })
    }
}
