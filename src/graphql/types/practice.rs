//! The `Practice` type: every field of the model, localized text and its relations.

use crate::graphql::scalars::{Date, DateTime};
use async_graphql::{Context, ID, Object, SimpleObject};

use crate::domain::GovernanceLevel;
use crate::entity::{evaluation, practice, practice_translation};
use crate::error::{AppError, AppResult};
use crate::graphql::exec::language::{self, AcceptedLanguages};
use crate::graphql::ids::{GlobalId, RecordKind};
use crate::graphql::types::city::City;
use crate::graphql::types::theme::Theme;
use crate::service;

/// An evaluated practice of one or more cities.
#[derive(Clone)]
pub struct Practice {
    pub row: practice::Model,
    /// Wanted languages, most wanted first (`lang:` argument, then `Accept-Language`).
    pub wanted: Vec<String>,
}

impl Practice {
    pub fn new(row: practice::Model, ctx: &Context<'_>, lang: Option<&str>) -> Self {
        let mut wanted: Vec<String> = lang
            .map(|code| code.to_ascii_lowercase())
            .into_iter()
            .collect();
        if let Some(accepted) = ctx.data_opt::<AcceptedLanguages>() {
            wanted.extend(accepted.0.iter().cloned());
        }
        Self { row, wanted }
    }

    fn with_row(&self, row: practice::Model) -> Self {
        Self {
            row,
            wanted: self.wanted.clone(),
        }
    }

    async fn translation_rows(
        &self,
        ctx: &Context<'_>,
    ) -> AppResult<Vec<practice_translation::Model>> {
        Ok(crate::graphql::loaders(ctx)
            .practice_translations
            .load_one(self.row.id)
            .await?
            .unwrap_or_default())
    }

    /// The translation to answer with, or `None` for the original text.
    async fn chosen(&self, ctx: &Context<'_>) -> AppResult<Option<practice_translation::Model>> {
        let first = self.wanted.first().map(String::as_str);
        if first.is_none() || first == Some(self.row.original_language.as_str()) {
            return Ok(None);
        }
        let translations = self.translation_rows(ctx).await?;
        let available: Vec<&str> = translations
            .iter()
            .map(|translation| translation.language.as_str())
            .collect();
        let picked = language::pick(
            self.wanted.iter().map(String::as_str),
            &self.row.original_language,
            &available,
        )
        .to_owned();
        Ok(translations
            .into_iter()
            .find(|translation| translation.language == picked))
    }

    /// The text to answer with: the chosen translation, or the original.
    async fn text(&self, ctx: &Context<'_>) -> AppResult<Text> {
        Ok(match self.chosen(ctx).await? {
            Some(translation) => Text {
                language: translation.language,
                title: translation.title,
                summary: translation.summary,
                body: translation.body,
            },
            None => Text {
                language: self.row.original_language.clone(),
                title: self.row.title.clone(),
                summary: self.row.summary.clone(),
                body: self.row.body.clone(),
            },
        })
    }

    async fn evaluations_of(&self, ctx: &Context<'_>) -> AppResult<Vec<evaluation::Model>> {
        Ok(crate::graphql::loaders(ctx)
            .practice_evaluations
            .load_one(self.row.id)
            .await?
            .unwrap_or_default())
    }
}

/// A practice's text in one language.
struct Text {
    language: String,
    title: String,
    summary: String,
    body: String,
}

/// An amount of money in an ISO 4217 currency.
#[derive(SimpleObject, Clone)]
pub struct Money {
    /// The amount in units of `currency` (not cents), at least 0.
    pub amount: f64,
    /// ISO 4217 code, such as `EUR`.
    pub currency: String,
}

/// Estimated climate impact.
#[derive(SimpleObject)]
pub struct Impact {
    /// Annual reduction in tonnes of CO2-equivalent, when estimated.
    #[graphql(name = "annualTco2e")]
    pub annual_tco2e: Option<f64>,
    /// What the reduction is measured against.
    pub baseline: Option<String>,
    /// How the estimate was made.
    pub method: Option<String>,
}

