//! The `CostBudget` extension: charges each operation's cost to the caller's budget
//! (`auth::budget`) before it executes, and reports what is left in
//! `extensions.cost.remaining` and, through the [`RequestReport`], in the `RateLimit-*`
//! headers.
//!
//! It registers before `Protection`, so it wraps it: validation (and Protection's depth and
//! complexity limits) run first, and only an operation that may run is charged, with the
//! complexity validation computed. An operation that fails before validation (a syntax
//! error, an unknown persisted query) costs 1, so even failures draw on the budget.

use std::sync::{Arc, Mutex, PoisonError};

use std::any::{Any, TypeId};

use async_graphql::extensions::{
    Extension, ExtensionContext, ExtensionFactory, NextPrepareRequest, NextRequest, NextValidation,
};
use async_graphql::{Request, Response, ServerError, ServerResult, ValidationResult, Value};

use crate::auth::budget::{BudgetKey, BudgetState, Budgets, Overdraft};
use crate::domain::Role;
use crate::error::ErrorCode;
use crate::graphql::exec::report::RequestReport;

/// Whose budget a request draws on; attached to the request by the HTTP layer. Without it
/// (the schema used in-process) nothing is charged.
#[derive(Clone)]
pub struct BudgetCharge {
    pub budgets: Arc<Budgets>,
    pub role: Role,
    pub key: BudgetKey,
}

pub struct CostBudget;

impl ExtensionFactory for CostBudget {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(CostBudgetExtension {
            outcome: Mutex::default(),
            attached: Mutex::default(),
        })
    }
}

struct CostBudgetExtension {
    outcome: Mutex<Option<Result<BudgetState, Overdraft>>>,
    /// The request's charge and report, taken in `prepare_request`: the `request` hook runs
    /// before async-graphql makes the request's data visible to extensions.
    attached: Mutex<Option<(BudgetCharge, Option<RequestReport>)>>,
}

fn data_of<T: Any + Clone>(request: &Request) -> Option<T> {
    request
        .data
        .get(&TypeId::of::<T>())
        .and_then(|value| value.downcast_ref::<T>())
        .cloned()
}

impl CostBudgetExtension {
    fn charge(&self, charge: &BudgetCharge, cost: u64) -> Result<BudgetState, Overdraft> {
        let outcome = charge.budgets.charge(charge.role, &charge.key, cost);
        *self.outcome.lock().unwrap_or_else(PoisonError::into_inner) = Some(outcome);
        outcome
    }

    fn charged(&self) -> Option<Result<BudgetState, Overdraft>> {
        *self.outcome.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

#[async_trait::async_trait]
impl Extension for CostBudgetExtension {
    async fn request(&self, ctx: &ExtensionContext<'_>, next: NextRequest<'_>) -> Response {
        let mut response = next.run(ctx).await;
        let attached = self
            .attached
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
        let Some((charge, report)) = attached else {
            return response;
        };
        let outcome = match self.charged() {
            Some(outcome) => outcome,
            None => {
                let outcome = self.charge(&charge, 1);
                if let Err(overdraft) = outcome {
                    response = Response::from_errors(vec![refusal(1, overdraft)]);
                }
                outcome
            }
        };
        if let Some(report) = report {
            report.set_budget(outcome);
        }
        let remaining = match outcome {
            Ok(state) | Err(Overdraft::Empty { state, .. }) => state.remaining,
            Err(Overdraft::TooCostly { .. }) => return response,
        };
        let cost = response
            .extensions
            .entry("cost".to_owned())
            .or_insert_with(|| Value::Object(Default::default()));
        if let Value::Object(cost) = cost {
            cost.insert(
                async_graphql::Name::new("remaining"),
                Value::from(remaining),
            );
        }
        response
    }

    async fn prepare_request(
        &self,
        ctx: &ExtensionContext<'_>,
        request: Request,
        next: NextPrepareRequest<'_>,
    ) -> ServerResult<Request> {
        if let Some(charge) = data_of::<BudgetCharge>(&request) {
            *self.attached.lock().unwrap_or_else(PoisonError::into_inner) =
                Some((charge, data_of::<RequestReport>(&request)));
        }
        next.run(ctx, request).await
    }

    async fn validation(
        &self,
        ctx: &ExtensionContext<'_>,
        next: NextValidation<'_>,
    ) -> Result<ValidationResult, Vec<ServerError>> {
        let measured = next.run(ctx).await?;
        let Some(charge) = ctx.data_opt::<BudgetCharge>() else {
            return Ok(measured);
        };
        let cost = measured.complexity as u64;
        match self.charge(charge, cost) {
            Ok(_) => Ok(measured),
            Err(overdraft) => Err(vec![refusal(cost, overdraft)]),
        }
    }
}

fn refusal(cost: u64, overdraft: Overdraft) -> ServerError {
    let (message, code, retry_after) = match overdraft {
        Overdraft::Empty {
            state,
            retry_after_seconds,
        } => (
            format!(
                "the request costs {cost} and {} of your budget of {} is left; retry in {retry_after_seconds} s",
                state.remaining, state.limit
            ),
            ErrorCode::RateLimited,
            Some(retry_after_seconds),
        ),
        Overdraft::TooCostly { limit } => (
            format!("the request costs {cost}, more than your whole budget of {limit}"),
            ErrorCode::QueryTooComplex,
            None,
        ),
    };
    let mut error = ServerError::new(message, None);
    let extensions = error.extensions.get_or_insert_with(Default::default);
    extensions.set("code", code.as_str());
    if let Some(seconds) = retry_after {
        extensions.set("retryAfter", seconds);
    }
    error
}
