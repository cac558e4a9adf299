//! Events through the public API: `events(filter:)`, `event(slug:)`, `node`, the admin
//! mutations with their validation, and `GET /events.ics` parsed back with the independent
//! `ical` crate.

use kxc::entity::{audit_event, event};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use serde_json::{Value, json};

use crate::helpers::{TestApp, spawn_apps};

const CREATE: &str = "mutation($input: CreateEventInput!) { createEvent(input: $input) {
    event { id slug startsOn endsOn startTime endTime timeZone allDay startsAt endsAt online url
            city { slug } organiser { slug } themes { path } version }
    userErrors { field code message } } }";
const UPDATE: &str = "mutation($input: UpdateEventInput!) { updateEvent(input: $input) {
    event { id version startTime endTime allDay startsAt city { slug } }
    userErrors { field code message } } }";

async fn event_rows(app: &TestApp) -> u64 {
    let db = app.db().await;
    let count = event::Entity::find().count(&db).await.unwrap();
    db.close().await.unwrap();
    count
}

fn fields(errors: &Value) -> Vec<Value> {
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

async fn ics(app: &TestApp, query: &str) -> reqwest::Response {
    app.client
        .get(format!("{}/events.ics{query}", app.address))
        .send()
        .await
        .unwrap()
}

/// The calendars of a feed, parsed by the `ical` crate.
fn parse(text: &str) -> Vec<ical::parser::ical::component::IcalCalendar> {
    ical::IcalParser::new(std::io::BufReader::new(text.as_bytes()))
        .collect::<Result<Vec<_>, _>>()
        .expect("a valid iCalendar feed")
}

fn property<'a>(
    event: &'a ical::parser::ical::component::IcalEvent,
    name: &str,
) -> Option<&'a str> {
    event
        .properties
        .iter()
        .find(|property| property.name == name)
        .and_then(|property| property.value.as_deref())
}

#[tokio::test]
async fn events_filter_by_dates_themes_regions_and_organiser() {
    for app in spawn_apps().await {
        let list = "query($filter: EventFilter) { events(first: 100, filter: $filter) {
            totalCount nodes { slug startsOn endsOn timeZone allDay city { slug } organiser { slug } } } }";
        let all = app.data(list, json!({})).await;
        let nodes = all["events"]["nodes"].as_array().unwrap();
        assert!(nodes.len() >= 10, "{all}");
        let days: Vec<&str> = nodes
            .iter()
            .map(|n| n["startsOn"].as_str().unwrap())
            .collect();
        let mut sorted = days.clone();
        sorted.sort();
        assert_eq!(days, sorted, "earliest first");

        let in_2024 = app
            .data(
                list,
                json!({ "filter": { "from": "2024-01-01", "to": "2024-12-31" } }),
            )
            .await;
        let slugs: Vec<&str> = in_2024["events"]["nodes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|n| n["slug"].as_str().unwrap())
            .collect();
        assert_eq!(
            slugs,
            [
                "iclei-world-congress-2024",
                "cities-mission-conference-2024",
                "innovate4cities-2024"
            ]
        );

        let europe_mission = app
            .data(
                list,
                json!({ "filter": { "regions": ["150"], "organisers": ["eu-cities-mission"],
                                    "themes": ["governance"] } }),
            )
            .await;
        let nodes = europe_mission["events"]["nodes"].as_array().unwrap();
        assert_eq!(europe_mission["events"]["totalCount"], 2);
        assert!(
            nodes
                .iter()
                .all(|n| n["organiser"]["slug"] == "eu-cities-mission")
        );
        assert_eq!(nodes[1]["timeZone"], "Europe/Madrid");
        assert_eq!(nodes[1]["allDay"], true);

        let bad = app
            .graphql(
                list,
                json!({ "filter": { "from": "2025-01-01", "to": "2024-01-01" } }),
            )
            .await;
        assert_eq!(
            bad["errors"][0]["extensions"]["field"],
            json!(["filter", "from"])
        );
        let unknown = app
            .graphql(
                list,
                json!({ "filter": { "organisers": ["c40", "nobody"] } }),
            )
            .await;
        assert_eq!(
            unknown["errors"][0]["extensions"]["field"],
            json!(["filter", "organisers", 1]),
            "{unknown}"
        );
    }
}