/// Mean score per evaluation criterion (1..5) over all evaluations.
#[derive(SimpleObject, Default)]
pub struct CriterionScores {
    /// How relevant the practice is to urban climate neutrality, 1..5; null without
    /// evaluations.
    pub relevance: Option<f64>,
    /// How large the emission reduction is, 1..5; null without evaluations.
    pub impact: Option<f64>,
    /// How well the results are measured and documented, 1..5; null without evaluations.
    pub evidence_quality: Option<f64>,
    /// How readily other cities can adopt the practice, 1..5; null without evaluations.
    pub replicability: Option<f64>,
    /// Reduction achieved for the money spent, 1..5; null without evaluations.
    pub cost_effectiveness: Option<f64>,
    /// Benefits beyond emissions (health, air quality, jobs, ...), 1..5; null without
    /// evaluations.
    pub co_benefits: Option<f64>,
    /// How far residents and stakeholders were involved, 1..5; null without evaluations.
    pub participation: Option<f64>,
}

/// The evaluation summary of a practice.
#[derive(SimpleObject)]
pub struct EvaluationSummary {
    /// Mean of every criterion over every evaluation, 1..5.
    pub score: Option<f64>,
    /// EXEMPLARY (>= 4.25), PROVEN (>= 3.5), PROMISING (>= 2.5) or EMERGING.
    pub label: Option<crate::graphql::inputs::EvaluationLabel>,
    /// Number of evaluations.
    pub count: i32,
    /// The mean of each criterion over every evaluation (1..5; null without evaluations).
    pub criteria: CriterionScores,
}

/// One evaluation by one evaluator.
#[derive(SimpleObject)]
pub struct Evaluation {
    /// Who evaluated the practice: a person or a panel, as published.
    pub evaluator: String,
    /// The day the evaluation was made.
    pub evaluated_on: Date,
    /// The evaluator's conclusions in plain text.
    pub summary: String,
    /// Criterion scores, 1..5.
    pub scores: CriterionScores,
    /// Mean of the seven scores.
    pub mean: f64,
}

impl From<evaluation::Model> for Evaluation {
    fn from(row: evaluation::Model) -> Self {
        let scores = row.scores();
        let mean = crate::domain::mean_score(scores);
        Self {
            evaluator: row.evaluator,
            evaluated_on: row.evaluated_on.into(),
            summary: row.summary,
            scores: criterion_means(&[scores]),
            mean,
        }
    }
}

fn criterion_means(rows: &[[i16; 7]]) -> CriterionScores {
    if rows.is_empty() {
        return CriterionScores::default();
    }
    let mean = |index: usize| {
        Some(rows.iter().map(|row| f64::from(row[index])).sum::<f64>() / rows.len() as f64)
    };
    CriterionScores {
        relevance: mean(0),
        impact: mean(1),
        evidence_quality: mean(2),
        replicability: mean(3),
        cost_effectiveness: mean(4),
        co_benefits: mean(5),
        participation: mean(6),
    }
}

/// A translation of a practice's text.
#[derive(SimpleObject)]
pub struct Translation {
    /// ISO 639-1 code.
    pub language: String,
    /// The title in this language.
    pub title: String,
    /// The summary in this language, plain text.
    pub summary: String,
    /// Markdown.
    pub body: String,
    /// True when the translation was made by machine and not reviewed by a person.
    pub machine_translated: bool,
}

/// Someone to contact about a practice.
#[derive(SimpleObject, serde::Deserialize)]
pub struct Contact {
    /// A person's or a department's name.
    pub name: String,
    /// What the contact does for the practice (free text, e.g. "Project owner"); null when
    /// not given.
    pub role: Option<String>,
    /// An e-mail address; null when not given.
    pub email: Option<String>,
}

/// A link to more information.
#[derive(SimpleObject, serde::Deserialize)]
pub struct Link {
    /// The text to show for the link.
    pub title: String,
    /// An absolute http(s) URL.
    pub url: String,
}

