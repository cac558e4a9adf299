//! The community: `createThread`, `createPost`, `editPost`, `acceptAnswer`, `flagPost`, and
//! for moderators `approvePost`, `hidePost`, `restorePost`, `lockThread`, `unlockThread`,
//! `suspendAccount`. Services in `service::community`; each action is one transaction with
//! its `change_log` and audit rows (moderators' audit rows are the moderation log).

use async_graphql::{Context, ID, InputObject, Object, SimpleObject};

use super::answer;
use crate::domain::RecordKind;
use crate::error::AppResult;
use crate::graphql::guard::Allowed;
use crate::graphql::ids::GlobalId;
use crate::graphql::scalars::DateTime;
use crate::graphql::types::community::{Flag, Member, Post, Thread, ThreadKind};
use crate::graphql::types::user_error::UserError;
use crate::service::ServiceError;
use crate::service::community::moderation::{self, PostDecision};
use crate::service::community::{SUBJECT_KINDS, Subject, posting};
use crate::service::permissions::Action;
use crate::service::records::FieldError;

#[derive(Default)]
pub struct CommunityMutation;

/// A new thread and its first post.
#[derive(InputObject)]
pub struct CreateThreadInput {
    /// The title, plain text without HTML (1..300 characters).
    pub title: String,
    /// The first post, in Markdown (1..20000 characters).
    pub body: String,
    /// A discussion (the default) or a question.
    #[graphql(default_with = "ThreadKind::Discussion")]
    pub kind: ThreadKind,
    /// The global ID of the practice, theme, city or funding opportunity the thread is
    /// about; none for a general thread.
    pub subject_id: Option<ID>,
    /// ISO 639-1 code of the thread's language (default `en`); search analyses it so.
    pub language: Option<String>,
}

/// A reply.
#[derive(InputObject)]
pub struct CreatePostInput {
    /// The thread's global ID.
    pub thread_id: ID,
    /// The post, in Markdown (1..20000 characters).
    pub body: String,
}

/// A new body for a post; the old one is kept in `revisions`.
#[derive(InputObject)]
pub struct EditPostInput {
    /// The post's global ID.
    pub post_id: ID,
    /// The new body, in Markdown (1..20000 characters).
    pub body: String,
}

/// The reply that answers a question.
#[derive(InputObject)]
pub struct AcceptAnswerInput {
    /// The reply's global ID.
    pub post_id: ID,
}

/// A post to report to the moderators.
#[derive(InputObject)]
pub struct FlagPostInput {
    /// The post's global ID.
    pub post_id: ID,
    /// What is wrong with it (1..1000 characters).
    pub reason: String,
}

/// A post a moderator acts on.
#[derive(InputObject)]
pub struct ModeratePostInput {
    /// The post's global ID.
    pub post_id: ID,
    /// Why, kept in the moderation log and the audit log (1..1000 characters).
    pub reason: String,
}

/// A thread a moderator locks or unlocks.
#[derive(InputObject)]
pub struct ModerateThreadInput {
    /// The thread's global ID.
    pub thread_id: ID,
    /// Why, kept in the moderation log and the audit log (1..1000 characters).
    pub reason: String,
}

/// An account to ban from posting.
#[derive(InputObject)]
pub struct SuspendAccountInput {
    /// The account's global ID (as `viewer { id }` or a post's `author { id }` gives it).
    pub account_id: ID,
    /// Why, kept in the moderation log and shown to the account when it tries to post
    /// (1..1000 characters).
    pub reason: String,
    /// When the suspension ends (in the future); none: until further notice.
    pub until: Option<DateTime>,
}

/// What `createThread` did.
#[derive(SimpleObject)]
pub struct CreateThreadPayload {
    /// The new thread; null when `userErrors` is not empty.
    pub thread: Option<Thread>,
    /// Its first post (`PENDING` while its author is a new member).
    pub post: Option<Post>,
    /// What is wrong with the input; when not empty, nothing was stored.
    pub user_errors: Vec<UserError>,
}

