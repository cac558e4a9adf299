//! `GET /export/funding.jsonl`: the snapshot for a partner's first sync, through HTTP. It holds
//! exactly the funding records the API shows, in the push format, and names the `changes`
//! cursor it is consistent with (header and trailer line).

use std::collections::BTreeSet;

use serde_json::{Value, json};

use kxc::config::Budget;

use crate::helpers::{TestApp, spawn_apps, spawn_apps_with};

const SOURCE: &str = "city-portal";

const UPSERT: &str = "mutation($input: UpsertFundingOpportunitiesInput!) {
    upsertFundingOpportunities(input: $input) {
        results { externalId outcome }
        userErrors { field code message } } }";

const DELETE: &str = "mutation($input: DeleteFundingOpportunitiesInput!) {
    deleteFundingOpportunities(input: $input) {
        results { externalId outcome }
        userErrors { field code message } } }";

const CHANGES: &str = "query($after: String) {
    changes(after: $after, first: 1000) {
        edges { node { operation entityType node { ... on FundingOpportunity { source externalId } } } }
        pageInfo { hasNextPage endCursor } } }";

const FIELDS: [&str; 22] = [
    "externalId",
    "source",
    "title",
    "summary",
    "provider",
    "providerLevel",
    "providerCountry",
    "instrument",
    "direction",
    "eligibleRegions",
    "eligibleApplicants",
    "themes",
    "amountMin",
    "amountMax",
    "currency",
    "coFinancingRate",
    "opensAt",
    "deadlines",
    "rolling",
    "url",
    "language",
    "version",
];

fn record(external_id: &str, title: &str) -> Value {
    json!({
        "externalId": external_id,
        "title": title,
        "summary": "Grants for municipal heat pumps.",
        "instrument": "GRANT",
        "providerLevel": "NATIONAL",
        "eligibleRegions": ["DE"],
        "eligibleApplicants": ["CITY_GOVERNMENT", "NGO"],
        "amountMin": 1000.0,
        "amountMax": 50000.0,
        "currency": "EUR",
        "opensAt": "2026-01-15",
        "deadlines": ["2026-03-31", "2026-09-30"],
        "url": format!("https://portal.example.org/calls/{external_id}"),
        "language": "en",
    })
}

async fn push(app: &TestApp, bearer: &str, records: &[Value]) -> Vec<String> {
    let data = app
        .data_as(
            bearer,
            UPSERT,
            json!({ "input": { "source": SOURCE, "records": records } }),
        )
        .await;
    let payload = &data["upsertFundingOpportunities"];
    assert_eq!(payload["userErrors"], json!([]), "{payload}");
    payload["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|result| result["outcome"].as_str().unwrap().to_owned())
        .collect()
}

/// Three records of `SOURCE`, the second one deleted (tombstoned).
async fn three_pushed_one_deleted(app: &TestApp) -> String {
    let partner = app.api_key("partner", Some(SOURCE)).await;
    push(
        app,
        &partner,
        &[
            record("call-1", "Heat pump grant"),
            record("call-2", "District heating loan"),
            record("call-3", "Solar roofs prize"),
        ],
    )
    .await;
    let data = app
        .data_as(
            &partner,
            DELETE,
            json!({ "input": { "source": SOURCE, "externalIds": ["call-2"] } }),
        )
        .await;
    assert_eq!(
        data["deleteFundingOpportunities"]["userErrors"],
        json!([]),
        "{data}"
    );
    partner
}

/// The export's status, cursor header and lines (the trailer is the last one).
async fn export(app: &TestApp, query: &str) -> (u16, Option<String>, Vec<Value>) {
    let response = app
        .client
        .get(format!("{}/export/funding.jsonl{query}", app.address))
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    let cursor = response
        .headers()
        .get("kxc-change-cursor")
        .map(|value| value.to_str().unwrap().to_owned());
    let body = response.text().await.unwrap();
    let lines = body
        .lines()
        .map(|line| serde_json::from_str(line).unwrap_or_else(|_| json!({ "raw": line })))
        .collect();
    (status, cursor, lines)
}

/// The records and the trailer's cursor of a successful export, checking the header matches.
async fn export_ok(app: &TestApp, query: &str) -> (Vec<Value>, String) {
    let (status, header, mut lines) = export(app, query).await;
    assert_eq!(status, 200, "{lines:?}");
    let trailer = lines.pop().expect("a trailer line");
    let cursor = trailer["cursor"]
        .as_str()
        .expect("trailer {cursor}")
        .to_owned();
    assert_eq!(trailer.as_object().unwrap().len(), 1, "{trailer}");
    assert_eq!(header.as_deref(), Some(cursor.as_str()), "header = trailer");
    (lines, cursor)
}

/// `(source, externalId)` of every funding record `fundingOpportunities` shows, and its
/// `totalCount`.
async fn listed(app: &TestApp, filter: Value) -> (BTreeSet<(String, String)>, u64) {
    let query = "query($filter: FundingFilter, $after: String) {
        fundingOpportunities(filter: $filter, first: 100, after: $after) {
            totalCount nodes { source externalId } pageInfo { hasNextPage endCursor } } }";
    let mut keys = BTreeSet::new();
    let mut after = Value::Null;
    loop {
        let data = app
            .data(query, json!({ "filter": filter, "after": after }))
            .await;
        let page = &data["fundingOpportunities"];
        for node in page["nodes"].as_array().unwrap() {
            keys.insert(key(node));
        }
        if page["pageInfo"]["hasNextPage"] != json!(true) {
            return (keys, page["totalCount"].as_u64().unwrap());
        }
        after = page["pageInfo"]["endCursor"].clone();
    }
}

