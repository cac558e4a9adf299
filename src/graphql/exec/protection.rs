//! The `Protection` extension: enforces [`Limits`], times out execution, reports the cost in
//! `extensions.cost`, and gives every error an `extensions.code` that says in which phase the
//! request failed. It records that phase in the request's [`RequestReport`] so the HTTP layer
//! can pick a status without guessing from the response body.

use std::sync::{Arc, Mutex, PoisonError};
use std::time::Instant;

use async_graphql::extensions::{
    Extension, ExtensionContext, ExtensionFactory, NextExecute, NextParseQuery, NextPrepareRequest,
    NextRequest, NextValidation,
};
use async_graphql::parser::types::ExecutableDocument;
use async_graphql::{
    Request, Response, ServerError, ServerResult, ValidationResult, Value, Variables,
};

use crate::error::ErrorCode;
use crate::graphql::exec::limits::{self, Limits};
use crate::graphql::exec::report::RequestReport;

/// When the operations of one batched POST must all end: the batch shares one execution
/// timeout instead of each operation having its own. Attached to each request of a batch; an
/// operation that starts after it answers `TIMEOUT` without running.
#[derive(Clone, Copy, Debug)]
pub struct BatchDeadline(pub Instant);

/// Registers first so that it wraps every other extension (persisted queries included).
pub struct Protection {
    limits: Limits,
    introspection: bool,
}

impl Protection {
    /// `introspection: false` refuses documents that ask for `__schema` or `__type` with a
    /// validation error (async-graphql alone would answer them with a silent null).
    pub fn new(limits: Limits, introspection: bool) -> Self {
        Self {
            limits,
            introspection,
        }
    }
}

impl ExtensionFactory for Protection {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(ProtectionExtension {
            limits: self.limits,
            introspection: self.introspection,
            state: Mutex::default(),
        })
    }
}

/// One per request: async-graphql creates the extension afresh for each `execute`.
struct ProtectionExtension {
    limits: Limits,
    introspection: bool,
    state: Mutex<State>,
}

#[derive(Default)]
struct State {
    phase: Phase,
    report: Option<RequestReport>,
    aliases: usize,
    measured: Option<ValidationResult>,
}

#[derive(Clone, Copy, Default, PartialEq, Eq)]
enum Phase {
    #[default]
    Preparing,
    Parsing,
    Validating,
    Executing,
}

impl ProtectionExtension {
    /// The limits checked on the document as written, in time linear in its length, before
    /// anything walks it with its fragments expanded.
    fn bound(&self, document: &ExecutableDocument) -> ServerResult<()> {
        let selections = limits::expanded_selections(document).map_err(|fragment| {
            refusal(
                format!(
                    "the fragment `{fragment}` spreads itself, directly or through other fragments"
                ),
                ErrorCode::GraphqlValidationFailed,
            )
        })?;
        if selections > self.limits.max_expanded_selections {
            return Err(refusal(
                format!(
                    "the document makes {} selections once its fragments are expanded; at most {} are allowed",
                    display_count(selections),
                    self.limits.max_expanded_selections
                ),
                ErrorCode::QueryTooComplex,
            ));
        }
        Ok(())
    }

    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn cost(&self, state: &State) -> Option<Value> {
        let measured = state.measured?;
        let limits = &self.limits;
        Some(
            Value::from_json(serde_json::json!({
                "complexity": measured.complexity,
                "maxComplexity": limits.max_complexity,
                "depth": measured.depth,
                "maxDepth": limits.max_depth,
                "aliases": state.aliases,
                "maxAliases": limits.max_aliases,
            }))
            .unwrap_or(Value::Null),
        )
    }
}

#[async_trait::async_trait]
impl Extension for ProtectionExtension {
    async fn request(&self, ctx: &ExtensionContext<'_>, next: NextRequest<'_>) -> Response {
        let mut response = next.run(ctx).await;
        let state = std::mem::take(&mut *self.state());
        for error in &mut response.errors {
            classify_unlabelled(error, state.phase);
        }
        if let Some(cost) = self.cost(&state) {
            response.extensions.insert("cost".into(), cost);
        }
        if let (Some(report), Phase::Executing) = (&state.report, state.phase) {
            report.set_executed();
        }
        response
    }

