//! Building a whole generation from the database (first start, `kxc reindex`) and publishing
//! it. Serving processes follow the published generation without a restart.

use std::path::Path;

use futures_util::StreamExt;
use indicatif::ProgressBar;
use sea_orm::DatabaseConnection;

use super::concepts::ConceptMatcher;
use super::document::SearchDocument;
use super::engine::{IndexSession, TantivyIndex};
use super::mapping::{self, DocumentMapping};

/// Records loaded and written per round trip.
const CHUNK: usize = 256;
/// Chunks loaded but not yet written, at most: enough to keep writing busy, few enough to
/// bound the memory they hold.
const LOADS_AHEAD: usize = 2;
/// Chunks being loaded at once (a fresh build takes documents in any order).
const LOADS_IN_FLIGHT: usize = 3;

#[derive(Debug)]
pub struct RebuildReport {
    pub generation: String,
    pub documents: usize,
    pub checkpoint: i64,
}

pub async fn rebuild(
    db: &DatabaseConnection,
    root: &Path,
    progress: &ProgressBar,
) -> anyhow::Result<RebuildReport> {
    // Read first: changes after this point may or may not be in the build, and the indexer
    // applies them again from this checkpoint, which is harmless.
    let checkpoint = crate::service::change_consumer::latest_seq(db).await?;
    let root = root.to_owned();
    let build = tokio::task::spawn_blocking(move || TantivyIndex::start_build(&root)).await??;
    let mut session = build.session()?;
    let mappings = mapping::all();
    let mut all_ids = Vec::with_capacity(mappings.len());
    for mapping in &mappings {
        all_ids.push(mapping.all_ids(db).await?);
    }
    progress.set_length(all_ids.iter().map(Vec::len).sum::<usize>() as u64);
    // One vocabulary for the whole build: building it analyses every concept label.
    let vocabulary = std::sync::Arc::new(crate::service::concepts::matcher(db).await?);
    // Loading (SQL and mapping, on the runtime) runs a few chunks ahead of writing (encoding,
    // on a blocking thread, then tantivy's indexing thread), so every stage keeps a core busy
    // instead of each waiting for the one before it.
    let (loaded_tx, mut loaded_rx) = tokio::sync::mpsc::channel(LOADS_AHEAD);
    let loader = tokio::spawn(load_all(
        db.clone(),
        mappings,
        vocabulary,
        all_ids,
        loaded_tx,
    ));
    let mut documents = 0;
    while let Some(loaded) = loaded_rx.recv().await {
        let (ids, loaded) = loaded?;
        documents += loaded.len();
        session = tokio::task::spawn_blocking(move || -> anyhow::Result<IndexSession> {
            // A fresh generation, and every id comes once: nothing to replace.
            for document in &loaded {
                session.insert(document)?;
            }
            Ok(session)
        })
        .await??;
        progress.inc(ids as u64);
    }
    loader.await?;
    let generation = tokio::task::spawn_blocking(move || -> anyhow::Result<String> {
        session.commit(checkpoint)?;
        session.finish()?;
        build.publish()
    })
    .await??;
    progress.finish_and_clear();
    Ok(RebuildReport {
        generation,
        documents,
        checkpoint,
    })
}

/// Loads every id of every mapping in chunks and sends each chunk's id count and documents to
/// `loaded`, stopping at the first error (which it sends) or when the receiver is gone.
async fn load_all(
    db: DatabaseConnection,
    mappings: Vec<Box<dyn DocumentMapping>>,
    vocabulary: std::sync::Arc<ConceptMatcher>,
    all_ids: Vec<Vec<i32>>,
    loaded: tokio::sync::mpsc::Sender<anyhow::Result<(usize, Vec<SearchDocument>)>>,
) {
    // A chunk's load is a chain of short statements, each a round trip to a database
    // connection: several in flight keep the connections and the mapping busy together.
    let mappings = std::sync::Arc::new(mappings);
    let chunks: Vec<(usize, Vec<i32>)> = all_ids
        .iter()
        .enumerate()
        .flat_map(|(index, ids)| ids.chunks(CHUNK).map(move |chunk| (index, chunk.to_vec())))
        .collect();
    let mut loads = futures_util::stream::iter(chunks)
        .map(|(index, chunk)| {
            let (db, mappings, vocabulary) = (db.clone(), mappings.clone(), vocabulary.clone());
            async move {
                mappings[index]
                    .load(&db, &chunk, &vocabulary)
                    .await
                    .map(|documents| (chunk.len(), documents))
                    .map_err(anyhow::Error::from)
            }
        })
        .buffer_unordered(LOADS_IN_FLIGHT);
    while let Some(documents) = loads.next().await {
        let failed = documents.is_err();
        if loaded.send(documents).await.is_err() || failed {
            return;
        }
    }
}