#[tokio::test]
async fn admins_create_and_update_events_with_time_zones() {
    for app in spawn_apps().await {
        let admin = app.api_key("admin", None).await;
        let before = event_rows(&app).await;
        let bad = app
            .data_as(
                &admin,
                CREATE,
                json!({ "input": { "slug": "webinar", "title": "Webinar", "startsOn": "2026-05-02",
                    "endsOn": "2026-05-01", "startTime": "9:00", "timeZone": "Mars/Olympus",
                    "url": "javascript:alert(1)" } }),
            )
            .await;
        assert_eq!(bad["createEvent"]["event"], Value::Null);
        assert_eq!(
            fields(&bad["createEvent"]["userErrors"]),
            [
                json!(["input", "startTime"]),
                json!(["input", "timeZone"]),
                json!(["input", "url"])
            ]
        );
        let bad = app
            .data_as(
                &admin,
                CREATE,
                json!({ "input": { "slug": "webinar", "title": "Webinar", "startsOn": "2026-05-02",
                    "endsOn": "2026-05-01", "startTime": "09:00", "online": true,
                    "organiser": "nobody", "themes": ["energy", "no/such/theme"] } }),
            )
            .await;
        assert_eq!(
            fields(&bad["createEvent"]["userErrors"]),
            [
                json!(["input", "endsOn"]),
                json!(["input", "endTime"]),
                json!(["input", "url"]),
                json!(["input", "organiser"]),
                json!(["input", "themes", 1]),
            ],
            "{bad}"
        );
        assert_eq!(event_rows(&app).await, before);

        let created = app
            .data_as(
                &admin,
                CREATE,
                json!({ "input": { "slug": "oslo-race-to-zero-webinar", "title": "Race to Zero webinar",
                    "startsOn": "2026-03-10", "endsOn": "2026-03-10", "startTime": "09:00",
                    "endTime": "10:30", "timeZone": "Europe/Oslo", "online": true,
                    "url": "https://example.org/join", "city": "oslo", "organiser": "race-to-zero",
                    "themes": ["governance/climate-action-planning"], "reason": "test" } }),
            )
            .await;
        let payload = &created["createEvent"];
        assert_eq!(payload["userErrors"], json!([]), "{payload}");
        let stored = &payload["event"];
        assert_eq!(stored["allDay"], false);
        assert_eq!(stored["startsAt"], "2026-03-10T08:00:00+00:00");
        assert_eq!(stored["endsAt"], "2026-03-10T09:30:00+00:00");
        assert_eq!(event_rows(&app).await, before + 1);

        let node = app
            .data(
                "query($id: ID!) { node(id: $id) { __typename ... on Event { slug } } }",
                json!({ "id": stored["id"] }),
            )
            .await;
        assert_eq!(node["node"]["slug"], "oslo-race-to-zero-webinar");

        // Summer time: the same local time is one hour earlier in UTC.
        let moved = app
            .data_as(
                &admin,
                UPDATE,
                json!({ "input": { "id": stored["id"], "expectedVersion": 1,
                    "startsOn": "2026-06-10", "endsOn": "2026-06-10", "city": null } }),
            )
            .await;
        let payload = &moved["updateEvent"];
        assert_eq!(payload["userErrors"], json!([]), "{payload}");
        assert_eq!(payload["event"]["startsAt"], "2026-06-10T07:00:00+00:00");
        assert_eq!(payload["event"]["city"], Value::Null);
        assert_eq!(payload["event"]["version"], 2);
        let all_day = app
            .data_as(
                &admin,
                UPDATE,
                json!({ "input": { "id": stored["id"], "startTime": null } }),
            )
            .await;
        assert_eq!(
            fields(&all_day["updateEvent"]["userErrors"]),
            [json!(["input", "startTime"])]
        );
        let stale = app
            .graphql_as(
                &admin,
                UPDATE,
                json!({ "input": { "id": stored["id"], "expectedVersion": 1, "title": "Stale" } }),
            )
            .await;
        assert_eq!(stale["errors"][0]["extensions"]["code"], "CONFLICT");

        let db = app.db().await;
        let actions = audit_event::Entity::find()
            .filter(audit_event::Column::TargetType.eq("event"))
            .count(&db)
            .await
            .unwrap();
        assert_eq!(actions, 2);
        db.close().await.unwrap();
    }
}

