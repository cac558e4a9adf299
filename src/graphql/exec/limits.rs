//! Query limits and the cost model. async-graphql computes depth and complexity during
//! validation; [`crate::graphql::exec::protection`] enforces the limits below on those numbers.

use std::time::Duration;

use async_graphql::parser::types::{ExecutableDocument, Field, Selection, SelectionSet};

use crate::service::paging::MAX_PAGE_SIZE;

/// The limits one operation must stay within.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    pub max_depth: usize,
    pub max_complexity: usize,
    pub max_aliases: usize,
    pub execution_timeout: Duration,
}

/// Cost of a connection field: the page size times the cost of one item's selection.
///
/// Use it on every connection resolver so cost grows with what a client can ask for:
/// `#[graphql(complexity = "limits::connection_complexity(first, last, child_complexity)")]`
/// (the resolver's `first` and `last` arguments are passed in by name). A missing or
/// out-of-range size is costed as the largest page: the resolver rejects it anyway, and the
/// estimate must never be lower than what could run.
pub fn connection_complexity(
    first: Option<i32>,
    last: Option<i32>,
    child_complexity: usize,
) -> usize {
    let size = |value: Option<i32>| {
        value
            .and_then(|size| usize::try_from(size).ok())
            .filter(|size| (1..=MAX_PAGE_SIZE as usize).contains(size))
    };
    let page = size(first).or(size(last)).unwrap_or(MAX_PAGE_SIZE as usize);
    page.saturating_mul(child_complexity.max(1))
}

/// How many fields in the document carry an alias. Fragment definitions count once however
/// often they are spread: repetition is what complexity measures.
pub fn count_aliases(document: &ExecutableDocument) -> usize {
    let mut aliases = 0;
    for_each_field(document, &mut |field| {
        aliases += usize::from(field.alias.is_some())
    });
    aliases
}

/// True when the document asks for `__schema` or `__type`; those fields exist only on the
/// query root, so wherever they appear they are introspection.
pub fn uses_introspection(document: &ExecutableDocument) -> bool {
    let mut found = false;
    for_each_field(document, &mut |field| {
        found |= matches!(field.name.node.as_str(), "__schema" | "__type");
    });
    found
}

/// Visits every field written in the document's operations and fragment definitions.
fn for_each_field(document: &ExecutableDocument, visit: &mut impl FnMut(&Field)) {
    for (_, operation) in document.operations.iter() {
        visit_selection_set(&operation.node.selection_set.node, visit);
    }
    for fragment in document.fragments.values() {
        visit_selection_set(&fragment.node.selection_set.node, visit);
    }
}

fn visit_selection_set(selection_set: &SelectionSet, visit: &mut impl FnMut(&Field)) {
    for selection in &selection_set.items {
        match &selection.node {
            Selection::Field(field) => {
                visit(&field.node);
                visit_selection_set(&field.node.selection_set.node, visit);
            }
            Selection::InlineFragment(fragment) => {
                visit_selection_set(&fragment.node.selection_set.node, visit);
            }
            Selection::FragmentSpread(_) => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use async_graphql::parser::parse_query;

    use super::*;

    #[test]
    fn a_connection_costs_its_page_size_times_its_items() {
        assert_eq!(connection_complexity(Some(10), None, 7), 70);
        assert_eq!(connection_complexity(None, Some(3), 7), 21);
        assert_eq!(connection_complexity(None, None, 2), 200);
        assert_eq!(connection_complexity(Some(100_000), None, 1), 100);
        assert_eq!(connection_complexity(Some(5), None, 0), 5);
    }

    #[test]
    fn aliases_are_counted_in_operations_and_fragments() {
        let document = parse_query(
            "query { a: practices(first: 1) { b: totalCount } ...F ... on Query { c: __typename } }
             fragment F on Query { d: __typename e: __typename }",
        )
        .unwrap();
        assert_eq!(count_aliases(&document), 5);
    }

    #[test]
    fn introspection_is_found_in_fragments_too() {
        let plain = parse_query("{ __typename practices(first: 1) { totalCount } }").unwrap();
        assert!(!uses_introspection(&plain));
        let hidden =
            parse_query("{ ...F } fragment F on Query { __type(name: \"City\") { name } }")
                .unwrap();
        assert!(uses_introspection(&hidden));
    }
}