macro_rules! payload {
    ($name:ident, $field:ident, $type:ty, $doc:literal, $field_doc:literal) => {
        #[doc = $doc]
        #[derive(SimpleObject)]
        pub struct $name {
            #[doc = $field_doc]
            pub $field: Option<$type>,
            /// What is wrong with the input; when not empty, nothing was stored.
            pub user_errors: Vec<UserError>,
        }

        impl $name {
            fn from_outcome<T: Into<$type>>(outcome: Result<T, ServiceError>) -> AppResult<Self> {
                Ok(match answer(outcome)? {
                    Ok(value) => Self {
                        $field: Some(value.into()),
                        user_errors: Vec::new(),
                    },
                    Err(user_errors) => Self {
                        $field: None,
                        user_errors,
                    },
                })
            }
        }
    };
}

impl From<crate::entity::post::Model> for Post {
    fn from(row: crate::entity::post::Model) -> Self {
        Post(row)
    }
}

impl From<crate::entity::thread::Model> for Thread {
    fn from(row: crate::entity::thread::Model) -> Self {
        Thread(row)
    }
}

payload!(
    CreatePostPayload,
    post,
    Post,
    "What `createPost` did.",
    "The new post (`PENDING` while its author is a new member); null on user errors."
);
payload!(
    EditPostPayload,
    post,
    Post,
    "What `editPost` did.",
    "The post as it is now; null on user errors."
);
payload!(
    AcceptAnswerPayload,
    thread,
    Thread,
    "What `acceptAnswer` did.",
    "The question with its accepted answer; null on user errors."
);
payload!(
    FlagPostPayload,
    flag,
    Flag,
    "What `flagPost` did.",
    "The flag; null on user errors."
);
payload!(
    ApprovePostPayload,
    post,
    Post,
    "What `approvePost` did.",
    "The post as it is now; null on user errors."
);
payload!(
    HidePostPayload,
    post,
    Post,
    "What `hidePost` did.",
    "The post as it is now; null on user errors."
);
payload!(
    RestorePostPayload,
    post,
    Post,
    "What `restorePost` did.",
    "The post as it is now; null on user errors."
);
payload!(
    LockThreadPayload,
    thread,
    Thread,
    "What `lockThread` did.",
    "The thread as it is now; null on user errors."
);
payload!(
    UnlockThreadPayload,
    thread,
    Thread,
    "What `unlockThread` did.",
    "The thread as it is now; null on user errors."
);

/// What `suspendAccount` did.
#[derive(SimpleObject)]
pub struct SuspendAccountPayload {
    /// The suspended account; null on user errors.
    pub account: Option<Member>,
    /// When the suspension ends; null: until further notice (or on user errors).
    pub until: Option<DateTime>,
    /// What is wrong with the input; when not empty, nothing was stored.
    pub user_errors: Vec<UserError>,
}

/// The row id behind a global ID of `kind`, or an error at `field`.
fn id_of(id: &ID, kind: RecordKind, field: &str) -> Result<i32, ServiceError> {
    match GlobalId::decode(id) {
        Some(global) if global.kind == kind => Ok(global.id),
        _ => Err(ServiceError::Invalid(vec![FieldError::new(
            field,
            format!("not the global ID of a {kind}"),
        )])),
    }
}

async fn decide(
    ctx: &Context<'_>,
    input: ModeratePostInput,
    decision: PostDecision,
) -> Result<crate::entity::post::Model, ServiceError> {
    let id = id_of(&input.post_id, RecordKind::Post, "post_id")?;
    moderation::decide_post(
        crate::graphql::db(ctx),
        crate::graphql::viewer(ctx),
        id,
        decision,
        input.reason,
    )
    .await
}

async fn lock(
    ctx: &Context<'_>,
    input: ModerateThreadInput,
    locked: bool,
) -> Result<crate::entity::thread::Model, ServiceError> {
    let id = id_of(&input.thread_id, RecordKind::Thread, "thread_id")?;
    moderation::set_lock(
        crate::graphql::db(ctx),
        crate::graphql::viewer(ctx),
        id,
        locked,
        input.reason,
    )
    .await
}

