//! Writing to a generation. Every commit carries the change-log checkpoint in its payload, so
//! the documents and the position they reflect are saved atomically: after a crash, whatever
//! was applied but not committed is gone, and tailing resumes from the committed checkpoint.

use std::sync::Arc;
use std::sync::atomic::Ordering;

use anyhow::Context;
use serde::{Deserialize, Serialize};
use tantivy::{Index, IndexWriter, TantivyDocument, Term};

use super::Generation;
use crate::search::document::{DocKey, SearchDocument};
use crate::search::encode;

/// Memory the writer may use before it flushes a segment.
const WRITER_HEAP_BYTES: usize = 64 * 1024 * 1024;

#[derive(Serialize, Deserialize)]
struct Payload {
    checkpoint: i64,
}

/// The checkpoint of the last commit, 0 for a new index.
pub fn committed_checkpoint(index: &Index) -> anyhow::Result<i64> {
    let metas = index.load_metas().context("read index metadata")?;
    Ok(metas
        .payload
        .as_deref()
        .and_then(|payload| serde_json::from_str::<Payload>(payload).ok())
        .map_or(0, |payload| payload.checkpoint))
}

/// The only way to change a generation. Upserts replace by document key, so applying the same
/// change twice leaves one document.
pub struct IndexSession {
    generation: Arc<Generation>,
    writer: IndexWriter<TantivyDocument>,
}

impl IndexSession {
    pub(super) fn open(generation: Arc<Generation>) -> anyhow::Result<Self> {
        let writer = generation
            .index
            .writer_with_num_threads(1, WRITER_HEAP_BYTES)
            .context("open index writer")?;
        Ok(Self { generation, writer })
    }

    pub fn upsert(&mut self, document: &SearchDocument) -> anyhow::Result<()> {
        self.delete(document.key());
        self.insert(document)
    }

    /// Adds `document` without replacing an earlier one by its key: only for a fresh build,
    /// where every key comes once, so no delete has to be queued and applied per document.
    pub fn insert(&mut self, document: &SearchDocument) -> anyhow::Result<()> {
        self.writer
            .add_document(encode::encode(&self.generation.fields, document))
            .context("add document")?;
        Ok(())
    }

    pub fn delete(&mut self, key: DocKey) {
        self.writer
            .delete_term(Term::from_field_u64(self.generation.fields.uid, key.raw()));
    }

    /// Saves everything applied so far together with `checkpoint`, and makes it searchable.
    pub fn commit(&mut self, checkpoint: i64) -> anyhow::Result<()> {
        let payload = serde_json::to_string(&Payload { checkpoint })?;
        let mut prepared = self.writer.prepare_commit().context("prepare commit")?;
        prepared.set_payload(&payload);
        prepared.commit().context("commit")?;
        self.generation
            .checkpoint
            .store(checkpoint, Ordering::Release);
        self.generation.reader.reload().context("reload reader")?;
        Ok(())
    }

    /// The checkpoint of the last commit.
    pub fn checkpoint(&self) -> i64 {
        self.generation.checkpoint()
    }

    pub fn generation_name(&self) -> &str {
        &self.generation.name
    }

    /// Waits for background merges, for a clean hand-over of a finished build.
    pub fn finish(self) -> anyhow::Result<()> {
        self.writer
            .wait_merging_threads()
            .context("wait for index merges")
    }
}
