//! Reading the community: thread lists, a thread's posts, a post's edit history, the
//! moderation queue and log. Every read applies [`super::thread_visibility`] and
//! [`super::post_visibility`].

use std::collections::HashMap;

use sea_orm::sea_query::Expr;
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, Order, QueryFilter, QueryOrder, QuerySelect,
};

use super::moderation::FLAG_OPEN;
use super::{PENDING, Subject, is_moderator, post_visibility, thread_visibility};
use crate::domain::{RecordKind, Viewer};
use crate::entity::{account, audit_event, flag, post, post_revision, thread};
use crate::service::ServiceError;
use crate::service::chunked::{self, PerKey};
use crate::service::paging::{Cursor, Page, PageRequest, keyset_condition, page_by_id};
use crate::service::permissions::{self, Action};

/// Which threads to list; every given part must match.
#[derive(Clone, Debug, Default)]
pub struct ThreadFilter {
    /// Threads about this record.
    pub subject: Option<Subject>,
    /// Only general threads (attached to nothing).
    pub general: bool,
    /// `discussion` or `question`.
    pub kind: Option<&'static str>,
    /// Only question threads with (true) or without (false) an accepted answer.
    pub answered: Option<bool>,
}

/// Threads newest first, keyset-paged by id.
pub async fn threads(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
    filter: &ThreadFilter,
    request: &PageRequest,
) -> Result<Page<thread::Model>, sea_orm::DbErr> {
    let mut query = thread::Entity::find().filter(thread_visibility(viewer));
    if let Some(subject) = filter.subject {
        query = query
            .filter(thread::Column::SubjectType.eq(subject.kind.name()))
            .filter(thread::Column::SubjectId.eq(subject.id));
    }
    if filter.general {
        query = query.filter(thread::Column::SubjectType.is_null());
    }
    if let Some(kind) = filter.kind {
        query = query.filter(thread::Column::Kind.eq(kind));
    }
    match filter.answered {
        Some(true) => query = query.filter(thread::Column::AcceptedPostId.is_not_null()),
        Some(false) => query = query.filter(thread::Column::AcceptedPostId.is_null()),
        None => {}
    }
    page_by_id(
        db,
        query,
        thread::Column::Id,
        true,
        request,
        "thread",
        |row| row.id,
    )
    .await
}

/// A thread `viewer` may see.
pub async fn thread(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
    id: i32,
) -> Result<Option<thread::Model>, sea_orm::DbErr> {
    thread::Entity::find_by_id(id)
        .filter(thread_visibility(viewer))
        .one(db)
        .await
}

/// Threads `viewer` may see among `ids`.
pub async fn threads_by_ids(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
    ids: &[i32],
) -> Result<Vec<thread::Model>, sea_orm::DbErr> {
    chunked::load(db, ids, PerKey::IN_LIST, |ids| {
        thread::Entity::find()
            .filter(thread_visibility(viewer))
            .filter(thread::Column::Id.is_in(ids.iter().copied()))
            .all(db)
    })
    .await
}

/// A post `viewer` may see (in a thread they may see).
pub async fn post(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
    id: i32,
) -> Result<Option<post::Model>, sea_orm::DbErr> {
    let Some(row) = post::Entity::find_by_id(id)
        .filter(post_visibility(viewer))
        .one(db)
        .await?
    else {
        return Ok(None);
    };
    Ok(thread(db, viewer, row.thread_id).await?.map(|_| row))
}

/// A thread's posts oldest first, keyset-paged by id.
pub async fn posts(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
    thread_id: i32,
    request: &PageRequest,
) -> Result<Page<post::Model>, sea_orm::DbErr> {
    let query = post::Entity::find()
        .filter(post::Column::ThreadId.eq(thread_id))
        .filter(post_visibility(viewer));
    page_by_id(db, query, post::Column::Id, false, request, "post", |row| {
        row.id
    })
    .await
}

/// The visible posts of a thread, oldest first (what search indexes).
pub async fn approved_posts(
    db: &impl ConnectionTrait,
    thread_ids: &[i32],
) -> Result<Vec<post::Model>, sea_orm::DbErr> {
    chunked::load(db, thread_ids, PerKey::IN_LIST, |ids| {
        post::Entity::find()
            .filter(post::Column::ThreadId.is_in(ids.iter().copied()))
            .filter(post::Column::Status.eq(super::APPROVED))
            .order_by_asc(post::Column::Id)
            .all(db)
    })
    .await
}

/// The bodies a post had before each edit, oldest first.
pub async fn revisions(
    db: &impl ConnectionTrait,
    post_id: i32,
) -> Result<Vec<post_revision::Model>, sea_orm::DbErr> {
    post_revision::Entity::find()
        .filter(post_revision::Column::PostId.eq(post_id))
        .order_by_asc(post_revision::Column::Id)
        .all(db)
        .await
}

/// Account names by id (authors, reporters, moderators).
pub async fn account_names(
    db: &impl ConnectionTrait,
    ids: &[i32],
) -> Result<HashMap<i32, String>, sea_orm::DbErr> {
    let rows: Vec<(i32, String)> = chunked::load(db, ids, PerKey::IN_LIST, |ids| {
        account::Entity::find()
            .select_only()
            .column(account::Column::Id)
            .column(account::Column::Name)
            .filter(account::Column::Id.is_in(ids.iter().copied()))
            .into_tuple()
            .all(db)
    })
    .await?;
    Ok(rows.into_iter().collect())
}

/// What waits for a moderator: pending posts and open flags, oldest first.
pub struct Queue {
    pub pending: Vec<post::Model>,
    pub flags: Vec<flag::Model>,
}

/// The moderation queue, at most `limit` of each (moderators, admins).
pub async fn queue(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
    limit: u64,
) -> Result<Queue, ServiceError> {
    permissions::check(viewer, Action::Moderate)?;
    let pending = post::Entity::find()
        .filter(post::Column::Status.eq(PENDING))
        .order_by_asc(post::Column::Id)
        .limit(limit)
        .all(db)
        .await?;
    let flags = flag::Entity::find()
        .filter(flag::Column::Status.eq(FLAG_OPEN))
        .order_by_asc(flag::Column::Id)
        .limit(limit)
        .all(db)
        .await?;
    Ok(Queue { pending, flags })
}

/// The moderators' actions newest first (their audit rows), optionally about one record
/// (moderators, admins).
pub async fn log(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
    target: Option<(RecordKind, i32)>,
    request: &PageRequest,
) -> Result<Page<audit_event::Model>, ServiceError> {
    permissions::check(viewer, Action::Moderate)?;
    debug_assert!(is_moderator(viewer));
    let mut query = audit_event::Entity::find()
        .filter(audit_event::Column::Action.is_in(super::MODERATION_ACTIONS));
    if let Some((kind, id)) = target {
        query = query
            .filter(audit_event::Column::TargetType.eq(kind.name()))
            .filter(audit_event::Column::TargetId.eq(id));
    }
    let ascending = !request.is_forward();
    if let Some(cursor) = request.cursor() {
        let id = || Expr::col((audit_event::Entity, audit_event::Column::Id));
        query = query.filter(keyset_condition(
            id(),
            id(),
            cursor.id.into(),
            cursor.id,
            ascending,
        ));
    }
    let rows = query
        .order_by(
            audit_event::Column::Id,
            if ascending { Order::Asc } else { Order::Desc },
        )
        .limit(u64::from(request.size()) + 1)
        .all(db)
        .await?;
    Ok(Page::from_rows(rows, request, |row| Cursor {
        key: None,
        id: row.id,
        order: Some("moderation".into()),
    }))
}