/// Renders markdown to HTML and sanitizes it: no scripts, styles or event handlers; links
/// only to `https:` and `mailto:` URLs (relative ones such as `//evil.example` lose their
/// `href`); images become their alt text, so a body cannot load a remote tracking pixel.
pub fn render_markdown(markdown: &str) -> String {
    use pulldown_cmark::{Event, Tag, TagEnd};
    let parser = pulldown_cmark::Parser::new_ext(
        markdown,
        pulldown_cmark::Options::ENABLE_TABLES | pulldown_cmark::Options::ENABLE_STRIKETHROUGH,
    )
    // An image's alt text is the text between its start and end: keep that, drop the image.
    .filter(|event| {
        !matches!(
            event,
            Event::Start(Tag::Image { .. }) | Event::End(TagEnd::Image)
        )
    });
    let mut html = String::with_capacity(markdown.len() * 2);
    pulldown_cmark::html::push_html(&mut html, parser);
    SANITIZER.clean(&html).to_string()
}

/// ammonia's defaults, minus images (raw `<img>` in the markdown), plain `http:` and other
/// schemes, and relative URLs.
static SANITIZER: std::sync::LazyLock<ammonia::Builder<'static>> = std::sync::LazyLock::new(|| {
    let mut builder = ammonia::Builder::default();
    builder
        .url_schemes(["https", "mailto"].into_iter().collect())
        .url_relative(ammonia::UrlRelative::Deny)
        .rm_tags(["img"]);
    builder
});

/// An evaluated best practice of one or more cities, answered in the wanted language.
#[Object]
impl Practice {
    /// Opaque global ID.
    pub async fn id(&self) -> ID {
        GlobalId::new(RecordKind::Practice, self.row.id).encode()
    }

    /// Stable, URL-safe identifier.
    async fn slug(&self) -> &str {
        &self.row.slug
    }

    /// Where the practice is in its life cycle. Anonymous visitors see only `PUBLISHED`
    /// ones; owners their own in every state; moderators and admins all.
    async fn status(&self) -> AppResult<crate::domain::PracticeStatus> {
        super::stored(
            &self.row.status,
            crate::domain::PracticeStatus::from_stored,
            "practice.status",
        )
    }

    /// Goes up by one with every change; send it as `expectedVersion` to `updatePractice`.
    async fn version(&self) -> i32 {
        self.row.version
    }

    /// Why a moderator rejected or archived the practice last; null otherwise.
    async fn review_reason(&self) -> Option<&str> {
        self.row.review_reason.as_deref()
    }

    /// ISO 639-1 code of the language `title`, `summary` and `body` are in: the first wanted
    /// language (`lang:` argument, then `Accept-Language`) that exists, else the original.
    async fn language(&self, ctx: &Context<'_>) -> AppResult<String> {
        Ok(self.text(ctx).await?.language)
    }

    /// The title in `language` (at most 300 characters).
    async fn title(&self, ctx: &Context<'_>) -> AppResult<String> {
        Ok(self.text(ctx).await?.title)
    }

    /// A short summary in `language`, plain text (at most 2000 characters).
    async fn summary(&self, ctx: &Context<'_>) -> AppResult<String> {
        Ok(self.text(ctx).await?.summary)
    }

    /// Markdown.
    async fn body(&self, ctx: &Context<'_>) -> AppResult<String> {
        Ok(self.text(ctx).await?.body)
    }

    /// `body` rendered to sanitized HTML.
    async fn body_html(&self, ctx: &Context<'_>) -> AppResult<String> {
        Ok(render_markdown(&self.text(ctx).await?.body))
    }

    /// ISO 639-1 code of the language the practice was written in.
    async fn original_language(&self) -> &str {
        &self.row.original_language
    }

    /// The original language and every translated language.
    async fn available_languages(&self, ctx: &Context<'_>) -> AppResult<Vec<String>> {
        let mut languages = vec![self.row.original_language.clone()];
        languages.extend(
            self.translation_rows(ctx)
                .await?
                .into_iter()
                .map(|translation| translation.language),
        );
        Ok(languages)
    }

