//! The indexer task: the only writer of the search index. It tails `change_log` from the
//! checkpoint saved in the index's last commit, hands each batch of changes to the mapping of
//! its entity type, and commits the documents together with the new checkpoint. A crash loses
//! at most the uncommitted batch, which is applied again on restart; upserts replace documents
//! by key, so applying a change twice leaves one document. A change to a record whose name
//! other documents embed (a city, a theme, a funder) also refreshes those documents, found
//! through [`DocumentMapping::dependents`] and loaded in chunks of [`LOAD_CHUNK`].
//!
//! It runs as a [`ChangeConsumer`](crate::service::change_consumer::ChangeConsumer) whose
//! checkpoint store is the index itself: `checkpoint()` first follows a generation published
//! by `kxc reindex`, `apply()` writes a batch and commits it with its last `seq`.

use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::sync::Arc;

use anyhow::Context;
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, QuerySelect};

use super::SearchIndex;
use super::document::{DocKey, RecordKind, SearchDocument};
use super::engine::{IndexSession, TantivyIndex};
use super::mapping::{self, DocumentMapping};
use crate::entity::change_log;

use crate::service::change_consumer::{self, ChangeConsumer, ChangeSignal, RunOptions, Shutdown};

const BATCH: u64 = 500;
/// The most records one mapping loads (or looks up dependents for) in one query.
const LOAD_CHUNK: usize = 500;
/// The kinds of document the concept vocabulary tags.
const TAGGED_KINDS: [RecordKind; 2] = [RecordKind::Practice, RecordKind::FundingOpportunity];

enum Write {
    Upsert(Box<SearchDocument>),
    Delete(DocKey),
}

pub struct Indexer {
    db: DatabaseConnection,
    index: Arc<TantivyIndex>,
    mappings: Vec<Box<dyn DocumentMapping>>,
    session: Option<IndexSession>,
    /// The last `seq` applied to the session, committed or not.
    applied: i64,
}

impl Indexer {
    pub fn new(db: DatabaseConnection, index: Arc<TantivyIndex>) -> Self {
        let applied = index.checkpoint();
        Self {
            db,
            index,
            mappings: mapping::all(),
            session: None,
            applied,
        }
    }

    /// Applies up to `limit` changes after the last applied one, without committing them.
    /// Returns how many change-log rows were consumed.
    pub async fn apply_next(&mut self, limit: u64) -> anyhow::Result<usize> {
        let changes = change_log::Entity::find()
            .filter(change_log::Column::Seq.gt(self.applied))
            .order_by_asc(change_log::Column::Seq)
            .limit(limit)
            .all(&self.db)
            .await
            .context("read change log")?;
        self.apply_rows(&changes).await?;
        Ok(changes.len())
    }

    /// Applies `changes` (ascending `seq`, after the last applied one) without committing.
    async fn apply_rows(&mut self, changes: &[change_log::Model]) -> anyhow::Result<()> {
        let Some(last) = changes.last().map(|change| change.seq) else {
            return Ok(());
        };
        // Mappings load the current state, so several changes to one record need one load.
        let mut changed: BTreeMap<RecordKind, BTreeSet<i32>> = BTreeMap::new();
        for change in changes {
            // A kind this kxc does not know (written by a newer one) has no mapping either.
            let Some(kind) = RecordKind::parse(&change.entity_type) else {
                continue;
            };
            changed.entry(kind).or_default().insert(change.entity_id);
        }
        // A renamed city, theme or funder changes the documents that embed its name.
        let mut dependent: Vec<(RecordKind, i32)> = Vec::new();
        for mapping in &self.mappings {
            if let Some(ids) = changed.get(&mapping.kind()) {
                let ids: Vec<i32> = ids.iter().copied().collect();
                for chunk in ids.chunks(LOAD_CHUNK) {
                    dependent.extend(
                        mapping
                            .dependents(&self.db, chunk)
                            .await
                            .with_context(|| format!("find what embeds {}", mapping.kind()))?,
                    );
                }
            }
        }
        for (kind, id) in dependent {
            changed.entry(kind).or_default().insert(id);
        }
        if changed.contains_key(&RecordKind::Concept) {
            // A concept's labels decide which documents it tags: new queries expand with the
            // new vocabulary at once, and every tagged kind of document is tagged again.
            let vocabulary = crate::service::concepts::matcher(&self.db)
                .await
                .context("load concept vocabulary")?;
            self.index.set_vocabulary(Arc::new(vocabulary));
            for mapping in &self.mappings {
                if TAGGED_KINDS.contains(&mapping.kind()) {
                    let ids = mapping.all_ids(&self.db).await?;
                    changed.entry(mapping.kind()).or_default().extend(ids);
                }
            }
        }
        let vocabulary = self.index.vocabulary();
        let mut writes = Vec::new();
        for mapping in &self.mappings {
            let Some(ids) = changed.get(&mapping.kind()) else {
                continue;
            };
            let ids: Vec<i32> = ids.iter().copied().collect();
            // Bounded loads: a theme may be embedded in thousands of documents.
            for ids in ids.chunks(LOAD_CHUNK) {
                let documents = mapping
                    .load(&self.db, ids, &vocabulary)
                    .await
                    .with_context(|| format!("load {} documents", mapping.kind()))?;
                let present: HashSet<i32> = documents.iter().map(|doc| doc.id).collect();
                writes.extend(
                    ids.iter()
                        .filter(|id| !present.contains(id))
                        .map(|id| Write::Delete(DocKey::new(mapping.kind(), *id))),
                );
                writes.extend(
                    documents
                        .into_iter()
                        .map(|doc| Write::Upsert(Box::new(doc))),
                );
            }
        }
        let mut session = match self.session.take() {
            Some(session) => session,
            None => {
                let index = self.index.clone();
                tokio::task::spawn_blocking(move || index.session()).await??
            }
        };
        let session = tokio::task::spawn_blocking(move || -> anyhow::Result<IndexSession> {
            for write in writes {
                match write {
                    Write::Upsert(document) => session.upsert(&document)?,
                    Write::Delete(key) => session.delete(key),
                }
            }
            Ok(session)
        })
        .await??;
        self.session = Some(session);
        self.applied = last;
        Ok(())
    }

