//! A time limit that search work checks while it runs on the blocking pool: the async caller
//! giving up does not stop a blocking task, so the task stops itself. [`Timed`] wraps a
//! collector and checks before and after each segment; [`Deadline::check`] sits between the
//! phases of a search (matching, snippets, spelling).

use std::time::{Duration, Instant};

use tantivy::collector::{Collector, SegmentCollector};
use tantivy::query::Weight;
use tantivy::{SegmentOrdinal, SegmentReader, TantivyError};

/// The search ran past its deadline; callers answer `TIMEOUT`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the search took too long")]
pub struct SearchTimedOut;

/// When search work must stop; `None` never does (benchmarks, rebuilds).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Deadline(Option<Instant>);

impl Deadline {
    pub const NONE: Self = Self(None);

    pub fn after(duration: Duration) -> Self {
        Self(Instant::now().checked_add(duration))
    }

    pub fn passed(self) -> bool {
        self.0.is_some_and(|at| Instant::now() >= at)
    }

    pub fn check(self) -> Result<(), SearchTimedOut> {
        if self.passed() {
            Err(SearchTimedOut)
        } else {
            Ok(())
        }
    }

    /// `collector`, stopping between segments once the deadline has passed.
    pub fn collector<C: Collector>(self, collector: C) -> Timed<C> {
        Timed {
            inner: collector,
            deadline: self,
        }
    }

    /// `error` as [`SearchTimedOut`] when it came from passing the deadline.
    pub fn explain(self, error: TantivyError) -> anyhow::Error {
        if self.passed() {
            anyhow::Error::new(SearchTimedOut)
        } else {
            anyhow::Error::new(error)
        }
    }
}

pub struct Timed<C> {
    inner: C,
    deadline: Deadline,
}

impl<C> Timed<C> {
    fn check(&self) -> tantivy::Result<()> {
        self.deadline
            .check()
            .map_err(|error| TantivyError::InternalError(error.to_string()))
    }
}

impl<C: Collector> Collector for Timed<C> {
    type Fruit = C::Fruit;
    type Child = C::Child;

    fn check_schema(&self, schema: &tantivy::schema::Schema) -> tantivy::Result<()> {
        self.inner.check_schema(schema)
    }

    fn for_segment(
        &self,
        segment_local_id: SegmentOrdinal,
        segment: &SegmentReader,
    ) -> tantivy::Result<Self::Child> {
        self.check()?;
        self.inner.for_segment(segment_local_id, segment)
    }

    fn requires_scoring(&self) -> bool {
        self.inner.requires_scoring()
    }

    fn merge_fruits(
        &self,
        segment_fruits: Vec<<Self::Child as SegmentCollector>::Fruit>,
    ) -> tantivy::Result<Self::Fruit> {
        self.check()?;
        self.inner.merge_fruits(segment_fruits)
    }

    fn collect_segment(
        &self,
        weight: &dyn Weight,
        segment_ord: u32,
        reader: &SegmentReader,
    ) -> tantivy::Result<<Self::Child as SegmentCollector>::Fruit> {
        self.check()?;
        let fruit = self.inner.collect_segment(weight, segment_ord, reader)?;
        self.check()?;
        Ok(fruit)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_deadline_in_the_past_has_passed_and_none_never_does() {
        assert!(Deadline::after(Duration::ZERO).passed());
        assert_eq!(Deadline::after(Duration::ZERO).check(), Err(SearchTimedOut));
        assert!(!Deadline::NONE.passed());
        assert!(Deadline::after(Duration::from_secs(3600)).check().is_ok());
    }

    #[test]
    fn a_timed_collector_refuses_to_search_past_its_deadline() {
        use tantivy::collector::Count;
        use tantivy::query::AllQuery;
        use tantivy::schema::{STORED, Schema, TEXT};
        use tantivy::{Index, doc};
        let mut schema = Schema::builder();
        let text = schema.add_text_field("text", TEXT | STORED);
        let index = Index::create_in_ram(schema.build());
        let mut writer = index.writer(15_000_000).unwrap();
        writer.add_document(doc!(text => "one")).unwrap();
        writer.commit().unwrap();
        let searcher = index.reader().unwrap().searcher();
        let live = Deadline::after(Duration::from_secs(3600));
        assert_eq!(
            searcher.search(&AllQuery, &live.collector(Count)).unwrap(),
            1
        );
        let passed = Deadline::after(Duration::ZERO);
        let error = searcher
            .search(&AllQuery, &passed.collector(Count))
            .unwrap_err();
        assert!(passed.explain(error).is::<SearchTimedOut>());
    }
}
