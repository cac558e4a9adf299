//! The response cache for public reads: an anonymous query's response, kept per document,
//! variables, operation name and accepted languages, and answered again only while nothing it
//! may have read has changed.
//!
//! Freshness is exact, not timed: every write appends to `change_log` in its transaction (on
//! PostgreSQL under one lock, so `seq` grows in commit order), and the search index says which
//! `seq` its results reflect. Both, read *before* a response is computed, are part of its key,
//! so a request finds only what was computed at the version it reads now; one `MAX(seq)`
//! lookup per request tells it. A write committed while a response was being computed moves
//! the version on, so that response is never looked up again and ages out. Requests for the
//! same key at the same time wait for one computation. The time to live only bounds what
//! depends on the clock rather than on stored rows (a funding opportunity's status "today",
//! upcoming events), and rows refreshed without a change-log entry (an account's display name
//! from its identity token).
//!
//! Only what is safe to share is kept: documents whose operations are all queries, asked by an
//! anonymous viewer, answered without errors, and no larger than [`MAX_ENTRY_BYTES`]. The
//! cache runs inside the protection and budget extensions, so a hit is parsed, validated,
//! limited and charged like any other request; only the resolvers are skipped. moka holds the
//! entries within a byte budget and drops those least likely to be used again.

use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use async_graphql::extensions::{
    Extension, ExtensionContext, ExtensionFactory, NextExecute, NextParseQuery,
};
use async_graphql::parser::types::{ExecutableDocument, OperationType};
use async_graphql::{Response, ServerResult, Variables};
use moka::future::Cache;
use sea_orm::DatabaseConnection;

use super::language::AcceptedLanguages;
use crate::domain::{Role, Viewer};
use crate::search::SharedIndex;

/// Largest response (as JSON) worth keeping; larger ones are computed each time.
pub const MAX_ENTRY_BYTES: usize = 1024 * 1024;

/// The shared cache; `None` when switched off (a budget of 0 bytes).
#[derive(Clone)]
pub struct ResponseCache {
    cache: Option<Cache<CacheKey, Arc<Entry>>>,
}

/// What an entry was computed from: the last committed change and the index's view of it.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
struct Version {
    seq: i64,
    checkpoint: i64,
    generation: String,
}

/// A request and the version its response reflects: an entry of an older version is never
/// looked up again and ages out.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
struct CacheKey {
    request: Arc<str>,
    version: Version,
}

struct Entry {
    /// The data's size as JSON, what the entry weighs in the byte budget.
    bytes: usize,
    data: async_graphql::Value,
    extensions: std::collections::BTreeMap<String, async_graphql::Value>,
    cache_control: async_graphql::CacheControl,
    http_headers: axum::http::HeaderMap,
}

impl Entry {
    /// What is kept of `response`: nothing when it has errors or is too large.
    fn of(response: &Response) -> Option<Self> {
        if !response.errors.is_empty() {
            return None;
        }
        let bytes = serde_json::to_vec(&response.data).ok()?.len();
        (bytes <= MAX_ENTRY_BYTES).then(|| Self {
            bytes,
            data: response.data.clone(),
            extensions: response.extensions.clone(),
            cache_control: response.cache_control,
            http_headers: response.http_headers.clone(),
        })
    }

    fn response(&self) -> Response {
        let mut response = Response::new(self.data.clone());
        response.extensions = self.extensions.clone();
        response.cache_control = self.cache_control;
        response.http_headers = self.http_headers.clone();
        response
    }
}

impl ResponseCache {
    /// Keeps responses within about `budget_bytes` (key and JSON size counted), each for at
    /// most `ttl`; a budget of 0 switches the cache off.
    pub fn new(budget_bytes: u64, ttl: Duration) -> Self {
        let cache = (budget_bytes > 0).then(|| {
            Cache::builder()
                .max_capacity(budget_bytes)
                .time_to_live(ttl)
                .weigher(|key: &CacheKey, entry: &Arc<Entry>| {
                    u32::try_from(key.request.len() + entry.bytes).unwrap_or(u32::MAX)
                })
                .build()
        });
        Self { cache }
    }
}

impl ExtensionFactory for ResponseCache {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(ResponseCacheExtension {
            cache: self.cache.clone(),
            parsed: Mutex::default(),
        })
    }
}

struct ResponseCacheExtension {
    cache: Option<Cache<CacheKey, Arc<Entry>>>,
    /// The document and variables, once parsing showed every operation is a query.
    parsed: Mutex<Option<(String, Variables)>>,
}

/// True when no operation in `document` can write or stream.
fn only_queries(document: &ExecutableDocument) -> bool {
    document
        .operations
        .iter()
        .all(|(_, operation)| operation.node.ty == OperationType::Query)
}

/// The request's key: every input that shapes an anonymous query's response. Parts are
/// separated by a NUL, which no GraphQL document, JSON text or language code contains raw.
fn key(
    query: &str,
    variables: &Variables,
    operation_name: Option<&str>,
    languages: Option<&AcceptedLanguages>,
) -> Option<Arc<str>> {
    let variables = serde_json::to_string(variables).ok()?;
    let mut key = String::with_capacity(query.len() + variables.len() + 32);
    key.push_str(query);
    key.push('\0');
    key.push_str(&variables);
    key.push('\0');
    key.push_str(operation_name.unwrap_or(""));
    key.push('\0');
    for language in languages
        .map(|languages| languages.0.as_slice())
        .unwrap_or(&[])
    {
        key.push_str(language);
        key.push(',');
    }
    Some(Arc::from(key))
}

