//! The community's types: `Thread`, `Post` (Markdown rendered to sanitized HTML on read, with
//! its edit history), `Flag`, `ModerationAction`, the moderation queue and their connections.

use async_graphql::{ComplexObject, Context, Enum, ID, Object, SimpleObject};

use crate::domain::RecordKind;
use crate::entity::{audit_event, flag, post, post_revision, thread};
use crate::error::AppResult;
use crate::graphql::ids::GlobalId;
use crate::graphql::scalars::DateTime;
use crate::graphql::types::node::Node;
use crate::graphql::types::pagination::{PageInfo, request};
use crate::graphql::types::practice::render_markdown;
use crate::service::community::{self, reads};
use crate::service::paging::Page;

/// What kind of thread it is.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum ThreadKind {
    /// A conversation.
    Discussion,
    /// A question, which may get one accepted answer.
    Question,
}

impl ThreadKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Discussion => "discussion",
            Self::Question => "question",
        }
    }

    fn from_stored(value: &str) -> Option<Self> {
        match value {
            "discussion" => Some(Self::Discussion),
            "question" => Some(Self::Question),
            _ => None,
        }
    }
}

/// Whether a thread takes new posts.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum ThreadStatus {
    /// Open for replies.
    Open,
    /// Locked by a moderator: no new posts, no edits by authors.
    Locked,
}

/// Where a post is in moderation.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum PostStatus {
    /// Waiting for a moderator (posts of new members); only its author and moderators see it.
    Pending,
    /// Visible to everybody who sees the thread.
    Approved,
    /// Hidden by a moderator; only its author and moderators see it.
    Hidden,
}

impl PostStatus {
    fn from_stored(value: &str) -> Option<Self> {
        match value {
            community::PENDING => Some(Self::Pending),
            community::APPROVED => Some(Self::Approved),
            community::HIDDEN => Some(Self::Hidden),
            _ => None,
        }
    }
}

/// Someone who writes in the community.
#[derive(SimpleObject, Clone)]
pub struct Member {
    /// The account's global ID.
    pub id: ID,
    /// The account's name.
    pub name: String,
}

async fn member(ctx: &Context<'_>, id: i32) -> AppResult<Member> {
    let names = reads::account_names(crate::graphql::db(ctx), &[id]).await?;
    Ok(Member {
        id: GlobalId::new(RecordKind::Account, id).encode(),
        name: names.get(&id).cloned().unwrap_or_default(),
    })
}

/// A `thread` row.
pub struct Thread(pub thread::Model);

/// A conversation or question, attached to a practice, theme, city, funding opportunity or to
/// nothing.
#[Object]
impl Thread {
    /// Opaque global ID.
    pub async fn id(&self) -> ID {
        GlobalId::new(RecordKind::Thread, self.0.id).encode()
    }

    /// The title, plain text (1..300 characters, no HTML).
    async fn title(&self) -> &str {
        &self.0.title
    }

    /// A discussion or a question.
    async fn kind(&self) -> AppResult<ThreadKind> {
        super::stored(&self.0.kind, ThreadKind::from_stored, "thread.kind")
    }

    /// Open or locked.
    async fn status(&self) -> ThreadStatus {
        if self.0.status == community::LOCKED {
            ThreadStatus::Locked
        } else {
            ThreadStatus::Open
        }
    }

    /// ISO 639-1 code of the language the thread is written in.
    async fn language(&self) -> &str {
        &self.0.language
    }

    /// False while the first post waits for a moderator: then only its author and the
    /// moderators see the thread.
    async fn approved(&self) -> bool {
        self.0.approved_at.is_some()
    }

    /// The record the thread is about; null for a general thread (or one whose subject the
    /// viewer may not see).
    async fn subject(&self, ctx: &Context<'_>) -> AppResult<Option<Node>> {
        let (Some(kind), Some(id)) = (
            self.0.subject_type.as_deref().and_then(RecordKind::parse),
            self.0.subject_id,
        ) else {
            return Ok(None);
        };
        crate::graphql::query::node::load(ctx, &GlobalId::new(kind, id).encode()).await
    }

    /// Who opened the thread.
    async fn author(&self, ctx: &Context<'_>) -> AppResult<Member> {
        member(ctx, self.0.author_id).await
    }

    /// When the thread was opened.
    async fn created_at(&self) -> DateTime {
        self.0.created_at.into()
    }

    /// When the last post was written.
    async fn last_post_at(&self) -> Option<DateTime> {
        self.0.last_post_at.map(Into::into)
    }

