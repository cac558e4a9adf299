//! Partner sync: `upsertFundingOpportunities`, `deleteFundingOpportunities` and the `changes`
//! feed, through HTTP with partner keys made as `kxc keys create` makes them.

use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use kxc::entity::{audit_event, change_log, funding_opportunity};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder};
use serde_json::{Value, json};

use crate::helpers::{TestApp, spawn_apps, spawn_apps_with};

const SOURCE: &str = "city-portal";

const UPSERT: &str = "mutation($input: UpsertFundingOpportunitiesInput!) {
    upsertFundingOpportunities(input: $input) {
        results { externalId outcome node { id externalId version title direction } }
        userErrors { field code message } } }";

const DELETE: &str = "mutation($input: DeleteFundingOpportunitiesInput!) {
    deleteFundingOpportunities(input: $input) {
        results { externalId id version outcome }
        userErrors { field code message } } }";

const CHANGES: &str = "query($after: String, $first: Int!) {
    changes(after: $after, first: $first, entityTypes: [FUNDING_OPPORTUNITY]) {
        edges { cursor node { cursor operation occurredAt entityType id
            node { id ... on FundingOpportunity { externalId version } } } }
        pageInfo { hasNextPage endCursor } } }";

fn record(external_id: &str, title: &str) -> Value {
    json!({
        "externalId": external_id,
        "title": title,
        "summary": "Grants for municipal heat pumps.",
        "instrument": "GRANT",
        "providerLevel": "NATIONAL",
        "url": format!("https://portal.example.org/calls/{external_id}"),
        "language": "en",
    })
}

fn upsert_input(records: &[Value]) -> Value {
    json!({ "input": { "source": SOURCE, "records": records } })
}

async fn rows_of_source(app: &TestApp, source: &str) -> u64 {
    let db = app.db().await;
    let count = funding_opportunity::Entity::find()
        .filter(funding_opportunity::Column::Source.eq(source))
        .count(&db)
        .await
        .unwrap();
    db.close().await.unwrap();
    count
}

async fn change_rows(app: &TestApp) -> u64 {
    let db = app.db().await;
    let count = change_log::Entity::find().count(&db).await.unwrap();
    db.close().await.unwrap();
    count
}

fn outcomes(data: &Value) -> Vec<String> {
    data["upsertFundingOpportunities"]["results"]
        .as_array()
        .expect("results")
        .iter()
        .map(|result| result["outcome"].as_str().unwrap().to_owned())
        .collect()
}

fn seq_of(cursor: &str) -> i64 {
    let text = String::from_utf8(URL_SAFE_NO_PAD.decode(cursor).unwrap()).unwrap();
    text.strip_prefix("change:").unwrap().parse().unwrap()
}

/// Every change after `after` of funding records, walking pages of `first`.
async fn walk_changes(
    app: &TestApp,
    bearer: Option<&str>,
    mut after: Option<String>,
) -> (Vec<Value>, Option<String>) {
    let mut all = Vec::new();
    loop {
        let response: Value = app
            .post_as(bearer, CHANGES, json!({ "after": after, "first": 100 }))
            .await
            .json()
            .await
            .unwrap();
        assert!(response.get("errors").is_none(), "{response}");
        let changes = &response["data"]["changes"];
        all.extend(
            changes["edges"]
                .as_array()
                .unwrap()
                .iter()
                .map(|edge| edge["node"].clone()),
        );
        after = changes["pageInfo"]["endCursor"].as_str().map(str::to_owned);
        if changes["pageInfo"]["hasNextPage"] != json!(true) {
            return (all, after);
        }
    }
}

