//! Exchange requests on the seed data: members post offers and needs (audit and change-log
//! rows, bad input named at its path with nothing stored), the board lists and filters them,
//! and `suggestedMatches` names cities with evaluated practices on the theme and, for a need,
//! cities offering help, each with its reasons, in a deterministic order.

use kxc::entity::{audit_event, change_log, exchange_request};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use serde_json::{Value, json};

use crate::helpers::{TestApp, spawn_apps};

const CREATE: &str = "mutation($input: CreateExchangeRequestInput!) {
    createExchangeRequest(input: $input) {
      exchangeRequest { id kind title status city { slug } theme { path } }
      userErrors { field code message } } }";

const MATCHES: &str = "query($id: ID!, $first: Int) { exchangeRequest(id: $id) {
    kind suggestedMatches(first: $first) { city { slug name } score
      reasons { kind weight evidence { __typename
        ... on Practice { slug themes { path } cities { slug } evaluation { score } }
        ... on ExchangeRequest { id kind city { slug } } } } } } }";

async fn city_id(app: &TestApp, slug: &str) -> String {
    app.data(
        &format!(r#"{{ city(slug: "{slug}") {{ id }} }}"#),
        json!({}),
    )
    .await["city"]["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

async fn post(app: &TestApp, bearer: &str, city: &str, kind: &str, theme: &str) -> Value {
    let input = json!({ "cityId": city_id(app, city).await, "kind": kind, "theme": theme,
                        "title": format!("{city} {kind} on {theme}"), "body": "We can talk." });
    let data = app.data_as(bearer, CREATE, json!({ "input": input })).await;
    assert_eq!(
        data["createExchangeRequest"]["userErrors"],
        json!([]),
        "{data}"
    );
    data["createExchangeRequest"]["exchangeRequest"].clone()
}

#[tokio::test]
async fn a_member_posts_a_request_with_its_audit_row_and_the_board_lists_it() {
    for app in spawn_apps().await {
        let member = app.api_key("member", None).await;
        let need = post(&app, &member, "asker", "NEED", "mobility/cycling").await;
        assert_eq!(need["kind"], "NEED");
        assert_eq!(need["status"], "open");
        assert_eq!(need["city"]["slug"], "asker");
        assert_eq!(need["theme"]["path"], "mobility/cycling");
        let offer = post(&app, &member, "copenhagen", "OFFER", "energy").await;

        let board =
            "query($filter: ExchangeRequestFilter) { exchangeRequests(first: 10, filter: $filter) {
            nodes { id } pageInfo { hasNextPage } } }";
        let all = app.data(board, json!({})).await;
        assert_eq!(
            all["exchangeRequests"]["nodes"],
            json!([{ "id": offer["id"] }, { "id": need["id"] }])
        );
        for filter in [
            json!({ "kinds": ["NEED"] }),
            json!({ "themes": ["mobility"] }),
            json!({ "cities": ["asker"] }),
        ] {
            let found = app.data(board, json!({ "filter": filter })).await;
            assert_eq!(
                found["exchangeRequests"]["nodes"],
                json!([{ "id": need["id"] }]),
                "{filter}"
            );
        }
        let unknown = app
            .graphql(board, json!({ "filter": { "cities": ["atlantis"] } }))
            .await;
        assert_eq!(
            unknown["errors"][0]["extensions"]["field"],
            json!(["filter", "cities", 0]),
            "{unknown}"
        );

        let db = app.db().await;
        let id = kxc::graphql::GlobalId::decode(need["id"].as_str().unwrap())
            .unwrap()
            .id;
        let audited = audit_event::Entity::find()
            .filter(audit_event::Column::Action.eq("exchange_request.create"))
            .filter(audit_event::Column::TargetId.eq(id))
            .one(&db)
            .await
            .unwrap()
            .expect("an audit row");
        let logged = change_log::Entity::find()
            .filter(change_log::Column::EntityType.eq("exchange_request"))
            .filter(change_log::Column::EntityId.eq(id))
            .one(&db)
            .await
            .unwrap()
            .expect("a change_log row");
        assert_eq!(audited.change_seq, Some(logged.seq));
        db.close().await.unwrap();
    }
}

#[tokio::test]
async fn a_bad_request_is_answered_at_its_paths_and_stores_nothing() {
    for app in spawn_apps().await {
        let member = app.api_key("member", None).await;
        let theme_id = app
            .data(r#"{ theme(path: "energy") { id } }"#, json!({}))
            .await["theme"]["id"]
            .clone();
        let input = json!({ "cityId": theme_id, "kind": "OFFER", "theme": "no-such-theme",
                            "title": "  ", "body": "x".repeat(10_001) });
        let data = app
            .data_as(&member, CREATE, json!({ "input": input }))
            .await;
        let payload = &data["createExchangeRequest"];
        assert_eq!(payload["exchangeRequest"], Value::Null);
        let fields: Vec<Value> = payload["userErrors"]
            .as_array()
            .unwrap()
            .iter()
            .map(|error| error["field"].clone())
            .collect();
        assert_eq!(
            fields,
            [
                json!(["input", "cityId"]),
                json!(["input", "theme"]),
                json!(["input", "title"]),
                json!(["input", "body"])
            ],
            "{payload}"
        );
        assert!(
            payload["userErrors"]
                .as_array()
                .unwrap()
                .iter()
                .all(|error| error["code"] == "BAD_USER_INPUT")
        );
        let db = app.db().await;
        assert_eq!(
            exchange_request::Entity::find().count(&db).await.unwrap(),
            0
        );
        db.close().await.unwrap();
    }
}

#[tokio::test]
async fn suggested_matches_name_cities_with_evaluated_practices_and_matching_offers_with_their_reasons()
 {
    for app in spawn_apps().await {
        let member = app.api_key("member", None).await;
        let need = post(&app, &member, "asker", "NEED", "mobility").await;
        let offer = post(&app, &member, "berlin", "OFFER", "mobility/cycling").await;
        post(&app, &member, "london", "OFFER", "energy").await;

        let answer = app
            .data(MATCHES, json!({ "id": need["id"], "first": 20 }))
            .await;
        let matches = answer["exchangeRequest"]["suggestedMatches"]
            .as_array()
            .unwrap()
            .clone();
        assert!(matches.len() > 2, "[{}] {answer}", app.backend);
        // Best first, ties by name; never the request's own city.
        for pair in matches.windows(2) {
            let (a, b) = (
                pair[0]["score"].as_f64().unwrap(),
                pair[1]["score"].as_f64().unwrap(),
            );
            assert!(
                a > b
                    || (a == b
                        && pair[0]["city"]["name"].as_str() <= pair[1]["city"]["name"].as_str()),
                "{pair:?}"
            );
        }
        assert!(matches.iter().all(|found| found["city"]["slug"] != "asker"));
        for found in &matches {
            let slug = &found["city"]["slug"];
            let reasons = found["reasons"].as_array().unwrap();
            let total: f64 = reasons
                .iter()
                .map(|reason| reason["weight"].as_f64().unwrap())
                .sum();
            assert!(
                (total - found["score"].as_f64().unwrap()).abs() < 1e-9,
                "{found}"
            );
            for reason in reasons {
                let evidence = &reason["evidence"];
                match reason["kind"].as_str().unwrap() {
                    "EVALUATED_PRACTICE" => {
                        assert_eq!(evidence["__typename"], "Practice");
                        assert!(
                            evidence["cities"]
                                .as_array()
                                .unwrap()
                                .iter()
                                .any(|city| &city["slug"] == slug)
                        );
                        assert!(
                            evidence["themes"].as_array().unwrap().iter().any(|theme| {
                                theme["path"].as_str().unwrap().starts_with("mobility")
                            }),
                            "{evidence}"
                        );
                        let score = evidence["evaluation"]["score"].as_f64().unwrap();
                        assert!(
                            (reason["weight"].as_f64().unwrap() - score / 5.0).abs() < 0.01,
                            "{reason}"
                        );
                    }
                    "MATCHING_OFFER" => {
                        assert_eq!(
                            evidence["id"], offer["id"],
                            "only the mobility offer matches: {reason}"
                        );
                        assert_eq!(slug, "berlin");
                        assert_eq!(reason["weight"], 1.0);
                    }
                    other => panic!("unexpected reason {other}"),
                }
            }
        }
        assert!(matches.iter().any(|found| {
            found["city"]["slug"] == "berlin"
                && found["reasons"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|reason| reason["kind"] == "MATCHING_OFFER")
        }));
        assert!(
            matches
                .iter()
                .any(|found| found["city"]["slug"] == "copenhagen"),
            "seeded cycling practices"
        );

        // The same question answers the same list; a smaller page is its prefix.
        assert_eq!(
            app.data(MATCHES, json!({ "id": need["id"], "first": 20 }))
                .await,
            answer
        );
        let three = app
            .data(MATCHES, json!({ "id": need["id"], "first": 3 }))
            .await;
        assert_eq!(
            three["exchangeRequest"]["suggestedMatches"],
            json!(matches[..3])
        );
        let too_many = app
            .graphql(MATCHES, json!({ "id": need["id"], "first": 21 }))
            .await;
        assert_eq!(
            too_many["errors"][0]["extensions"]["code"], "BAD_USER_INPUT",
            "{too_many}"
        );

        // An offer is matched with practices only, never with other offers.
        let offered = app
            .data(MATCHES, json!({ "id": offer["id"], "first": 20 }))
            .await;
        let reasons: Vec<&Value> = offered["exchangeRequest"]["suggestedMatches"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|found| found["reasons"].as_array().unwrap())
            .collect();
        assert!(
            !reasons.is_empty()
                && reasons
                    .iter()
                    .all(|reason| reason["kind"] == "EVALUATED_PRACTICE")
        );
    }
}
