//! The moderated learning community: threads attached to a practice, theme, city, funding
//! opportunity or to nothing, their posts (Markdown, rendered to sanitized HTML on read),
//! edit history, accepted answers, flags and moderation.
//!
//! Who sees what ([`post_visibility`], [`thread_visibility`]): everybody sees approved posts
//! and threads whose first post was approved; authors also see their own pending and hidden
//! ones; moderators and admins see everything. Posts by members with fewer than
//! [`Community::trusted_after`] approved posts wait as `pending` for a moderator.
//!
//! Every write is one transaction: the change, `change_log` rows (the post and its thread:
//! the search index follows the thread) and the audit row. Moderators' audit rows are the
//! moderation log ([`MODERATION_ACTIONS`]; `m0013_audit` replaced the old `moderation_action`
//! table with `audit_event`).

pub mod moderation;
pub mod posting;
pub mod reads;

use std::num::NonZeroU32;

use chrono::{DateTime, FixedOffset, Utc};
use governor::clock::DefaultClock;
use governor::state::keyed::DefaultKeyedStateStore;
use governor::{Quota, RateLimiter};
use sea_orm::sea_query::{Condition, Expr, ExprTrait};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseTransaction, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder,
};
use serde_json::Value;

use super::change_log::{self, Operation};
use super::permissions::{self, Action};
use super::records::FieldError;
use super::{ServiceError, audit};
use crate::config::CommunitySettings;
use crate::domain::{RecordKind, Viewer};
use crate::entity::{account_suspension, post, thread};

/// Longest thread title, in characters.
pub const TITLE_MAX: usize = 300;
/// Longest post body (Markdown), in characters.
pub const BODY_MAX: usize = 20_000;
/// Longest reason a moderator or a flagging member gives, in characters.
pub const REASON_MAX: usize = 1_000;

/// Post statuses as stored.
pub const PENDING: &str = "pending";
pub const APPROVED: &str = "approved";
pub const HIDDEN: &str = "hidden";
/// Thread statuses as stored.
pub const OPEN: &str = "open";
pub const LOCKED: &str = "locked";

type FloodLimiter = RateLimiter<i32, DefaultKeyedStateStore<i32>, DefaultClock>;

/// The community's policy, shared by every request: the new-member threshold and the
/// per-account post flood limit (a `governor` GCRA bucket per account, as the cost budgets).
pub struct Community {
    pub trusted_after: u32,
    flood: FloodLimiter,
    flood_setting: crate::config::community::PostFlood,
}

impl Community {
    pub fn from_settings(settings: &CommunitySettings) -> Self {
        let flood = settings.post_flood;
        let nonzero = |value: u32| NonZeroU32::new(value).unwrap_or(NonZeroU32::MIN);
        let quota = Quota::per_minute(nonzero(flood.per_minute)).allow_burst(nonzero(flood.burst));
        Self {
            trusted_after: settings.moderation_trusted_after,
            flood: RateLimiter::keyed(quota),
            flood_setting: flood,
        }
    }

    /// Takes one post from the account's bucket, or `RateLimited`.
    fn charge_post(&self, account: i32) -> Result<(), ServiceError> {
        self.flood.check_key(&account).map_err(|_| {
            ServiceError::RateLimited(format!(
                "too many posts: at most {} at once and {} per minute; try again shortly",
                self.flood_setting.burst, self.flood_setting.per_minute
            ))
        })
    }

    /// Forgets buckets that are full again.
    pub fn forget_full(&self) {
        self.flood.retain_recent();
    }
}

/// What a thread is about; `None` for a general thread.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Subject {
    pub kind: RecordKind,
    pub id: i32,
}

/// The kinds a thread may be attached to.
pub const SUBJECT_KINDS: [RecordKind; 4] = [
    RecordKind::Practice,
    RecordKind::Theme,
    RecordKind::City,
    RecordKind::FundingOpportunity,
];

pub fn is_moderator(viewer: &Viewer) -> bool {
    permissions::may(viewer, Action::Moderate)
}

/// The posts `viewer` may see, as a condition on `post`.
pub fn post_visibility(viewer: &Viewer) -> Condition {
    let column = |column: post::Column| Expr::col((post::Entity, column));
    if is_moderator(viewer) {
        return Condition::all();
    }
    let mut visible = Condition::any().add(column(post::Column::Status).eq(APPROVED));
    if let Some(account) = viewer.account_id() {
        visible = visible.add(column(post::Column::AuthorId).eq(account));
    }
    visible
}

/// The threads `viewer` may see, as a condition on `thread`: those whose first post was
/// approved, the viewer's own, every one for moderators.
pub fn thread_visibility(viewer: &Viewer) -> Condition {
    let column = |column: thread::Column| Expr::col((thread::Entity, column));
    if is_moderator(viewer) {
        return Condition::all();
    }
    let mut visible = Condition::any().add(column(thread::Column::ApprovedAt).is_not_null());
    if let Some(account) = viewer.account_id() {
        visible = visible.add(column(thread::Column::AuthorId).eq(account));
    }
    visible
}

/// A reason a moderator or flagging member must give: 1..[`REASON_MAX`] characters.
pub fn check_reason(field: &str, reason: &str) -> Option<FieldError> {
    check_text(field, reason, REASON_MAX)
}

fn check_text(field: &str, value: &str, max: usize) -> Option<FieldError> {
    if value.trim().is_empty() {
        return Some(FieldError::new(field, "must not be empty"));
    }
    if value.chars().nth(max).is_some() {
        return Some(FieldError::new(
            field,
            format!(
                "must be at most {max} characters (this one has {})",
                value.chars().count()
            ),
        ));
    }
    None
}

