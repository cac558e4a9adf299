//! Settings of the moderated community: when a member's posts stop waiting for a moderator,
//! and how fast one account may post.

use clap::Args;

pub const DEFAULT_TRUSTED_AFTER: u32 = 3;
pub const DEFAULT_POST_FLOOD: &str = "10/2";

#[derive(Args, Clone, Debug)]
pub struct CommunitySettings {
    /// Approved posts after which a member's posts are published without waiting in the
    /// moderation queue (0: nobody waits). Moderators and admins never wait.
    #[arg(long, env = "KXC_MODERATION_TRUSTED_AFTER", default_value_t = DEFAULT_TRUSTED_AFTER,
          value_parser = clap::builder::RangedU64ValueParser::<u32>::new().range(0..=10_000), global = true)]
    pub moderation_trusted_after: u32,

    /// Posts (threads and replies) one account may write at once, then per minute:
    /// `BURST/PER_MINUTE`.
    #[arg(long, env = "KXC_POST_FLOOD", default_value = DEFAULT_POST_FLOOD, value_parser = parse_post_flood, global = true)]
    pub post_flood: PostFlood,
}

/// A per-account leaky bucket of posts: `burst` at once, refilled `per_minute`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PostFlood {
    pub burst: u32,
    pub per_minute: u32,
}

impl Default for CommunitySettings {
    fn default() -> Self {
        Self {
            moderation_trusted_after: DEFAULT_TRUSTED_AFTER,
            post_flood: parse_post_flood(DEFAULT_POST_FLOOD).expect("default post flood parses"),
        }
    }
}

impl std::str::FromStr for PostFlood {
    type Err = String;

    fn from_str(value: &str) -> Result<Self, String> {
        parse_post_flood(value)
    }
}

fn parse_post_flood(value: &str) -> Result<PostFlood, String> {
    let error = || {
        "KXC_POST_FLOOD must be BURST/PER_MINUTE with whole numbers from 1 to 10000, such as 10/2"
            .to_owned()
    };
    let (burst, per_minute) = value.trim().split_once('/').ok_or_else(error)?;
    let number = |text: &str| {
        text.trim()
            .parse::<u32>()
            .ok()
            .filter(|value| (1..=10_000).contains(value))
            .ok_or_else(error)
    };
    Ok(PostFlood {
        burst: number(burst)?,
        per_minute: number(per_minute)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flood_limits_parse_and_bad_ones_name_the_variable() {
        assert_eq!(
            parse_post_flood("5/1"),
            Ok(PostFlood {
                burst: 5,
                per_minute: 1
            })
        );
        for bad in ["", "5", "0/1", "5/0", "x/1", "5/100000"] {
            assert!(
                parse_post_flood(bad)
                    .unwrap_err()
                    .contains("KXC_POST_FLOOD")
            );
        }
    }
}
