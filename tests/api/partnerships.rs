//! City-to-city partnerships through the public API: the seeded Tokyo–Kuala Lumpur mentoring,
//! filters, `node`, `City.partnerships` paging, and the admin mutations (validation with
//! nothing stored, versions, audit rows, deletion).

use kxc::entity::{audit_event, change_log, partnership, partnership_city};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use serde_json::{Value, json};

use crate::helpers::{TestApp, spawn_apps};

const FIELDS: &str = "id slug name kind status description outcomes startedOn endedOn version
    participants { role city { slug } } themes { path }";

fn create_document() -> String {
    format!(
        "mutation($input: CreatePartnershipInput!) {{ createPartnership(input: $input) {{
            partnership {{ {FIELDS} }} userErrors {{ field code message }} }} }}"
    )
}

fn update_document() -> String {
    format!(
        "mutation($input: UpdatePartnershipInput!) {{ updatePartnership(input: $input) {{
            partnership {{ {FIELDS} }} userErrors {{ field code message }} }} }}"
    )
}

const DELETE: &str =
    "mutation($input: DeletePartnershipInput!) { deletePartnership(input: $input) {
    deletedId userErrors { field code message } } }";

async fn rows(app: &TestApp) -> (u64, u64) {
    let db = app.db().await;
    let partnerships = partnership::Entity::find().count(&db).await.unwrap();
    let participants = partnership_city::Entity::find().count(&db).await.unwrap();
    db.close().await.unwrap();
    (partnerships, participants)
}

fn paths(errors: &Value) -> Vec<Value> {
    errors
        .as_array()
        .unwrap()
        .iter()
        .map(|error| {
            assert_eq!(error["code"], "BAD_USER_INPUT", "{error}");
            error["field"].clone()
        })
        .collect()
}

#[tokio::test]
async fn the_seeded_tokyo_kuala_lumpur_partnership_has_a_mentor_and_a_learner() {
    for app in spawn_apps().await {
        let data = app
            .data(
                &format!(
                    "{{ partnership(slug: \"tokyo-kuala-lumpur-building-energy-efficiency\") {{ {FIELDS} }} }}"
                ),
                json!({}),
            )
            .await;
        let found = &data["partnership"];
        assert_eq!(found["kind"], "PEER_LEARNING", "{found}");
        assert_eq!(found["status"], "ACTIVE");
        let mut roles: Vec<(String, String)> = found["participants"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| {
                (
                    p["city"]["slug"].as_str().unwrap().to_owned(),
                    p["role"].as_str().unwrap().to_owned(),
                )
            })
            .collect();
        roles.sort();
        assert_eq!(
            roles,
            [
                ("kuala-lumpur".to_owned(), "LEARNER".to_owned()),
                ("tokyo".to_owned(), "MENTOR".to_owned())
            ]
        );
        assert!(
            found["themes"]
                .as_array()
                .unwrap()
                .contains(&json!({ "path": "energy/efficiency" }))
        );

        // node() answers the same record.
        let node = app
            .data(
                "query($id: ID!) { node(id: $id) { __typename ... on Partnership { slug } } }",
                json!({ "id": found["id"] }),
            )
            .await;
        assert_eq!(
            node["node"],
            json!({ "__typename": "Partnership", "slug": "tokyo-kuala-lumpur-building-energy-efficiency" })
        );

        // City.partnerships lists it for Kuala Lumpur.
        let city = app
            .data(
                "{ city(slug: \"kuala-lumpur\") { partnerships(first: 10) { totalCount nodes { slug } } } }",
                json!({}),
            )
            .await;
        assert_eq!(
            city["city"]["partnerships"],
            json!({ "totalCount": 1, "nodes": [{ "slug": "tokyo-kuala-lumpur-building-energy-efficiency" }] })
        );
    }
}