#[tokio::test]
async fn pushing_creates_then_leaves_unchanged_then_updates_with_one_audit_row_per_call() {
    for app in spawn_apps().await {
        let partner = app.api_key("partner", Some(SOURCE)).await;
        let batch = [
            record("call-1", "Heat pump grant"),
            record("call-2", "District heating loan"),
            record("call-3", "Solar roofs prize"),
        ];
        let first = app.data_as(&partner, UPSERT, upsert_input(&batch)).await;
        assert_eq!(
            outcomes(&first),
            ["CREATED"; 3],
            "[{}] {first}",
            app.backend
        );
        let node = &first["upsertFundingOpportunities"]["results"][0]["node"];
        assert_eq!(node["version"], 1);
        assert_eq!(
            node["direction"], "DOMESTIC",
            "derived for a national provider"
        );

        let again = app.data_as(&partner, UPSERT, upsert_input(&batch)).await;
        assert_eq!(
            outcomes(&again),
            ["UNCHANGED"; 3],
            "[{}] {again}",
            app.backend
        );

        let mut changed = batch.clone();
        changed[1]["title"] = json!("District heating loan, second call");
        let third = app.data_as(&partner, UPSERT, upsert_input(&changed)).await;
        assert_eq!(outcomes(&third), ["UNCHANGED", "UPDATED", "UNCHANGED"]);
        let node = &third["upsertFundingOpportunities"]["results"][1]["node"];
        assert_eq!(node["version"], 2);
        assert_eq!(node["title"], "District heating loan, second call");
        assert_eq!(rows_of_source(&app, SOURCE).await, 3);

        let db = app.db().await;
        let audits = audit_event::Entity::find()
            .filter(audit_event::Column::Action.eq("funding.upsert"))
            .order_by_asc(audit_event::Column::Id)
            .all(&db)
            .await
            .unwrap();
        assert_eq!(audits.len(), 3, "[{}] one audit row per call", app.backend);
        assert_eq!(audits[0].actor_role, "partner");
        assert_eq!(audits[2].details["updated"], 1);
        assert!(
            audits[1].change_seq.is_none(),
            "an unchanged batch logs no change"
        );
        db.close().await.unwrap();
    }
}

#[tokio::test]
async fn a_bad_record_among_500_stores_nothing_and_is_named_by_its_path() {
    for app in spawn_apps().await {
        let partner = app.api_key("partner", Some(SOURCE)).await;
        let changes_before = change_rows(&app).await;
        let mut batch: Vec<Value> = (0..500)
            .map(|index| record(&format!("bulk-{index}"), "Bulk call"))
            .collect();
        batch[137]["amountMin"] = json!(5000);
        batch[137]["amountMax"] = json!(100);
        batch[137]["currency"] = json!("EUR");
        batch[402]["url"] = json!("javascript:alert(1)");
        let data = app.data_as(&partner, UPSERT, upsert_input(&batch)).await;
        let payload = &data["upsertFundingOpportunities"];
        assert_eq!(
            payload["results"],
            Value::Null,
            "[{}] {payload}",
            app.backend
        );
        let fields: Vec<&Value> = payload["userErrors"]
            .as_array()
            .unwrap()
            .iter()
            .map(|error| &error["field"])
            .collect();
        assert_eq!(
            fields,
            [
                &json!(["input", "records", 137, "amountMin"]),
                &json!(["input", "records", 402, "url"])
            ],
            "[{}] {payload}",
            app.backend
        );
        assert_eq!(payload["userErrors"][0]["code"], "BAD_USER_INPUT");
        assert_eq!(rows_of_source(&app, SOURCE).await, 0, "nothing stored");
        assert_eq!(change_rows(&app).await, changes_before, "nothing logged");

        batch[137] = record("bulk-137", "Bulk call");
        batch[402] = record("bulk-402", "Bulk call");
        batch.push(record("bulk-500", "One too many"));
        let data = app.data_as(&partner, UPSERT, upsert_input(&batch)).await;
        let payload = &data["upsertFundingOpportunities"];
        assert_eq!(
            payload["userErrors"][0]["field"],
            json!(["input", "records"]),
            "[{}] {payload}",
            app.backend
        );
        assert_eq!(rows_of_source(&app, SOURCE).await, 0);

        batch.pop();
        let data = app.data_as(&partner, UPSERT, upsert_input(&batch)).await;
        assert_eq!(outcomes(&data), vec!["CREATED"; 500], "[{}]", app.backend);
        assert_eq!(rows_of_source(&app, SOURCE).await, 500);
        let node_ids = |data: &Value| -> Vec<Value> {
            data["upsertFundingOpportunities"]["results"]
                .as_array()
                .unwrap()
                .iter()
                .map(|result| result["node"]["id"].clone())
                .collect()
        };
        let created = node_ids(&data);

        // The largest batch of updates, every one changed: each keeps its id, in the order sent.
        for (index, record) in batch.iter_mut().enumerate() {
            record["title"] = json!(format!("Bulk call, revised {index}"));
        }
        batch[250]["themes"] = json!(["buildings"]);
        let data = app.data_as(&partner, UPSERT, upsert_input(&batch)).await;
        assert_eq!(outcomes(&data), vec!["UPDATED"; 500], "[{}]", app.backend);
        assert_eq!(node_ids(&data), created, "[{}]", app.backend);
        let results = data["upsertFundingOpportunities"]["results"]
            .as_array()
            .unwrap();
        for (index, result) in results.iter().enumerate() {
            assert_eq!(result["externalId"], format!("bulk-{index}"));
            assert_eq!(result["node"]["version"], 2, "[{}]", app.backend);
            assert_eq!(
                result["node"]["title"],
                format!("Bulk call, revised {index}")
            );
        }
        assert_eq!(rows_of_source(&app, SOURCE).await, 500);
    }
}

