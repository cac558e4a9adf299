//! `threadActivity(threadId:)` and `moderationQueueChanged`: the community, live.

use std::sync::Arc;

use async_graphql::{Context, Enum, ID, SimpleObject, Subscription};
use futures_util::StreamExt;
use futures_util::stream::BoxStream;
use sea_orm::DatabaseConnection;

use crate::error::AppError;
use crate::graphql::guard::Allowed;
use crate::graphql::ids::{GlobalId, RecordKind};
use crate::graphql::scalars::DateTime;
use crate::service;
use crate::service::permissions::Action;

#[derive(Default)]
pub struct CommunitySubscription;

/// What happened to a post.
#[derive(Enum, Clone, Copy, PartialEq, Eq)]
pub enum PostActivity {
    /// The post is new (or newly visible to the subscriber).
    Posted,
    /// The post's text or state changed after it was first written.
    Edited,
}

/// A post of the followed thread that is new or changed, as the subscriber may see it now.
#[derive(SimpleObject)]
pub struct ThreadActivity {
    /// The thread's global ID.
    pub thread_id: ID,
    /// The post's global ID.
    pub post_id: ID,
    /// Whether the post is new or was edited.
    pub activity: PostActivity,
    /// The post's state (`published`, `pending`, ...; pending and hidden posts reach only their
    /// author and moderators).
    pub status: String,
    /// The post rendered from Markdown to sanitized HTML.
    pub body_html: String,
    /// When the post was written.
    pub created_at: DateTime,
    /// When the post last changed.
    pub updated_at: DateTime,
}

/// Something that can move the moderation queue changed: re-read `moderationQueue`.
#[derive(SimpleObject)]
pub struct ModerationQueueChange {
    /// The `change_log` position of the change.
    pub seq: i64,
    /// The kind of record that changed: `post`, `thread` or `flag`.
    pub entity_type: String,
    /// The changed record's global ID; null for kinds without one (flags).
    pub entity_id: Option<ID>,
    /// True when the record was deleted.
    pub deleted: bool,
}

#[Subscription]
impl CommunitySubscription {
    /// New and changed posts of one thread that the subscriber may see, once committed.
    async fn thread_activity(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The thread's global ID.")] thread_id: ID,
    ) -> async_graphql::Result<BoxStream<'static, async_graphql::Result<ThreadActivity>>> {
        let db: DatabaseConnection = crate::graphql::db(ctx).clone();
        let viewer = crate::graphql::viewer(ctx).clone();
        let thread = match GlobalId::decode(&thread_id) {
            Some(GlobalId {
                kind: RecordKind::Thread,
                id,
            }) => id,
            _ => return Err(AppError::not_found("thread").into()),
        };
        let receiver = super::changes(ctx)?;
        if service::live::visible_thread(&db, &viewer, thread)
            .await
            .map_err(AppError::from)?
            .is_none()
        {
            return Err(AppError::not_found("thread").into());
        }
        let shared = Arc::new((db, viewer, thread));
        Ok(
            futures_util::stream::unfold((receiver, shared), |(mut receiver, shared)| async move {
                let (db, viewer, thread) = &*shared;
                loop {
                    let change = super::next_change(&mut receiver).await?;
                    let item = match service::live::thread_post(db, viewer, *thread, &change).await
                    {
                        Ok(None) => continue,
                        Ok(Some(post)) => Ok(ThreadActivity {
                            thread_id: GlobalId::new(RecordKind::Thread, post.thread_id).encode(),
                            post_id: GlobalId::new(RecordKind::Post, post.id).encode(),
                            activity: if post.updated_at > post.created_at {
                                PostActivity::Edited
                            } else {
                                PostActivity::Posted
                            },
                            status: post.status,
                            body_html: crate::graphql::render_markdown(&post.body),
                            created_at: post.created_at.into(),
                            updated_at: post.updated_at.into(),
                        }),
                        Err(error) => Err(AppError::from(error).into()),
                    };
                    return Some((item, (receiver, shared)));
                }
            })
            .boxed(),
        )
    }

    /// Each committed change that can move the moderation queue (posts, threads, flags).
    /// Moderators and admins only.
    #[graphql(guard = "Allowed(Action::WatchModerationQueue)")]
    async fn moderation_queue_changed(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<BoxStream<'static, ModerationQueueChange>> {
        let receiver = super::changes(ctx)?;
        Ok(
            futures_util::stream::unfold(receiver, |mut receiver| async move {
                loop {
                    let change = super::next_change(&mut receiver).await?;
                    if !service::live::touches_moderation_queue(&change) {
                        continue;
                    }
                    let item = ModerationQueueChange {
                        seq: change.seq,
                        entity_type: change.entity_type.clone(),
                        entity_id: change
                            .kind()
                            .map(|kind| GlobalId::new(kind, change.entity_id).encode()),
                        deleted: change.deleted,
                    };
                    return Some((item, receiver));
                }
            })
            .boxed(),
        )
    }
}
