//! The peer: the judged set through PostgreSQL full-text search over the seed practices, for
//! comparison with `search`. Not part of the normal run (it needs PostgreSQL and asserts
//! nothing about PostgreSQL's quality):
//! `KXC_TEST_POSTGRES_URL=postgres://postgres@127.0.0.1:5432/postgres cargo test --test api peer -- --ignored --nocapture`
//!
//! Each practice text (the original and every translation) is matched in its own language's
//! text-search configuration (`english`, `french`, ..., `simple` for the rest) against
//! `websearch_to_tsquery` of the query in that configuration; a practice ranks by its best
//! text's `ts_rank_cd` over title (weight A), summary (B) and body (C).

use sea_orm::{ConnectionTrait, DbBackend, Statement};

use super::connect;
use super::judged::{self, JUDGED};
use crate::helpers::spawn_apps;

const PEER: &str = r#"
WITH texts AS (
    SELECT p.slug, p.original_language AS lang, p.title, p.summary, p.body
    FROM practice p WHERE p.status = 'published' AND p.deleted_at IS NULL
    UNION ALL
    SELECT p.slug, t.language, t.title, t.summary, t.body
    FROM practice_translation t JOIN practice p ON p.id = t.practice_id
    WHERE p.status = 'published' AND p.deleted_at IS NULL
), configured AS (
    SELECT slug, (CASE lang
        WHEN 'en' THEN 'english' WHEN 'fr' THEN 'french' WHEN 'de' THEN 'german'
        WHEN 'no' THEN 'norwegian' WHEN 'sv' THEN 'swedish' WHEN 'da' THEN 'danish'
        WHEN 'es' THEN 'spanish' WHEN 'it' THEN 'italian' WHEN 'nl' THEN 'dutch'
        WHEN 'pt' THEN 'portuguese' WHEN 'fi' THEN 'finnish' ELSE 'simple' END)::regconfig AS cfg,
        title, summary, body
    FROM texts
), scored AS (
    SELECT slug, ts_rank_cd(
        setweight(to_tsvector(cfg, title), 'A') || setweight(to_tsvector(cfg, summary), 'B')
            || setweight(to_tsvector(cfg, body), 'C'),
        websearch_to_tsquery(cfg, $1)) AS rank,
        (setweight(to_tsvector(cfg, title), 'A') || setweight(to_tsvector(cfg, summary), 'B')
            || setweight(to_tsvector(cfg, body), 'C')) @@ websearch_to_tsquery(cfg, $1) AS hit
    FROM configured
)
SELECT slug, max(rank) AS rank FROM scored WHERE hit GROUP BY slug
ORDER BY rank DESC, slug LIMIT 10
"#;

#[tokio::test]
#[ignore = "a comparison run, not a check: needs KXC_TEST_POSTGRES_URL"]
async fn postgres_full_text_search_as_the_peer_on_the_judged_set() {
    let apps = spawn_apps().await;
    let Some(app) = apps.iter().find(|app| app.backend == "postgres") else {
        println!("peer: set KXC_TEST_POSTGRES_URL to run PostgreSQL full-text search");
        return;
    };
    let db = connect(app).await;
    let mut scores = Vec::new();
    for judged in JUDGED {
        let rows = db
            .query_all_raw(Statement::from_sql_and_values(
                DbBackend::Postgres,
                PEER,
                [judged.query.into()],
            ))
            .await
            .expect("peer query");
        let found: Vec<String> = rows
            .iter()
            .map(|row| row.try_get::<String>("", "slug").expect("slug"))
            .collect();
        let score = judged::ndcg_at_10(&found, judged.relevant);
        println!(
            "[peer] {:?} {:?}: nDCG@10 {score:.3}",
            judged.class, judged.query
        );
        scores.push((judged.class, score));
    }
    for (class, count, mean) in judged::by_class(&scores) {
        println!("[peer] {class:?}: {count} queries, mean nDCG@10 {mean:.3}");
    }
    let all = scores.iter().map(|(_, score)| score).sum::<f64>() / scores.len() as f64;
    println!("[peer] all {} queries: mean nDCG@10 {all:.3}", scores.len());
}
