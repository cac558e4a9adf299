//! Settings of live updates: the `/graphql/ws` endpoint's bounds and how often the change bus
//! looks at `change_log`. Each bad value fails at start-up with a message naming its variable.

use std::time::Duration;

use clap::Args;

pub const DEFAULT_WS_INIT_TIMEOUT_MS: u64 = 10_000;
pub const DEFAULT_WS_MAX_SUBSCRIPTIONS: usize = 20;
pub const DEFAULT_WS_MAX_MESSAGE_BYTES: usize = 64 * 1024;
pub const DEFAULT_WS_MAX_CONNECTIONS: usize = 256;
pub const DEFAULT_CHANGE_BUS_POLL_MS: u64 = 100;

#[derive(Args, Clone, Debug)]
pub struct LiveSettings {
    /// Longest wait, in milliseconds, for a websocket client's `connection_init`; then the
    /// socket is closed with 4408.
    #[arg(long, env = "KXC_WS_INIT_TIMEOUT_MS", default_value_t = DEFAULT_WS_INIT_TIMEOUT_MS, value_parser = parse_ws_init_timeout_ms, global = true)]
    pub ws_init_timeout_ms: u64,

    /// Most operations one websocket connection may have running at once.
    #[arg(long, env = "KXC_WS_MAX_SUBSCRIPTIONS", default_value_t = DEFAULT_WS_MAX_SUBSCRIPTIONS, value_parser = parse_ws_max_subscriptions, global = true)]
    pub ws_max_subscriptions: usize,

    /// Largest websocket message a client may send, in bytes; a larger one closes the socket
    /// with 1009.
    #[arg(long, env = "KXC_WS_MAX_MESSAGE_BYTES", default_value_t = DEFAULT_WS_MAX_MESSAGE_BYTES, value_parser = parse_ws_max_message_bytes, global = true)]
    pub ws_max_message_bytes: usize,

    /// Most websocket connections open at once; a further upgrade is answered 503.
    #[arg(long, env = "KXC_WS_MAX_CONNECTIONS", default_value_t = DEFAULT_WS_MAX_CONNECTIONS, value_parser = parse_ws_max_connections, global = true)]
    pub ws_max_connections: usize,

    /// Longest wait, in milliseconds, before the change bus (subscriptions' `change_log`
    /// consumer) looks for new rows although no new commit was signalled; the application's
    /// change poller signals commits within 100 ms.
    #[arg(long, env = "KXC_CHANGE_BUS_POLL_MS", default_value_t = DEFAULT_CHANGE_BUS_POLL_MS, value_parser = parse_change_bus_poll_ms, global = true)]
    pub change_bus_poll_ms: u64,
}

impl Default for LiveSettings {
    fn default() -> Self {
        Self {
            ws_init_timeout_ms: DEFAULT_WS_INIT_TIMEOUT_MS,
            ws_max_subscriptions: DEFAULT_WS_MAX_SUBSCRIPTIONS,
            ws_max_message_bytes: DEFAULT_WS_MAX_MESSAGE_BYTES,
            ws_max_connections: DEFAULT_WS_MAX_CONNECTIONS,
            change_bus_poll_ms: DEFAULT_CHANGE_BUS_POLL_MS,
        }
    }
}

impl LiveSettings {
    pub fn init_timeout(&self) -> Duration {
        Duration::from_millis(self.ws_init_timeout_ms)
    }

    pub fn change_bus_poll(&self) -> Duration {
        Duration::from_millis(self.change_bus_poll_ms)
    }
}

fn bounded(
    variable: &str,
    value: &str,
    range: std::ops::RangeInclusive<u64>,
) -> Result<u64, String> {
    value
        .trim()
        .parse::<u64>()
        .ok()
        .filter(|number| range.contains(number))
        .ok_or_else(|| {
            format!(
                "{variable} must be a whole number from {} to {}",
                range.start(),
                range.end()
            )
        })
}

fn parse_ws_init_timeout_ms(value: &str) -> Result<u64, String> {
    bounded("KXC_WS_INIT_TIMEOUT_MS", value, 10..=600_000)
}

fn parse_ws_max_subscriptions(value: &str) -> Result<usize, String> {
    bounded("KXC_WS_MAX_SUBSCRIPTIONS", value, 1..=10_000).map(|number| number as usize)
}

fn parse_ws_max_message_bytes(value: &str) -> Result<usize, String> {
    bounded("KXC_WS_MAX_MESSAGE_BYTES", value, 1024..=(1 << 24)).map(|number| number as usize)
}

fn parse_ws_max_connections(value: &str) -> Result<usize, String> {
    bounded("KXC_WS_MAX_CONNECTIONS", value, 1..=1_000_000).map(|number| number as usize)
}

fn parse_change_bus_poll_ms(value: &str) -> Result<u64, String> {
    bounded("KXC_CHANGE_BUS_POLL_MS", value, 5..=60_000)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(clap::Parser)]
    struct Flags {
        #[command(flatten)]
        live: LiveSettings,
    }

    #[test]
    fn the_defaults_in_code_are_the_flag_defaults_and_bad_values_name_the_variable() {
        use clap::Parser;
        let parsed = Flags::try_parse_from(["kxc"]).unwrap().live;
        assert_eq!(
            format!("{parsed:?}"),
            format!("{:?}", LiveSettings::default())
        );
        assert!(
            parse_ws_init_timeout_ms("0")
                .unwrap_err()
                .contains("KXC_WS_INIT_TIMEOUT_MS")
        );
        assert!(
            parse_ws_max_subscriptions("none")
                .unwrap_err()
                .contains("KXC_WS_MAX_SUBSCRIPTIONS")
        );
        assert!(
            parse_ws_max_message_bytes("10")
                .unwrap_err()
                .contains("KXC_WS_MAX_MESSAGE_BYTES")
        );
        assert!(
            parse_ws_max_connections("0")
                .unwrap_err()
                .contains("KXC_WS_MAX_CONNECTIONS")
        );
        assert!(
            parse_change_bus_poll_ms("1")
                .unwrap_err()
                .contains("KXC_CHANGE_BUS_POLL_MS")
        );
        assert_eq!(parse_ws_max_subscriptions(" 3 ").unwrap(), 3);
    }
}
