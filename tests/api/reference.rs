//! Themes and regions come from the server's snapshot (`service::reference`): a filtered list
//! does not read them per request, and a theme or region the seed writes (with its
//! `change_log` row) is seen by the next request.

use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, Set, TransactionTrait};
use serde_json::{Value, json};

use crate::helpers::{TestApp, spawn_apps};
use kxc::domain::RecordKind;
use kxc::entity::{practice, region, theme, theme_label};
use kxc::service::change_log::{self, Operation};

const LIST: &str = "query($first: Int, $themes: [String!], $regions: [String!]) {
    practices(first: $first, filter: {themes: $themes, regions: $regions}) {
        edges { node { slug cities { name } themes { path label } } }
    }
}";

const HEATING: &str = "energy/district-heating-cooling";

fn statements(response: &Value) -> u64 {
    response["extensions"]["sqlStatements"]
        .as_u64()
        .expect("sqlStatements reported")
}

/// The energy subtree in Europe, `first` practices; fails the test on an error.
async fn energy_in_europe(app: &TestApp, first: i32) -> Value {
    app.graphql_ok(
        LIST,
        json!({ "first": first, "themes": ["energy"], "regions": ["150"] }),
    )
    .await
}

#[tokio::test]
async fn a_filtered_page_with_theme_labels_reads_no_theme_or_region_rows_once_warm() {
    for app in spawn_apps().await {
        // Different page sizes, so the response cache answers neither.
        let mut answers = Vec::new();
        let mut counts = Vec::new();
        for first in [5, 6] {
            let response = energy_in_europe(&app, first).await;
            counts.push(statements(&response));
            answers.push(response["data"]["practices"]["edges"].clone());
        }
        let first_page = answers[0].as_array().unwrap();
        assert!(!first_page.is_empty(), "[{}] {answers:?}", app.backend);
        assert_eq!(
            first_page[..],
            answers[1].as_array().unwrap()[..first_page.len()],
            "[{}] the warm request answers the same practices",
            app.backend
        );
        assert!(
            first_page
                .iter()
                .flat_map(|edge| edge["node"]["themes"].as_array().unwrap())
                .all(|theme| theme["label"]
                    .as_str()
                    .is_some_and(|label| !label.is_empty())),
            "[{}] every theme is labelled: {first_page:?}",
            app.backend
        );
        // The tail, the page, the cities, the theme links: nothing of themes or regions.
        assert_eq!(
            counts[1], 4,
            "[{}] statements cold / warm: {counts:?}",
            app.backend
        );
        assert!(counts[0] > counts[1], "[{}] {counts:?}", app.backend);

        // A change to something else (a practice's change_log row, as any write appends)
        // costs the next request one look at the rows since, not a reload.
        let db = app.db().await;
        let txn = db.begin().await.unwrap();
        let practice = practice::Entity::find()
            .one(&txn)
            .await
            .unwrap()
            .expect("a seeded practice");
        change_log::append(&txn, RecordKind::Practice, practice.id, Operation::Upsert)
            .await
            .unwrap();
        txn.commit().await.unwrap();
        db.close().await.unwrap();
        let mut after = Vec::new();
        for first in [7, 8] {
            after.push(statements(&energy_in_europe(&app, first).await));
        }
        assert_eq!(
            after,
            [5, 4],
            "[{}] statements after an unrelated write, then again",
            app.backend
        );
    }
}

#[tokio::test]
async fn a_theme_relabelled_and_a_region_added_by_the_seed_are_seen_by_the_next_request() {
    for app in spawn_apps().await {
        let label = |response: &Value| {
            response["data"]["practices"]["edges"][0]["node"]["themes"]
                .as_array()
                .unwrap()
                .iter()
                .find(|theme| theme["path"] == HEATING)
                .map(|theme| theme["label"].clone())
        };
        let before = app
            .graphql(LIST, json!({ "first": 3, "themes": [HEATING] }))
            .await;
        assert!(label(&before).is_some(), "[{}] {before}", app.backend);
        let unknown = app
            .graphql(LIST, json!({ "first": 3, "regions": ["XQ"] }))
            .await;
        assert_eq!(
            unknown["errors"][0]["extensions"]["field"],
            json!(["filter", "regions", 0]),
            "[{}] {unknown}",
            app.backend
        );

        // What the seed does for a theme and a region: the rows and their change_log rows.
        let db = app.db().await;
        let txn = db.begin().await.unwrap();
        let heating = theme::Entity::find()
            .filter(theme::Column::Path.eq(HEATING))
            .one(&txn)
            .await
            .unwrap()
            .expect("the seed's district heating theme");
        theme_label::Entity::update_many()
            .col_expr(
                theme_label::Column::Label,
                sea_orm::sea_query::Expr::value("Heat networks"),
            )
            .filter(theme_label::Column::ThemeId.eq(heating.id))
            .filter(theme_label::Column::Language.eq("en"))
            .exec(&txn)
            .await
            .unwrap();
        change_log::append(&txn, RecordKind::Theme, heating.id, Operation::Upsert)
            .await
            .unwrap();
        let europe = region::Entity::find()
            .filter(region::Column::Code.eq("150"))
            .one(&txn)
            .await
            .unwrap()
            .expect("Europe");
        let added = region::ActiveModel {
            code: Set("XQ".into()),
            kind: Set(europe.kind.clone()),
            name: Set("Test area".into()),
            parent_id: Set(Some(europe.id)),
            path: Set(format!("{}XQ/", europe.path)),
            ..Default::default()
        }
        .insert(&txn)
        .await
        .unwrap();
        change_log::append(&txn, RecordKind::Region, added.id, Operation::Upsert)
            .await
            .unwrap();
        txn.commit().await.unwrap();
        db.close().await.unwrap();

        let after = app
            .graphql(LIST, json!({ "first": 3, "themes": [HEATING] }))
            .await;
        assert_eq!(
            label(&after),
            Some(json!("Heat networks")),
            "[{}] {after}",
            app.backend
        );
        let known = app
            .graphql(LIST, json!({ "first": 3, "regions": ["XQ"] }))
            .await;
        assert!(known.get("errors").is_none(), "[{}] {known}", app.backend);
        assert_eq!(
            known["data"]["practices"]["edges"],
            json!([]),
            "[{}] no practice is in the new region",
            app.backend
        );
    }
}