#[tokio::test]
async fn partnerships_filter_by_kind_city_theme_and_region_and_page_by_cursor() {
    for app in spawn_apps().await {
        let list = "query($filter: PartnershipFilter, $first: Int, $after: String) {
            partnerships(filter: $filter, first: $first, after: $after) {
                totalCount nodes { slug kind participants { city { slug } } themes { path } }
                pageInfo { hasNextPage endCursor } } }";
        let all = app.data(list, json!({ "first": 100 })).await;
        let total = all["partnerships"]["totalCount"].as_u64().unwrap();
        assert!(total >= 16, "{all}");
        assert_eq!(
            all["partnerships"]["nodes"].as_array().unwrap().len() as u64,
            total
        );

        let procurement = app
            .data(
                list,
                json!({ "first": 100, "filter": { "kinds": ["JOINT_PROCUREMENT"] } }),
            )
            .await;
        let nodes = procurement["partnerships"]["nodes"].as_array().unwrap();
        assert!(!nodes.is_empty());
        assert!(nodes.iter().all(|node| node["kind"] == "JOINT_PROCUREMENT"));
        assert!((nodes.len() as u64) < total);

        // A theme matches its subtree: `energy` finds the `energy/efficiency` partnership.
        let energy_in_asia = app
            .data(
                list,
                json!({ "first": 100, "filter": { "themes": ["energy"], "regions": ["142"] } }),
            )
            .await;
        let slugs: Vec<&str> = energy_in_asia["partnerships"]["nodes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|node| node["slug"].as_str().unwrap())
            .collect();
        assert_eq!(slugs, ["tokyo-kuala-lumpur-building-energy-efficiency"]);

        let with_asker = app
            .data(
                list,
                json!({ "first": 100, "filter": { "cities": ["asker"] } }),
            )
            .await;
        for node in with_asker["partnerships"]["nodes"].as_array().unwrap() {
            assert!(
                node["participants"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|p| p["city"]["slug"] == "asker"),
                "{node}"
            );
        }
        assert!(with_asker["partnerships"]["totalCount"].as_u64().unwrap() >= 2);

        // Two pages of 5 cover the first ten of the full list, in order.
        let first = app.data(list, json!({ "first": 5 })).await;
        let after = first["partnerships"]["pageInfo"]["endCursor"].clone();
        assert_eq!(first["partnerships"]["pageInfo"]["hasNextPage"], true);
        let second = app.data(list, json!({ "first": 5, "after": after })).await;
        let mut walked: Vec<Value> = first["partnerships"]["nodes"].as_array().unwrap().clone();
        walked.extend(second["partnerships"]["nodes"].as_array().unwrap().clone());
        let expected: Vec<Value> = all["partnerships"]["nodes"].as_array().unwrap()[..10].to_vec();
        assert_eq!(walked, expected);

        // An unknown reference is BAD_USER_INPUT at its path.
        let response = app
            .graphql(
                list,
                json!({ "first": 5, "filter": { "cities": ["oslo", "atlantis"] } }),
            )
            .await;
        assert_eq!(
            response["errors"][0]["extensions"]["field"],
            json!(["filter", "cities", 1]),
            "{response}"
        );
    }
}

#[tokio::test]
async fn city_partnerships_page_in_memory_with_cursors() {
    for app in spawn_apps().await {
        let query = "query($after: String) { city(slug: \"oslo\") {
            partnerships(first: 2, after: $after) { totalCount nodes { slug } pageInfo { hasNextPage endCursor } } } }";
        let mut seen = Vec::new();
        let mut after = Value::Null;
        let mut total;
        loop {
            let data = app.data(query, json!({ "after": after })).await;
            let connection = &data["city"]["partnerships"];
            total = connection["totalCount"].as_u64().unwrap();
            for node in connection["nodes"].as_array().unwrap() {
                seen.push(node["slug"].as_str().unwrap().to_owned());
            }
            if connection["pageInfo"]["hasNextPage"] != true {
                break;
            }
            after = connection["pageInfo"]["endCursor"].clone();
        }
        assert!(total >= 4, "{seen:?}");
        assert_eq!(seen.len() as u64, total);
        let mut unique = seen.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), seen.len(), "{seen:?}");
    }
}

