//! Settings of identity and abuse control: JWT verification, cost budgets per role, trusted
//! proxies. Each bad value fails at start-up with a message that names its `KXC_*` variable.

use std::path::PathBuf;

use clap::Args;
use ipnet::IpNet;

use crate::domain::Role;

pub const DEFAULT_JWT_LEEWAY_SECONDS: u64 = 30;

#[derive(Args, Clone, Debug)]
pub struct AuthSettings {
    /// Shared secret for HS256 bearer tokens (at least 32 bytes).
    #[arg(long, env = "KXC_JWT_HS256_SECRET", value_parser = parse_hs256_secret, global = true, hide_env_values = true)]
    pub jwt_hs256_secret: Option<String>,

    /// PEM file with an RSA or EC P-256 public key, or a JWKS file (JSON), for RS256 and
    /// ES256 bearer tokens.
    #[arg(long, env = "KXC_JWT_PUBLIC_KEYS", global = true)]
    pub jwt_public_keys: Option<PathBuf>,

    /// The `iss` every token must carry. Required when a JWT key is configured.
    #[arg(long, env = "KXC_JWT_ISSUER", global = true)]
    pub jwt_issuer: Option<String>,

    /// The `aud` every token must carry. Required when a JWT key is configured.
    #[arg(long, env = "KXC_JWT_AUDIENCE", global = true)]
    pub jwt_audience: Option<String>,

    /// Clock skew allowed when checking `exp` and `nbf`, in seconds.
    #[arg(long, env = "KXC_JWT_LEEWAY_SECONDS", default_value_t = DEFAULT_JWT_LEEWAY_SECONDS, value_parser = parse_leeway, global = true)]
    pub jwt_leeway_seconds: u64,

    /// The claim that holds the role (`member`, `evaluator`, `moderator`, `partner`,
    /// `admin`); a token without it is a member.
    #[arg(
        long,
        env = "KXC_JWT_ROLE_CLAIM",
        default_value = "role",
        global = true
    )]
    pub jwt_role_claim: String,

    /// The claim that holds a partner's funding source.
    #[arg(
        long,
        env = "KXC_JWT_SOURCE_CLAIM",
        default_value = "source",
        global = true
    )]
    pub jwt_source_claim: String,

    /// Proxies (addresses or CIDR ranges, comma separated) whose `X-Forwarded-For` names the
    /// client; from anyone else the header is ignored.
    #[arg(long, env = "KXC_TRUSTED_PROXIES", default_value = "", value_parser = parse_trusted_proxies, global = true)]
    pub trusted_proxies: TrustedProxies,

    /// Cost budget of anonymous clients, per client address: `CAPACITY/REFILL_PER_SECOND`.
    #[arg(long, env = "KXC_BUDGET_ANONYMOUS", default_value = "50000/500", value_parser = parse_budget_anonymous, global = true)]
    pub budget_anonymous: Budget,

    /// Cost budget of each member account or key.
    #[arg(long, env = "KXC_BUDGET_MEMBER", default_value = "100000/1000", value_parser = parse_budget_member, global = true)]
    pub budget_member: Budget,

    /// Cost budget of each evaluator account or key.
    #[arg(long, env = "KXC_BUDGET_EVALUATOR", default_value = "100000/1000", value_parser = parse_budget_evaluator, global = true)]
    pub budget_evaluator: Budget,

    /// Cost budget of each moderator account or key.
    #[arg(long, env = "KXC_BUDGET_MODERATOR", default_value = "200000/2000", value_parser = parse_budget_moderator, global = true)]
    pub budget_moderator: Budget,

    /// Cost budget of each partner key or account.
    #[arg(long, env = "KXC_BUDGET_PARTNER", default_value = "500000/5000", value_parser = parse_budget_partner, global = true)]
    pub budget_partner: Budget,

    /// Cost budget of each admin key or account.
    #[arg(long, env = "KXC_BUDGET_ADMIN", default_value = "1000000/10000", value_parser = parse_budget_admin, global = true)]
    pub budget_admin: Budget,
}

/// A leaky bucket: it holds `capacity` units of query cost and refills `per_second`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Budget {
    pub capacity: u32,
    pub per_second: u32,
}

/// Where `X-Forwarded-For` is believed.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TrustedProxies(pub Vec<IpNet>);

impl TrustedProxies {
    pub fn contains(&self, address: &std::net::IpAddr) -> bool {
        self.0.iter().any(|net| net.contains(address))
    }
}

impl Default for AuthSettings {
    fn default() -> Self {
        let budget = |text: &str| parse_budget("", text).expect("default budget parses");
        Self {
            jwt_hs256_secret: None,
            jwt_public_keys: None,
            jwt_issuer: None,
            jwt_audience: None,
            jwt_leeway_seconds: DEFAULT_JWT_LEEWAY_SECONDS,
            jwt_role_claim: "role".into(),
            jwt_source_claim: "source".into(),
            trusted_proxies: TrustedProxies::default(),
            budget_anonymous: budget("50000/500"),
            budget_member: budget("100000/1000"),
            budget_evaluator: budget("100000/1000"),
            budget_moderator: budget("200000/2000"),
            budget_partner: budget("500000/5000"),
            budget_admin: budget("1000000/10000"),
        }
    }
}

