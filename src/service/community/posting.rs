//! Writing in the community: `createThread` (with its first post), `createPost`, `editPost`
//! (the replaced body is kept in `post_revision`) and `acceptAnswer`.

use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait,
    IntoActiveModel, QueryFilter, QueryOrder, Set,
};
use serde_json::json;

use super::{
    APPROVED, Community, LOCKED, OPEN, PENDING, SUBJECT_KINDS, Subject, check_body,
    check_not_suspended, check_title, conflict, finish, invalid, is_moderator, is_trusted, now,
};
use crate::domain::{Language, RecordKind, Viewer};
use crate::entity::{post, post_revision, theme, thread};
use crate::service::permissions::{self, Action};
use crate::service::records::FieldError;
use crate::service::{ServiceError, cities, funding, practices};

/// A new thread and its first post.
#[derive(Clone, Debug)]
pub struct NewThread {
    pub title: String,
    /// `discussion` or `question`.
    pub kind: &'static str,
    pub subject: Option<Subject>,
    pub body: String,
    /// ISO 639-1 code; `en` when not given.
    pub language: Option<String>,
}

/// Creates a thread with its first post (members and above, not suspended). A new member's
/// thread and post wait for a moderator (`pending`); the thread becomes visible to others
/// when its first post is approved.
pub async fn create_thread(
    db: &DatabaseConnection,
    community: &Community,
    viewer: &Viewer,
    new: NewThread,
) -> Result<(thread::Model, post::Model), ServiceError> {
    permissions::check(viewer, Action::Participate)?;
    check_not_suspended(db, viewer).await?;
    let language = match new.language.as_deref() {
        None => Ok("en".to_owned()),
        Some(code) => Language::try_from(code.to_owned())
            .map(|language| language.as_str().to_owned())
            .map_err(|message| FieldError::new("language", message)),
    };
    let subject_error = match new.subject {
        Some(subject) => check_subject(db, viewer, subject).await?,
        None => None,
    };
    invalid(vec![
        check_title("title", &new.title),
        check_body("body", &new.body),
        language.as_ref().err().cloned(),
        subject_error,
    ])?;
    let language = language.unwrap_or_else(|_| "en".into());
    let account = viewer
        .account_id()
        .ok_or_else(|| ServiceError::Forbidden("the operator does not post".into()))?;
    let trusted = is_trusted(db, community, viewer).await?;
    community.charge_post(account)?;
    let txn = crate::service::change_log::begin_write(db).await?;
    let at = now();
    let thread = thread::ActiveModel {
        title: Set(new.title.trim().to_owned()),
        kind: Set(new.kind.to_owned()),
        subject_type: Set(new.subject.map(|subject| subject.kind.name().to_owned())),
        subject_id: Set(new.subject.map(|subject| subject.id)),
        author_id: Set(account),
        status: Set(OPEN.into()),
        last_post_at: Set(Some(at)),
        created_at: Set(at),
        updated_at: Set(at),
        language: Set(language),
        accepted_post_id: Set(None),
        approved_at: Set(trusted.then_some(at)),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    let post = insert_post(&txn, thread.id, account, &new.body, trusted).await?;
    let details = json!({ "post_id": post.id, "status": post.status, "kind": thread.kind });
    finish(
        &txn,
        viewer,
        RecordKind::Thread,
        thread.id,
        None,
        "thread.create",
        None,
        details,
    )
    .await?;
    crate::service::change_log::append(
        &txn,
        RecordKind::Post,
        post.id,
        crate::service::change_log::Operation::Upsert,
    )
    .await?;
    txn.commit().await?;
    Ok((thread, post))
}

/// `None` when `subject` exists and the viewer may see it, else the error at `subjectId`.
async fn check_subject(
    db: &DatabaseConnection,
    viewer: &Viewer,
    subject: Subject,
) -> Result<Option<FieldError>, ServiceError> {
    let found = match subject.kind {
        RecordKind::Practice => practices::by_id(db, viewer, subject.id).await?.is_some(),
        RecordKind::City => cities::by_id(db, subject.id).await?.is_some(),
        RecordKind::FundingOpportunity => funding::by_id(db, subject.id).await?.is_some(),
        RecordKind::Theme => theme::Entity::find_by_id(subject.id)
            .one(db)
            .await?
            .is_some(),
        _ => false,
    };
    Ok((!found).then(|| {
        let kinds: Vec<&str> = SUBJECT_KINDS.iter().map(|kind| kind.name()).collect();
        FieldError::new(
            "subject_id",
            format!(
                "no {} with this ID (threads attach to a {})",
                subject.kind,
                kinds.join(", ")
            ),
        )
    }))
}

async fn insert_post(
    txn: &impl ConnectionTrait,
    thread_id: i32,
    author: i32,
    body: &str,
    trusted: bool,
) -> Result<post::Model, sea_orm::DbErr> {
    let at = now();
    post::ActiveModel {
        thread_id: Set(thread_id),
        author_id: Set(author),
        body: Set(body.to_owned()),
        status: Set(if trusted { APPROVED } else { PENDING }.to_owned()),
        created_at: Set(at),
        updated_at: Set(at),
        edited_at: Set(None),
        ..Default::default()
    }
    .insert(txn)
    .await
}

/// The thread `viewer` may see, or `NOT_FOUND`.
pub(super) async fn visible_thread(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
    id: i32,
) -> Result<thread::Model, ServiceError> {
    thread::Entity::find_by_id(id)
        .filter(super::thread_visibility(viewer))
        .one(db)
        .await?
        .ok_or_else(|| ServiceError::not_found("thread"))
}

/// The post `viewer` may see, or `NOT_FOUND`.
pub(super) async fn visible_post(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
    id: i32,
) -> Result<post::Model, ServiceError> {
    post::Entity::find_by_id(id)
        .filter(super::post_visibility(viewer))
        .one(db)
        .await?
        .ok_or_else(|| ServiceError::not_found("post"))
}

/// Replies in a thread (members and above, not suspended). A locked thread takes no posts
/// (`CONFLICT`).
pub async fn create_post(
    db: &DatabaseConnection,
    community: &Community,
    viewer: &Viewer,
    thread_id: i32,
    body: String,
) -> Result<post::Model, ServiceError> {
    permissions::check(viewer, Action::Participate)?;
    check_not_suspended(db, viewer).await?;
    let thread = visible_thread(db, viewer, thread_id).await?;
    invalid(vec![check_body("body", &body)])?;
    if thread.status == LOCKED {
        return Err(conflict("the thread is locked; it takes no new posts"));
    }
    let account = viewer
        .account_id()
        .ok_or_else(|| ServiceError::Forbidden("the operator does not post".into()))?;
    let trusted = is_trusted(db, community, viewer).await?;
    community.charge_post(account)?;
    let txn = crate::service::change_log::begin_write(db).await?;
    let post = insert_post(&txn, thread.id, account, &body, trusted).await?;
    let mut model = thread.clone().into_active_model();
    model.last_post_at = Set(Some(post.created_at));
    model.updated_at = Set(post.created_at);
    model.update(&txn).await?;
    let details = json!({ "thread_id": thread.id, "status": post.status });
    finish(
        &txn,
        viewer,
        RecordKind::Post,
        post.id,
        Some(thread.id),
        "post.create",
        None,
        details,
    )
    .await?;
    txn.commit().await?;
    Ok(post)
}

/// Replaces a post's body (its author, moderators and admins); the old body is kept as a
/// revision. An author who is not yet trusted sends the post back to the queue. Hidden posts
/// are not edited by their author, nor posts in a locked thread (`CONFLICT`).
pub async fn edit_post(
    db: &DatabaseConnection,
    community: &Community,
    viewer: &Viewer,
    post_id: i32,
    body: String,
) -> Result<post::Model, ServiceError> {
    permissions::check(viewer, Action::Participate)?;
    let row = visible_post(db, viewer, post_id).await?;
    let moderator = is_moderator(viewer);
    let author = viewer.account_id() == Some(row.author_id);
    if !author && !moderator {
        return Err(ServiceError::Forbidden(
            "only the post's author, moderators and admins may edit it".into(),
        ));
    }
    check_not_suspended(db, viewer).await?;
    invalid(vec![check_body("body", &body)])?;
    let thread = thread::Entity::find_by_id(row.thread_id)
        .one(db)
        .await?
        .ok_or_else(|| ServiceError::not_found("thread"))?;
    if !moderator && thread.status == LOCKED {
        return Err(conflict("the thread is locked; its posts are not edited"));
    }
    if !moderator && row.status == super::HIDDEN {
        return Err(conflict("a hidden post is not edited"));
    }
    if row.body == body {
        return Ok(row);
    }
    let status = if author && !moderator && !is_trusted(db, community, viewer).await? {
        PENDING.to_owned()
    } else {
        row.status.clone()
    };
    let txn = crate::service::change_log::begin_write(db).await?;
    let at = now();
    post_revision::ActiveModel {
        post_id: Set(row.id),
        editor_id: Set(viewer.account_id().unwrap_or(row.author_id)),
        body: Set(row.body.clone()),
        created_at: Set(at),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    let mut model = row.clone().into_active_model();
    model.body = Set(body);
    model.status = Set(status.clone());
    model.edited_at = Set(Some(at));
    model.updated_at = Set(at);
    let updated = model.update(&txn).await?;
    let details = json!({ "status_before": row.status, "status": status });
    finish(
        &txn,
        viewer,
        RecordKind::Post,
        row.id,
        Some(row.thread_id),
        if author {
            "post.edit"
        } else {
            "post.moderator_edit"
        },
        None,
        details,
    )
    .await?;
    txn.commit().await?;
    Ok(updated)
}

/// Marks an approved reply as the answer of a question thread (the thread's author,
/// moderators, admins); another accepted answer is replaced.
pub async fn accept_answer(
    db: &DatabaseConnection,
    viewer: &Viewer,
    post_id: i32,
) -> Result<thread::Model, ServiceError> {
    permissions::check(viewer, Action::Participate)?;
    let post = visible_post(db, viewer, post_id).await?;
    let thread = visible_thread(db, viewer, post.thread_id).await?;
    if viewer.account_id() != Some(thread.author_id) && !is_moderator(viewer) {
        return Err(ServiceError::Forbidden(
            "only the thread's author, moderators and admins may accept an answer".into(),
        ));
    }
    if thread.kind != "question" {
        return Err(conflict("only a question thread has an accepted answer"));
    }
    if post.status != APPROVED {
        return Err(conflict(format!(
            "the post is {}; only an approved post is accepted",
            post.status
        )));
    }
    let first = post::Entity::find()
        .filter(post::Column::ThreadId.eq(thread.id))
        .order_by_asc(post::Column::Id)
        .one(db)
        .await?;
    if first.is_some_and(|first| first.id == post.id) {
        return Err(ServiceError::invalid(
            "post_id",
            "the question itself is not its answer",
        ));
    }
    if thread.accepted_post_id == Some(post.id) {
        return Ok(thread);
    }
    let txn = crate::service::change_log::begin_write(db).await?;
    let mut model = thread.clone().into_active_model();
    model.accepted_post_id = Set(Some(post.id));
    model.updated_at = Set(now());
    let updated = model.update(&txn).await?;
    let details = json!({ "post_id": post.id, "before": thread.accepted_post_id });
    finish(
        &txn,
        viewer,
        RecordKind::Thread,
        thread.id,
        None,
        "thread.accept_answer",
        None,
        details,
    )
    .await?;
    txn.commit().await?;
    Ok(updated)
}
