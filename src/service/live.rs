//! What a live subscriber receives for a committed change ([`super::change_bus::Change`]): the
//! record re-read now, through the subscriber's viewer, so a subscription shows exactly what
//! `practice`, `node` and the lists would show that viewer, and nothing uncommitted.

use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter};

use super::ServiceError;
use super::change_bus::Change;
use super::practice_query::PracticeFilter;
use super::reference::{Reference, RequestReference};
use crate::domain::{RecordKind, Viewer};
use crate::entity::{audit_event, post, practice, thread};

/// Checks the filter's references (unknown themes or regions are input errors at
/// `filter.themes[N]` / `filter.regions[N]`).
pub async fn check_filter(
    db: &impl ConnectionTrait,
    reference: &Reference,
    filter: &PracticeFilter,
) -> Result<(), ServiceError> {
    filter
        .resolve(db, reference)
        .await?
        .map(|_| ())
        .map_err(invalid_under_filter)
}

fn invalid_under_filter(errors: Vec<super::records::FieldError>) -> ServiceError {
    ServiceError::Invalid(
        errors
            .into_iter()
            .map(|error| error.under("filter"))
            .collect(),
    )
}

/// The practice `change` published, when it was a `publishPractice` (its audit row carries the
/// change's `seq`), the practice matches `filter` and `viewer` may see it now.
pub async fn published_practice(
    db: &impl ConnectionTrait,
    reference: &RequestReference,
    viewer: &Viewer,
    filter: &PracticeFilter,
    change: &Change,
) -> Result<Option<practice::Model>, ServiceError> {
    if change.kind() != Some(RecordKind::Practice) || change.deleted {
        return Ok(None);
    }
    let publishing = audit_event::Entity::find()
        .filter(audit_event::Column::ChangeSeq.eq(change.seq))
        .filter(audit_event::Column::Action.eq("practice.publish"))
        .count(db)
        .await?;
    if publishing == 0 {
        return Ok(None);
    }
    let condition = filter
        .resolve(db, &*reference.get().await?)
        .await?
        .map_err(invalid_under_filter)?;
    Ok(super::practices::visible(viewer)
        .filter(condition)
        .filter(practice::Column::Id.eq(change.entity_id))
        .one(db)
        .await?)
}

/// The thread, when `viewer` may see it (the community's one visibility rule,
/// [`community::reads::thread`](super::community::reads::thread)).
pub async fn visible_thread(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
    thread_id: i32,
) -> Result<Option<thread::Model>, sea_orm::DbErr> {
    super::community::reads::thread(db, viewer, thread_id).await
}

/// The post `change` created or edited, when it belongs to `thread_id` and `viewer` may see it
/// (and its thread) now.
pub async fn thread_post(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
    thread_id: i32,
    change: &Change,
) -> Result<Option<post::Model>, sea_orm::DbErr> {
    if change.kind() != Some(RecordKind::Post) || change.deleted {
        return Ok(None);
    }
    Ok(super::community::reads::post(db, viewer, change.entity_id)
        .await?
        .filter(|row| row.thread_id == thread_id))
}

/// True for changes that can move the moderation queue: posts, threads and flags.
pub fn touches_moderation_queue(change: &Change) -> bool {
    matches!(change.entity_type.as_str(), "post" | "thread" | "flag")
}