#[tokio::test]
async fn a_partner_writes_only_its_own_source() {
    for app in spawn_apps().await {
        let other = app.api_key("partner", Some("other-portal")).await;
        let batch = [record("call-1", "Heat pump grant")];
        for (document, input) in [
            (UPSERT, upsert_input(&batch)),
            (
                DELETE,
                json!({ "input": { "source": SOURCE, "externalIds": ["call-1"] } }),
            ),
        ] {
            let response = app.graphql_as(&other, document, input).await;
            assert_eq!(
                response["errors"][0]["extensions"]["code"], "FORBIDDEN",
                "[{}] {response}",
                app.backend
            );
        }
        assert_eq!(rows_of_source(&app, SOURCE).await, 0);
        // Its own source is fine, and so is any source for an admin.
        let own = json!({ "input": { "source": "other-portal", "records": batch } });
        assert_eq!(
            outcomes(&app.data_as(&other, UPSERT, own).await),
            ["CREATED"]
        );
        let admin = app.api_key("admin", None).await;
        let data = app.data_as(&admin, UPSERT, upsert_input(&batch)).await;
        assert_eq!(outcomes(&data), ["CREATED"]);
    }
}

#[tokio::test]
async fn a_stale_expected_version_is_a_conflict_and_stores_nothing() {
    for app in spawn_apps().await {
        let partner = app.api_key("partner", Some(SOURCE)).await;
        app.data_as(&partner, UPSERT, upsert_input(&[record("call-1", "First")]))
            .await;
        let mut stale = record("call-1", "Second");
        stale["expectedVersion"] = json!(7);
        let fresh = record("call-2", "New");
        let response = app
            .graphql_as(&partner, UPSERT, upsert_input(&[fresh.clone(), stale]))
            .await;
        let error = &response["errors"][0]["extensions"];
        assert_eq!(error["code"], "CONFLICT", "[{}] {response}", app.backend);
        assert_eq!(error["currentVersion"], 1);
        assert_eq!(rows_of_source(&app, SOURCE).await, 1, "call-2 not stored");

        let mut current = record("call-1", "Second");
        current["expectedVersion"] = json!(1);
        let data = app
            .data_as(&partner, UPSERT, upsert_input(&[fresh, current]))
            .await;
        assert_eq!(outcomes(&data), ["CREATED", "UPDATED"]);
    }
}

