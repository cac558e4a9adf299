//! Initiatives with their public criteria and joining steps (`initiatives`, `initiative`),
//! and a commitment's criteria as derived today (`Commitment.criteria`).

use async_graphql::{Context, Object, SimpleObject};

use crate::domain::initiatives::{self, Assessment, EvidenceKind};
use crate::entity::{city, commitment};
use crate::error::AppResult;
use crate::graphql::scalars::Date;
use crate::graphql::types::city::ClimateTargets;
use crate::graphql::types::organisation::Organisation;
use crate::graphql::types::practice::Practice;
use crate::service;

/// An initiative cities commit to (UN Race to Zero, the EU Covenant of Mayors, the EU Cities
/// Mission), with its public criteria and the steps of joining it.
pub struct Initiative(pub &'static initiatives::Initiative);

/// An initiative cities commit to, with its public criteria and joining steps.
#[Object]
impl Initiative {
    /// The initiative's organisation slug, such as `race-to-zero`; use it as
    /// `cities(filter: {commitment:})`.
    async fn slug(&self) -> &'static str {
        self.0.slug
    }

    /// The initiative's organisation record; null if it is not stored.
    async fn organisation(&self, ctx: &Context<'_>) -> AppResult<Option<Organisation>> {
        Ok(
            service::organisations::by_slug(crate::graphql::db(ctx), self.0.slug)
                .await?
                .map(Organisation),
        )
    }

    /// The initiative's public criteria, in its own order.
    async fn criteria(&self) -> Vec<InitiativeCriterion> {
        self.0
            .criteria
            .iter()
            .enumerate()
            .map(|(index, criterion)| InitiativeCriterion {
                number: index as i32 + 1,
                criterion,
            })
            .collect()
    }

    /// How a city joins, step by step.
    async fn joining_steps(&self) -> Vec<JoiningStep> {
        self.0
            .joining_steps
            .iter()
            .enumerate()
            .map(|(index, step)| JoiningStep {
                number: index as i32 + 1,
                title: step.title,
                description: step.description,
            })
            .collect()
    }
}

/// One public criterion of an initiative.
pub struct InitiativeCriterion {
    number: i32,
    criterion: &'static initiatives::Criterion,
}

/// One public criterion of an initiative.
#[Object]
impl InitiativeCriterion {
    /// Stable identifier within the initiative, such as `net-zero-target`; use it as
    /// `cities(filter: {missingCriterion:})`.
    async fn code(&self) -> &'static str {
        self.criterion.code
    }

    /// Position in the initiative's list, from 1.
    async fn number(&self) -> i32 {
        self.number
    }

    /// Short title, in English.
    async fn title(&self) -> &'static str {
        self.criterion.title
    }

    /// What the criterion asks and what kxc checks, in English.
    async fn description(&self) -> &'static str {
        self.criterion.description
    }

    /// Which kind of record shows the criterion is met.
    async fn evidence_kind(&self) -> EvidenceKind {
        self.criterion.check.evidence_kind()
    }
}

/// One step of joining an initiative.
#[derive(SimpleObject)]
pub struct JoiningStep {
    /// Position of the step, from 1.
    pub number: i32,
    /// Short title, in English.
    pub title: &'static str,
    /// What the city does in this step, in English.
    pub description: &'static str,
}

/// Whether a city's commitment meets one criterion of its initiative today, with the evidence.
pub struct CriterionAssessment {
    number: i32,
    assessment: Assessment,
    city: city::Model,
    commitment: commitment::Model,
}

/// Whether a city's commitment meets one criterion of its initiative today, with the evidence.
#[Object]
impl CriterionAssessment {
    /// The criterion.
    async fn criterion(&self) -> InitiativeCriterion {
        InitiativeCriterion {
            number: self.number,
            criterion: self.assessment.criterion,
        }
    }

    /// Whether the city meets it today.
    async fn met(&self) -> bool {
        self.assessment.met
    }

