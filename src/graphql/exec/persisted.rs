//! Automatic persisted queries (Apollo protocol, version 1): a client sends only a document's
//! SHA-256; on `PersistedQueryNotFound` it sends the document with its hash, and afterwards the
//! hash alone works.
//!
//! Replaces async-graphql's extension, whose cache counts entries rather than bytes and keeps
//! every registered document, valid or not, however large. Here the cache holds document
//! text weighed by its length within a byte budget (moka evicts what is least likely to be used
//! again), and a document is kept only when it is small and reached execution: it parsed,
//! passed validation and every limit of [`super::protection`]. A hit is parsed again like any
//! other document (microseconds at the size kept), so it meets every limit again too.

use std::sync::{Arc, Mutex, PoisonError};

use async_graphql::extensions::{
    Extension, ExtensionContext, ExtensionFactory, NextExecute, NextPrepareRequest,
};
use async_graphql::{Request, Response, ServerError, ServerResult};
use moka::sync::Cache;
use serde::Deserialize;
use sha2::{Digest, Sha256};

use crate::error::ErrorCode;

#[derive(Deserialize)]
struct PersistedQuery {
    version: i32,
    #[serde(rename = "sha256Hash")]
    sha256_hash: String,
}

/// The shared cache: hash → document text.
#[derive(Clone)]
pub struct PersistedQueries {
    cache: Cache<String, Arc<str>>,
    max_document_bytes: usize,
}

impl PersistedQueries {
    /// Keeps documents of at most `max_document_bytes` bytes, all of them together within
    /// about `budget_bytes` (hash and text counted).
    pub fn new(budget_bytes: u64, max_document_bytes: usize) -> Self {
        let cache = Cache::builder()
            .max_capacity(budget_bytes)
            .weigher(|hash: &String, text: &Arc<str>| {
                u32::try_from(hash.len() + text.len()).unwrap_or(u32::MAX)
            })
            .build();
        Self {
            cache,
            max_document_bytes,
        }
    }
}

impl ExtensionFactory for PersistedQueries {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(PersistedQueriesExtension {
            shared: self.clone(),
            pending: Mutex::default(),
        })
    }
}

struct PersistedQueriesExtension {
    shared: PersistedQueries,
    /// A document registered by this request, kept once it reaches execution.
    pending: Mutex<Option<(String, Arc<str>)>>,
}

fn refusal(message: impl Into<String>, code: ErrorCode) -> ServerError {
    let mut error = ServerError::new(message, None);
    error
        .extensions
        .get_or_insert_with(Default::default)
        .set("code", code.as_str());
    error
}

#[async_trait::async_trait]
impl Extension for PersistedQueriesExtension {
    async fn prepare_request(
        &self,
        ctx: &ExtensionContext<'_>,
        mut request: Request,
        next: NextPrepareRequest<'_>,
    ) -> ServerResult<Request> {
        if let Some(value) = request.extensions.remove("persistedQuery") {
            let persisted: PersistedQuery = async_graphql::from_value(value).map_err(|_| {
                refusal(
                    "Invalid \"PersistedQuery\" extension configuration.",
                    ErrorCode::BadUserInput,
                )
            })?;
            if persisted.version != 1 {
                return Err(refusal(
                    format!(
                        "Only the \"PersistedQuery\" extension of version \"1\" is supported, and the current version is \"{}\".",
                        persisted.version
                    ),
                    ErrorCode::BadUserInput,
                ));
            }
            if request.query.is_empty() {
                match self.shared.cache.get(&persisted.sha256_hash) {
                    Some(text) => request.query = text.to_string(),
                    // The message is fixed by the Apollo protocol; clients match on it.
                    None => {
                        return Err(refusal(
                            "PersistedQueryNotFound",
                            ErrorCode::PersistedQueryNotFound,
                        ));
                    }
                }
            } else {
                let hash = format!("{:x}", Sha256::digest(request.query.as_bytes()));
                if persisted.sha256_hash != hash {
                    return Err(refusal(
                        "provided sha does not match query",
                        ErrorCode::BadUserInput,
                    ));
                }
                if request.query.len() <= self.shared.max_document_bytes {
                    *self.pending.lock().unwrap_or_else(PoisonError::into_inner) =
                        Some((hash, Arc::from(request.query.as_str())));
                }
            }
        }
        next.run(ctx, request).await
    }

    async fn execute(
        &self,
        ctx: &ExtensionContext<'_>,
        operation_name: Option<&str>,
        next: NextExecute<'_>,
    ) -> Response {
        let pending = self
            .pending
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
        if let Some((hash, text)) = pending {
            self.shared.cache.insert(hash, text);
        }
        next.run(ctx, operation_name).await
    }
}
