//! The `ExchangeRequest` type, its connection and `suggestedMatches`.

use async_graphql::{ComplexObject, Context, Enum, ID, Object, SimpleObject, Union};

use crate::entity::exchange_request;
use crate::error::{AppError, AppResult};
use crate::graphql::ids::{GlobalId, RecordKind};
use crate::graphql::scalars::DateTime;
use crate::graphql::types::city::City;
use crate::graphql::types::pagination::PageInfo;
use crate::graphql::types::practice::Practice;
use crate::graphql::types::theme::Theme;
use crate::service::exchange_requests::ExchangeKind;
use crate::service::exchange_requests::matches::{self, Evidence, ReasonKind};

/// Whether a city offers help or asks for it.
#[derive(Enum, Clone, Copy, PartialEq, Eq)]
pub enum ExchangeRequestKind {
    /// The city can help others on the theme.
    Offer,
    /// The city looks for help on the theme.
    Need,
}

impl From<ExchangeRequestKind> for ExchangeKind {
    fn from(kind: ExchangeRequestKind) -> Self {
        match kind {
            ExchangeRequestKind::Offer => ExchangeKind::Offer,
            ExchangeRequestKind::Need => ExchangeKind::Need,
        }
    }
}

/// A city offering or asking for help on a theme.
#[derive(Clone)]
pub struct ExchangeRequest(pub exchange_request::Model);

/// Most suggestions one `suggestedMatches` answers.
pub const MAX_MATCHES: i32 = 20;

/// A city offering or asking for help on a theme.
#[Object]
impl ExchangeRequest {
    /// Global ID.
    async fn id(&self) -> ID {
        GlobalId::new(RecordKind::ExchangeRequest, self.0.id).encode()
    }

    /// Offer or need.
    async fn kind(&self) -> ExchangeRequestKind {
        match ExchangeKind::parse(&self.0.kind) {
            Some(ExchangeKind::Offer) => ExchangeRequestKind::Offer,
            _ => ExchangeRequestKind::Need,
        }
    }

    /// A one-line summary.
    async fn title(&self) -> &str {
        &self.0.title
    }

    /// What is offered or needed, in plain text or Markdown.
    async fn body(&self) -> &str {
        &self.0.body
    }

    /// The body rendered from Markdown to sanitized HTML.
    async fn body_html(&self) -> String {
        crate::graphql::render_markdown(&self.0.body)
    }

    /// `open` while the request stands.
    async fn status(&self) -> &str {
        &self.0.status
    }

    /// When it was posted.
    async fn created_at(&self) -> DateTime {
        self.0.created_at.into()
    }

    /// The city that offers or needs.
    async fn city(&self, ctx: &Context<'_>) -> AppResult<Option<City>> {
        Ok(crate::graphql::loaders(ctx)
            .cities
            .load_one(self.0.city_id)
            .await?
            .map(City))
    }

    /// The theme; null if it was removed from the taxonomy.
    async fn theme(&self, ctx: &Context<'_>) -> AppResult<Option<Theme>> {
        let Some(id) = self.0.theme_id else {
            return Ok(None);
        };
        let all = crate::graphql::loaders(ctx).all_themes().await?;
        Ok(all
            .iter()
            .find(|theme| theme.row.id == id)
            .cloned()
            .map(Theme))
    }

    /// Cities to talk to, best first: cities with evaluated practices on this theme or below
    /// (weight: the practice's mean score / 5) and, for a need, cities offering help on it
    /// (weight 1). Ordered by the sum of weights, then city name; never the request's own city.
    #[graphql(complexity = "first.unwrap_or(5).clamp(1, 20) as usize * child_complexity")]
    async fn suggested_matches(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "How many cities, 1..20 (default 5).")] first: Option<i32>,
    ) -> AppResult<Vec<SuggestedMatch>> {
        let first = first.unwrap_or(5);
        if !(1..=MAX_MATCHES).contains(&first) {
            return Err(AppError::bad_input(
                ["first"],
                format!("`first` must be 1..{MAX_MATCHES}"),
            ));
        }
        let found = matches::suggest(
            crate::graphql::db(ctx),
            crate::graphql::viewer(ctx),
            &self.0,
            first as usize,
        )
        .await?;
        Ok(found
            .into_iter()
            .map(|suggestion| SuggestedMatch {
                city: City(suggestion.city),
                score: suggestion.score,
                reasons: suggestion
                    .reasons
                    .into_iter()
                    .map(|reason| MatchReason {
                        kind: match reason.kind {
                            ReasonKind::EvaluatedPractice => MatchReasonKind::EvaluatedPractice,
                            ReasonKind::MatchingOffer => MatchReasonKind::MatchingOffer,
                        },
                        weight: reason.weight,
                        evidence: match reason.evidence {
                            Evidence::Practice(row) => {
                                MatchEvidence::Practice(Practice::new(*row, ctx, None))
                            }
                            Evidence::Offer(row) => {
                                MatchEvidence::ExchangeRequest(ExchangeRequest(*row))
                            }
                        },
                    })
                    .collect(),
            })
            .collect())
    }
}

/// A city suggested for an exchange request, with why.
#[derive(SimpleObject)]
pub struct SuggestedMatch {
    /// The city.
    pub city: City,
    /// The sum of the reasons' weights.
    pub score: f64,
    /// Why, heaviest first.
    pub reasons: Vec<MatchReason>,
}

/// Kinds of reason for a suggestion.
#[derive(Enum, Clone, Copy, PartialEq, Eq)]
pub enum MatchReasonKind {
    /// The city has an evaluated practice on the theme.
    EvaluatedPractice,
    /// The city offers help on the theme this request needs.
    MatchingOffer,
}

/// One reason for a suggestion.
#[derive(SimpleObject)]
pub struct MatchReason {
    /// What kind of reason.
    pub kind: MatchReasonKind,
    /// 0..1: an evaluated practice's mean score / 5; a matching offer 1.
    pub weight: f64,
    /// The practice or the offer behind the reason.
    pub evidence: MatchEvidence,
}

/// The record behind a reason.
#[derive(Union)]
#[allow(clippy::large_enum_variant)]
pub enum MatchEvidence {
    /// An evaluated practice of the city.
    Practice(Practice),
    /// An offer of the city.
    ExchangeRequest(ExchangeRequest),
}

/// A page of exchange requests, newest first.
#[derive(SimpleObject)]
#[graphql(complex)]
pub struct ExchangeRequestConnection {
    /// The requests on this page with their cursors.
    pub edges: Vec<ExchangeRequestEdge>,
    /// Cursors and whether more pages exist either way.
    pub page_info: PageInfo,
}

#[ComplexObject]
impl ExchangeRequestConnection {
    /// The requests on this page.
    async fn nodes(&self) -> Vec<ExchangeRequest> {
        self.edges.iter().map(|edge| edge.node.clone()).collect()
    }
}

/// An exchange request and its cursor.
#[derive(SimpleObject)]
pub struct ExchangeRequestEdge {
    /// Opaque cursor; pass it as `after` or `before` to page from here.
    pub cursor: String,
    /// The request.
    pub node: ExchangeRequest,
}