fn key(record: &Value) -> (String, String) {
    (
        record["source"].as_str().unwrap().to_owned(),
        record["externalId"].as_str().unwrap().to_owned(),
    )
}

#[tokio::test]
async fn export_holds_exactly_the_visible_funding_records_in_the_push_format() {
    for app in spawn_apps().await {
        let partner = three_pushed_one_deleted(&app).await;
        let (lines, _) = export_ok(&app, "").await;
        let exported: BTreeSet<(String, String)> = lines.iter().map(key).collect();
        assert_eq!(exported.len(), lines.len(), "each record once");
        let (shown, total) = listed(&app, json!(null)).await;
        assert_eq!(exported, shown, "{}", app.backend);
        assert_eq!(lines.len() as u64, total);
        assert!(exported.contains(&(SOURCE.into(), "call-1".into())));
        assert!(
            !exported.contains(&(SOURCE.into(), "call-2".into())),
            "tombstoned"
        );
        assert!(lines.len() > 2, "the seed's records are exported too");

        let line = lines
            .iter()
            .find(|line| key(line) == (SOURCE.to_owned(), "call-1".to_owned()))
            .unwrap();
        let mut names: Vec<&str> = line
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        names.sort_unstable();
        let mut expected = FIELDS.to_vec();
        expected.sort_unstable();
        assert_eq!(names, expected);
        assert_eq!(line["title"], "Heat pump grant");
        assert_eq!(line["instrument"], "GRANT");
        assert_eq!(line["direction"], "DOMESTIC");
        assert_eq!(line["eligibleRegions"], json!(["DE"]));
        assert_eq!(
            line["eligibleApplicants"],
            json!(["CITY_GOVERNMENT", "NGO"])
        );
        assert_eq!(line["deadlines"], json!(["2026-03-31", "2026-09-30"]));
        assert_eq!(line["version"], 1);

        // A line is a push record: sent back (with its version as `expectedVersion`), it
        // changes nothing.
        let mut again = line.as_object().unwrap().clone();
        again.remove("source");
        let version = again.remove("version").unwrap();
        again.insert("expectedVersion".into(), version);
        let outcomes = push(&app, &partner, &[Value::Object(again)]).await;
        assert_eq!(outcomes, ["UNCHANGED"], "{}", app.backend);
    }
}

#[tokio::test]
async fn source_narrows_the_export_and_a_bad_source_is_refused() {
    for app in spawn_apps().await {
        three_pushed_one_deleted(&app).await;
        let (lines, _) = export_ok(&app, &format!("?source={SOURCE}")).await;
        let exported: BTreeSet<(String, String)> = lines.iter().map(key).collect();
        let (shown, _) = listed(&app, json!({ "sources": [SOURCE] })).await;
        assert_eq!(exported, shown);
        assert_eq!(
            exported,
            BTreeSet::from([
                (SOURCE.to_owned(), "call-1".to_owned()),
                (SOURCE.to_owned(), "call-3".to_owned()),
            ])
        );
        let (lines, _) = export_ok(&app, "?source=nobody-here").await;
        assert!(lines.is_empty(), "{lines:?}");

        let (status, cursor, lines) = export(&app, "?source=Not%20a%20slug").await;
        assert_eq!(status, 400);
        assert_eq!(cursor, None);
        assert_eq!(
            lines[0]["errors"][0]["extensions"]["code"],
            "BAD_USER_INPUT"
        );
        assert!(
            lines[0]["errors"][0]["message"]
                .as_str()
                .unwrap()
                .contains("`source`"),
            "{lines:?}"
        );
    }
}

