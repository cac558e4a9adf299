//! Cost budgets: a leaky bucket of query cost per API key, per account (bearer tokens) or per
//! client address (anonymous requests), refilled every second, sized per role
//! (`KXC_BUDGET_<ROLE>`). The buckets are `governor`'s GCRA limiters: a well-kept, lock-free
//! implementation of exactly this (a cost of `n` is `n` cells), with the state snapshots the
//! `RateLimit-*` headers need.
//!
//! A request is charged before it executes, with the complexity validation computed (the same
//! number the complexity limit checks), so a client can never spend more than its budget: a
//! request the bucket cannot pay for is answered `429 RATE_LIMITED` and does not run.

use std::net::IpAddr;
use std::num::NonZeroU32;
use std::time::Duration;

use governor::clock::{Clock, DefaultClock};
use governor::middleware::StateInformationMiddleware;
use governor::state::keyed::DefaultKeyedStateStore;
use governor::{Quota, RateLimiter};

use crate::config::{AuthSettings, Budget};
use crate::domain::{Credential, Role, Viewer};

/// Whose bucket a request draws from.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum BudgetKey {
    ApiKey(i32),
    Account(i32),
    Address(IpAddr),
}

impl BudgetKey {
    /// Keys and accounts have their own buckets; everyone else shares their address's.
    pub fn of(viewer: &Viewer, address: IpAddr) -> Self {
        match (viewer.credential(), viewer.account_id()) {
            (Credential::ApiKey { id, .. }, _) => Self::ApiKey(*id),
            (_, Some(account)) => Self::Account(account),
            _ => Self::Address(address),
        }
    }
}

type Limiter = RateLimiter<
    BudgetKey,
    DefaultKeyedStateStore<BudgetKey>,
    DefaultClock,
    StateInformationMiddleware,
>;

/// The state of one bucket after a charge, as the `RateLimit-*` headers and
/// `extensions.cost.remaining` report it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BudgetState {
    pub limit: u32,
    pub remaining: u32,
    /// Seconds until the bucket is full again.
    pub reset_seconds: u64,
}

/// Why a charge was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Overdraft {
    /// The bucket holds too little now; `retry_after_seconds` until it holds enough.
    Empty {
        state: BudgetState,
        retry_after_seconds: u64,
    },
    /// The request costs more than the bucket can ever hold.
    TooCostly { limit: u32 },
}

struct RoleBucket {
    limiter: Limiter,
    budget: Budget,
}

/// Every bucket of the process, one limiter per role.
pub struct Budgets {
    buckets: Vec<(Role, RoleBucket)>,
}

impl Budgets {
    pub fn from_settings(settings: &AuthSettings) -> Self {
        let buckets = Role::ALL
            .into_iter()
            .map(|role| {
                let budget = settings.budget(role);
                let quota = Quota::per_second(nonzero(budget.per_second))
                    .allow_burst(nonzero(budget.capacity));
                let limiter = RateLimiter::keyed(quota).with_middleware();
                (role, RoleBucket { limiter, budget })
            })
            .collect();
        Self { buckets }
    }

    fn bucket(&self, role: Role) -> &RoleBucket {
        self.buckets
            .iter()
            .find(|(candidate, _)| *candidate == role)
            .map(|(_, bucket)| bucket)
            .unwrap_or(&self.buckets[0].1)
    }

    /// Takes `cost` (at least 1) from the bucket of `key`, sized for `role`.
    pub fn charge(&self, role: Role, key: &BudgetKey, cost: u64) -> Result<BudgetState, Overdraft> {
        let bucket = self.bucket(role);
        let limit = bucket.budget.capacity;
        let cost = u32::try_from(cost.max(1)).unwrap_or(u32::MAX);
        match bucket.limiter.check_key_n(key, nonzero(cost)) {
            Ok(Ok(snapshot)) => Ok(state(bucket, snapshot.remaining_burst_capacity())),
            Ok(Err(not_until)) => {
                let wait = not_until.wait_time_from(bucket.limiter.clock().now());
                // The bucket holds `cost` once `wait` has refilled it, so it holds this now.
                let refilled = wait.as_secs_f64() * f64::from(bucket.budget.per_second);
                let held = (f64::from(cost) - refilled).max(0.0) as u32;
                Err(Overdraft::Empty {
                    state: state(bucket, held.min(cost - 1)),
                    retry_after_seconds: ceil_seconds(wait).max(1),
                })
            }
            Err(_) => Err(Overdraft::TooCostly { limit }),
        }
    }

    /// Forgets buckets that are full again, so memory follows recent clients only. Call it
    /// now and then (the server does every minute).
    pub fn forget_full(&self) {
        for (_, bucket) in &self.buckets {
            bucket.limiter.retain_recent();
            bucket.limiter.shrink_to_fit();
        }
    }
}

fn state(bucket: &RoleBucket, remaining: u32) -> BudgetState {
    let budget = bucket.budget;
    let missing = u64::from(budget.capacity.saturating_sub(remaining));
    BudgetState {
        limit: budget.capacity,
        remaining,
        reset_seconds: missing.div_ceil(u64::from(budget.per_second)),
    }
}

fn ceil_seconds(duration: Duration) -> u64 {
    duration.as_secs() + u64::from(duration.subsec_nanos() > 0)
}

fn nonzero(value: u32) -> NonZeroU32 {
    NonZeroU32::new(value).unwrap_or(NonZeroU32::MIN)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn budgets(capacity: u32, per_second: u32) -> Budgets {
        Budgets::from_settings(&AuthSettings {
            budget_anonymous: Budget {
                capacity,
                per_second,
            },
            ..AuthSettings::default()
        })
    }

    #[test]
    fn charges_drain_the_bucket_until_it_is_refused() {
        let budgets = budgets(100, 1);
        let key = BudgetKey::Address("192.0.2.1".parse().unwrap());
        let first = budgets.charge(Role::Anonymous, &key, 60).unwrap();
        assert_eq!(first.limit, 100);
        assert_eq!(first.remaining, 40);
        assert_eq!(first.reset_seconds, 60);
        let refused = budgets.charge(Role::Anonymous, &key, 60).unwrap_err();
        let Overdraft::Empty {
            retry_after_seconds,
            ..
        } = refused
        else {
            panic!("expected an empty bucket, got {refused:?}");
        };
        assert!(
            (19..=20).contains(&retry_after_seconds),
            "{retry_after_seconds}"
        );
        let other = BudgetKey::Address("192.0.2.2".parse().unwrap());
        assert_eq!(
            budgets
                .charge(Role::Anonymous, &other, 60)
                .unwrap()
                .remaining,
            40
        );
    }

    #[test]
    fn a_request_costing_more_than_the_bucket_holds_is_too_costly() {
        let budgets = budgets(100, 1);
        let key = BudgetKey::Address("192.0.2.1".parse().unwrap());
        assert_eq!(
            budgets.charge(Role::Anonymous, &key, 101),
            Err(Overdraft::TooCostly { limit: 100 })
        );
        assert!(budgets.charge(Role::Anonymous, &key, 0).is_ok());
    }
}