    /// For a question: the reply its author (or a moderator) accepted as the answer.
    async fn accepted_answer(&self, ctx: &Context<'_>) -> AppResult<Option<Post>> {
        let Some(id) = self.0.accepted_post_id else {
            return Ok(None);
        };
        Ok(
            reads::post(crate::graphql::db(ctx), crate::graphql::viewer(ctx), id)
                .await?
                .map(Post),
        )
    }

    /// The posts the viewer may see, oldest first; the first one opened the thread.
    async fn posts(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "At most this many posts from the start (1..100).")] first: Option<i32>,
        #[graphql(desc = "Only posts after this cursor.")] after: Option<String>,
        #[graphql(desc = "At most this many posts from the end (1..100).")] last: Option<i32>,
        #[graphql(desc = "Only posts before this cursor.")] before: Option<String>,
    ) -> AppResult<PostConnection> {
        let first = if first.is_none() && last.is_none() {
            Some(20)
        } else {
            first
        };
        let page_request = request(first, after, last, before)?;
        let page = reads::posts(
            crate::graphql::db(ctx),
            crate::graphql::viewer(ctx),
            self.0.id,
            &page_request,
        )
        .await?;
        Ok(PostConnection::from(page))
    }
}

/// A `post` row.
pub struct Post(pub post::Model);

/// A post in a thread: Markdown, shown as sanitized HTML.
#[Object]
impl Post {
    /// Opaque global ID.
    pub async fn id(&self) -> ID {
        GlobalId::new(RecordKind::Post, self.0.id).encode()
    }

    /// The thread the post is in.
    async fn thread(&self, ctx: &Context<'_>) -> AppResult<Option<Thread>> {
        Ok(reads::thread(
            crate::graphql::db(ctx),
            crate::graphql::viewer(ctx),
            self.0.thread_id,
        )
        .await?
        .map(Thread))
    }

    /// Who wrote it.
    async fn author(&self, ctx: &Context<'_>) -> AppResult<Member> {
        member(ctx, self.0.author_id).await
    }

    /// The Markdown as written (1..20000 characters).
    async fn body(&self) -> &str {
        &self.0.body
    }

    /// `body` rendered to sanitized HTML (the practice bodies' policy: no scripts, styles,
    /// event handlers or images; links to `https:` and `mailto:` only).
    async fn body_html(&self) -> String {
        render_markdown(&self.0.body)
    }

    /// Pending, approved or hidden.
    async fn status(&self) -> AppResult<PostStatus> {
        super::stored(&self.0.status, PostStatus::from_stored, "post.status")
    }

    /// When it was written.
    async fn created_at(&self) -> DateTime {
        self.0.created_at.into()
    }

    /// When it was last edited; null when never.
    async fn edited_at(&self) -> Option<DateTime> {
        self.0.edited_at.map(Into::into)
    }

    /// The bodies it had before each edit, oldest first.
    async fn revisions(&self, ctx: &Context<'_>) -> AppResult<Vec<PostRevision>> {
        Ok(reads::revisions(crate::graphql::db(ctx), self.0.id)
            .await?
            .into_iter()
            .map(PostRevision)
            .collect())
    }
}

/// A `post_revision` row.
pub struct PostRevision(pub post_revision::Model);

/// A post's body as it was before an edit.
#[Object]
impl PostRevision {
    /// The Markdown it had.
    async fn body(&self) -> &str {
        &self.0.body
    }

    /// `body` rendered to sanitized HTML.
    async fn body_html(&self) -> String {
        render_markdown(&self.0.body)
    }

    /// When the edit replaced this body.
    async fn replaced_at(&self) -> DateTime {
        self.0.created_at.into()
    }

    /// Who made the edit.
    async fn editor(&self, ctx: &Context<'_>) -> AppResult<Member> {
        member(ctx, self.0.editor_id).await
    }
}

/// A member's report of a post to the moderators.
#[derive(SimpleObject)]
#[graphql(complex)]
pub struct Flag {
    /// The flag's number.
    pub id: i32,
    /// Why the post was flagged.
    pub reason: String,
    /// `open` until a moderator approves, hides or restores the post, then `resolved`.
    pub status: String,
    /// When it was flagged.
    pub created_at: DateTime,
    /// When a moderator resolved it.
    pub resolved_at: Option<DateTime>,
    #[graphql(skip)]
    pub post_id: i32,
}

