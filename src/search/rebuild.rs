//! Building a whole generation from the database (first start, `kxc reindex`) and publishing
//! it. Serving processes follow the published generation without a restart.

use std::path::Path;

use indicatif::ProgressBar;
use sea_orm::DatabaseConnection;

use super::engine::{IndexSession, TantivyIndex};
use super::mapping;

/// Records loaded and written per round trip.
const CHUNK: usize = 256;

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
    let mut documents = 0;
    for (mapping, ids) in mappings.iter().zip(all_ids) {
        for chunk in ids.chunks(CHUNK) {
            let loaded = mapping.load(db, chunk).await?;
            documents += loaded.len();
            session = tokio::task::spawn_blocking(move || -> anyhow::Result<IndexSession> {
                // A fresh generation, and every id comes once: nothing to replace.
                for document in &loaded {
                    session.insert(document)?;
                }
                Ok(session)
            })
            .await??;
            progress.inc(chunk.len() as u64);
        }
    }
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