/// The version a response computed now would reflect; `None` when it cannot be told.
async fn current_version(ctx: &ExtensionContext<'_>) -> Option<Version> {
    let db = ctx.data_opt::<DatabaseConnection>()?;
    let index = ctx.data_opt::<SharedIndex>()?;
    // Read the index first: it only ever trails the database, so a change committed between
    // the two reads makes the pair look older, never newer, than what is then computed.
    let checkpoint = index.checkpoint();
    let generation = index.generation_name();
    // The request's tail, which its reference data is read at too (`service::reference`).
    let seq = match ctx.data_opt::<crate::service::reference::RequestReference>() {
        Some(reference) => reference.tail().await,
        None => crate::service::change_consumer::latest_seq(db).await,
    }
    .map_err(|error| tracing::warn!(%error, "response cache: read the change-log tail"))
    .ok()?;
    Some(Version {
        seq,
        checkpoint,
        generation,
    })
}

fn count(outcome: &'static str) {
    metrics::counter!("kxc_response_cache_total", "outcome" => outcome).increment(1);
}

#[async_trait::async_trait]
impl Extension for ResponseCacheExtension {
    async fn parse_query(
        &self,
        ctx: &ExtensionContext<'_>,
        query: &str,
        variables: &Variables,
        next: NextParseQuery<'_>,
    ) -> ServerResult<ExecutableDocument> {
        let document = next.run(ctx, query, variables).await?;
        if self.cache.is_some() && only_queries(&document) {
            *self.parsed.lock().unwrap_or_else(PoisonError::into_inner) =
                Some((query.to_owned(), variables.clone()));
        }
        Ok(document)
    }

    async fn execute(
        &self,
        ctx: &ExtensionContext<'_>,
        operation_name: Option<&str>,
        next: NextExecute<'_>,
    ) -> Response {
        let parsed = self
            .parsed
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
        let anonymous = ctx
            .data_opt::<Viewer>()
            .is_none_or(|viewer| viewer.role() == Role::Anonymous);
        let (Some(cache), Some((query, variables)), true) = (&self.cache, parsed, anonymous) else {
            return next.run(ctx, operation_name).await;
        };
        let languages = ctx.data_opt::<AcceptedLanguages>();
        let (Some(request), Some(version)) = (
            key(&query, &variables, operation_name, languages),
            current_version(ctx).await,
        ) else {
            return next.run(ctx, operation_name).await;
        };
        // Concurrent requests for the same key and version wait for one computation instead
        // of each running the resolvers (moka's `try_get_with`); whoever runs it keeps its
        // response when it is not worth keeping.
        let next = Mutex::new(Some(next));
        let kept_out: Mutex<Option<Response>> = Mutex::default();
        let computed = cache
            .try_get_with(CacheKey { request, version }, async {
                let next = next.lock().unwrap_or_else(PoisonError::into_inner).take();
                let response = match next {
                    Some(next) => next.run(ctx, operation_name).await,
                    None => return Err(()),
                };
                count("miss");
                match Entry::of(&response) {
                    Some(entry) => Ok(Arc::new(entry)),
                    None => {
                        *kept_out.lock().unwrap_or_else(PoisonError::into_inner) = Some(response);
                        Err(())
                    }
                }
            })
            .await;
        if let Some(response) = kept_out
            .into_inner()
            .unwrap_or_else(PoisonError::into_inner)
        {
            return response;
        }
        match computed {
            Ok(entry) => {
                if next
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .is_some()
                {
                    count("hit");
                }
                entry.response()
            }
            // Another request computed an answer that was not kept: compute this one.
            Err(_) => match next.into_inner().unwrap_or_else(PoisonError::into_inner) {
                Some(next) => next.run(ctx, operation_name).await,
                None => Response::from_errors(vec![async_graphql::ServerError::new(
                    "internal error",
                    None,
                )]),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use async_graphql::parser::parse_query;

    use super::*;

    #[test]
    fn only_documents_of_queries_alone_are_kept() {
        assert!(only_queries(
            &parse_query("query A { a } query B { b }").unwrap()
        ));
        assert!(only_queries(&parse_query("{ a }").unwrap()));
        assert!(!only_queries(
            &parse_query("query A { a } mutation B { b }").unwrap()
        ));
        assert!(!only_queries(
            &parse_query("subscription { changes }").unwrap()
        ));
    }

    #[test]
    fn every_input_of_the_response_is_in_the_key() {
        let variables = Variables::from_json(serde_json::json!({ "first": 2 }));
        let other = Variables::from_json(serde_json::json!({ "first": 3 }));
        let english = AcceptedLanguages(vec!["en".into()]);
        let french = AcceptedLanguages(vec!["fr".into()]);
        let base = key("{ a }", &variables, Some("A"), Some(&english)).unwrap();
        assert_eq!(
            base,
            key("{ a }", &variables, Some("A"), Some(&english)).unwrap()
        );
        for different in [
            key("{ b }", &variables, Some("A"), Some(&english)),
            key("{ a }", &other, Some("A"), Some(&english)),
            key("{ a }", &variables, None, Some(&english)),
            key("{ a }", &variables, Some("A"), Some(&french)),
            key("{ a }", &variables, Some("A"), None),
        ] {
            assert_ne!(base, different.unwrap());
        }
    }
}
