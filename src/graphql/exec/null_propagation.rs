//! Spec-conformant null propagation. async-graphql 7.1 to 7.2.x drops a non-null field whose
//! resolver failed from its parent object instead of nulling the parent, so clients get an object
//! that is silently missing a field their schema promised. This extension restores the rule of
//! the GraphQL spec (6.4.4, "Handling Field Errors"): the error propagates to the nearest nullable
//! ancestor, which becomes null, and when there is none, `data` becomes null.
//!
//! How: a failed non-null field "poisons" the position of its parent (an object field, or an item
//! of a list). When a field finishes resolving, it checks whether its own position or one of its
//! list items is poisoned; a nullable position becomes null, a non-null one poisons its parent in
//! turn. Only failures do work; the common path is one relaxed atomic load per field.

use std::collections::HashSet;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use async_graphql::extensions::{
    Extension, ExtensionContext, ExtensionFactory, NextExecute, NextResolve, ResolveInfo,
};
use async_graphql::{Response, ServerResult, Value};

pub struct NullPropagation;

impl ExtensionFactory for NullPropagation {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(Propagator::default())
    }
}

#[derive(Default)]
struct Propagator {
    any_poisoned: AtomicBool,
    /// Response paths (keys and list indices) that must become null.
    poisoned: Mutex<HashSet<Vec<String>>>,
    root_poisoned: AtomicBool,
}

impl Propagator {
    fn poison_parent_of(&self, path: &[String]) {
        match path.split_last() {
            Some((_, [])) | None => self.root_poisoned.store(true, Ordering::SeqCst),
            Some((_, parent)) => {
                self.lock().insert(parent.to_vec());
                self.any_poisoned.store(true, Ordering::SeqCst);
            }
        }
    }

    fn take(&self, path: &[String]) -> bool {
        self.lock().remove(path)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashSet<Vec<String>>> {
        self.poisoned
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// `[Practice!]!` -> items are non-null.
fn list_items_non_null(return_type: &str) -> bool {
    return_type
        .trim_end_matches('!')
        .trim_end_matches(']')
        .ends_with('!')
}

#[async_trait::async_trait]
impl Extension for Propagator {
    async fn execute(
        &self,
        ctx: &ExtensionContext<'_>,
        operation_name: Option<&str>,
        next: NextExecute<'_>,
    ) -> Response {
        let mut response = next.run(ctx, operation_name).await;
        if self.root_poisoned.load(Ordering::SeqCst) {
            response.data = Value::Null;
        }
        response
    }

    async fn resolve(
        &self,
        ctx: &ExtensionContext<'_>,
        info: ResolveInfo<'_>,
        next: NextResolve<'_>,
    ) -> ServerResult<Option<Value>> {
        let non_null = info.return_type.ends_with('!');
        let return_type = info.return_type.to_owned();
        let path_node = *info.path_node;
        let result = next.run(ctx, info).await;
        let mut value = match result {
            Err(error) => {
                if non_null {
                    self.poison_parent_of(&path_node.to_string_vec());
                }
                return Err(error);
            }
            Ok(value) => value,
        };
        if !self.any_poisoned.load(Ordering::Relaxed) {
            return Ok(value);
        }
        let path = path_node.to_string_vec();
        if path
            .last()
            .is_some_and(|segment| segment.parse::<usize>().is_ok())
        {
            // An interface or union item dispatched inside a list: its position belongs to the
            // list, whose hook knows whether items may be null.
            return Ok(value);
        }
        let mut null_here = self.take(&path);
        if let Some(Value::List(items)) = &mut value {
            let items_non_null = list_items_non_null(&return_type);
            let mut item_path = path.clone();
            for (index, item) in items.iter_mut().enumerate() {
                item_path.push(index.to_string());
                if self.take(&item_path) {
                    if items_non_null {
                        null_here = true;
                    } else {
                        *item = Value::Null;
                    }
                }
                item_path.pop();
            }
        }
        if !null_here {
            return Ok(value);
        }
        if non_null {
            self.poison_parent_of(&path);
            return Ok(Some(Value::Null));
        }
        Ok(None)
    }
}

#[cfg(test)]
mod tests {
    use super::list_items_non_null;

    #[test]
    fn list_item_nullability_is_read_from_the_type() {
        assert!(list_items_non_null("[Practice!]!"));
        assert!(list_items_non_null("[Practice!]"));
        assert!(!list_items_non_null("[Practice]!"));
        assert!(!list_items_non_null("[Practice]"));
    }
}
