//! The peers of `benches/peers.sh` for search: the thinnest HTTP server in front of
//! PostgreSQL full-text search (tsvector + GIN + `ts_rank_cd`) and SQLite FTS5 (`bm25`), so
//! kxc's `search` is compared with what a team would build instead. Not part of the product.
//!
//! ```text
//! cargo run --release --example fts_peer -- BIND POSTGRES_URL SQLITE_FILE
//! POST /pg      {"q": "district heating", "theme": "energy", "region": "150"}
//! POST /sqlite  (the same body)
//! → {"totalCount": 42, "hits": [{"slug": "...", "score": 0.3}, ...]}   (top 10)
//! ```
//!
//! Both read a denormalised table the script builds from kxc's tables (`bench_fts` in
//! PostgreSQL; `doc`, `fts` and `tag` in SQLite): one document per published practice with
//! the original and every translation, its theme paths and region codes with their ancestors,
//! so a theme or region filter matches its whole subtree as kxc's does.

use std::sync::Arc;

use axum::{Json, Router, extract::State, routing::post};
use sea_orm::sqlx::{self, Row, postgres::PgPoolOptions, sqlite::SqlitePoolOptions};
use serde::{Deserialize, Serialize};

#[derive(Deserialize)]
struct Request {
    q: String,
    theme: Option<String>,
    region: Option<String>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Answer {
    total_count: i64,
    hits: Vec<Hit>,
}

#[derive(Serialize)]
struct Hit {
    slug: String,
    score: f64,
}

struct Pools {
    pg: sqlx::PgPool,
    sqlite: sqlx::SqlitePool,
}

type Reply = Result<Json<Answer>, (axum::http::StatusCode, String)>;

fn failed(error: sqlx::Error) -> (axum::http::StatusCode, String) {
    (
        axum::http::StatusCode::INTERNAL_SERVER_ERROR,
        format!("{{\"errors\": [{{\"message\": {:?}}}]}}", error.to_string()),
    )
}

async fn search_pg(State(pools): State<Arc<Pools>>, Json(request): Json<Request>) -> Reply {
    // One statement: the window count is taken over every match before the LIMIT.
    let sql = "SELECT slug, ts_rank_cd(tsv, query)::float8 AS score, count(*) OVER () AS total \
               FROM bench_fts, plainto_tsquery('simple', $1) AS query \
               WHERE tsv @@ query \
                 AND ($2::text IS NULL OR themes @> ARRAY[$2::text]) \
                 AND ($3::text IS NULL OR regions @> ARRAY[$3::text]) \
               ORDER BY score DESC, id LIMIT 10";
    let rows = sqlx::query(sql)
        .bind(&request.q)
        .bind(&request.theme)
        .bind(&request.region)
        .fetch_all(&pools.pg)
        .await
        .map_err(failed)?;
    let total_count = rows.first().map_or(0, |row| row.get::<i64, _>("total"));
    let hits = rows
        .iter()
        .map(|row| Hit {
            slug: row.get("slug"),
            score: row.get("score"),
        })
        .collect();
    Ok(Json(Answer { total_count, hits }))
}

/// Every word must match (as `plainto_tsquery` and kxc's `matching: ALL` do).
fn fts5_query(text: &str) -> String {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|word| !word.is_empty())
        .map(|word| format!("\"{word}\""))
        .collect::<Vec<_>>()
        .join(" ")
}

/// The FTS5 match with the theme and region filters (a macro, so the statements stay literals).
macro_rules! fts5_filter {
    () => {
        "fts MATCH ?1 \
         AND (?2 IS NULL OR fts.rowid IN (SELECT id FROM tag WHERE tag = 't:' || ?2)) \
         AND (?3 IS NULL OR fts.rowid IN (SELECT id FROM tag WHERE tag = 'r:' || ?3))"
    };
}

async fn search_sqlite(State(pools): State<Arc<Pools>>, Json(request): Json<Request>) -> Reply {
    let matched = fts5_query(&request.q);
    let total_count: i64 =
        sqlx::query_scalar(concat!("SELECT count(*) FROM fts WHERE ", fts5_filter!()))
            .bind(&matched)
            .bind(&request.theme)
            .bind(&request.region)
            .fetch_one(&pools.sqlite)
            .await
            .map_err(failed)?;
    let rows = sqlx::query(concat!(
        "SELECT doc.slug, -bm25(fts, 10.0, 5.0, 1.0) AS score FROM fts JOIN doc ON doc.id = fts.rowid WHERE ",
        fts5_filter!(),
        " ORDER BY bm25(fts, 10.0, 5.0, 1.0), fts.rowid LIMIT 10"
    ))
    .bind(&matched)
    .bind(&request.theme)
    .bind(&request.region)
    .fetch_all(&pools.sqlite)
    .await
    .map_err(failed)?;
    let hits = rows
        .iter()
        .map(|row| Hit {
            slug: row.get("slug"),
            score: row.get("score"),
        })
        .collect();
    Ok(Json(Answer { total_count, hits }))
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let [_, bind, postgres_url, sqlite_file] = args.as_slice() else {
        anyhow::bail!("usage: fts_peer BIND POSTGRES_URL SQLITE_FILE");
    };
    let pg = PgPoolOptions::new()
        .max_connections(8)
        .connect(postgres_url)
        .await?;
    let sqlite = SqlitePoolOptions::new()
        .max_connections(8)
        .connect(&format!("sqlite://{sqlite_file}?mode=ro"))
        .await?;
    let app = Router::new()
        .route("/pg", post(search_pg))
        .route("/sqlite", post(search_sqlite))
        .with_state(Arc::new(Pools { pg, sqlite }));
    let listener = tokio::net::TcpListener::bind(bind).await?;
    axum::serve(listener, app).await?;
    Ok(())
}