    /// Every translation (the original text is not repeated here).
    async fn translations(&self, ctx: &Context<'_>) -> AppResult<Vec<Translation>> {
        Ok(self
            .translation_rows(ctx)
            .await?
            .into_iter()
            .map(|row| Translation {
                language: row.language,
                title: row.title,
                summary: row.summary,
                body: row.body,
                machine_translated: row.machine_translated,
            })
            .collect())
    }

    /// The level of government that carries out the practice; null when not recorded.
    async fn governance_level(&self) -> AppResult<Option<GovernanceLevel>> {
        self.row
            .governance_level
            .as_deref()
            .map(|level| {
                super::stored(
                    level,
                    GovernanceLevel::from_stored,
                    "practice.governance_level",
                )
            })
            .transpose()
    }

    /// The day implementation started; null when unknown.
    async fn start_date(&self) -> Option<Date> {
        self.row.start_date.map(Date::from)
    }

    /// The day implementation ended; null while ongoing or when unknown.
    async fn end_date(&self) -> Option<Date> {
        self.row.end_date.map(Date::from)
    }

    /// When the practice was published; null while unpublished.
    async fn published_at(&self) -> Option<DateTime> {
        self.row.published_at.map(DateTime::from)
    }

    /// When the record last changed.
    async fn updated_at(&self) -> DateTime {
        self.row.updated_at.into()
    }

    /// When the record was created in kxc.
    async fn created_at(&self) -> DateTime {
        self.row.created_at.into()
    }

    /// What the practice cost, in its currency.
    async fn cost(&self) -> Option<Money> {
        Some(Money {
            amount: self.row.cost_amount?,
            currency: self.row.cost_currency.clone()?,
        })
    }

    /// The estimated climate impact; its fields are null when not estimated.
    async fn impact(&self) -> Impact {
        Impact {
            annual_tco2e: self.row.impact_tco2e,
            baseline: self.row.impact_baseline.clone(),
            method: self.row.impact_method.clone(),
        }
    }

    /// Estimated annual reduction in tonnes of CO2-equivalent (same as `impact.annualTco2e`).
    #[graphql(name = "impactTco2e")]
    async fn impact_tco2e(&self) -> Option<f64> {
        self.row.impact_tco2e
    }

    /// Benefits beyond emissions, as short English phrases (e.g. "air quality").
    async fn co_benefits(&self) -> Vec<String> {
        serde_json::from_value(self.row.co_benefits.clone()).unwrap_or_default()
    }

    /// What another city needs to know to replicate the practice.
    async fn replicability_notes(&self) -> Option<&str> {
        self.row.replicability_notes.as_deref()
    }

    /// People or departments to contact.
    async fn contacts(&self) -> Vec<Contact> {
        serde_json::from_value(self.row.contacts.clone()).unwrap_or_default()
    }

    /// Links to more information.
    async fn links(&self) -> Vec<Link> {
        let mut links: Vec<Link> =
            serde_json::from_value(self.row.links.clone()).unwrap_or_default();
        // Rows written before URLs were validated may hold any scheme.
        links.retain(|link| crate::domain::HttpUrl::parse(&link.url).is_ok());
        links
    }

    /// The cities that carry out the practice.
    async fn cities(&self, ctx: &Context<'_>) -> AppResult<Vec<City>> {
        let rows = crate::graphql::loaders(ctx)
            .practice_cities
            .load_one(self.row.id)
            .await?
            .unwrap_or_default();
        Ok(rows.into_iter().map(City).collect())
    }

    /// The themes the practice is tagged with.
    async fn themes(&self, ctx: &Context<'_>) -> AppResult<Vec<Theme>> {
        let themes = crate::graphql::loaders(ctx)
            .practice_themes
            .load_one(self.row.id)
            .await?
            .unwrap_or_default();
        Ok(themes.into_iter().map(Theme).collect())
    }