    /// Commits what was applied; returns the checkpoint now saved in the index.
    pub async fn commit(&mut self) -> anyhow::Result<i64> {
        let Some(mut session) = self.session.take() else {
            return Ok(self.index.checkpoint());
        };
        let applied = self.applied;
        let session = tokio::task::spawn_blocking(move || -> anyhow::Result<IndexSession> {
            if applied != session.checkpoint() {
                session.commit(applied)?;
            }
            Ok(session)
        })
        .await??;
        self.session = Some(session);
        Ok(applied)
    }

    /// Applies and commits batches until the change log is exhausted; returns the checkpoint.
    pub async fn catch_up(&mut self) -> anyhow::Result<i64> {
        while self.apply_next(BATCH).await? > 0 {
            self.commit().await?;
        }
        Ok(self.index.checkpoint())
    }

    /// Runs on the shared change consumer until `shutdown` fires: follows rebuilt
    /// generations, tails the change log, woken by `signal`.
    pub fn spawn(self, signal: ChangeSignal, shutdown: Shutdown) -> tokio::task::JoinHandle<()> {
        let db = self.db.clone();
        let options = RunOptions {
            // A generation published by `kxc reindex` is noticed within this.
            idle: std::time::Duration::from_millis(250),
            backoff: std::time::Duration::from_secs(1),
            max_backoff: std::time::Duration::from_secs(30),
        };
        tokio::spawn(change_consumer::run(db, self, signal, options, shutdown))
    }

    async fn follow_generation(&mut self) -> anyhow::Result<()> {
        if self.index.published_elsewhere()? {
            // The old generation's writer goes first: it is never written again.
            self.reset_session().await;
            let index = self.index.clone();
            tokio::task::spawn_blocking(move || index.follow_published()).await??;
            self.applied = self.index.checkpoint();
        }
        Ok(())
    }

    /// Drops uncommitted work and resumes from the committed checkpoint.
    async fn reset_session(&mut self) {
        if let Some(session) = self.session.take() {
            // Dropping a writer joins its threads.
            let _ = tokio::task::spawn_blocking(move || drop(session)).await;
        }
        self.applied = self.index.checkpoint();
    }
}

#[async_trait::async_trait]
impl ChangeConsumer for Indexer {
    fn name(&self) -> &str {
        "search-indexer"
    }

    fn batch_size(&self) -> u64 {
        BATCH
    }

    async fn checkpoint(&mut self) -> anyhow::Result<i64> {
        self.follow_generation().await?;
        Ok(self.applied)
    }

    async fn apply(&mut self, changes: &[change_log::Model]) -> anyhow::Result<()> {
        self.apply_rows(changes).await?;
        self.commit().await?;
        Ok(())
    }

    async fn reset(&mut self) {
        self.reset_session().await;
    }
}
