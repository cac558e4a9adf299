//! What a viewer sees follows from the viewer, the same through every read path: an author
//! sees their own draft, a moderator sees it too, everyone else sees what anonymous visitors
//! see.

use base64::Engine;
use kxc::graphql::GlobalId;
use kxc::service::records::PracticeRecord;
use sea_orm::TransactionTrait;
use serde_json::{Value, json};

use crate::helpers::{TestApp, practice_record, spawn_apps};

/// The account id behind `bearer`, from `viewer { id }`.
async fn account_id(app: &TestApp, bearer: &str) -> i32 {
    let data = app.data_as(bearer, "{ viewer { id } }", json!({})).await;
    let id = data["viewer"]["id"]
        .as_str()
        .expect("a signed-in viewer has an id");
    GlobalId::decode(id).expect("a global ID").id
}

/// Creates a draft owned by `owner` through the write service, as `createPractice` will.
async fn draft_owned_by(app: &TestApp, owner: i32, slug: &str, title: &str) -> i32 {
    let mut record = practice_record(slug, title);
    record["status"] = json!("draft");
    record.as_object_mut().unwrap().remove("published_at");
    let record: PracticeRecord = serde_json::from_value(record).expect("a practice record");
    let db = app.db().await;
    let txn = db.begin().await.unwrap();
    let id = kxc::service::practice_write::upsert_owned(&txn, record, Some(owner))
        .await
        .expect("draft stored");
    txn.commit().await.unwrap();
    db.close().await.unwrap();
    id
}

/// Every path a client can reach the practice by, as `bearer` (anonymous when `None`).
async fn paths(
    app: &TestApp,
    bearer: Option<&str>,
    slug: &str,
    id: &str,
) -> Vec<(&'static str, bool)> {
    let query = "query($slug: String!, $id: ID!) {
        bySlug: practice(slug: $slug) { slug }
        byId: practice(id: $id) { slug }
        practices(first: 100, filter: { cities: [\"asker\"] }) { totalCount nodes { slug } }
        node(id: $id) { id }
        nodes(ids: [$id]) { id }
        search(query: \"quokkaplatz\", first: 20) { totalCount hits { node { ... on Practice { slug } } } }
    }";
    let response: Value = app
        .post_as(bearer, query, json!({ "slug": slug, "id": id }))
        .await
        .json()
        .await
        .unwrap();
    assert!(response.get("errors").is_none(), "{response}");
    let data = &response["data"];
    let listed = |list: &Value| {
        list.as_array()
            .unwrap()
            .iter()
            .any(|item| item["slug"] == json!(slug) || item["node"]["slug"] == json!(slug))
    };
    vec![
        ("practice(slug:)", data["bySlug"]["slug"] == json!(slug)),
        ("practice(id:)", data["byId"]["slug"] == json!(slug)),
        ("practices", listed(&data["practices"]["nodes"])),
        ("node", data["node"]["id"] == json!(id)),
        ("nodes", data["nodes"][0]["id"] == json!(id)),
        ("search", listed(&data["search"]["hits"])),
    ]
}

#[tokio::test]
async fn an_authors_draft_is_seen_by_its_author_and_moderators_through_every_path_and_by_nobody_else()
 {
    for app in spawn_apps().await {
        let author = app.api_key("member", None).await;
        let other_member = app.api_key("member", None).await;
        let moderator = app.api_key("moderator", None).await;
        let partner = app.api_key("partner", None).await;
        let before = app
            .data("{ practices(first: 1) { totalCount } }", json!({}))
            .await;

        let owner = account_id(&app, &author).await;
        let slug = "asker-quokkaplatz-draft";
        let id = draft_owned_by(&app, owner, slug, "Quokkaplatz: a draft about a square").await;
        let global =
            base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(format!("practice:{id}"));

        for (who, bearer, sees) in [
            ("the author", Some(author.as_str()), true),
            ("a moderator", Some(moderator.as_str()), true),
            ("anonymous", None, false),
            ("another member", Some(other_member.as_str()), false),
            ("a partner", Some(partner.as_str()), false),
        ] {
            for (path, seen) in paths(&app, bearer, slug, &global).await {
                assert_eq!(seen, sees, "[{}] {who} through {path}", app.backend);
            }
        }
        assert_eq!(
            app.data("{ practices(first: 1) { totalCount } }", json!({}))
                .await,
            before,
            "[{}] anonymous visitors count what they counted before",
            app.backend
        );
        let mine = app
            .data_as(&author, "{ practices(first: 1) { totalCount } }", json!({}))
            .await;
        assert_eq!(
            mine["practices"]["totalCount"].as_u64(),
            before["practices"]["totalCount"]
                .as_u64()
                .map(|count| count + 1),
            "[{}] the author's count includes the draft",
            app.backend
        );
    }
}