#[tokio::test]
async fn a_deleted_record_is_a_delete_in_changes_and_leaves_lists_and_search() {
    for app in spawn_apps().await {
        let partner = app.api_key("partner", Some(SOURCE)).await;
        let (_, start) = walk_changes(&app, None, None).await;
        let batch = [
            record("call-1", "Quorptastic heat pump grant"),
            record("call-2", "Quorptastic district heating loan"),
        ];
        app.data_as(&partner, UPSERT, upsert_input(&batch)).await;
        let visible = crate::search::wait_for(
            &app,
            "quorptastic",
            std::time::Duration::from_secs(30),
            |found| found.len() == 2,
        )
        .await;
        assert!(visible.is_some(), "[{}] indexed", app.backend);

        let unknown = app
            .data_as(
                &partner,
                DELETE,
                json!({ "input": { "source": SOURCE, "externalIds": ["call-1", "call-9"] } }),
            )
            .await;
        let payload = &unknown["deleteFundingOpportunities"];
        assert_eq!(
            payload["userErrors"][0]["field"],
            json!(["input", "externalIds", 1]),
            "[{}] {payload}",
            app.backend
        );
        let deleted = app
            .data_as(
                &partner,
                DELETE,
                json!({ "input": { "source": SOURCE, "externalIds": ["call-1"] } }),
            )
            .await;
        let result = &deleted["deleteFundingOpportunities"]["results"][0];
        assert_eq!(result["outcome"], "DELETED", "[{}] {deleted}", app.backend);
        assert_eq!(result["version"], 2);
        let deleted_id = result["id"].clone();

        let (changes, end) = walk_changes(&app, None, start.clone()).await;
        let of_deleted: Vec<&Value> = changes
            .iter()
            .filter(|change| change["id"] == deleted_id)
            .collect();
        assert_eq!(of_deleted.len(), 2, "[{}] {changes:?}", app.backend);
        for change in &of_deleted {
            // The upsert too: the feed shows what the record is now.
            assert_eq!(change["operation"], "DELETE");
            assert_eq!(change["node"], Value::Null);
        }
        let live = changes
            .iter()
            .find(|change| change["id"] != deleted_id)
            .unwrap();
        assert_eq!(live["operation"], "UPSERT");
        assert_eq!(live["node"]["externalId"], "call-2");

        let list = app
            .data(
                "{ fundingOpportunities(first: 10, filter: { sources: [\"city-portal\"] }) {
                    nodes { externalId } } }",
                json!({}),
            )
            .await;
        assert_eq!(
            list["fundingOpportunities"]["nodes"],
            json!([{ "externalId": "call-2" }])
        );
        let node = app
            .data(
                "query($id: ID!) { node(id: $id) { id } }",
                json!({ "id": deleted_id }),
            )
            .await;
        assert_eq!(node["node"], Value::Null);
        let gone = crate::search::wait_for(
            &app,
            "quorptastic",
            std::time::Duration::from_secs(30),
            |found| found == ["call-2"],
        )
        .await;
        assert!(gone.is_some(), "[{}] left the search index", app.backend);

        // Deleting again changes nothing; pushing again revives it.
        let again = app
            .data_as(
                &partner,
                DELETE,
                json!({ "input": { "source": SOURCE, "externalIds": ["call-1"] } }),
            )
            .await;
        assert_eq!(
            again["deleteFundingOpportunities"]["results"][0]["outcome"],
            "ALREADY_DELETED"
        );
        let revived = app
            .data_as(&partner, UPSERT, upsert_input(&batch[..1]))
            .await;
        assert_eq!(outcomes(&revived), ["UPDATED"]);
        let (after_revival, _) = walk_changes(&app, None, end).await;
        assert_eq!(
            after_revival.len(),
            1,
            "[{}] {after_revival:?}",
            app.backend
        );
        assert_eq!(after_revival[0]["operation"], "UPSERT");
        assert_eq!(after_revival[0]["node"]["version"], 3);
    }
}

#[tokio::test]
async fn changes_checks_its_arguments() {
    for app in spawn_apps().await {
        for (variables, field) in [
            (json!({ "first": 1001 }), "first"),
            (json!({ "first": 0 }), "first"),
            (json!({ "first": 10, "after": "not-a-cursor" }), "after"),
        ] {
            let response = app.graphql(CHANGES, variables).await;
            let extensions = &response["errors"][0]["extensions"];
            assert_eq!(extensions["code"], "BAD_USER_INPUT", "{response}");
            assert_eq!(extensions["field"], json!([field]), "{response}");
        }
        let page = app.data(CHANGES, json!({ "first": 600 })).await;
        assert!(page["changes"]["pageInfo"]["endCursor"].is_string());
    }
}