impl AuthSettings {
    /// The budget of each credential of `role`.
    pub fn budget(&self, role: Role) -> Budget {
        match role {
            Role::Anonymous => self.budget_anonymous,
            Role::Member => self.budget_member,
            Role::Evaluator => self.budget_evaluator,
            Role::Moderator => self.budget_moderator,
            Role::Partner => self.budget_partner,
            Role::Admin => self.budget_admin,
        }
    }

    /// True when any JWT key is configured.
    pub fn accepts_tokens(&self) -> bool {
        self.jwt_hs256_secret.is_some() || self.jwt_public_keys.is_some()
    }
}

fn parse_hs256_secret(value: &str) -> Result<String, String> {
    if value.len() < 32 {
        return Err("KXC_JWT_HS256_SECRET must be at least 32 bytes long".into());
    }
    Ok(value.to_owned())
}

fn parse_leeway(value: &str) -> Result<u64, String> {
    value
        .trim()
        .parse::<u64>()
        .ok()
        .filter(|seconds| *seconds <= 300)
        .ok_or_else(|| "KXC_JWT_LEEWAY_SECONDS must be a whole number from 0 to 300".into())
}

fn parse_trusted_proxies(value: &str) -> Result<TrustedProxies, String> {
    value
        .split(',')
        .map(str::trim)
        .filter(|entry| !entry.is_empty())
        .map(|entry| {
            entry
                .parse::<IpNet>()
                .or_else(|_| entry.parse::<std::net::IpAddr>().map(IpNet::from))
                .map_err(|_| {
                    format!(
                        "KXC_TRUSTED_PROXIES: `{entry}` is not an address or CIDR range such as 10.0.0.0/8"
                    )
                })
        })
        .collect::<Result<Vec<_>, _>>()
        .map(TrustedProxies)
}

fn parse_budget(variable: &str, value: &str) -> Result<Budget, String> {
    let error = || {
        format!(
            "{variable} must be CAPACITY/REFILL_PER_SECOND with whole numbers from 1 to 1000000000, such as 50000/500"
        )
    };
    let (capacity, per_second) = value.trim().split_once('/').ok_or_else(error)?;
    let number = |text: &str| {
        text.trim()
            .parse::<u32>()
            .ok()
            .filter(|number| (1..=1_000_000_000).contains(number))
            .ok_or_else(error)
    };
    Ok(Budget {
        capacity: number(capacity)?,
        per_second: number(per_second)?,
    })
}

macro_rules! budget_parser {
    ($name:ident, $variable:literal) => {
        fn $name(value: &str) -> Result<Budget, String> {
            parse_budget($variable, value)
        }
    };
}

budget_parser!(parse_budget_anonymous, "KXC_BUDGET_ANONYMOUS");
budget_parser!(parse_budget_member, "KXC_BUDGET_MEMBER");
budget_parser!(parse_budget_evaluator, "KXC_BUDGET_EVALUATOR");
budget_parser!(parse_budget_moderator, "KXC_BUDGET_MODERATOR");
budget_parser!(parse_budget_partner, "KXC_BUDGET_PARTNER");
budget_parser!(parse_budget_admin, "KXC_BUDGET_ADMIN");

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(clap::Parser)]
    struct Flags {
        #[command(flatten)]
        auth: AuthSettings,
    }

    #[test]
    fn the_defaults_in_code_are_the_flag_defaults() {
        use clap::Parser;
        let parsed = Flags::try_parse_from(["kxc"]).unwrap().auth;
        assert_eq!(
            format!("{parsed:?}"),
            format!("{:?}", AuthSettings::default())
        );
    }

    #[test]
    fn budgets_are_capacity_over_refill_and_errors_name_the_variable() {
        assert_eq!(
            parse_budget_partner("100/5").unwrap(),
            Budget {
                capacity: 100,
                per_second: 5
            }
        );
        for bad in ["100", "0/1", "1/0", "x/1", "-1/1"] {
            assert!(
                parse_budget_member(bad)
                    .unwrap_err()
                    .contains("KXC_BUDGET_MEMBER"),
                "{bad}"
            );
        }
    }

    #[test]
    fn trusted_proxies_are_addresses_or_ranges() {
        let proxies = parse_trusted_proxies("10.0.0.0/8, 127.0.0.1,::1").unwrap();
        assert!(proxies.contains(&"10.1.2.3".parse().unwrap()));
        assert!(proxies.contains(&"127.0.0.1".parse().unwrap()));
        assert!(!proxies.contains(&"192.0.2.1".parse().unwrap()));
        assert!(
            parse_trusted_proxies("proxy.example")
                .unwrap_err()
                .contains("KXC_TRUSTED_PROXIES")
        );
    }

    #[test]
    fn a_short_secret_and_a_long_leeway_are_refused() {
        assert!(
            parse_hs256_secret("short")
                .unwrap_err()
                .contains("KXC_JWT_HS256_SECRET")
        );
        assert!(
            parse_leeway("301")
                .unwrap_err()
                .contains("KXC_JWT_LEEWAY_SECONDS")
        );
    }
}
