//! [`RequestReport`]: what the HTTP layer learns from one run of the schema. The handler
//! attaches it to the request as data; the [`Protection`](crate::graphql::exec::protection::Protection)
//! and [`CostBudget`](crate::graphql::exec::budget::CostBudget) extensions fill it.

use std::sync::{Arc, Mutex, PoisonError};

use async_graphql::parser::types::{DocumentOperations, ExecutableDocument, OperationType};

use crate::auth::budget::{BudgetState, Overdraft};

/// Shared between the transport and the extension; cloning shares the same record.
#[derive(Clone, Debug, Default)]
pub struct RequestReport(Arc<Mutex<Record>>);

#[derive(Debug, Default)]
struct Record {
    read_only: bool,
    operation_name: Option<String>,
    executed: bool,
    mutation_refused: bool,
    budget: Option<Result<BudgetState, Overdraft>>,
}

impl RequestReport {
    /// For a transport that may run mutations (POST).
    pub fn read_write() -> Self {
        Self::default()
    }

    /// For a transport that must not run mutations (GET): the extension refuses to execute
    /// when the operation that `operation_name` selects is a mutation.
    pub fn read_only(operation_name: Option<String>) -> Self {
        Self(Arc::new(Mutex::new(Record {
            read_only: true,
            operation_name,
            ..Record::default()
        })))
    }

    /// True once execution started: the document parsed, validated and stayed within limits.
    /// False means a request error, which the GraphQL-over-HTTP spec answers without `data`.
    pub fn executed(&self) -> bool {
        self.lock().executed
    }

    /// True when a mutation was refused because the transport is read-only.
    pub fn mutation_refused(&self) -> bool {
        self.lock().mutation_refused
    }

    /// What charging the request's cost did to the caller's budget, when it was charged.
    pub fn budget(&self) -> Option<Result<BudgetState, Overdraft>> {
        self.lock().budget
    }

    pub(crate) fn set_budget(&self, outcome: Result<BudgetState, Overdraft>) {
        self.lock().budget = Some(outcome);
    }

    pub(crate) fn set_executed(&self) {
        self.lock().executed = true;
    }

    /// Checks `document` against a read-only transport; returns true (and records it) when the
    /// selected operation is a mutation.
    pub(crate) fn refuses(&self, document: &ExecutableDocument) -> bool {
        let mut record = self.lock();
        let refused = record.read_only
            && selected_operation(document, record.operation_name.as_deref())
                == Some(OperationType::Mutation);
        record.mutation_refused |= refused;
        refused
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Record> {
        // The record holds plain flags; a panic elsewhere cannot leave it half-written.
        self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// The type of the operation the request selects, as the spec's GetOperation does; None when
/// the selection is ambiguous (validation reports that).
fn selected_operation(document: &ExecutableDocument, name: Option<&str>) -> Option<OperationType> {
    match (&document.operations, name) {
        (DocumentOperations::Single(operation), _) => Some(operation.node.ty),
        (DocumentOperations::Multiple(operations), Some(name)) => operations
            .iter()
            .find(|(operation_name, _)| operation_name.as_str() == name)
            .map(|(_, operation)| operation.node.ty),
        (DocumentOperations::Multiple(operations), None) if operations.len() == 1 => operations
            .values()
            .next()
            .map(|operation| operation.node.ty),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use async_graphql::parser::parse_query;

    use super::*;

    #[test]
    fn a_read_only_transport_refuses_only_the_selected_mutation() {
        let document = parse_query("query A { a } mutation B { b }").unwrap();
        assert!(!RequestReport::read_only(Some("A".into())).refuses(&document));
        let report = RequestReport::read_only(Some("B".into()));
        assert!(report.refuses(&document) && report.mutation_refused());
        assert!(!RequestReport::read_write().refuses(&document));
        let single = parse_query("mutation { b }").unwrap();
        assert!(RequestReport::read_only(None).refuses(&single));
    }
}
