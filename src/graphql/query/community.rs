//! `threads`, `thread`, `moderationQueue` and `moderationLog`.

use async_graphql::{Context, ID, InputObject, Object};

use crate::error::{AppError, AppResult};
use crate::graphql::guard::Allowed;
use crate::graphql::ids::{GlobalId, RecordKind};
use crate::graphql::types::community::{
    ModerationActionConnection, ModerationQueue, Post, Thread, ThreadConnection, ThreadKind,
};
use crate::graphql::types::pagination::request;
use crate::service::community::{SUBJECT_KINDS, Subject, reads};
use crate::service::permissions::Action;

#[derive(Default)]
pub struct CommunityQuery;

/// Which threads to list; every given part must match.
#[derive(InputObject, Default)]
pub struct ThreadFilterInput {
    /// Threads about this practice, theme, city or funding opportunity (its global ID).
    pub subject_id: Option<ID>,
    /// True: only general threads, attached to nothing.
    #[graphql(default)]
    pub general: bool,
    /// Only discussions or only questions.
    pub kind: Option<ThreadKind>,
    /// Only questions with (true) or without (false) an accepted answer.
    pub answered: Option<bool>,
}

/// The subject behind a global ID, or an error at `field`.
pub fn subject(id: &ID, field: &[&str]) -> AppResult<Subject> {
    match GlobalId::decode(id) {
        Some(GlobalId { kind, id }) if SUBJECT_KINDS.contains(&kind) => Ok(Subject { kind, id }),
        _ => Err(AppError::bad_input(
            field,
            "not the global ID of a practice, theme, city or funding opportunity",
        )),
    }
}

#[Object]
impl CommunityQuery {
    /// Community threads the viewer may see, newest first. Posts of new members wait for a
    /// moderator; until then only their author and moderators see them.
    async fn threads(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Which threads.")] filter: Option<ThreadFilterInput>,
        #[graphql(desc = "At most this many threads from the start (1..100).")] first: Option<i32>,
        #[graphql(desc = "Only threads after this cursor.")] after: Option<String>,
        #[graphql(desc = "At most this many threads from the end (1..100).")] last: Option<i32>,
        #[graphql(desc = "Only threads before this cursor.")] before: Option<String>,
    ) -> AppResult<ThreadConnection> {
        let page_request = request(first, after, last, before)?;
        let filter = filter.unwrap_or_default();
        let parsed = reads::ThreadFilter {
            subject: filter
                .subject_id
                .as_ref()
                .map(|id| subject(id, &["filter", "subjectId"]))
                .transpose()?,
            general: filter.general,
            kind: filter.kind.map(ThreadKind::as_str),
            answered: filter.answered,
        };
        let page = reads::threads(
            crate::graphql::db(ctx),
            crate::graphql::viewer(ctx),
            &parsed,
            &page_request,
        )
        .await?;
        Ok(ThreadConnection::from(page))
    }

    /// One thread by its global ID; null when it does not exist or the viewer may not see it.
    async fn thread(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The thread's global ID.")] id: ID,
    ) -> AppResult<Option<Thread>> {
        let Some(GlobalId {
            kind: RecordKind::Thread,
            id,
        }) = GlobalId::decode(&id)
        else {
            return Ok(None);
        };
        Ok(
            reads::thread(crate::graphql::db(ctx), crate::graphql::viewer(ctx), id)
                .await?
                .map(Thread),
        )
    }

    /// Pending posts and open flags, oldest first (moderators, admins).
    #[graphql(guard = "Allowed(Action::Moderate)")]
    async fn moderation_queue(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "At most this many of each (1..100).", default = 50)] first: i32,
    ) -> AppResult<ModerationQueue> {
        let limit = u64::try_from(first)
            .ok()
            .filter(|first| (1..=100).contains(first))
            .ok_or_else(|| AppError::bad_input(["first"], "`first` must be between 1 and 100"))?;
        let queue =
            reads::queue(crate::graphql::db(ctx), crate::graphql::viewer(ctx), limit).await?;
        Ok(ModerationQueue {
            pending_posts: queue.pending.into_iter().map(Post).collect(),
            open_flags: queue.flags.into_iter().map(Into::into).collect(),
        })
    }

    /// What moderators did, newest first (moderators, admins).
    #[graphql(guard = "Allowed(Action::Moderate)")]
    #[allow(clippy::too_many_arguments)]
    async fn moderation_log(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only actions on this post, thread or account (its global ID).")]
        target_id: Option<ID>,
        #[graphql(desc = "At most this many actions from the newest (1..100).")] first: Option<i32>,
        #[graphql(desc = "Only actions after this cursor.")] after: Option<String>,
        #[graphql(desc = "At most this many actions from the oldest (1..100).")] last: Option<i32>,
        #[graphql(desc = "Only actions before this cursor.")] before: Option<String>,
    ) -> AppResult<ModerationActionConnection> {
        let page_request = request(first, after, last, before)?;
        let target = match target_id {
            None => None,
            Some(id) => match GlobalId::decode(&id) {
                Some(GlobalId { kind, id }) => Some((kind, id)),
                None => return Err(AppError::bad_input(["targetId"], "not a global ID")),
            },
        };
        let page = reads::log(
            crate::graphql::db(ctx),
            crate::graphql::viewer(ctx),
            target,
            &page_request,
        )
        .await?;
        Ok(ModerationActionConnection::from(page))
    }
}
