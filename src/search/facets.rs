//! Facet counting: one pass over the matching documents reads each requested keyword column
//! and counts values. Tree facets need no extra work here because every document already holds
//! all ancestors of its tree values (see [`encode::with_ancestors`](super::encode::with_ancestors)),
//! each once, so a node's count is the number of documents in its subtree.

use std::collections::{BTreeMap, HashMap};

use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::StrColumn;
use tantivy::{DocId, Score, SegmentOrdinal, SegmentReader};

use super::request::{FacetCounts, FacetKind, FacetValue};

/// Counts per facet, by value.
pub type RawCounts = Vec<HashMap<String, u64>>;

pub struct FacetCounter {
    field_names: Vec<&'static str>,
}

impl FacetCounter {
    pub fn new(kinds: &[FacetKind]) -> Self {
        Self {
            field_names: kinds
                .iter()
                .map(|kind| kind.keyword().field_name())
                .collect(),
        }
    }
}

pub struct SegmentFacetCounter {
    columns: Vec<Option<(StrColumn, Vec<u64>)>>,
}

impl Collector for FacetCounter {
    type Fruit = RawCounts;
    type Child = SegmentFacetCounter;

    fn for_segment(
        &self,
        _segment: SegmentOrdinal,
        reader: &SegmentReader,
    ) -> tantivy::Result<Self::Child> {
        let mut columns = Vec::with_capacity(self.field_names.len());
        for name in &self.field_names {
            columns.push(reader.fast_fields().str(name)?.map(|column| {
                let counts = vec![0; column.num_terms()];
                (column, counts)
            }));
        }
        Ok(SegmentFacetCounter { columns })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(&self, segments: Vec<RawCounts>) -> tantivy::Result<RawCounts> {
        let mut merged: RawCounts = vec![HashMap::new(); self.field_names.len()];
        for segment in segments {
            for (total, counts) in merged.iter_mut().zip(segment) {
                for (value, count) in counts {
                    *total.entry(value).or_default() += count;
                }
            }
        }
        Ok(merged)
    }
}

impl SegmentCollector for SegmentFacetCounter {
    type Fruit = RawCounts;

    fn collect(&mut self, doc: DocId, _score: Score) {
        for (column, counts) in self.columns.iter_mut().flatten() {
            for ord in column.term_ords(doc) {
                counts[ord as usize] += 1;
            }
        }
    }

    fn harvest(self) -> RawCounts {
        self.columns
            .into_iter()
            .map(|column| {
                let mut values = HashMap::new();
                let Some((column, counts)) = column else {
                    return values;
                };
                let mut text = String::new();
                for (ord, count) in counts.into_iter().enumerate() {
                    if count > 0 && column.ord_to_str(ord as u64, &mut text).unwrap_or(false) {
                        values.insert(text.clone(), count);
                    }
                }
                values
            })
            .collect()
    }
}

/// Adds the counts of another search over other documents (same facets, same order).
pub fn add(into: &mut RawCounts, more: RawCounts) {
    for (total, counts) in into.iter_mut().zip(more) {
        for (value, count) in counts {
            *total.entry(value).or_default() += count;
        }
    }
}

/// Shapes raw counts: flat facets by count (then value), tree facets nested by path.
pub fn shape(kinds: &[FacetKind], raw: RawCounts) -> Vec<FacetCounts> {
    kinds
        .iter()
        .zip(raw)
        .map(|(kind, counts)| FacetCounts {
            kind: *kind,
            values: if kind.is_tree() {
                tree(counts)
            } else {
                let mut values: Vec<FacetValue> = counts
                    .into_iter()
                    .map(|(value, count)| FacetValue {
                        value,
                        count,
                        children: Vec::new(),
                    })
                    .collect();
                sort(&mut values);
                values
            },
        })
        .collect()
}

fn sort(values: &mut [FacetValue]) {
    values.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.value.cmp(&b.value)));
}

/// Nests `a`, `a/b`, `a/b/c` into a tree; siblings by count.
fn tree(counts: HashMap<String, u64>) -> Vec<FacetValue> {
    let mut by_parent: BTreeMap<Option<String>, Vec<FacetValue>> = BTreeMap::new();
    for (path, count) in counts {
        let parent = path.rsplit_once('/').map(|(parent, _)| parent.to_owned());
        by_parent.entry(parent).or_default().push(FacetValue {
            value: path,
            count,
            children: Vec::new(),
        });
    }
    fn attach(node: &mut FacetValue, by_parent: &mut BTreeMap<Option<String>, Vec<FacetValue>>) {
        if let Some(mut children) = by_parent.remove(&Some(node.value.clone())) {
            for child in &mut children {
                attach(child, by_parent);
            }
            sort(&mut children);
            node.children = children;
        }
    }
    let mut roots = by_parent.remove(&None).unwrap_or_default();
    for root in &mut roots {
        attach(root, &mut by_parent);
    }
    sort(&mut roots);
    roots
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_nest_into_a_tree_sorted_by_count() {
        let counts = HashMap::from([
            ("mobility".to_owned(), 5),
            ("mobility/cycling".to_owned(), 3),
            ("mobility/walking".to_owned(), 4),
            ("energy".to_owned(), 2),
            ("energy/renewables".to_owned(), 2),
            ("energy/renewables/solar".to_owned(), 1),
        ]);
        let roots = tree(counts);
        assert_eq!(roots[0].value, "mobility");
        assert_eq!(roots[0].children[0].value, "mobility/walking");
        assert_eq!(
            roots[1].children[0].children[0].value,
            "energy/renewables/solar"
        );
    }
}
