//! Moderation: members flag posts; moderators and admins approve, hide and restore posts,
//! lock and unlock threads and suspend accounts, always with a reason. Asking for the state a
//! record is already in changes nothing.

use chrono::{DateTime, FixedOffset};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseConnection, EntityTrait, IntoActiveModel, QueryFilter,
    QueryOrder, Set, sea_query::Expr,
};
use serde_json::json;

use super::posting::{visible_post, visible_thread};
use super::{
    APPROVED, HIDDEN, LOCKED, OPEN, PENDING, check_reason, conflict, finish, invalid, now,
};
use crate::domain::{RecordKind, Role, Viewer};
use crate::entity::{account, account_suspension, flag, post, thread};
use crate::service::ServiceError;
use crate::service::permissions::{self, Action};
use crate::service::records::FieldError;

/// Flag statuses as stored.
pub const FLAG_OPEN: &str = "open";
pub const FLAG_RESOLVED: &str = "resolved";

/// Reports a post to the moderators (members and above). The same member flagging the same
/// post again while the flag is open changes nothing.
pub async fn flag_post(
    db: &DatabaseConnection,
    viewer: &Viewer,
    post_id: i32,
    reason: String,
) -> Result<flag::Model, ServiceError> {
    permissions::check(viewer, Action::Participate)?;
    let post = visible_post(db, viewer, post_id).await?;
    invalid(vec![check_reason("reason", &reason)])?;
    let account = viewer
        .account_id()
        .ok_or_else(|| ServiceError::Forbidden("the operator does not flag posts".into()))?;
    let earlier = flag::Entity::find()
        .filter(flag::Column::PostId.eq(post.id))
        .filter(flag::Column::ReporterId.eq(account))
        .filter(flag::Column::Status.eq(FLAG_OPEN))
        .one(db)
        .await?;
    if let Some(earlier) = earlier {
        return Ok(earlier);
    }
    let txn = crate::service::change_log::begin_write(db).await?;
    let row = flag::ActiveModel {
        post_id: Set(post.id),
        reporter_id: Set(account),
        reason: Set(reason.trim().to_owned()),
        status: Set(FLAG_OPEN.into()),
        created_at: Set(now()),
        resolved_at: Set(None),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    let details = json!({ "flag_id": row.id });
    finish(
        &txn,
        viewer,
        RecordKind::Post,
        post.id,
        Some(post.thread_id),
        "post.flag",
        Some(row.reason.clone()),
        details,
    )
    .await?;
    txn.commit().await?;
    Ok(row)
}

/// What a moderator does to a post.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PostDecision {
    /// A pending post becomes visible (an approved one with open flags: the flags are
    /// dismissed).
    Approve,
    /// A post disappears for everybody but its author and the moderators.
    Hide,
    /// A hidden post is visible again.
    Restore,
}

impl PostDecision {
    fn action(self) -> &'static str {
        match self {
            Self::Approve => "post.approve",
            Self::Hide => "post.hide",
            Self::Restore => "post.restore",
        }
    }

    fn target(self) -> &'static str {
        match self {
            Self::Approve | Self::Restore => APPROVED,
            Self::Hide => HIDDEN,
        }
    }
}

