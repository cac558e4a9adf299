//! Settings of webhook delivery: which targets are allowed, how long a delivery may take and
//! the retry schedule. Each bad value fails at start-up with a message naming its variable.

use std::time::Duration;

use clap::Args;

pub const DEFAULT_RETRY_BASE_MS: u64 = 5_000;
pub const DEFAULT_RETRY_MAX_MS: u64 = 10 * 60 * 60 * 1000;
pub const DEFAULT_MAX_ATTEMPTS: u32 = 10;
pub const DEFAULT_TIMEOUT_MS: u64 = 10_000;

#[derive(Args, Clone, Debug)]
pub struct WebhookSettings {
    /// Accept webhook targets on loopback, private, link-local and other non-public addresses
    /// (for tests and closed networks). Off by default.
    #[arg(long = "webhook-allow-private-targets", env = "KXC_WEBHOOK_ALLOW_PRIVATE_TARGETS", default_value_t = false, action = clap::ArgAction::Set, global = true)]
    pub allow_private_targets: bool,

    /// Wait before the second attempt of a delivery, in milliseconds; each further attempt
    /// waits four times longer (with jitter), up to `KXC_WEBHOOK_RETRY_MAX_MS`.
    #[arg(long = "webhook-retry-base-ms", env = "KXC_WEBHOOK_RETRY_BASE_MS", default_value_t = DEFAULT_RETRY_BASE_MS,
          value_parser = clap::builder::RangedU64ValueParser::<u64>::new().range(1..=86_400_000), global = true)]
    pub retry_base_ms: u64,

    /// Longest wait between two attempts of a delivery, in milliseconds.
    #[arg(long = "webhook-retry-max-ms", env = "KXC_WEBHOOK_RETRY_MAX_MS", default_value_t = DEFAULT_RETRY_MAX_MS,
          value_parser = clap::builder::RangedU64ValueParser::<u64>::new().range(1..=604_800_000), global = true)]
    pub retry_max_ms: u64,

    /// Attempts per delivery before it is given up and its subscription marked failing (1..100; keep 8 or more in production).
    #[arg(long = "webhook-max-attempts", env = "KXC_WEBHOOK_MAX_ATTEMPTS", default_value_t = DEFAULT_MAX_ATTEMPTS,
          value_parser = clap::builder::RangedU64ValueParser::<u32>::new().range(1..=100), global = true)]
    pub max_attempts: u32,

    /// Longest one delivery attempt may take (connect, send, answer), in milliseconds.
    #[arg(long = "webhook-timeout-ms", env = "KXC_WEBHOOK_TIMEOUT_MS", default_value_t = DEFAULT_TIMEOUT_MS,
          value_parser = clap::builder::RangedU64ValueParser::<u64>::new().range(100..=120_000), global = true)]
    pub timeout_ms: u64,
}

impl Default for WebhookSettings {
    fn default() -> Self {
        Self {
            allow_private_targets: false,
            retry_base_ms: DEFAULT_RETRY_BASE_MS,
            retry_max_ms: DEFAULT_RETRY_MAX_MS,
            max_attempts: DEFAULT_MAX_ATTEMPTS,
            timeout_ms: DEFAULT_TIMEOUT_MS,
        }
    }
}

impl WebhookSettings {
    pub fn timeout(&self) -> Duration {
        Duration::from_millis(self.timeout_ms)
    }

    /// The wait before attempt `attempt + 1` after `attempt` failed ones (1-based), without
    /// jitter: base, 4 x base, 16 x base, ... capped at the maximum.
    pub fn retry_delay(&self, attempt: u32) -> Duration {
        let factor = 4u64.saturating_pow(attempt.saturating_sub(1));
        Duration::from_millis(
            self.retry_base_ms
                .saturating_mul(factor)
                .min(self.retry_max_ms),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_schedule_spans_several_hours_over_at_least_eight_attempts() {
        let settings = WebhookSettings::default();
        assert!(settings.max_attempts >= 8);
        let total: Duration = (1..settings.max_attempts)
            .map(|n| settings.retry_delay(n))
            .sum();
        assert!(total > Duration::from_secs(6 * 3600), "{total:?}");
        assert_eq!(settings.retry_delay(1), Duration::from_secs(5));
        assert_eq!(settings.retry_delay(2), Duration::from_secs(20));
        assert_eq!(settings.retry_delay(30), Duration::from_secs(36_000));
    }
}
