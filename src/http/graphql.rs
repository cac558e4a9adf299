//! GraphQL over HTTP: POST with a JSON body, GET with query parameters (queries only), and
//! GraphiQL for browsers.

use async_graphql::http::GraphiQLSource;
use axum::Json;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use serde::Deserialize;

use super::AppState;
use crate::graphql::AcceptedLanguages;

/// The parameters of a GraphQL request, with the spec's field names.
#[derive(Debug, Deserialize)]
pub struct Params {
    pub query: String,
    #[serde(rename = "operationName")]
    pub operation_name: Option<String>,
    #[serde(default)]
    pub variables: Option<serde_json::Value>,
}

impl Params {
    fn into_request(self) -> async_graphql::Request {
        let mut request = async_graphql::Request::new(self.query);
        if let Some(name) = self.operation_name {
            request = request.operation_name(name);
        }
        if let Some(variables) = self.variables {
            request = request.variables(async_graphql::Variables::from_json(variables));
        }
        request
    }
}

#[derive(Debug, Deserialize)]
pub struct GetParams {
    pub query: Option<String>,
    #[serde(rename = "operationName")]
    pub operation_name: Option<String>,
    pub variables: Option<String>,
}

fn accepted_languages(headers: &HeaderMap) -> AcceptedLanguages {
    headers
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|value| value.to_str().ok())
        .map(AcceptedLanguages::from_header)
        .unwrap_or_default()
}

async fn run(
    state: &AppState,
    headers: &HeaderMap,
    request: async_graphql::Request,
) -> async_graphql::Response {
    crate::graphql::execute(
        &state.schema,
        &state.db,
        request,
        accepted_languages(headers),
        state.report_sql_statements,
    )
    .await
}

pub async fn post(
    State(state): State<AppState>,
    headers: HeaderMap,
    Json(params): Json<Params>,
) -> Response {
    let response = run(&state, &headers, params.into_request()).await;
    Json(response).into_response()
}

pub async fn get(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(params): Query<GetParams>,
) -> Response {
    let wants_html = headers
        .get(header::ACCEPT)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|accept| accept.contains("text/html"));
    let Some(query) = params.query else {
        if wants_html {
            return Html(GraphiQLSource::build().endpoint("/graphql").finish()).into_response();
        }
        return (StatusCode::BAD_REQUEST, "missing `query` parameter").into_response();
    };
    let variables = match params
        .variables
        .as_deref()
        .map(serde_json::from_str)
        .transpose()
    {
        Ok(variables) => variables,
        Err(_) => return (StatusCode::BAD_REQUEST, "`variables` is not JSON").into_response(),
    };
    let request = Params {
        query,
        operation_name: params.operation_name,
        variables,
    }
    .into_request();
    let response = run(&state, &headers, request).await;
    Json(response).into_response()
}