    /// UN Sustainable Development Goals (1..17) the practice contributes to.
    async fn sdgs(&self, ctx: &Context<'_>) -> AppResult<Vec<i32>> {
        Ok(crate::graphql::loaders(ctx)
            .practice_sdgs
            .load_one(self.row.id)
            .await?
            .unwrap_or_default())
    }

    /// Scores over every evaluation; `score`, `label` and the criteria are null without
    /// evaluations.
    async fn evaluation(&self, ctx: &Context<'_>) -> AppResult<EvaluationSummary> {
        let rows = self.evaluations_of(ctx).await?;
        let scores: Vec<[i16; 7]> = rows.iter().map(|row| row.scores()).collect();
        Ok(EvaluationSummary {
            score: self.row.score,
            label: self
                .row
                .evaluation_label
                .as_deref()
                .and_then(crate::graphql::inputs::EvaluationLabel::parse),
            count: self.row.evaluation_count,
            criteria: criterion_means(&scores),
        })
    }

    /// Evaluations, newest first.
    async fn evaluations(&self, ctx: &Context<'_>) -> AppResult<Vec<Evaluation>> {
        Ok(self
            .evaluations_of(ctx)
            .await?
            .into_iter()
            .map(Evaluation::from)
            .collect())
    }

    /// The practice this one replicates, when it is published.
    async fn replicated_from(&self, ctx: &Context<'_>) -> AppResult<Option<Practice>> {
        let Some(id) = self.row.replicated_from_id else {
            return Ok(None);
        };
        Ok(crate::graphql::loaders(ctx)
            .practices
            .load_one(id)
            .await?
            .map(|row| self.with_row(row)))
    }

    /// Published practices that replicate this one, oldest first.
    async fn replications(&self, ctx: &Context<'_>) -> AppResult<Vec<Practice>> {
        let rows = crate::graphql::loaders(ctx)
            .practice_replications
            .load_one(self.row.id)
            .await?
            .unwrap_or_default();
        Ok(rows.into_iter().map(|row| self.with_row(row)).collect())
    }

    /// Practices sharing the most themes with this one. `first` is 1..100.
    async fn related_practices(
        &self,
        ctx: &Context<'_>,
        #[graphql(default = 5, desc = "How many related practices to return, 1..100.")] first: i32,
    ) -> AppResult<Vec<Practice>> {
        let limit = u64::try_from(first)
            .ok()
            .filter(|limit| (1..=100).contains(limit))
            .ok_or_else(|| AppError::bad_input(["first"], "`first` must be between 1 and 100"))?;
        let rows = service::practices::related(
            crate::graphql::db(ctx),
            crate::graphql::viewer(ctx),
            self.row.id,
            limit,
        )
        .await?;
        Ok(rows.into_iter().map(|row| self.with_row(row)).collect())
    }
}

#[cfg(test)]
mod tests {
    use super::render_markdown;

    #[test]
    fn images_become_their_alt_text() {
        let html = render_markdown("See ![a cycle lane](https://t.example/p.png) here.");
        assert!(
            !html.contains("<img") && !html.contains("t.example"),
            "{html}"
        );
        assert!(html.contains("a cycle lane"), "{html}");
        let raw = render_markdown("<img src=\"https://t.example/p.png\" alt=\"x\">");
        assert!(!raw.contains("<img") && !raw.contains("t.example"), "{raw}");
    }

    #[test]
    fn links_keep_only_https_and_mailto_targets() {
        let html = render_markdown(
            "[ok](https://ok.example/a) [mail](mailto:a@ok.example) [plain](http://plain.example) \
             [proto](//evil.example/x) [rel](/local) [js](javascript:alert(1))",
        );
        assert!(html.contains("href=\"https://ok.example/a\""), "{html}");
        assert!(html.contains("href=\"mailto:a@ok.example\""), "{html}");
        for gone in ["plain.example", "evil.example", "/local", "javascript:"] {
            assert!(!html.contains(gone), "{gone}: {html}");
        }
        assert!(html.contains(">proto</a>"), "the link text stays: {html}");
    }
}