/// A thread title: plain text of 1..[`TITLE_MAX`] characters, without markup (a `<`
/// followed by a letter, `/`, `!` or `?`) or control characters, so no client that shows it
/// as HTML by mistake runs anything.
pub fn check_title(field: &str, title: &str) -> Option<FieldError> {
    if let Some(error) = check_text(field, title, TITLE_MAX) {
        return Some(error);
    }
    let mut chars = title.chars().peekable();
    while let Some(char) = chars.next() {
        if char.is_control() {
            return Some(FieldError::new(field, "must not hold control characters"));
        }
        if char == '<'
            && chars
                .peek()
                .is_some_and(|next| next.is_alphabetic() || matches!(next, '/' | '!' | '?'))
        {
            return Some(FieldError::new(
                field,
                "is plain text: HTML tags are not allowed",
            ));
        }
    }
    None
}

/// A post body: Markdown of 1..[`BODY_MAX`] characters.
pub fn check_body(field: &str, body: &str) -> Option<FieldError> {
    check_text(field, body, BODY_MAX)
}

/// `FORBIDDEN` when the viewer's account is suspended now.
async fn check_not_suspended(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
) -> Result<(), ServiceError> {
    let Some(account) = viewer.account_id() else {
        return Ok(());
    };
    if let Some(suspension) = active_suspension(db, account).await? {
        let until = suspension
            .until
            .map(|until| format!(" until {}", until.to_rfc3339()))
            .unwrap_or_default();
        return Err(ServiceError::Forbidden(format!(
            "your account is suspended{until} and cannot post: {}",
            suspension.reason
        )));
    }
    Ok(())
}

/// The suspension of `account` in force now, if any (the latest one decides).
pub async fn active_suspension(
    db: &impl ConnectionTrait,
    account: i32,
) -> Result<Option<account_suspension::Model>, sea_orm::DbErr> {
    let latest = account_suspension::Entity::find()
        .filter(account_suspension::Column::AccountId.eq(account))
        .order_by_desc(account_suspension::Column::Id)
        .one(db)
        .await?;
    let now = Utc::now().fixed_offset();
    Ok(latest.filter(|row| row.until.is_none_or(|until| until > now)))
}

/// True when the viewer's posts are published at once: moderators, admins, and members with
/// at least `trusted_after` approved posts.
async fn is_trusted(
    db: &impl ConnectionTrait,
    community: &Community,
    viewer: &Viewer,
) -> Result<bool, sea_orm::DbErr> {
    if is_moderator(viewer) || community.trusted_after == 0 {
        return Ok(true);
    }
    let Some(account) = viewer.account_id() else {
        return Ok(false);
    };
    let approved = post::Entity::find()
        .filter(post::Column::AuthorId.eq(account))
        .filter(post::Column::Status.eq(APPROVED))
        .count(db)
        .await?;
    Ok(approved >= u64::from(community.trusted_after))
}

/// The audit actions moderators take, listed by `moderationLog`.
pub const MODERATION_ACTIONS: [&str; 7] = [
    "post.approve",
    "post.hide",
    "post.restore",
    "post.moderator_edit",
    "thread.lock",
    "thread.unlock",
    "account.suspend",
];

/// The change-log rows of a change (the record and, for a post, its thread, whose search
/// document holds its posts) and the audit row, which for moderators' actions is also the
/// moderation log entry. Call last in the transaction.
#[allow(clippy::too_many_arguments)]
async fn finish(
    txn: &DatabaseTransaction,
    viewer: &Viewer,
    target: RecordKind,
    target_id: i32,
    thread_id: Option<i32>,
    action: &'static str,
    reason: Option<String>,
    details: Value,
) -> Result<(), ServiceError> {
    let mut seq = change_log::append(txn, target, target_id, Operation::Upsert).await?;
    if let Some(thread_id) = thread_id.filter(|_| target != RecordKind::Thread) {
        seq = change_log::append(txn, RecordKind::Thread, thread_id, Operation::Upsert).await?;
    }
    audit::record(
        txn,
        viewer,
        audit::Entry {
            action,
            target,
            target_id,
            reason,
            details,
            change_seq: Some(seq),
        },
    )
    .await?;
    Ok(())
}

fn now() -> DateTime<FixedOffset> {
    Utc::now().fixed_offset()
}

fn invalid(errors: Vec<Option<FieldError>>) -> Result<(), ServiceError> {
    let errors: Vec<FieldError> = errors.into_iter().flatten().collect();
    if errors.is_empty() {
        Ok(())
    } else {
        Err(ServiceError::Invalid(errors))
    }
}

fn conflict(message: impl Into<String>) -> ServiceError {
    ServiceError::Conflict {
        message: message.into(),
        current_version: 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn titles_are_plain_text_and_bodies_bounded() {
        assert!(check_title("title", "Heat pumps < 5 kW: worth it?").is_none());
        for bad in [
            "<script>alert(1)</script>",
            "a <img src=x onerror=alert(1)>",
            "</title>",
            "<!-- x -->",
            "tab\tinside",
            " ",
        ] {
            assert!(check_title("title", bad).is_some(), "{bad}");
        }
        assert!(check_title("title", &"x".repeat(TITLE_MAX)).is_none());
        assert!(check_title("title", &"x".repeat(TITLE_MAX + 1)).is_some());
        assert!(check_body("body", &"x".repeat(BODY_MAX + 1)).is_some());
        assert!(check_reason("reason", "").is_some());
    }
}
