//! `ExchangeRequest.suggestedMatches`: the cities worth talking to about a request, each with
//! its reasons. A city earns one reason per evaluated practice (published, with at least one
//! evaluation) of it on the request's theme or below, weighing the practice's mean score / 5;
//! for a need, one per open offer of it on that theme, weighing 1. Cities are ordered by the
//! sum of their weights (highest first), then by name and id, so the order is deterministic;
//! the request's own city is never suggested. Practices are those the viewer may see.

use std::collections::{BTreeMap, HashMap};

use sea_orm::sea_query::{Expr, ExprTrait, Query};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};

use super::{ExchangeKind, theme_subtree_ids};
use crate::domain::Viewer;
use crate::entity::{city, exchange_request, practice, practice_city, practice_theme, theme};

/// Why a city is suggested.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum ReasonKind {
    /// The city has an evaluated practice on the theme.
    EvaluatedPractice,
    /// The city offers help on the theme the request needs.
    MatchingOffer,
}

/// What a reason points at.
#[derive(Clone, Debug)]
pub enum Evidence {
    Practice(Box<practice::Model>),
    Offer(Box<exchange_request::Model>),
}

impl Evidence {
    fn id(&self) -> i32 {
        match self {
            Self::Practice(row) => row.id,
            Self::Offer(row) => row.id,
        }
    }
}

#[derive(Clone, Debug)]
pub struct Reason {
    pub kind: ReasonKind,
    /// 0..1: a practice's mean score / 5, an offer 1.
    pub weight: f64,
    pub evidence: Evidence,
}

#[derive(Clone, Debug)]
pub struct Suggestion {
    pub city: city::Model,
    /// The sum of the reasons' weights.
    pub score: f64,
    /// Heaviest first.
    pub reasons: Vec<Reason>,
}

/// At most `first` suggestions for `request`.
pub async fn suggest(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
    request: &exchange_request::Model,
    first: usize,
) -> Result<Vec<Suggestion>, sea_orm::DbErr> {
    let Some(theme_id) = request.theme_id else {
        return Ok(Vec::new());
    };
    let Some(theme) = theme::Entity::find_by_id(theme_id).one(db).await? else {
        return Ok(Vec::new());
    };
    let themes = theme_subtree_ids(db, &[theme.path]).await?;
    let mut reasons: BTreeMap<i32, Vec<Reason>> = BTreeMap::new();

    let on_theme = Query::select()
        .column(practice_theme::Column::PracticeId)
        .from(practice_theme::Entity)
        .and_where(Expr::col(practice_theme::Column::ThemeId).is_in(themes.clone()))
        .to_owned();
    let practices = crate::service::practices::visible(viewer)
        .filter(practice::Column::Status.eq("published"))
        .filter(practice::Column::Score.is_not_null())
        .filter(practice::Column::EvaluationCount.gt(0))
        .filter(Expr::col((practice::Entity, practice::Column::Id)).in_subquery(on_theme))
        .all(db)
        .await?;
    let by_id: HashMap<i32, practice::Model> =
        practices.into_iter().map(|row| (row.id, row)).collect();
    let links = practice_city::Entity::find()
        .filter(practice_city::Column::PracticeId.is_in(by_id.keys().copied()))
        .all(db)
        .await?;
    for link in links {
        if link.city_id == request.city_id {
            continue;
        }
        let Some(row) = by_id.get(&link.practice_id) else {
            continue;
        };
        reasons.entry(link.city_id).or_default().push(Reason {
            kind: ReasonKind::EvaluatedPractice,
            weight: row.score.unwrap_or(0.0) / 5.0,
            evidence: Evidence::Practice(Box::new(row.clone())),
        });
    }

    if ExchangeKind::parse(&request.kind) == Some(ExchangeKind::Need) {
        let offers = exchange_request::Entity::find()
            .filter(exchange_request::Column::Kind.eq(ExchangeKind::Offer.as_str()))
            .filter(exchange_request::Column::Status.eq("open"))
            .filter(exchange_request::Column::ThemeId.is_in(themes))
            .filter(exchange_request::Column::CityId.ne(request.city_id))
            .all(db)
            .await?;
        for offer in offers {
            reasons.entry(offer.city_id).or_default().push(Reason {
                kind: ReasonKind::MatchingOffer,
                weight: 1.0,
                evidence: Evidence::Offer(Box::new(offer)),
            });
        }
    }

    let cities: HashMap<i32, city::Model> = city::Entity::find()
        .filter(city::Column::Id.is_in(reasons.keys().copied()))
        .all(db)
        .await?
        .into_iter()
        .map(|row| (row.id, row))
        .collect();
    let mut suggestions: Vec<Suggestion> = reasons
        .into_iter()
        .filter_map(|(city_id, mut reasons)| {
            reasons.sort_by(|a, b| {
                b.weight
                    .total_cmp(&a.weight)
                    .then(a.kind.cmp(&b.kind))
                    .then(a.evidence.id().cmp(&b.evidence.id()))
            });
            let score = reasons.iter().map(|reason| reason.weight).sum();
            Some(Suggestion {
                city: cities.get(&city_id)?.clone(),
                score,
                reasons,
            })
        })
        .collect();
    suggestions.sort_by(|a, b| {
        b.score
            .total_cmp(&a.score)
            .then_with(|| a.city.name.cmp(&b.city.name))
            .then(a.city.id.cmp(&b.city.id))
    });
    suggestions.truncate(first);
    Ok(suggestions)
}
