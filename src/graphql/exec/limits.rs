//! Query limits and the cost model. async-graphql computes depth and complexity during
//! validation; [`crate::graphql::exec::protection`] enforces the limits below on those numbers.

use std::collections::HashMap;
use std::time::Duration;

use async_graphql::parser::types::{
    ExecutableDocument, Field, FragmentDefinition, Selection, SelectionSet,
};
use async_graphql::{Name, Positioned};

use crate::service::paging::MAX_PAGE_SIZE;

/// The limits one operation must stay within.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    pub max_depth: usize,
    pub max_complexity: usize,
    pub max_aliases: usize,
    /// Most fields the document's operations select once every fragment spread is expanded;
    /// checked before validation, whose cost grows with that number.
    pub max_expanded_selections: usize,
    /// Most directives written in one document.
    pub max_directives: usize,
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

/// How many selections (fields, spreads, inline fragments) the document makes once every
/// fragment spread is expanded in place: the sum over its operations, or the largest fragment
/// definition's size if that is larger (validation walks definitions too). Each fragment is
/// sized once (memoised), so the count is linear in the document's length even when spreads
/// double at every level; the result saturates instead of overflowing. A spread of an unknown
/// fragment counts 1 (validation rejects it later).
///
/// A fragment that spreads itself, directly or through others, expands without end, and
/// async-graphql's own depth check would walk it exponentially before validation could reject
/// the cycle; such a document is `Err` with the fragment's name.
pub fn expanded_selections(document: &ExecutableDocument) -> Result<usize, String> {
    let mut sizer = FragmentSizer {
        fragments: &document.fragments,
        sizes: HashMap::new(),
        cycle: None,
    };
    let operations = document
        .operations
        .iter()
        .map(|(_, operation)| sizer.selection_set(&operation.node.selection_set.node))
        .fold(0usize, usize::saturating_add);
    let largest_fragment = document
        .fragments
        .keys()
        .map(|name| sizer.fragment(name))
        .max()
        .unwrap_or(0);
    match sizer.cycle {
        Some(name) => Err(name),
        None => Ok(operations.max(largest_fragment)),
    }
}

struct FragmentSizer<'a> {
    fragments: &'a HashMap<Name, Positioned<FragmentDefinition>>,
    /// `None` while the fragment is being sized: a spread of it then closes a cycle.
    sizes: HashMap<&'a str, Option<usize>>,
    cycle: Option<String>,
}

impl<'a> FragmentSizer<'a> {
    fn fragment(&mut self, name: &'a str) -> usize {
        match self.sizes.get(name) {
            Some(Some(size)) => return *size,
            Some(None) => {
                self.cycle.get_or_insert_with(|| name.to_owned());
                return 0;
            }
            None => {}
        }
        let Some(definition) = self.fragments.get(name) else {
            return 0;
        };
        self.sizes.insert(name, None);
        let size = self.selection_set(&definition.node.selection_set.node);
        self.sizes.insert(name, Some(size));
        size
    }

    fn selection_set(&mut self, selection_set: &'a SelectionSet) -> usize {
        selection_set
            .items
            .iter()
            .map(|selection| {
                let inner = match &selection.node {
                    Selection::Field(field) => self.selection_set(&field.node.selection_set.node),
                    Selection::InlineFragment(fragment) => {
                        self.selection_set(&fragment.node.selection_set.node)
                    }
                    Selection::FragmentSpread(spread) => {
                        self.fragment(spread.node.fragment_name.node.as_str())
                    }
                };
                inner.saturating_add(1)
            })
            .fold(0, usize::saturating_add)
    }
}