#[tokio::test]
async fn the_export_cursor_continues_the_change_feed_exactly() {
    for app in spawn_apps().await {
        let partner = three_pushed_one_deleted(&app).await;
        let (_, cursor) = export_ok(&app, "").await;
        let changes = |after: String| {
            let app = &app;
            async move {
                let data = app.data(CHANGES, json!({ "after": after })).await;
                assert_eq!(data["changes"]["pageInfo"]["hasNextPage"], false);
                data["changes"]["edges"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|edge| edge["node"].clone())
                    .collect::<Vec<Value>>()
            }
        };
        assert_eq!(
            changes(cursor.clone()).await,
            Vec::<Value>::new(),
            "nothing after yet"
        );

        push(&app, &partner, &[record("call-4", "Green roofs grant")]).await;
        let after = changes(cursor).await;
        assert_eq!(after.len(), 1, "{after:?}");
        assert_eq!(after[0]["operation"], "UPSERT");
        assert_eq!(after[0]["entityType"], "FUNDING_OPPORTUNITY");
        assert_eq!(
            key(&after[0]["node"]),
            (SOURCE.to_owned(), "call-4".to_owned())
        );
        // And a new export is consistent with the feed: it holds the new record.
        let (lines, _) = export_ok(&app, "").await;
        assert!(lines.iter().any(|line| key(line).1 == "call-4"));
    }
}

#[tokio::test]
async fn an_export_is_charged_to_the_callers_budget() {
    let apps = spawn_apps_with(|settings| {
        settings.auth.budget_anonymous = Budget {
            capacity: 2500,
            per_second: 1,
        };
    })
    .await;
    for app in apps {
        let url = format!("{}/export/funding.jsonl", app.address);
        let first = app.client.get(&url).send().await.unwrap();
        assert_eq!(first.status(), 200);
        assert_eq!(first.headers()["ratelimit-limit"], "2500");
        let remaining: u64 = first.headers()["ratelimit-remaining"]
            .to_str()
            .unwrap()
            .parse()
            .unwrap();
        assert!(remaining <= 1500, "an export costs 1000: {remaining}");
        assert_eq!(app.client.get(&url).send().await.unwrap().status(), 200);
        let refused = app.client.get(&url).send().await.unwrap();
        assert_eq!(refused.status(), 429, "[{}]", app.backend);
        assert!(refused.headers().contains_key("retry-after"));
        assert_eq!(
            refused.json::<Value>().await.unwrap()["errors"][0]["extensions"]["code"],
            "RATE_LIMITED"
        );
        let partner = app.api_key("partner", Some(SOURCE)).await;
        let keyed = app
            .client
            .get(&url)
            .bearer_auth(&partner)
            .send()
            .await
            .unwrap();
        assert_eq!(keyed.status(), 200, "a key draws on its own budget");
    }
}

#[tokio::test]
async fn an_export_longer_than_one_batch_holds_every_record_once() {
    for app in spawn_apps().await {
        let partner = app.api_key("partner", Some(SOURCE)).await;
        let records: Vec<Value> = (0..600)
            .map(|n| record(&format!("bulk-{n:04}"), &format!("Bulk call {n}")))
            .collect();
        for chunk in records.chunks(500) {
            push(&app, &partner, chunk).await;
        }
        let (lines, _) = export_ok(&app, &format!("?source={SOURCE}")).await;
        let exported: BTreeSet<(String, String)> = lines.iter().map(key).collect();
        assert_eq!(
            (lines.len(), exported.len()),
            (600, 600),
            "[{}]",
            app.backend
        );
        let (lines, _) = export_ok(&app, "").await;
        let (shown, total) = listed(&app, json!(null)).await;
        assert_eq!(lines.len() as u64, total);
        assert_eq!(lines.iter().map(key).collect::<BTreeSet<_>>(), shown);
    }
}

/// The CSV export's status, cursor header and rows (header row first), parsed by the `csv`
/// crate as any RFC 4180 reader would.
async fn export_csv(app: &TestApp, query: &str) -> (u16, Option<String>, Vec<Vec<String>>) {
    let response = app
        .client
        .get(format!("{}/export/funding.csv{query}", app.address))
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    let cursor = response
        .headers()
        .get("kxc-change-cursor")
        .map(|value| value.to_str().unwrap().to_owned());
    if status == 200 {
        assert_eq!(
            response.headers()["content-type"],
            "text/csv; charset=utf-8; header=present"
        );
    }
    let body = response.text().await.unwrap();
    let rows = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(body.as_bytes())
        .records()
        .map(|record| {
            record
                .expect("an RFC 4180 row")
                .iter()
                .map(str::to_owned)
                .collect()
        })
        .collect();
    (status, cursor, rows)
}

const CSV_COLUMNS: [&str; 21] = [
    "source",
    "external_id",
    "title",
    "summary",
    "provider",
    "provider_level",
    "provider_country",
    "instrument",
    "direction",
    "eligible_regions",
    "eligible_applicants",
    "themes",
    "amount_min",
    "amount_max",
    "currency",
    "co_financing_rate",
    "opens_at",
    "deadlines",
    "rolling",
    "url",
    "language",
];

