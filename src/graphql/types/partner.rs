//! `partnerSuggestions`: suggested partner cities with their score and the reasons for it.

use async_graphql::{Context, Object, SimpleObject};
use sea_orm::EntityTrait;

use crate::domain::partners::{Reason, ReasonKind, Suggestion};
use crate::entity::partnership;
use crate::error::AppResult;
use crate::graphql::types::city::City;
use crate::graphql::types::organisation::Organisation;
use crate::graphql::types::practice::Practice;

/// Suggested partner cities, best first.
#[derive(SimpleObject)]
pub struct PartnerSuggestionConnection {
    /// How many cities have at least one reason (not just the `first` returned).
    pub total_count: usize,
    /// The suggestions, by score (highest first), then city name, then id.
    pub nodes: Vec<PartnerSuggestion>,
}

/// A suggested partner city.
pub struct PartnerSuggestion(pub Suggestion);

/// A suggested partner city.
#[Object]
impl PartnerSuggestion {
    /// The suggested city; null only if it has been removed.
    async fn city(&self, ctx: &Context<'_>) -> AppResult<Option<City>> {
        Ok(crate::graphql::loaders(ctx)
            .cities
            .load_one(self.0.city)
            .await?
            .map(City))
    }

    /// The sum of the reasons' weights.
    async fn score(&self) -> f64 {
        self.0.score
    }

    /// Why the city is suggested, strongest first.
    async fn reasons(&self) -> Vec<PartnerReason<'_>> {
        self.0.reasons.iter().map(PartnerReason).collect()
    }
}

/// One reason for a suggestion.
pub struct PartnerReason<'a>(&'a Reason);

/// One reason for a suggestion.
#[Object]
impl PartnerReason<'_> {
    /// What the reason rests on.
    async fn kind(&self) -> ReasonKind {
        self.0.kind
    }

    /// Its share of the score.
    async fn weight(&self) -> f64 {
        self.0.weight
    }

    /// The record the reason rests on.
    async fn evidence(&self) -> PartnerEvidence<'_> {
        PartnerEvidence(self.0)
    }
}

/// The record a reason rests on; the fields of other kinds are null.
pub struct PartnerEvidence<'a>(&'a Reason);

/// A partnership named as evidence.
#[derive(SimpleObject)]
pub struct PartnershipRef {
    /// The partnership's slug.
    pub slug: String,
    /// The partnership's name.
    pub name: String,
    /// `active`, `completed` or `proposed`.
    pub status: String,
}

/// The record a reason rests on; the fields of other kinds are null.
#[Object]
impl PartnerEvidence<'_> {
    /// One sentence, in English (e.g. "net zero by 2030, against 2030").
    async fn description(&self) -> &str {
        &self.0.description
    }

    /// For `PRACTICE`: the suggested city's evaluated practice.
    async fn practice(&self, ctx: &Context<'_>) -> AppResult<Option<Practice>> {
        let Some(id) = self.0.practice else {
            return Ok(None);
        };
        Ok(crate::graphql::loaders(ctx)
            .practices
            .load_one(id)
            .await?
            .map(|row| Practice::new(row, ctx, None)))
    }

    /// For `PRACTICE`: the theme path the asking city has no practice on.
    async fn theme(&self) -> Option<&str> {
        self.0.theme.as_deref()
    }

    /// For `SHARED_NETWORK`: the network or initiative both cities belong to.
    async fn network(&self, ctx: &Context<'_>) -> AppResult<Option<Organisation>> {
        let Some(id) = self.0.network else {
            return Ok(None);
        };
        Ok(crate::graphql::loaders(ctx)
            .organisations
            .load_one(id)
            .await?
            .map(Organisation))
    }

    /// For `EXISTING_PARTNERSHIP`: the partnership.
    async fn partnership(&self, ctx: &Context<'_>) -> AppResult<Option<PartnershipRef>> {
        let Some(id) = self.0.partnership else {
            return Ok(None);
        };
        Ok(partnership::Entity::find_by_id(id)
            .one(crate::graphql::db(ctx))
            .await?
            .map(|row| PartnershipRef {
                slug: row.slug,
                name: row.name,
                status: row.status,
            }))
    }
}