#[ComplexObject]
impl Flag {
    /// The flagged post.
    async fn post(&self, ctx: &Context<'_>) -> AppResult<Option<Post>> {
        Ok(reads::post(
            crate::graphql::db(ctx),
            crate::graphql::viewer(ctx),
            self.post_id,
        )
        .await?
        .map(Post))
    }
}

impl From<flag::Model> for Flag {
    fn from(row: flag::Model) -> Self {
        Self {
            id: row.id,
            reason: row.reason,
            status: row.status,
            created_at: row.created_at.into(),
            resolved_at: row.resolved_at.map(Into::into),
            post_id: row.post_id,
        }
    }
}

/// One moderator's action: what was done to which record and why.
#[derive(SimpleObject)]
pub struct ModerationAction {
    /// A stable dotted name: `post.approve`, `post.hide`, `post.restore`,
    /// `post.moderator_edit`, `thread.lock`, `thread.unlock`, `account.suspend`.
    pub action: String,
    /// The global ID of the moderator's account; null for the operator.
    pub moderator_id: Option<ID>,
    /// The kind of record acted on (`post`, `thread`, `account`).
    pub target_type: String,
    /// The global ID of the record acted on.
    pub target_id: ID,
    /// Why, as the moderator gave it.
    pub reason: String,
    /// When.
    pub created_at: DateTime,
}

impl From<audit_event::Model> for ModerationAction {
    fn from(row: audit_event::Model) -> Self {
        let target_id = match RecordKind::parse(&row.target_type) {
            Some(kind) => GlobalId::new(kind, row.target_id).encode(),
            None => ID(row.target_id.to_string()),
        };
        Self {
            action: row.action,
            moderator_id: row
                .actor_account_id
                .map(|id| GlobalId::new(RecordKind::Account, id).encode()),
            target_type: row.target_type,
            target_id,
            reason: row.reason.unwrap_or_default(),
            created_at: row.occurred_at.into(),
        }
    }
}

/// What waits for a moderator, oldest first.
#[derive(SimpleObject)]
pub struct ModerationQueue {
    /// Posts of new members waiting for approval.
    pub pending_posts: Vec<Post>,
    /// Flags nobody has resolved yet.
    pub open_flags: Vec<Flag>,
}

macro_rules! connection {
    ($connection:ident, $edge:ident, $node:ident, $model:ty, $what:literal) => {
        #[doc = concat!("A page of ", $what, ".")]
        #[derive(SimpleObject)]
        pub struct $connection {
            /// The items on this page with their cursors.
            pub edges: Vec<$edge>,
            /// The items on this page.
            pub nodes: Vec<$node>,
            /// Where this page sits.
            pub page_info: PageInfo,
        }

        #[doc = concat!("One of ", $what, " and its cursor.")]
        #[derive(SimpleObject)]
        pub struct $edge {
            /// Pass as `after` (or `before`) to page on from here.
            pub cursor: String,
            /// The item.
            pub node: $node,
        }

        impl From<Page<$model>> for $connection {
            fn from(page: Page<$model>) -> Self {
                let page_info = PageInfo::of(&page);
                let mut edges = Vec::with_capacity(page.items.len());
                let mut nodes = Vec::with_capacity(page.items.len());
                for (cursor, row) in page.items {
                    edges.push($edge {
                        cursor: cursor.encode(),
                        node: $node(row.clone()),
                    });
                    nodes.push($node(row));
                }
                Self {
                    edges,
                    nodes,
                    page_info,
                }
            }
        }
    };
}

connection!(
    ThreadConnection,
    ThreadEdge,
    Thread,
    thread::Model,
    "threads"
);
connection!(PostConnection, PostEdge, Post, post::Model, "posts");

/// A page of the moderation log, newest first.
#[derive(SimpleObject)]
pub struct ModerationActionConnection {
    /// The actions on this page with their cursors.
    pub edges: Vec<ModerationActionEdge>,
    /// Where this page sits.
    pub page_info: PageInfo,
}

/// A moderation action and its cursor.
#[derive(SimpleObject)]
pub struct ModerationActionEdge {
    /// Pass as `after` (or `before`) to page on from here.
    pub cursor: String,
    /// The action.
    pub node: ModerationAction,
}

impl From<Page<audit_event::Model>> for ModerationActionConnection {
    fn from(page: Page<audit_event::Model>) -> Self {
        let page_info = PageInfo::of(&page);
        Self {
            edges: page
                .items
                .into_iter()
                .map(|(cursor, row)| ModerationActionEdge {
                    cursor: cursor.encode(),
                    node: row.into(),
                })
                .collect(),
            page_info,
        }
    }
}