#[Object]
impl CommunityMutation {
    /// Opens a thread with its first post (members, evaluators, moderators, admins; not
    /// suspended). A new member's thread waits for a moderator before others see it.
    /// Too many posts in a short time: `RATE_LIMITED`.
    #[graphql(guard = "Allowed(Action::Participate)")]
    async fn create_thread(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The title, the first post and what the thread is about.")]
        input: CreateThreadInput,
    ) -> AppResult<CreateThreadPayload> {
        let subject = match &input.subject_id {
            None => Ok(None),
            Some(id) => match GlobalId::decode(id) {
                Some(GlobalId { kind, id }) if SUBJECT_KINDS.contains(&kind) => {
                    Ok(Some(Subject { kind, id }))
                }
                _ => Err(ServiceError::invalid(
                    "subject_id",
                    "not the global ID of a practice, theme, city or funding opportunity",
                )),
            },
        };
        let outcome = match subject {
            Ok(subject) => {
                posting::create_thread(
                    crate::graphql::db(ctx),
                    crate::graphql::community(ctx),
                    crate::graphql::viewer(ctx),
                    posting::NewThread {
                        title: input.title,
                        kind: input.kind.as_str(),
                        subject,
                        body: input.body,
                        language: input.language,
                    },
                )
                .await
            }
            Err(error) => Err(error),
        };
        Ok(match answer(outcome)? {
            Ok((thread, post)) => CreateThreadPayload {
                thread: Some(Thread(thread)),
                post: Some(Post(post)),
                user_errors: Vec::new(),
            },
            Err(user_errors) => CreateThreadPayload {
                thread: None,
                post: None,
                user_errors,
            },
        })
    }

    /// Replies in a thread (members and above; not suspended). A new member's post waits for
    /// a moderator (`PENDING`); a locked thread takes no posts (`CONFLICT`); too many posts in
    /// a short time: `RATE_LIMITED`.
    #[graphql(guard = "Allowed(Action::Participate)")]
    async fn create_post(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The thread and the reply.")] input: CreatePostInput,
    ) -> AppResult<CreatePostPayload> {
        let outcome = match id_of(&input.thread_id, RecordKind::Thread, "thread_id") {
            Ok(id) => {
                posting::create_post(
                    crate::graphql::db(ctx),
                    crate::graphql::community(ctx),
                    crate::graphql::viewer(ctx),
                    id,
                    input.body,
                )
                .await
            }
            Err(error) => Err(error),
        };
        CreatePostPayload::from_outcome(outcome)
    }

    /// Replaces a post's body (its author, moderators, admins); the old body stays readable
    /// in `revisions`. A new member's edited post waits for a moderator again.
    #[graphql(guard = "Allowed(Action::Participate)")]
    async fn edit_post(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The post and its new body.")] input: EditPostInput,
    ) -> AppResult<EditPostPayload> {
        let outcome = match id_of(&input.post_id, RecordKind::Post, "post_id") {
            Ok(id) => {
                posting::edit_post(
                    crate::graphql::db(ctx),
                    crate::graphql::community(ctx),
                    crate::graphql::viewer(ctx),
                    id,
                    input.body,
                )
                .await
            }
            Err(error) => Err(error),
        };
        EditPostPayload::from_outcome(outcome)
    }

    /// Accepts a reply as the answer of a question thread (the thread's author, moderators,
    /// admins); replaces an earlier accepted answer.
    #[graphql(guard = "Allowed(Action::Participate)")]
    async fn accept_answer(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The reply that answers the question.")] input: AcceptAnswerInput,
    ) -> AppResult<AcceptAnswerPayload> {
        let outcome = match id_of(&input.post_id, RecordKind::Post, "post_id") {
            Ok(id) => {
                posting::accept_answer(crate::graphql::db(ctx), crate::graphql::viewer(ctx), id)
                    .await
            }
            Err(error) => Err(error),
        };
        AcceptAnswerPayload::from_outcome(outcome)
    }

