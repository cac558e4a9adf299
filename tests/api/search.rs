//! Search through the public API: relevance on the seed data, freshness and recovery of the
//! index, and the query features. Helpers shared by the three files live here.

mod freshness;
mod judged;
mod peer;
mod queries;
mod relevance;

use std::time::{Duration, Instant};

use kxc::config::Settings;
use sea_orm::DatabaseConnection;
use serde_json::{Value, json};

use crate::helpers::TestApp;

pub const SEARCH: &str = r#"
query($query: String!, $types: [SearchType!], $filter: SearchFilter, $orderBy: SearchOrder,
      $first: Int, $after: String, $facets: [Facet!], $language: String,
      $matching: MatchingStrategy) {
  search(query: $query, types: $types, filter: $filter, orderBy: $orderBy, first: $first,
         after: $after, facets: $facets, language: $language, matching: $matching) {
    totalCount suggestion language
    pageInfo { hasNextPage endCursor }
    hits {
      score cursor distanceKm
      highlights { field language snippet }
      node {
        __typename
        ... on Practice { slug }
        ... on City { slug }
        ... on FundingOpportunity { externalId }
      }
    }
    facets { facet values { value label count children { value label count children { value count } } } }
  }
}"#;

/// The slug (or external id) of each hit, best first.
pub fn keys(search: &Value) -> Vec<String> {
    search["hits"]
        .as_array()
        .expect("hits")
        .iter()
        .map(|hit| {
            let node = &hit["node"];
            node["slug"]
                .as_str()
                .or(node["externalId"].as_str())
                .unwrap_or_default()
                .to_owned()
        })
        .collect()
}

pub async fn search(app: &TestApp, query: &str, mut variables: Value) -> Value {
    variables["query"] = json!(query);
    app.data(SEARCH, variables).await["search"].clone()
}

pub async fn connect(app: &TestApp) -> DatabaseConnection {
    let mut settings = Settings::with_data_dir(app.data_dir());
    settings.database_url = Some(app.database_url.clone());
    kxc::db::connect(&settings).await.expect("connect")
}

pub fn practice_line(slug: &str, title: &str, status: &str) -> String {
    json!({
        "slug": slug,
        "original_language": "en",
        "title": title,
        "summary": "A harbour district heats its homes with a zeolite battery.",
        "body": "## Context\n\nThe quayside needed heat without fuel.",
        "status": status,
        "published_at": "2026-01-15",
        "cities": ["bergen"],
        "themes": ["energy/storage-and-grids"],
        "sdgs": [7, 13]
    })
    .to_string()
}

/// Polls `search` until `condition` holds; returns how long it took, or `None` at `deadline`.
pub async fn wait_for(
    app: &TestApp,
    query: &str,
    deadline: Duration,
    condition: impl Fn(&[String]) -> bool,
) -> Option<Duration> {
    let started = Instant::now();
    loop {
        let found = keys(&search(app, query, json!({})).await);
        if condition(&found) {
            return Some(started.elapsed());
        }
        if started.elapsed() > deadline {
            return None;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}