    async fn prepare_request(
        &self,
        ctx: &ExtensionContext<'_>,
        request: Request,
        next: NextPrepareRequest<'_>,
    ) -> ServerResult<Request> {
        let mut request = next.run(ctx, request).await.map_err(|error| {
            // The message is fixed by the Apollo protocol; clients match on it.
            let code = if error.message == "PersistedQueryNotFound" {
                ErrorCode::PersistedQueryNotFound
            } else {
                ErrorCode::BadUserInput
            };
            labelled(error, code)
        })?;
        // Parse here rather than in async-graphql's parse step: right after parsing it walks
        // every spread in place to check nesting, which takes exponential time for fragments
        // that spread each other twice per level. The document is bounded first; async-graphql
        // then uses it as parsed.
        let directives = limits::count_directives(&request.query);
        if directives > self.limits.max_directives {
            return Err(refusal(
                format!(
                    "the document uses {directives} directives; at most {} are allowed",
                    self.limits.max_directives
                ),
                ErrorCode::QueryTooComplex,
            ));
        }
        let document = request.parsed_query().map_err(|error| {
            let code = parse_failure_code(&error);
            labelled(error, code)
        })?;
        self.bound(document)?;
        Ok(request)
    }

    async fn parse_query(
        &self,
        ctx: &ExtensionContext<'_>,
        query: &str,
        variables: &Variables,
        next: NextParseQuery<'_>,
    ) -> ServerResult<ExecutableDocument> {
        let report = ctx.data_opt::<RequestReport>().cloned();
        {
            let mut state = self.state();
            state.phase = Phase::Parsing;
            state.report = report.clone();
        }
        let document = next.run(ctx, query, variables).await.map_err(|error| {
            let code = parse_failure_code(&error);
            labelled(error, code)
        })?;
        if report.is_some_and(|report| report.refuses(&document)) {
            return Err(refusal(
                "mutations must be sent with POST",
                ErrorCode::BadUserInput,
            ));
        }
        if !self.introspection && limits::uses_introspection(&document) {
            return Err(refusal(
                "introspection is disabled on this server",
                ErrorCode::GraphqlValidationFailed,
            ));
        }
        let aliases = limits::count_aliases(&document);
        self.state().aliases = aliases;
        if aliases > self.limits.max_aliases {
            return Err(refusal(
                format!(
                    "the document uses {aliases} aliases; at most {} are allowed",
                    self.limits.max_aliases
                ),
                ErrorCode::QueryTooComplex,
            ));
        }
        Ok(document)
    }

    async fn validation(
        &self,
        ctx: &ExtensionContext<'_>,
        next: NextValidation<'_>,
    ) -> Result<ValidationResult, Vec<ServerError>> {
        self.state().phase = Phase::Validating;
        let measured = next.run(ctx).await.map_err(|errors| {
            errors
                .into_iter()
                .map(|error| labelled(error, ErrorCode::GraphqlValidationFailed))
                .collect::<Vec<_>>()
        })?;
        self.state().measured = Some(measured);
        let limits = &self.limits;
        let too_much = |message: String| vec![refusal(message, ErrorCode::QueryTooComplex)];
        if measured.depth > limits.max_depth {
            return Err(too_much(format!(
                "the query is nested {} deep; at most {} is allowed",
                measured.depth, limits.max_depth
            )));
        }
        if measured.complexity > limits.max_complexity {
            return Err(too_much(format!(
                "the query costs {}; at most {} is allowed (a connection costs `first` or `last` times its selection)",
                measured.complexity, limits.max_complexity
            )));
        }
        Ok(measured)
    }