    /// Reports a post to the moderators with a reason (members and above). Flagging the same
    /// post again while the flag is open changes nothing.
    #[graphql(guard = "Allowed(Action::Participate)")]
    async fn flag_post(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The post and what is wrong with it.")] input: FlagPostInput,
    ) -> AppResult<FlagPostPayload> {
        let outcome = match id_of(&input.post_id, RecordKind::Post, "post_id") {
            Ok(id) => {
                moderation::flag_post(
                    crate::graphql::db(ctx),
                    crate::graphql::viewer(ctx),
                    id,
                    input.reason,
                )
                .await
            }
            Err(error) => Err(error),
        };
        FlagPostPayload::from_outcome(outcome.map(Flag::from))
    }

    /// Approves a pending post (moderators, admins), or dismisses the open flags of an
    /// approved one; the thread shows once its first post is approved.
    #[graphql(guard = "Allowed(Action::Moderate)")]
    async fn approve_post(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The post and why.")] input: ModeratePostInput,
    ) -> AppResult<ApprovePostPayload> {
        ApprovePostPayload::from_outcome(decide(ctx, input, PostDecision::Approve).await)
    }

    /// Hides a post from everybody but its author and the moderators (moderators, admins);
    /// it leaves search. Resolves its open flags.
    #[graphql(guard = "Allowed(Action::Moderate)")]
    async fn hide_post(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The post and why.")] input: ModeratePostInput,
    ) -> AppResult<HidePostPayload> {
        HidePostPayload::from_outcome(decide(ctx, input, PostDecision::Hide).await)
    }

    /// Shows a hidden post again (moderators, admins). A pending post is approved instead
    /// (`CONFLICT`).
    #[graphql(guard = "Allowed(Action::Moderate)")]
    async fn restore_post(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The post and why.")] input: ModeratePostInput,
    ) -> AppResult<RestorePostPayload> {
        RestorePostPayload::from_outcome(decide(ctx, input, PostDecision::Restore).await)
    }

    /// Locks a thread: no new posts, no edits by authors (moderators, admins).
    #[graphql(guard = "Allowed(Action::Moderate)")]
    async fn lock_thread(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The thread and why.")] input: ModerateThreadInput,
    ) -> AppResult<LockThreadPayload> {
        LockThreadPayload::from_outcome(lock(ctx, input, true).await)
    }

    /// Unlocks a locked thread (moderators, admins).
    #[graphql(guard = "Allowed(Action::Moderate)")]
    async fn unlock_thread(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The thread and why.")] input: ModerateThreadInput,
    ) -> AppResult<UnlockThreadPayload> {
        UnlockThreadPayload::from_outcome(lock(ctx, input, false).await)
    }

    /// Bans a member's account from posting until `until` or further notice (moderators,
    /// admins); its posts stay. Its attempts to post answer `FORBIDDEN` with the reason.
    #[graphql(guard = "Allowed(Action::Moderate)")]
    async fn suspend_account(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The account, why and until when.")] input: SuspendAccountInput,
    ) -> AppResult<SuspendAccountPayload> {
        let until = match &input.until {
            None => Ok(None),
            Some(until) => until
                .instant("until")
                .map(Some)
                .map_err(|error| ServiceError::invalid("until", error.message)),
        };
        let target = id_of(&input.account_id, RecordKind::Account, "account_id");
        let outcome = match (target, until) {
            (Err(error), _) | (_, Err(error)) => Err(error),
            (Ok(id), Ok(until)) => {
                moderation::suspend_account(
                    crate::graphql::db(ctx),
                    crate::graphql::viewer(ctx),
                    id,
                    input.reason,
                    until,
                )
                .await
            }
        };
        Ok(match answer(outcome)? {
            Ok((account, suspension)) => SuspendAccountPayload {
                account: Some(Member {
                    id: GlobalId::new(RecordKind::Account, account.id).encode(),
                    name: account.name,
                }),
                until: suspension.until.map(Into::into),
                user_errors: Vec::new(),
            },
            Err(user_errors) => SuspendAccountPayload {
                account: None,
                until: None,
                user_errors,
            },
        })
    }
}