#[tokio::test]
async fn the_calendar_feed_parses_back_with_the_same_filters() {
    for app in spawn_apps().await {
        let admin = app.api_key("admin", None).await;
        let created = app
            .data_as(
                &admin,
                CREATE,
                json!({ "input": { "slug": "timed", "title": "Timed session, with a comma; and semicolon",
                    "startsOn": "2024-06-25", "endsOn": "2024-06-25", "startTime": "09:00",
                    "endTime": "17:30", "timeZone": "Europe/Madrid", "city": "valencia",
                    "organiser": "eu-cities-mission", "themes": ["finance"] } }),
            )
            .await;
        assert_eq!(created["createEvent"]["userErrors"], json!([]));

        let response = ics(&app, "?from=2024-01-01&to=2024-12-31").await;
        assert_eq!(response.status(), 200);
        assert_eq!(
            response.headers()["content-type"],
            "text/calendar; charset=utf-8"
        );
        let text = response.text().await.unwrap();
        let calendars = parse(&text);
        assert_eq!(calendars.len(), 1);
        let prodids = calendars[0]
            .properties
            .iter()
            .filter(|property| property.name == "PRODID")
            .count();
        assert_eq!(prodids, 1, "PRODID occurs exactly once");
        let events = &calendars[0].events;
        let graphql = app
            .data(
                "{ events(first: 100, filter: { from: \"2024-01-01\", to: \"2024-12-31\" }) { totalCount } }",
                json!({}),
            )
            .await;
        assert_eq!(
            events.len() as u64,
            graphql["events"]["totalCount"].as_u64().unwrap()
        );
        for event in events {
            assert!(property(event, "UID").is_some_and(|uid| uid.ends_with("@kxc")));
            assert!(property(event, "DTSTAMP").is_some());
            assert!(property(event, "DTSTART").is_some());
        }
        let timed = events
            .iter()
            .find(|event| {
                property(event, "SUMMARY").is_some_and(|s| s.starts_with("Timed session"))
            })
            .expect("the timed event");
        assert_eq!(property(timed, "DTSTART"), Some("20240625T070000Z"));
        assert_eq!(property(timed, "DTEND"), Some("20240625T153000Z"));
        assert_eq!(
            property(timed, "SUMMARY"),
            Some("Timed session\\, with a comma\\; and semicolon")
        );
        let conference = events
            .iter()
            .find(|event| {
                property(event, "SUMMARY").is_some_and(|s| s.starts_with("Empowering Cities"))
            })
            .expect("the all-day conference");
        // All day: DATE values, the end exclusive (the conference's last day is 26 June).
        assert_eq!(property(conference, "DTSTART"), Some("20240625"));
        assert_eq!(property(conference, "DTEND"), Some("20240627"));

        // The same filters as the query.
        let text = ics(&app, "?organisers=c40&themes=governance/advocacy")
            .await
            .text()
            .await
            .unwrap();
        let summaries: Vec<String> = parse(&text)[0]
            .events
            .iter()
            .filter_map(|event| property(event, "SUMMARY").map(str::to_owned))
            .collect();
        assert_eq!(
            summaries,
            [
                "C40 World Mayors Summit 2019",
                "C40 World Mayors Summit 2025"
            ]
        );

        for (query, needle) in [
            ("?from=2024-13-01", "from"),
            ("?from=2025-01-01&to=2024-01-01", "from"),
            ("?organisers=nobody", "organisers[0]"),
            ("?themes=Not%20A%20Path", "themes[0]"),
            ("?colour=blue", "colour"),
        ] {
            let response = ics(&app, query).await;
            assert_eq!(response.status(), 400, "{query}");
            let body: Value = response.json().await.unwrap();
            assert_eq!(
                body["errors"][0]["extensions"]["code"], "BAD_USER_INPUT",
                "{body}"
            );
            let message = body["errors"][0]["message"].as_str().unwrap();
            assert!(message.contains(needle), "{query}: {message}");
        }
    }
}