/// How many directives the document text writes: on operations, variables, fields, fragment
/// definitions, spreads and inline fragments, each occurrence once as written. In an
/// executable document `@` starts a directive wherever it stands outside a string or a
/// comment, so one pass over the text counts them exactly, before the (much slower) parser
/// has to build a node for each.
pub fn count_directives(text: &str) -> usize {
    let bytes = text.as_bytes();
    let mut count = 0;
    let mut at = 0;
    while at < bytes.len() {
        match bytes[at] {
            b'@' => count += 1,
            b'#' => {
                while at < bytes.len() && bytes[at] != b'\n' && bytes[at] != b'\r' {
                    at += 1;
                }
            }
            b'"' if bytes[at..].starts_with(b"\"\"\"") => {
                at += 3;
                while at < bytes.len() && !bytes[at..].starts_with(b"\"\"\"") {
                    // `\"""` is an escaped delimiter inside a block string.
                    at += if bytes[at..].starts_with(b"\\\"\"\"") {
                        4
                    } else {
                        1
                    };
                }
                at += 2;
            }
            b'"' => {
                at += 1;
                while at < bytes.len() && bytes[at] != b'"' && bytes[at] != b'\n' {
                    at += if bytes[at] == b'\\' { 2 } else { 1 };
                }
            }
            _ => {}
        }
        at += 1;
    }
    count
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

    /// `query { ...F0 }` where each `Fi` spreads `Fi+1` twice and the last selects one field.
    fn doubling(levels: usize) -> String {
        let mut document = String::from("query { ...F0 }\n");
        for level in 0..levels {
            let next = level + 1;
            document.push_str(&format!(
                "fragment F{level} on Query {{ ...F{next} ...F{next} }}\n"
            ));
        }
        document.push_str(&format!("fragment F{levels} on Query {{ __typename }}\n"));
        document
    }

    #[test]
    fn expanded_selections_count_every_spread_in_place() {
        let document = parse_query(
            "{ practices(first: 1) { nodes { ...P ...P } } ... on Query { __typename } }
             fragment P on Practice { title cities { name } }",
        )
        .unwrap();
        // practices, nodes, 2 × (spread, title, cities, name), inline fragment, __typename
        assert_eq!(expanded_selections(&document), Ok(12));
        // 2^20 fields and 2^21 - 2 spreads.
        assert_eq!(
            expanded_selections(&parse_query(doubling(20)).unwrap()),
            Ok((1 << 20) + (1 << 21) - 1)
        );
        // 200 levels would be 2^200: the count saturates instead of overflowing.
        assert_eq!(
            expanded_selections(&parse_query(doubling(200)).unwrap()),
            Ok(usize::MAX)
        );
    }

    #[test]
    fn a_fragment_cycle_is_named_and_unknown_fragments_count_once() {
        let cyclic = parse_query(
            "{ ...A } fragment A on Query { __typename ...B } fragment B on Query { ...A ...C }",
        )
        .unwrap();
        assert_eq!(expanded_selections(&cyclic), Err("A".to_owned()));
        let itself = parse_query("{ ...A } fragment A on Query { ...A ...A }").unwrap();
        assert_eq!(expanded_selections(&itself), Err("A".to_owned()));
        let unknown = parse_query("{ __typename ...Missing }").unwrap();
        assert_eq!(expanded_selections(&unknown), Ok(2));
        let unused = parse_query(format!("{{ __typename }}\n{}", &doubling(10)[16..])).unwrap();
        assert_eq!(expanded_selections(&unused), Ok((1 << 10) + (1 << 11) - 2));
    }

    #[test]
    fn directives_are_counted_wherever_they_are_written() {
        let text = "query Q($a: Boolean = true) @live {
               __typename @skip(if: false) @include(if: true)
               ...F @include(if: true)
               ... @skip(if: false) { __typename }
             }
             fragment F on Query @x { __typename @y }";
        parse_query(text).unwrap();
        assert_eq!(count_directives(text), 7);
    }

    #[test]
    fn at_signs_in_strings_and_comments_are_not_directives() {
        let text = r#"query # mail me@example.org
            { search(query: "a@b \" @c") { total } x: search(query: """ @d \""" @e """) @skip(if: false) { total } }"#;
        parse_query(text).unwrap();
        assert_eq!(count_directives(text), 1);
        assert_eq!(count_directives("{ a(s: \"unterminated @"), 0);
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
