//! Community threads: the title and every approved post of a thread whose first post was
//! approved, in the thread's language. Pending and hidden posts are never indexed; a change to
//! a post appends a `change_log` row for its thread, so visibility changes reach the index.

use async_trait::async_trait;
use chrono::Utc;
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QuerySelect};

use super::DocumentMapping;
use crate::domain::Viewer;
use crate::entity::thread;
use crate::search::concepts::ConceptMatcher;
use crate::search::document::{LocalizedText, RecordKind, SearchDocument};
use crate::service::community::reads;

pub struct ThreadMapping;

#[async_trait]
impl DocumentMapping for ThreadMapping {
    fn kind(&self) -> RecordKind {
        RecordKind::Thread
    }

    async fn load(
        &self,
        db: &DatabaseConnection,
        ids: &[i32],
        _vocabulary: &ConceptMatcher,
    ) -> Result<Vec<SearchDocument>, sea_orm::DbErr> {
        // What an anonymous visitor sees: approved threads only.
        let threads = reads::threads_by_ids(db, &Viewer::anonymous(), ids).await?;
        let thread_ids: Vec<i32> = threads.iter().map(|row| row.id).collect();
        let posts = reads::approved_posts(db, &thread_ids).await?;
        Ok(threads
            .into_iter()
            .map(|row| {
                let mut doc = SearchDocument::new(RecordKind::Thread, row.id);
                let bodies: Vec<&str> = posts
                    .iter()
                    .filter(|post| post.thread_id == row.id)
                    .map(|post| post.body.as_str())
                    .collect();
                let (summary, rest) = bodies
                    .split_first()
                    .map_or(("", &[][..]), |(first, rest)| (*first, rest));
                doc.texts.push(LocalizedText {
                    language: row.language.clone(),
                    title: row.title.clone(),
                    summary: summary.to_owned(),
                    body: rest.join("\n\n"),
                });
                doc.languages.push(row.language.clone());
                doc.date = row.last_post_at.map(|date| date.with_timezone(&Utc));
                doc
            })
            .collect())
    }

    async fn all_ids(&self, db: &DatabaseConnection) -> Result<Vec<i32>, sea_orm::DbErr> {
        thread::Entity::find()
            .select_only()
            .column(thread::Column::Id)
            .filter(thread::Column::ApprovedAt.is_not_null())
            .into_tuple()
            .all(db)
            .await
    }
}
