//! Practices: the `practices` connection, `practice(slug:)` and the `Practice` type.

use async_graphql::{ComplexObject, Context, ID, Object, SimpleObject};
use chrono::{DateTime, FixedOffset};

use super::cities::City;
use super::ids::{GlobalId, NodeType};
use super::limits;
use super::pagination::{self, PageInfo};
use super::themes::Theme;
use crate::entity::practice;
use crate::error::AppResult;
use crate::service;

#[derive(Default)]
pub struct PracticeQuery;

#[Object]
impl PracticeQuery {
    /// Published practices, newest first. `first` or `last` (1..100) is required.
    #[graphql(complexity = "limits::connection_complexity(first, last, child_complexity)")]
    async fn practices(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> AppResult<PracticeConnection> {
        let request = pagination::request(first, after, last, before)?;
        let page = service::practices::page(super::db(ctx), &request).await?;
        Ok(PracticeConnection {
            page_info: PageInfo::of(&page),
            edges: page
                .items
                .into_iter()
                .map(|(cursor, row)| PracticeEdge {
                    cursor: cursor.encode(),
                    node: Practice(row),
                })
                .collect(),
        })
    }

    /// One published practice by its slug, or null.
    async fn practice(&self, ctx: &Context<'_>, slug: String) -> AppResult<Option<Practice>> {
        Ok(service::practices::by_slug(super::db(ctx), &slug)
            .await?
            .map(Practice))
    }
}

/// A page of practices.
#[derive(SimpleObject)]
#[graphql(complex)]
pub struct PracticeConnection {
    pub edges: Vec<PracticeEdge>,
    pub page_info: PageInfo,
}

#[ComplexObject]
impl PracticeConnection {
    /// The practices on this page.
    async fn nodes(&self) -> Vec<Practice> {
        self.edges.iter().map(|edge| edge.node.clone()).collect()
    }

    /// How many practices match, across all pages.
    async fn total_count(&self, ctx: &Context<'_>) -> AppResult<u64> {
        Ok(service::practices::count(super::db(ctx)).await?)
    }
}

#[derive(SimpleObject)]
pub struct PracticeEdge {
    pub cursor: String,
    pub node: Practice,
}

/// An evaluated practice of one or more cities.
#[derive(Clone)]
pub struct Practice(pub practice::Model);

/// The evaluation summary of a practice.
#[derive(SimpleObject)]
pub struct EvaluationSummary {
    /// Mean of every criterion over every evaluation, 1..5.
    pub score: Option<f64>,
    /// exemplary (>= 4.25), proven (>= 3.5), promising (>= 2.5) or emerging.
    pub label: Option<String>,
    pub count: i32,
}

#[Object]
impl Practice {
    pub async fn id(&self) -> ID {
        GlobalId::new(NodeType::Practice, self.0.id).encode()
    }

    /// Stable, URL-safe identifier.
    async fn slug(&self) -> &str {
        &self.0.slug
    }

    async fn title(&self) -> &str {
        &self.0.title
    }

    async fn summary(&self) -> &str {
        &self.0.summary
    }

    /// Markdown.
    async fn body(&self) -> &str {
        &self.0.body
    }

    /// ISO 639-1 code of the language the practice was written in.
    async fn original_language(&self) -> &str {
        &self.0.original_language
    }

    async fn published_at(&self) -> Option<DateTime<FixedOffset>> {
        self.0.published_at
    }

    async fn updated_at(&self) -> DateTime<FixedOffset> {
        self.0.updated_at
    }

    async fn evaluation(&self) -> EvaluationSummary {
        EvaluationSummary {
            score: self.0.score,
            label: self.0.evaluation_label.clone(),
            count: self.0.evaluation_count,
        }
    }

    /// Estimated annual reduction in tonnes of CO2-equivalent.
    async fn impact_tco2e(&self) -> Option<f64> {
        self.0.impact_tco2e
    }

    async fn cities(&self, ctx: &Context<'_>) -> AppResult<Vec<City>> {
        let rows = service::practice_relations::cities(super::db(ctx), self.0.id).await?;
        Ok(rows.into_iter().map(City).collect())
    }

    async fn themes(&self, ctx: &Context<'_>) -> AppResult<Vec<Theme>> {
        let rows = service::practice_relations::themes(super::db(ctx), self.0.id).await?;
        Ok(rows.into_iter().map(Theme).collect())
    }

    /// UN Sustainable Development Goals (1..17) the practice contributes to.
    async fn sdgs(&self, ctx: &Context<'_>) -> AppResult<Vec<i32>> {
        Ok(service::practice_relations::sdgs(super::db(ctx), self.0.id).await?)
    }
}