    /// One sentence on what was found or what is missing, in English.
    async fn explanation(&self) -> &str {
        &self.assessment.explanation
    }

    /// The records the decision rests on.
    async fn evidence(&self) -> CriterionEvidence<'_> {
        CriterionEvidence(self)
    }
}

/// The records a criterion's decision rests on; only the part of its `kind` is set.
pub struct CriterionEvidence<'a>(&'a CriterionAssessment);

/// The records a criterion's decision rests on; only the part of its `kind` is set.
#[Object]
impl CriterionEvidence<'_> {
    /// Which kind of record was looked at.
    async fn kind(&self) -> EvidenceKind {
        self.0.assessment.criterion.check.evidence_kind()
    }

    /// For `DECLARATION`: the day the city joined, when recorded.
    async fn joined_on(&self) -> Option<Date> {
        (self.kind_is(EvidenceKind::Declaration))
            .then_some(self.0.commitment.joined_on)
            .flatten()
            .map(Date::from)
    }

    /// For `DECLARATION`: where the commitment is documented, when recorded.
    async fn reference(&self) -> Option<&str> {
        if self.kind_is(EvidenceKind::Declaration) {
            self.0.commitment.evidence.as_deref()
        } else {
            None
        }
    }

    /// For `TARGETS`: the city's climate targets.
    async fn targets(&self) -> AppResult<Option<ClimateTargets>> {
        if self.kind_is(EvidenceKind::Targets) {
            Ok(Some(ClimateTargets::of(&self.0.city)?))
        } else {
            Ok(None)
        }
    }

    /// For `PRACTICE`: the city's most recently published practice, when it has one.
    async fn practice(&self, ctx: &Context<'_>) -> AppResult<Option<Practice>> {
        let Some(id) = self.0.assessment.practice else {
            return Ok(None);
        };
        Ok(crate::graphql::loaders(ctx)
            .practices
            .load_one(id)
            .await?
            .map(|row| Practice::new(row, ctx, None)))
    }

    /// For `REPORT`: the platform the city reports through, when named.
    async fn reporting_platform(&self) -> Option<&str> {
        if self.kind_is(EvidenceKind::Report) {
            self.0.commitment.reporting_platform.as_deref()
        } else {
            None
        }
    }

    /// For `REPORT`: the day of the city's last report, when recorded.
    async fn last_reported_on(&self) -> Option<Date> {
        self.kind_is(EvidenceKind::Report)
            .then_some(self.0.commitment.last_reported_on)
            .flatten()
            .map(Date::from)
    }
}

impl CriterionEvidence<'_> {
    fn kind_is(&self, kind: EvidenceKind) -> bool {
        self.0.assessment.criterion.check.evidence_kind() == kind
    }
}

/// Every criterion of the commitment's initiative, as met or missed today; empty when kxc
/// holds no criteria for the initiative.
pub async fn assess(
    ctx: &Context<'_>,
    commitment: &commitment::Model,
) -> AppResult<Vec<CriterionAssessment>> {
    let loaders = crate::graphql::loaders(ctx);
    let Some(organisation) = loaders
        .organisations
        .load_one(commitment.organisation_id)
        .await?
    else {
        return Ok(Vec::new());
    };
    let Some(initiative) = initiatives::initiative(&organisation.slug) else {
        return Ok(Vec::new());
    };
    let Some(city) = loaders.cities.load_one(commitment.city_id).await? else {
        return Ok(Vec::new());
    };
    let practice = loaders
        .city_latest_published_practice
        .load_one(commitment.city_id)
        .await?;
    let facts = service::commitments::facts(&city, commitment, practice);
    Ok(
        initiatives::assess(initiative, &facts, service::commitments::today())
            .into_iter()
            .enumerate()
            .map(|(index, assessment)| CriterionAssessment {
                number: index as i32 + 1,
                assessment,
                city: city.clone(),
                commitment: commitment.clone(),
            })
            .collect(),
    )
}
