//! Batched statements stay within each backend's limits (SQLite: 500 compound-select terms,
//! 32766 bound parameters, expression trees 1000 deep; PostgreSQL: 65535 parameters), so the
//! largest batch a query can ask for answers in full, the same as small batches do.

use std::collections::HashMap;

use kxc::service::{chunked, counts};
use sea_orm::{EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use serde_json::{Value, json};

use crate::helpers::spawn_apps;

const EVERY_SUBDIVISION: &str = "{ regions(kind: SUBDIVISION) { code cityCount practiceCount cities(first: 100) { nodes { slug } } } }";

#[tokio::test]
async fn every_subdivision_answers_its_counts_and_cities_in_one_request() {
    for app in spawn_apps().await {
        let response = app.graphql(EVERY_SUBDIVISION, json!({})).await;
        assert!(
            response.get("errors").is_none(),
            "[{}] {}",
            app.backend,
            &response.to_string()[..response.to_string().len().min(600)]
        );
        let regions = response["data"]["regions"].as_array().expect("regions");
        assert!(regions.len() > 1_600, "[{}] {}", app.backend, regions.len());

        // Chunks add statements, in proportion to the batch: two DataLoader batches (1000 and
        // 634 keys), at most 500 union terms each on SQLite, for each of the three relations.
        let statements = response["extensions"]["sqlStatements"].as_u64().unwrap();
        assert!(
            statements <= 12,
            "[{}] {statements} statements for {} subdivisions",
            app.backend,
            regions.len()
        );

        // The chunked answer equals the unchunked one: each subdivision asked about on its own
        // (a batch far below any chunk) gives the same counts and cities.
        let located: Vec<&Value> = regions
            .iter()
            .filter(|region| region["cityCount"].as_i64().unwrap() > 0)
            .collect();
        assert!(located.len() >= 10, "[{}] {}", app.backend, located.len());
        let mut sample: Vec<&Value> = located.clone();
        sample.extend(regions.iter().take(5));
        for group in sample.chunks(20) {
            let fields: Vec<String> = group
                .iter()
                .enumerate()
                .map(|(index, region)| {
                    format!(
                        "r{index}: region(code: \"{}\") {{ code cityCount practiceCount cities(first: 100) {{ nodes {{ slug }} }} }}",
                        region["code"].as_str().unwrap()
                    )
                })
                .collect();
            let alone = app
                .data(&format!("{{ {} }}", fields.join(" ")), json!({}))
                .await;
            for (index, region) in group.iter().enumerate() {
                assert_eq!(
                    &alone[format!("r{index}")],
                    *region,
                    "[{}] batched and single answers differ",
                    app.backend
                );
            }
        }

        // Every city in a subdivision is counted exactly once across all subdivisions.
        let cities = app
            .data(
                "{ cities(first: 100) { totalCount nodes { region { kind } } } }",
                json!({}),
            )
            .await;
        assert!(cities["cities"]["totalCount"].as_i64().unwrap() <= 100);
        let in_subdivisions = cities["cities"]["nodes"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|city| city["region"]["kind"] == "SUBDIVISION")
            .count() as i64;
        let counted: i64 = regions
            .iter()
            .map(|region| region["cityCount"].as_i64().unwrap())
            .sum();
        assert_eq!(counted, in_subdivisions, "[{}]", app.backend);
    }
}

#[tokio::test]
async fn subtree_counts_in_many_small_chunks_equal_one_statement() {
    use kxc::entity::region;
    for app in spawn_apps().await {
        let db = sea_orm::Database::connect(&app.database_url)
            .await
            .expect("connect");
        // Every country: within one statement on every backend, so the unchunked answer.
        let paths: Vec<String> = region::Entity::find()
            .select_only()
            .column(region::Column::Path)
            .filter(sea_orm::ColumnTrait::eq(&region::Column::Kind, "country"))
            .order_by_asc(region::Column::Path)
            .into_tuple()
            .all(&db)
            .await
            .expect("paths");
        assert!((200..500).contains(&paths.len()), "{}", paths.len());

        let whole = counts::cities_per_region(&db, &paths).await.unwrap();
        let chunked: HashMap<String, i64> =
            chunked::in_chunks(&paths, 7, |chunk| counts::cities_per_region(&db, chunk))
                .await
                .unwrap();
        assert_eq!(chunked, whole, "[{}]", app.backend);
        assert!(whole.values().any(|count| *count > 0), "[{}]", app.backend);

        let whole = counts::practices_per_region(&db, &paths).await.unwrap();
        let chunked: HashMap<String, i64> =
            chunked::in_chunks(&paths, 7, |chunk| counts::practices_per_region(&db, chunk))
                .await
                .unwrap();
        assert_eq!(chunked, whole, "[{}]", app.backend);
        db.close().await.expect("close");
    }
}
