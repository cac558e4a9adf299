//! The tantivy implementation of [`SearchIndex`].

mod complete;
mod run;
mod spelling;
pub mod store;
mod writer;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

use anyhow::Context;
use arc_swap::ArcSwap;
use tantivy::collector::DocSetCollector;
use tantivy::query::AllQuery;
use tantivy::schema::Value;
use tantivy::{Index, IndexReader, ReloadPolicy, TantivyDocument};

pub use writer::IndexSession;

use super::SearchIndex;
use super::analysis;
use super::concepts::ConceptMatcher;
use super::document::{DocKey, SearchDocument};
use super::fields::{self, Fields};
use super::query::Analyzers;
use super::request::{SearchRequest, SearchResults, Suggestion};

/// One complete index on disk, with its reader.
pub struct Generation {
    pub name: String,
    index: Index,
    reader: IndexReader,
    fields: Fields,
    /// The last change-log `seq` this generation has committed.
    checkpoint: AtomicI64,
}

impl Generation {
    fn create(dir: &Path, name: &str) -> anyhow::Result<Self> {
        let index = Index::create_in_dir(dir, fields::schema())
            .with_context(|| format!("create index in {}", dir.display()))?;
        Self::from_index(index, name)
    }

    fn open(dir: &Path, name: &str) -> anyhow::Result<Self> {
        let index =
            Index::open_in_dir(dir).with_context(|| format!("open index in {}", dir.display()))?;
        Self::from_index(index, name)
    }

    fn from_index(index: Index, name: &str) -> anyhow::Result<Self> {
        analysis::register(index.tokenizers());
        let fields = Fields::from_schema(&index.schema()).context("index schema")?;
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()
            .context("open index reader")?;
        let checkpoint = writer::committed_checkpoint(&index)?;
        Ok(Self {
            name: name.to_owned(),
            index,
            reader,
            fields,
            checkpoint: AtomicI64::new(checkpoint),
        })
    }

    pub fn checkpoint(&self) -> i64 {
        self.checkpoint.load(Ordering::Acquire)
    }

    /// A throw-away generation in memory holding only `documents`, searched next to the real
    /// one for what a viewer may see beyond the public index.
    fn in_ram(documents: &[SearchDocument]) -> anyhow::Result<Self> {
        let tokenizers = tantivy::tokenizer::TokenizerManager::default();
        analysis::register(&tokenizers);
        let mut writer = tantivy::IndexBuilder::new()
            .schema(fields::schema())
            .tokenizers(tokenizers)
            .single_segment_index_writer(tantivy::directory::RamDirectory::create(), RAM_BUDGET)
            .context("create in-memory index")?;
        let fields = Fields::from_schema(&fields::schema()).context("index schema")?;
        for document in documents {
            writer
                .add_document(super::encode::encode(&fields, document))
                .context("add document")?;
        }
        let index = writer.finalize().context("finish in-memory index")?;
        Self::from_index(index, "in-memory")
    }
}

/// Memory for an in-memory generation of a viewer's unpublished records (a few hundred at most).
const RAM_BUDGET: usize = 4 * 1024 * 1024;

/// The index under `KXC_DATA_DIR/index`: serves queries from the current generation and can
/// switch to a newer one that `kxc reindex` published, without a restart.
pub struct TantivyIndex {
    root: PathBuf,
    generation: ArcSwap<Generation>,
    analyzers: Analyzers,
    /// The concept vocabulary queries expand with; the indexer replaces it when concepts change.
    vocabulary: ArcSwap<ConceptMatcher>,
}

impl TantivyIndex {
    /// Opens the generation `CURRENT` names; `None` when there is none yet.
    pub fn open(root: &Path) -> anyhow::Result<Option<Self>> {
        let Some(name) = store::current(root)? else {
            return Ok(None);
        };
        if !store::has_current_format(root, &name) {
            tracing::warn!(
                generation = name,
                "search index was written in another format; rebuilding"
            );
            return Ok(None);
        }
        let generation = Generation::open(&store::generation_dir(root, &name), &name)?;
        Ok(Some(Self {
            root: root.to_owned(),
            generation: ArcSwap::from_pointee(generation),
            analyzers: Analyzers::new(),
            vocabulary: ArcSwap::from_pointee(ConceptMatcher::default()),
        }))
    }