/// What the CSV row of a JSON Lines export line must be: the import format's spelling, lists
/// joined by `|`.
fn csv_row_of(line: &Value) -> Vec<String> {
    let text = |field: &str| line[field].as_str().unwrap_or_default().to_owned();
    let lower = |field: &str| text(field).to_ascii_lowercase();
    let number = |field: &str| {
        line[field]
            .as_f64()
            .map(|n| n.to_string())
            .unwrap_or_default()
    };
    let list = |field: &str, lowercase: bool| {
        line[field]
            .as_array()
            .unwrap()
            .iter()
            .map(|value| {
                let value = value.as_str().unwrap();
                if lowercase {
                    value.to_ascii_lowercase()
                } else {
                    value.to_owned()
                }
            })
            .collect::<Vec<_>>()
            .join("|")
    };
    vec![
        text("source"),
        text("externalId"),
        text("title"),
        text("summary"),
        text("provider"),
        lower("providerLevel"),
        text("providerCountry"),
        lower("instrument"),
        lower("direction"),
        list("eligibleRegions", false),
        list("eligibleApplicants", true),
        list("themes", false),
        number("amountMin"),
        number("amountMax"),
        text("currency"),
        number("coFinancingRate"),
        text("opensAt"),
        list("deadlines", false),
        line["rolling"].as_bool().unwrap().to_string(),
        text("url"),
        text("language"),
    ]
}

#[tokio::test]
async fn the_csv_export_holds_the_jsonl_snapshot_and_names_its_cursor_at_both_ends() {
    for app in spawn_apps().await {
        let partner = three_pushed_one_deleted(&app).await;
        // Quoting: a comma and quotes in a title, a line break in a summary.
        let mut tricky = record("call-5", "Heat, \"pumps\" and more");
        tricky["summary"] = json!("First line.\nSecond line, with a comma.");
        tricky["themes"] = json!(["energy/renewables/solar", "buildings"]);
        tricky["coFinancingRate"] = json!(0.35);
        push(&app, &partner, &[tricky]).await;

        let (status, header, mut rows) = export_csv(&app, "").await;
        assert_eq!(status, 200, "[{}] {rows:?}", app.backend);
        assert_eq!(rows[0], CSV_COLUMNS, "the header row");
        let trailer = rows.pop().expect("a trailer row");
        assert_eq!(trailer.len(), CSV_COLUMNS.len(), "the trailer is as wide");
        assert_eq!(trailer[0], "#change-cursor");
        assert_eq!(
            Some(trailer[1].as_str()),
            header.as_deref(),
            "header = trailer"
        );
        assert!(trailer[2..].iter().all(String::is_empty), "{trailer:?}");

        // The same snapshot as the JSON Lines export, row for row.
        let (lines, cursor) = export_ok(&app, "").await;
        assert_eq!(cursor, trailer[1], "[{}] both at one position", app.backend);
        let expected: Vec<Vec<String>> = lines.iter().map(csv_row_of).collect();
        assert_eq!(rows[1..], expected[..], "[{}]", app.backend);
        let tricky_row = rows.iter().find(|row| row[1] == "call-5").unwrap();
        assert_eq!(tricky_row[2], "Heat, \"pumps\" and more");
        assert_eq!(tricky_row[3], "First line.\nSecond line, with a comma.");
        assert_eq!(tricky_row[10], "city_government|ngo");
        assert_eq!(tricky_row[11], "buildings|energy/renewables/solar");
        assert_eq!(tricky_row[15], "0.35");
        assert!(!rows.iter().any(|row| row[1] == "call-2"), "tombstoned");

        // The cursor continues the change feed: nothing before it is repeated, nothing
        // after it is missed.
        let after = |after: String| {
            let app = &app;
            async move {
                let data = app.data(CHANGES, json!({ "after": after })).await;
                data["changes"]["edges"].as_array().unwrap().clone()
            }
        };
        assert_eq!(after(trailer[1].clone()).await, Vec::<Value>::new());
        push(&app, &partner, &[record("call-6", "Cargo bikes grant")]).await;
        let changes = after(trailer[1].clone()).await;
        assert_eq!(changes.len(), 1, "{changes:?}");
        assert_eq!(
            key(&changes[0]["node"]["node"]),
            (SOURCE.to_owned(), "call-6".to_owned())
        );

        // The same checks and charge as the JSON Lines export.
        let (status, cursor, _) = export_csv(&app, "?source=Not%20a%20slug").await;
        assert_eq!((status, cursor), (400, None));
        let (status, _, rows) = export_csv(&app, "?source=nobody-here").await;
        assert_eq!(status, 200);
        assert_eq!(rows.len(), 2, "header and trailer only: {rows:?}");
    }
}