/// Approves, hides or restores a post (moderators, admins) with a reason; every open flag
/// on it is resolved. The thread becomes visible when its first post is approved.
pub async fn decide_post(
    db: &DatabaseConnection,
    viewer: &Viewer,
    post_id: i32,
    decision: PostDecision,
    reason: String,
) -> Result<post::Model, ServiceError> {
    permissions::check(viewer, Action::Moderate)?;
    let row = visible_post(db, viewer, post_id).await?;
    invalid(vec![check_reason("reason", &reason)])?;
    let allowed_from: &[&str] = match decision {
        PostDecision::Approve => &[PENDING, APPROVED],
        PostDecision::Hide => &[PENDING, APPROVED, HIDDEN],
        PostDecision::Restore => &[HIDDEN, APPROVED],
    };
    if !allowed_from.contains(&row.status.as_str()) {
        return Err(conflict(format!(
            "the post is {}; only a post that is {} can be {}",
            row.status,
            allowed_from.join(" or "),
            match decision {
                PostDecision::Approve => "approved",
                PostDecision::Hide => "hidden",
                PostDecision::Restore => "restored",
            }
        )));
    }
    let open_flags = flag::Entity::find()
        .filter(flag::Column::PostId.eq(row.id))
        .filter(flag::Column::Status.eq(FLAG_OPEN))
        .all(db)
        .await?;
    if row.status == decision.target() && open_flags.is_empty() {
        return Ok(row);
    }
    let txn = crate::service::change_log::begin_write(db).await?;
    let at = now();
    if !open_flags.is_empty() {
        flag::Entity::update_many()
            .col_expr(flag::Column::Status, Expr::value(FLAG_RESOLVED))
            .col_expr(flag::Column::ResolvedAt, Expr::value(at))
            .filter(flag::Column::PostId.eq(row.id))
            .filter(flag::Column::Status.eq(FLAG_OPEN))
            .exec(&txn)
            .await?;
    }
    let mut model = row.clone().into_active_model();
    model.status = Set(decision.target().to_owned());
    model.updated_at = Set(at);
    let updated = model.update(&txn).await?;
    if decision.target() == APPROVED {
        let thread = thread::Entity::find_by_id(row.thread_id).one(&txn).await?;
        let first = post::Entity::find()
            .filter(post::Column::ThreadId.eq(row.thread_id))
            .order_by_asc(post::Column::Id)
            .one(&txn)
            .await?;
        if let (Some(thread), Some(first)) = (thread, first)
            && thread.approved_at.is_none()
            && first.id == row.id
        {
            let mut model = thread.into_active_model();
            model.approved_at = Set(Some(at));
            model.update(&txn).await?;
        }
    }
    let flag_ids: Vec<i32> = open_flags.iter().map(|flag| flag.id).collect();
    let details = json!({
        "status_before": row.status, "status": decision.target(), "resolved_flags": flag_ids
    });
    finish(
        &txn,
        viewer,
        RecordKind::Post,
        row.id,
        Some(row.thread_id),
        decision.action(),
        Some(reason.trim().to_owned()),
        details,
    )
    .await?;
    txn.commit().await?;
    Ok(updated)
}

/// Locks a thread (no new posts, no edits by authors) or unlocks it (moderators, admins).
pub async fn set_lock(
    db: &DatabaseConnection,
    viewer: &Viewer,
    thread_id: i32,
    locked: bool,
    reason: String,
) -> Result<thread::Model, ServiceError> {
    permissions::check(viewer, Action::Moderate)?;
    let row = visible_thread(db, viewer, thread_id).await?;
    invalid(vec![check_reason("reason", &reason)])?;
    let target = if locked { LOCKED } else { OPEN };
    if row.status == target {
        return Ok(row);
    }
    let txn = crate::service::change_log::begin_write(db).await?;
    let mut model = row.clone().into_active_model();
    model.status = Set(target.to_owned());
    model.updated_at = Set(now());
    let updated = model.update(&txn).await?;
    finish(
        &txn,
        viewer,
        RecordKind::Thread,
        row.id,
        None,
        if locked {
            "thread.lock"
        } else {
            "thread.unlock"
        },
        Some(reason.trim().to_owned()),
        json!({ "status_before": row.status, "status": target }),
    )
    .await?;
    txn.commit().await?;
    Ok(updated)
}

/// Bans an account from posting (moderators, admins) until `until` (or until further
/// notice), with a reason. Moderators and admins are not suspended this way, nor oneself.
pub async fn suspend_account(
    db: &DatabaseConnection,
    viewer: &Viewer,
    account_id: i32,
    reason: String,
    until: Option<DateTime<FixedOffset>>,
) -> Result<(account::Model, account_suspension::Model), ServiceError> {
    permissions::check(viewer, Action::Moderate)?;
    let target = account::Entity::find_by_id(account_id)
        .one(db)
        .await?
        .ok_or_else(|| ServiceError::not_found("account"))?;
    let mut errors = vec![check_reason("reason", &reason)];
    if until.is_some_and(|until| until <= now()) {
        errors.push(Some(FieldError::new("until", "must be in the future")));
    }
    if viewer.account_id() == Some(target.id) {
        errors.push(Some(FieldError::new(
            "account_id",
            "nobody suspends their own account",
        )));
    }
    invalid(errors)?;
    if matches!(
        Role::parse(&target.role),
        Some(Role::Moderator | Role::Admin)
    ) {
        return Err(ServiceError::Forbidden(
            "moderators and admins are not suspended here; an admin changes their role".into(),
        ));
    }
    let txn = crate::service::change_log::begin_write(db).await?;
    let suspension = account_suspension::ActiveModel {
        account_id: Set(target.id),
        moderator_id: Set(viewer.account_id().unwrap_or_default()),
        reason: Set(reason.trim().to_owned()),
        until: Set(until),
        created_at: Set(now()),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    finish(
        &txn,
        viewer,
        RecordKind::Account,
        target.id,
        None,
        "account.suspend",
        Some(suspension.reason.clone()),
        json!({ "until": until.map(|until| until.to_rfc3339()) }),
    )
    .await?;
    txn.commit().await?;
    Ok((target, suspension))
}
