//! `/feeds/funding.atom` and `/feeds/practices.atom`: valid Atom 1.0 (parsed back with
//! `atom_syndication`), newest first, filtered by theme and region, bad values refused.

use serde_json::{Value, json};

use crate::helpers::spawn_apps;

async fn get(app: &crate::helpers::TestApp, path: &str) -> (u16, String, String) {
    let response = app
        .client
        .get(format!("{}{path}", app.address))
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    let media = response
        .headers()
        .get("content-type")
        .map(|value| value.to_str().unwrap().to_owned())
        .unwrap_or_default();
    (status, media, response.text().await.unwrap())
}

#[tokio::test]
async fn the_feeds_are_atom_newest_first_and_filtered() {
    for app in spawn_apps().await {
        let (status, media, body) = get(&app, "/feeds/practices.atom").await;
        assert_eq!(status, 200, "{body}");
        assert!(media.starts_with("application/atom+xml"), "{media}");
        let feed: atom_syndication::Feed = body.parse().expect("valid Atom");
        assert!(!feed.entries().is_empty() && feed.entries().len() <= 50);
        let newest = app
            .data(
                "{ practices(first: 1, orderBy: { field: PUBLISHED_AT, direction: DESC }) { nodes { title } } }",
                json!({}),
            )
            .await;
        assert_eq!(
            feed.entries()[0].title().as_str(),
            newest["practices"]["nodes"][0]["title"].as_str().unwrap()
        );

        let (_, _, body) = get(
            &app,
            "/feeds/practices.atom?theme=mobility/cycling&region=150",
        )
        .await;
        let filtered: atom_syndication::Feed = body.parse().expect("valid Atom");
        let expected = app
            .data(
                "{ practices(first: 50, filter: { themes: [\"mobility/cycling\"], regions: [\"150\"] }) { totalCount } }",
                json!({}),
            )
            .await;
        assert_eq!(
            filtered.entries().len() as u64,
            expected["practices"]["totalCount"]
                .as_u64()
                .unwrap()
                .min(50)
        );
        assert!(filtered.entries().len() < feed.entries().len());

        let (status, _, body) = get(&app, "/feeds/funding.atom?region=150").await;
        assert_eq!(status, 200, "{body}");
        let funding: atom_syndication::Feed = body.parse().expect("valid Atom");
        let dates: Vec<_> = funding
            .entries()
            .iter()
            .map(|entry| entry.published().copied())
            .collect();
        let mut sorted = dates.clone();
        sorted.sort_by(|a, b| b.cmp(a));
        assert_eq!(dates, sorted, "newest opened first");

        for path in [
            "/feeds/practices.atom?theme=Not%20A%20Theme",
            "/feeds/practices.atom?theme=no-such-theme",
            "/feeds/funding.atom?region=atlantis",
            "/feeds/funding.atom?region=xxxxxxxxxxxxxxxxxxxxxxxxx",
        ] {
            let (status, _, body) = get(&app, path).await;
            assert_eq!(status, 400, "[{}] {path}: {body}", app.backend);
            let body: Value = serde_json::from_str(&body).unwrap();
            assert_eq!(
                body["errors"][0]["extensions"]["code"], "BAD_USER_INPUT",
                "{path}: {body}"
            );
        }
    }
}