#[tokio::test]
async fn admins_create_update_and_delete_partnerships_with_audit_rows() {
    for app in spawn_apps().await {
        let admin = app.api_key("admin", None).await;
        let before = rows(&app).await;

        // Every problem at its path, and nothing stored.
        let bad = app
            .data_as(
                &admin,
                &create_document(),
                json!({ "input": {
                    "slug": "Not A Slug", "name": " ", "kind": "PEER_LEARNING", "status": "ACTIVE",
                    "startedOn": "2024-05-01", "endedOn": "2023-01-01",
                    "participants": [{ "city": "oslo", "role": "LEAD" }, { "city": "oslo" }],
                    "themes": ["energy", "not/a/theme"] } }),
            )
            .await;
        let payload = &bad["createPartnership"];
        assert_eq!(payload["partnership"], Value::Null);
        assert_eq!(
            paths(&payload["userErrors"]),
            [json!(["input", "slug"]), json!(["input", "name"])],
            "{payload}"
        );
        let bad = app
            .data_as(
                &admin,
                &create_document(),
                json!({ "input": {
                    "slug": "new-one", "name": "New", "kind": "PEER_LEARNING", "status": "ACTIVE",
                    "startedOn": "2024-05-01", "endedOn": "2023-01-01",
                    "participants": [{ "city": "oslo", "role": "LEAD" }, { "city": "oslo" }, { "city": "atlantis" }],
                    "themes": ["energy", "not/a/theme"] } }),
            )
            .await;
        let payload = &bad["createPartnership"];
        assert_eq!(
            paths(&payload["userErrors"]),
            [
                json!(["input", "endedOn"]),
                json!(["input", "participants", 1, "city"]),
                json!(["input", "participants", 2, "city"]),
                json!(["input", "themes", 1]),
            ],
            "{payload}"
        );
        let alone = app
            .data_as(
                &admin,
                &create_document(),
                json!({ "input": { "slug": "alone", "name": "Alone", "kind": "METRO_AREA",
                    "status": "PROPOSED", "participants": [{ "city": "oslo" }] } }),
            )
            .await;
        assert_eq!(
            paths(&alone["createPartnership"]["userErrors"]),
            [json!(["input", "participants"])]
        );
        let taken = app
            .data_as(
                &admin,
                &create_document(),
                json!({ "input": { "slug": "futurebuilt", "name": "Again", "kind": "METRO_AREA",
                    "status": "PROPOSED", "participants": [{ "city": "oslo" }, { "city": "asker" }] } }),
            )
            .await;
        assert_eq!(
            paths(&taken["createPartnership"]["userErrors"]),
            [json!(["input", "slug"])]
        );
        assert_eq!(rows(&app).await, before);

        // A valid one is stored with its roles and themes.
        let created = app
            .data_as(
                &admin,
                &create_document(),
                json!({ "input": {
                    "slug": "nairobi-accra-waste-exchange", "name": "Nairobi–Accra waste exchange",
                    "kind": "PEER_LEARNING", "status": "PROPOSED", "description": "Study visits.",
                    "startedOn": "2027-01-01",
                    "participants": [{ "city": "nairobi", "role": "MENTOR" }, { "city": "accra", "role": "LEARNER" }],
                    "themes": ["waste/recycling"], "reason": "test" } }),
            )
            .await;
        let created = &created["createPartnership"];
        assert_eq!(created["userErrors"], json!([]), "{created}");
        let stored = &created["partnership"];
        assert_eq!(stored["version"], 1);
        assert_eq!(stored["participants"].as_array().unwrap().len(), 2);
        assert_eq!(rows(&app).await, (before.0 + 1, before.1 + 2));
        let id = stored["id"].clone();

        // Anonymous visitors see it in the lists.
        let listed = app
            .data(
                "{ partnerships(first: 5, filter: { cities: [\"accra\"], statuses: [PROPOSED] }) { nodes { slug } } }",
                json!({}),
            )
            .await;
        assert_eq!(
            listed["partnerships"]["nodes"],
            json!([{ "slug": "nairobi-accra-waste-exchange" }])
        );

        // Update: status and end date, participants kept; a stale version is CONFLICT.
        let updated = app
            .data_as(
                &admin,
                &update_document(),
                json!({ "input": { "id": id, "expectedVersion": 1, "status": "COMPLETED",
                    "endedOn": "2027-12-31", "outcomes": "Two recycling pilots." } }),
            )
            .await;
        let updated = &updated["updatePartnership"];
        assert_eq!(updated["userErrors"], json!([]), "{updated}");
        assert_eq!(updated["partnership"]["status"], "COMPLETED");
        assert_eq!(updated["partnership"]["endedOn"], "2027-12-31");
        assert_eq!(updated["partnership"]["version"], 2);
        assert_eq!(
            updated["partnership"]["participants"]
                .as_array()
                .unwrap()
                .len(),
            2
        );
        let backwards = app
            .data_as(
                &admin,
                &update_document(),
                json!({ "input": { "id": id, "endedOn": "2026-01-01" } }),
            )
            .await;
        assert_eq!(
            paths(&backwards["updatePartnership"]["userErrors"]),
            [json!(["input", "endedOn"])]
        );
        let stale = app
            .graphql_as(
                &admin,
                &update_document(),
                json!({ "input": { "id": id, "expectedVersion": 1, "name": "Stale" } }),
            )
            .await;
        assert_eq!(
            stale["errors"][0]["extensions"]["code"], "CONFLICT",
            "{stale}"
        );
        assert_eq!(stale["errors"][0]["extensions"]["currentVersion"], 2);

        // Delete; a second delete is NOT_FOUND.
        let deleted = app
            .data_as(
                &admin,
                DELETE,
                json!({ "input": { "id": id, "reason": "test" } }),
            )
            .await;
        assert_eq!(deleted["deletePartnership"]["deletedId"], id);
        assert_eq!(rows(&app).await, before);
        let again = app
            .graphql_as(&admin, DELETE, json!({ "input": { "id": id } }))
            .await;
        assert_eq!(
            again["errors"][0]["extensions"]["code"], "NOT_FOUND",
            "{again}"
        );

        let db = app.db().await;
        let actions: Vec<String> = audit_event::Entity::find()
            .filter(audit_event::Column::TargetType.eq("partnership"))
            .all(&db)
            .await
            .unwrap()
            .into_iter()
            .map(|row| row.action)
            .collect();
        assert_eq!(
            actions,
            [
                "partnership.create",
                "partnership.update",
                "partnership.delete"
            ]
        );
        let deletes = change_log::Entity::find()
            .filter(change_log::Column::EntityType.eq("partnership"))
            .filter(change_log::Column::Operation.eq("delete"))
            .count(&db)
            .await
            .unwrap();
        assert_eq!(deletes, 1);
        db.close().await.unwrap();
    }
}