    async fn execute(
        &self,
        ctx: &ExtensionContext<'_>,
        operation_name: Option<&str>,
        next: NextExecute<'_>,
    ) -> Response {
        self.state().phase = Phase::Executing;
        let mut timeout = self.limits.execution_timeout;
        if let Some(BatchDeadline(deadline)) = ctx.data_opt::<BatchDeadline>() {
            let remaining = deadline.saturating_duration_since(Instant::now());
            if remaining.is_zero() {
                return Response::from_errors(vec![refusal(
                    format!(
                        "the batch took longer than {} ms; this operation was not run",
                        self.limits.execution_timeout.as_millis()
                    ),
                    ErrorCode::Timeout,
                )]);
            }
            timeout = timeout.min(remaining);
        }
        match tokio::time::timeout(timeout, next.run(ctx, operation_name)).await {
            Ok(response) => response,
            Err(_) => {
                tracing::warn!(
                    timeout_ms = timeout.as_millis() as u64,
                    operation = operation_name.unwrap_or(""),
                    "execution timed out"
                );
                Response::from_errors(vec![refusal(
                    format!(
                        "execution took longer than {} ms and was stopped",
                        timeout.as_millis()
                    ),
                    ErrorCode::Timeout,
                )])
            }
        }
    }
}

/// A saturated count is too large to say exactly.
fn display_count(count: usize) -> String {
    if count == usize::MAX {
        format!("more than {}", usize::MAX - 1)
    } else {
        count.to_string()
    }
}

fn refusal(message: impl Into<String>, code: ErrorCode) -> ServerError {
    labelled(ServerError::new(message, None), code)
}

/// Sets `extensions.code` unless the error already carries one.
fn labelled(mut error: ServerError, code: ErrorCode) -> ServerError {
    let extensions = error.extensions.get_or_insert_with(Default::default);
    if extensions.get("code").is_none() {
        extensions.set("code", code.as_str());
    }
    error
}

/// The parse phase also checks selection nesting; too much nesting is a cost problem, not a
/// syntax error. async-graphql reports it only as text.
fn parse_failure_code(error: &ServerError) -> ErrorCode {
    if error.message.contains("recursion depth of the query") {
        ErrorCode::QueryTooComplex
    } else {
        ErrorCode::GraphqlParseFailed
    }
}

/// The last line of defence for errors that reached the response without a code: before
/// execution they are request errors of the phase that failed; during execution they come from
/// async-graphql's input coercion (the client's fault) or from something unexpected, whose text
/// is logged and replaced so that no internal detail reaches a client.
fn classify_unlabelled(error: &mut ServerError, phase: Phase) {
    if error
        .extensions
        .as_ref()
        .is_some_and(|extensions| extensions.get("code").is_some())
    {
        return;
    }
    let code = match phase {
        Phase::Preparing => ErrorCode::BadUserInput,
        Phase::Parsing => ErrorCode::GraphqlParseFailed,
        Phase::Validating => ErrorCode::GraphqlValidationFailed,
        Phase::Executing if is_input_coercion(&error.message) => ErrorCode::BadUserInput,
        Phase::Executing => {
            tracing::error!(error = %error.message, path = ?error.path, "unlabelled error hidden from client");
            error.message = "internal error".into();
            ErrorCode::Internal
        }
    };
    *error = labelled(std::mem::replace(error, ServerError::new("", None)), code);
}

/// async-graphql's own messages for argument values that fail to coerce during execution.
fn is_input_coercion(message: &str) -> bool {
    [
        "Failed to parse \"",
        "Expected input type \"",
        "Invalid value for argument",
    ]
    .iter()
    .any(|prefix| message.starts_with(prefix))
}

/// Labels the errors of a response streamed to a websocket subscriber, which async-graphql
/// produces without the `request` hook that labels HTTP responses: a response without data
/// failed before execution (validation), one with data during it.
pub fn label_streamed(mut response: Response) -> Response {
    let phase = if response.data == Value::Null {
        Phase::Validating
    } else {
        Phase::Executing
    };
    for error in &mut response.errors {
        classify_unlabelled(error, phase);
    }
    response
}
