//! The concept vocabulary: the `Concept` type, its connection and filter.

use async_graphql::{Context, ID, InputObject, Object, SimpleObject};

use crate::error::AppResult;
use crate::graphql::exec::language::AcceptedLanguages;
use crate::graphql::ids::{GlobalId, RecordKind};
use crate::graphql::types::pagination::PageInfo;
use crate::graphql::types::theme::Theme;
use crate::service;

/// A concept of the multilingual vocabulary, such as "green roof" (Dachbegrünung, toit
/// végétalisé, grønne tak, ...): search matches a concept's labels in any language.
#[derive(Clone)]
pub struct Concept(pub service::concepts::Concept);

/// One label of a concept.
#[derive(SimpleObject)]
pub struct ConceptLabel {
    /// ISO 639-1 code.
    pub language: String,
    /// The label, e.g. "Dachbegrünung".
    pub label: String,
    /// True for the preferred label of its language (`skos:prefLabel`), false for an
    /// alternative one (`skos:altLabel`: synonyms, abbreviations, spellings).
    pub preferred: bool,
}

/// The wanted language: `lang`, else the first `Accept-Language` the concept has a label in.
fn wanted(
    ctx: &Context<'_>,
    concept: &service::concepts::Concept,
    lang: Option<String>,
) -> Option<String> {
    lang.or_else(|| {
        ctx.data_opt::<AcceptedLanguages>().and_then(|accepted| {
            accepted
                .0
                .iter()
                .find(|code| concept.labels.iter().any(|label| &label.language == *code))
                .cloned()
        })
    })
}

/// A concept of the multilingual vocabulary, such as "green roof" (Dachbegrünung, toit
/// végétalisé, grønne tak, ...), with its labels per language and the themes it belongs to.
#[Object]
impl Concept {
    /// Opaque global ID.
    pub async fn id(&self) -> ID {
        GlobalId::new(RecordKind::Concept, self.0.row.id).encode()
    }

    /// Stable key, such as `green-roof`; what search hits and the SKOS export name it by.
    async fn key(&self) -> &str {
        &self.0.row.key
    }

    /// The IRI of the concept in the SKOS file it was imported from; null for kxc's own.
    async fn uri(&self) -> Option<&str> {
        self.0.row.uri.as_deref()
    }

    /// The preferred label in `lang` (ISO 639-1; default: the first `Accept-Language` with a
    /// label), falling back to English, then to any preferred label.
    async fn pref_label(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "ISO 639-1 code of the wanted language; null for `Accept-Language`.")]
        lang: Option<String>,
    ) -> String {
        let wanted = wanted(ctx, &self.0, lang);
        self.0.pref_label(wanted.as_deref()).to_owned()
    }

    /// Alternative labels (synonyms, abbreviations, spellings) in `lang`; every language's
    /// when `lang` is null.
    async fn alt_labels(
        &self,
        #[graphql(desc = "ISO 639-1 code; null for every language.")] lang: Option<String>,
    ) -> Vec<String> {
        self.0
            .alt_labels(lang.as_deref())
            .into_iter()
            .map(str::to_owned)
            .collect()
    }

    /// Every label, preferred and alternative, in every language.
    async fn labels(&self) -> Vec<ConceptLabel> {
        self.0
            .labels
            .iter()
            .map(|label| ConceptLabel {
                language: label.language.clone(),
                label: label.label.clone(),
                preferred: label.preferred,
            })
            .collect()
    }

    /// ISO 639-1 codes of the languages the concept has labels in.
    async fn languages(&self) -> Vec<String> {
        self.0.languages()
    }

    /// The themes the concept belongs to.
    async fn themes(&self, ctx: &Context<'_>) -> AppResult<Vec<Theme>> {
        let all = crate::graphql::loaders(ctx).all_themes().await?;
        Ok(all
            .iter()
            .filter(|theme| self.0.themes.contains(&theme.row.path))
            .cloned()
            .map(Theme)
            .collect())
    }

    /// The broader concept (`skos:broader`); null at the top of the hierarchy.
    async fn broader(&self, ctx: &Context<'_>) -> AppResult<Option<Concept>> {
        let Some(key) = &self.0.broader_key else {
            return Ok(None);
        };
        Ok(
            service::concepts::by_keys(crate::graphql::db(ctx), std::slice::from_ref(key))
                .await?
                .into_iter()
                .next()
                .map(Concept),
        )
    }
}

/// Which concepts to list.
#[derive(InputObject, Default)]
pub struct ConceptFilter {
    /// Concepts of this theme or of any theme below it, such as `nature-based-solutions`.
    pub theme: Option<String>,
    /// Concepts with a label containing this text, case-insensitively (at most 200 characters).
    pub query: Option<String>,
    /// Concepts with a label in this language (ISO 639-1); with `query`, the label must match
    /// in this language.
    pub language: Option<String>,
}

/// A page of concepts, by key.
#[derive(SimpleObject)]
pub struct ConceptConnection {
    /// The concepts with their cursors.
    pub edges: Vec<ConceptEdge>,
    /// The concepts of this page.
    pub nodes: Vec<Concept>,
    /// Pass `endCursor` as `after` for the next page.
    pub page_info: PageInfo,
}

/// A concept and its position.
#[derive(SimpleObject)]
pub struct ConceptEdge {
    /// Position of this concept, for `after`.
    pub cursor: String,
    /// The concept.
    pub node: Concept,
}