/// Writers push and delete concurrently while a reader tails `changes`; the reader must see
/// every seq the log holds, in order, and end with the database's state.
#[tokio::test]
async fn a_reader_tailing_changes_misses_nothing_while_four_writers_run() {
    const WRITERS: usize = 4;
    const BATCHES: usize = 6;
    const POOL: usize = 40;
    // The reader polls as fast as it can; budgets are not what this test is about.
    let unlimited = |settings: &mut kxc::config::Settings| {
        let budget = kxc::config::auth::Budget {
            capacity: 1_000_000_000,
            per_second: 1_000_000_000,
        };
        settings.auth.budget_anonymous = budget;
        settings.auth.budget_partner = budget;
    };
    for app in spawn_apps_with(unlimited).await {
        let app = Arc::new(app);
        let (_, start) = walk_changes(&app, None, None).await;
        let start_seq = start.as_deref().map_or(0, seq_of);
        let done = Arc::new(AtomicBool::new(false));
        let mut writers = Vec::new();
        for writer in 0..WRITERS {
            let app = app.clone();
            let key = app.api_key("partner", Some(SOURCE)).await;
            writers.push(tokio::spawn(async move {
                for batch in 0..BATCHES {
                    // Overlapping records, so writers update each other's.
                    let records: Vec<Value> = (0..15)
                        .map(|index| {
                            let id = (writer * 5 + batch * 3 + index) % POOL;
                            record(&format!("pool-{id}"), &format!("w{writer} b{batch}"))
                        })
                        .collect();
                    let data = app.data_as(&key, UPSERT, upsert_input(&records)).await;
                    assert!(
                        data["upsertFundingOpportunities"]["userErrors"] == json!([]),
                        "{data}"
                    );
                    if batch == BATCHES - 1 {
                        let id = format!("pool-{}", writer * 5 + batch * 3);
                        let data = app
                            .data_as(
                                &key,
                                DELETE,
                                json!({ "input": { "source": SOURCE, "externalIds": [id] } }),
                            )
                            .await;
                        assert!(
                            data["deleteFundingOpportunities"]["userErrors"] == json!([]),
                            "{data}"
                        );
                    }
                }
            }));
        }
        let reader = {
            let app = app.clone();
            let done = done.clone();
            tokio::spawn(async move {
                let mut seen: Vec<(i64, Value)> = Vec::new();
                let mut cursor = start;
                loop {
                    // Read `done` before the page: a page read after every writer finished
                    // that comes back empty means the reader has caught up for good.
                    let finished = done.load(Ordering::SeqCst);
                    let (page, end) = walk_changes(&app, None, cursor.clone()).await;
                    let empty = page.is_empty();
                    seen.extend(page.into_iter().map(|change| {
                        let seq = seq_of(change["cursor"].as_str().unwrap_or_default());
                        (seq, change)
                    }));
                    cursor = end;
                    if finished && empty {
                        return seen;
                    }
                    tokio::time::sleep(std::time::Duration::from_millis(5)).await;
                }
            })
        };
        for writer in writers {
            writer.await.expect("writer");
        }
        done.store(true, Ordering::SeqCst);
        let seen = reader.await.expect("reader");

        let seqs: Vec<i64> = seen.iter().map(|(seq, _)| *seq).collect();
        assert!(
            seqs.windows(2).all(|pair| pair[0] < pair[1]),
            "[{}] seqs strictly increase",
            app.backend
        );
        let db = app.db().await;
        let logged: Vec<i64> = change_log::Entity::find()
            .filter(change_log::Column::Seq.gt(start_seq))
            .filter(change_log::Column::EntityType.eq("funding_opportunity"))
            .order_by_asc(change_log::Column::Seq)
            .all(&db)
            .await
            .unwrap()
            .into_iter()
            .map(|row| row.seq)
            .collect();
        assert_eq!(seqs, logged, "[{}] every logged seq seen once", app.backend);
        assert!(
            logged.len() > POOL,
            "[{}] writers changed records",
            app.backend
        );

        // Apply the feed as a mirror would, and compare with the database.
        let mut mirror: HashMap<String, Option<i64>> = HashMap::new();
        for (_, change) in &seen {
            let id = change["id"].as_str().unwrap().to_owned();
            let state = (change["operation"] == "UPSERT")
                .then(|| change["node"]["version"].as_i64().unwrap());
            mirror.insert(id, state);
        }
        let rows = funding_opportunity::Entity::find()
            .filter(funding_opportunity::Column::Source.eq(SOURCE))
            .all(&db)
            .await
            .unwrap();
        let expected: HashMap<String, Option<i64>> = rows
            .iter()
            .map(|row| {
                let id = kxc::graphql::ids::GlobalId::new(
                    kxc::domain::RecordKind::FundingOpportunity,
                    row.id,
                )
                .encode()
                .to_string();
                (
                    id,
                    row.deleted_at.is_none().then_some(i64::from(row.version)),
                )
            })
            .collect();
        assert_eq!(
            mirror, expected,
            "[{}] the mirror is the database",
            app.backend
        );
        let deleted: BTreeSet<_> = expected.values().filter(|v| v.is_none()).collect();
        assert!(!deleted.is_empty());
        db.close().await.unwrap();
    }
}

#[tokio::test]
async fn a_record_sent_twice_in_one_batch_or_an_unknown_theme_is_named_and_nothing_is_stored() {
    for app in spawn_apps().await {
        let partner = app.api_key("partner", Some(SOURCE)).await;
        let mut themed = record("call-2", "Themed");
        themed["themes"] = json!(["buildings", "no/such/theme"]);
        let batch = [
            record("call-1", "First"),
            themed,
            record("call-1", "First again"),
        ];
        let data = app.data_as(&partner, UPSERT, upsert_input(&batch)).await;
        let errors = &data["upsertFundingOpportunities"]["userErrors"];
        let fields: Vec<&Value> = errors
            .as_array()
            .unwrap()
            .iter()
            .map(|error| &error["field"])
            .collect();
        assert_eq!(
            fields,
            [
                &json!(["input", "records", 1, "themes", 1]),
                &json!(["input", "records", 2, "externalId"])
            ],
            "[{}] {errors}",
            app.backend
        );
        assert_eq!(rows_of_source(&app, SOURCE).await, 0);
    }
}