    /// Starts a new, empty generation in a build directory; see [`IndexBuild`].
    pub fn start_build(root: &Path) -> anyhow::Result<IndexBuild> {
        let (name, dir) = store::new_build(root)?;
        let generation = Arc::new(Generation::create(&dir, &name)?);
        Ok(IndexBuild {
            root: root.to_owned(),
            dir,
            generation,
        })
    }

    /// The concept vocabulary queries expand with and documents are tagged by.
    pub fn vocabulary(&self) -> Arc<ConceptMatcher> {
        self.vocabulary.load_full()
    }

    /// Replaces the concept vocabulary queries expand with.
    pub fn set_vocabulary(&self, vocabulary: Arc<ConceptMatcher>) {
        self.vocabulary.store(vocabulary);
    }

    pub fn generation(&self) -> Arc<Generation> {
        self.generation.load_full()
    }

    /// A writer on the current generation. Only one may exist per generation at a time.
    pub fn session(&self) -> anyhow::Result<IndexSession> {
        IndexSession::open(self.generation())
    }

    /// True when `CURRENT` names another generation than the one in use (a rebuild finished).
    pub fn published_elsewhere(&self) -> anyhow::Result<bool> {
        Ok(store::current(&self.root)?.is_some_and(|name| name != self.generation.load().name))
    }

    /// Switches to the generation `CURRENT` names when it is not the one in use, and removes
    /// older generations. Returns true when it switched.
    pub fn follow_published(&self) -> anyhow::Result<bool> {
        let Some(name) = store::current(&self.root)? else {
            return Ok(false);
        };
        if name == self.generation.load().name {
            return Ok(false);
        }
        let generation = Generation::open(&store::generation_dir(&self.root, &name), &name)?;
        self.generation.store(Arc::new(generation));
        store::remove_stale(&self.root, &name);
        tracing::info!(generation = name, "switched to rebuilt search index");
        Ok(true)
    }

    /// Every document key in the index, once per stored document (a key seen twice would be
    /// a duplicate). For consistency checks.
    pub fn doc_keys(&self) -> anyhow::Result<Vec<DocKey>> {
        let generation = self.generation();
        let searcher = generation.reader.searcher();
        let addresses = searcher.search(&AllQuery, &DocSetCollector)?;
        let mut keys = Vec::with_capacity(addresses.len());
        for address in addresses {
            let doc: TantivyDocument = searcher.doc(address)?;
            if let Some(key) = doc
                .get_first(generation.fields.uid)
                .and_then(|value| value.as_u64())
                .and_then(DocKey::from_raw)
            {
                keys.push(key);
            }
        }
        Ok(keys)
    }
}

impl SearchIndex for TantivyIndex {
    fn search(&self, request: &SearchRequest) -> anyhow::Result<SearchResults> {
        run::search(
            &self.generation(),
            None,
            &self.analyzers,
            &self.vocabulary.load(),
            request,
        )
    }

    fn search_including(
        &self,
        request: &SearchRequest,
        extra: &[SearchDocument],
    ) -> anyhow::Result<SearchResults> {
        if extra.is_empty() {
            return self.search(request);
        }
        let private = Generation::in_ram(extra)?;
        run::search(
            &self.generation(),
            Some(&private),
            &self.analyzers,
            &self.vocabulary.load(),
            request,
        )
    }

    fn suggest(
        &self,
        prefix: &str,
        first: usize,
        deadline: super::deadline::Deadline,
    ) -> anyhow::Result<Vec<Suggestion>> {
        complete::complete(&self.generation(), prefix, first, deadline)
    }

    fn checkpoint(&self) -> i64 {
        self.generation.load().checkpoint()
    }

    fn generation_name(&self) -> String {
        self.generation.load().name.clone()
    }
}

/// A generation being built from scratch. Nothing can see it until [`IndexBuild::publish`].
pub struct IndexBuild {
    root: PathBuf,
    dir: PathBuf,
    generation: Arc<Generation>,
}

impl IndexBuild {
    pub fn session(&self) -> anyhow::Result<IndexSession> {
        IndexSession::open(self.generation.clone())
    }

    pub fn name(&self) -> &str {
        &self.generation.name
    }

    /// Makes this generation the current one. Every session on it must be dropped first.
    pub fn publish(self) -> anyhow::Result<String> {
        let name = self.generation.name.clone();
        drop(self.generation);
        store::publish(&self.root, &name, &self.dir)?;
        Ok(name)
    }
}
