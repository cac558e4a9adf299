//! Facts of the source documents that the seed holds, asserted through the API: Asker's and
//! Drammen's Race to Zero commitments (platform, reporting county), the national campaign with
//! its joining steps and milestones, the initiatives Oslo has signed, the CNCA Innovation Fund,
//! the organisations the documents name, and Norway's 2024 counties.

use serde_json::{Value, json};

use crate::helpers::spawn_apps;

#[tokio::test]
async fn asker_and_drammen_report_to_race_to_zero_through_their_county() {
    for app in spawn_apps().await {
        for slug in ["asker", "drammen"] {
            let data = app
                .data(
                    "query($slug: String) { city(slug: $slug) { region { code name }
                        commitments { initiative { slug } reportingPlatform
                                      reportingOrganisation { slug kind } } } }",
                    json!({ "slug": slug }),
                )
                .await;
            let commitments = data["city"]["commitments"].as_array().unwrap();
            let race = commitments
                .iter()
                .find(|c| c["initiative"]["slug"] == "race-to-zero")
                .unwrap_or_else(|| panic!("{slug}: {data}"));
            assert_eq!(race["reportingPlatform"], "MyCovenant");
            assert_eq!(
                race["reportingOrganisation"],
                json!({ "slug": "viken-county-council", "kind": "CITY_GOVERNMENT" })
            );
            let expected = if slug == "asker" {
                json!({ "code": "NO-32", "name": "Akershus" })
            } else {
                json!({ "code": "NO-33", "name": "Buskerud" })
            };
            assert_eq!(data["city"]["region"], expected);
        }
    }
}

#[tokio::test]
async fn the_norwegian_race_to_zero_campaign_has_joining_steps_and_milestones() {
    for app in spawn_apps().await {
        let data = app
            .data(
                "{ campaigns(first: 10) { totalCount nodes { slug } }
                   campaign(slug: \"race-to-zero-norway-2021\") { id name countryCode joiningSteps
                     organiser { slug }
                     events(first: 20) { totalCount nodes { slug startsOn endsOn campaign { slug } } } } }",
                json!({}),
            )
            .await;
        assert!(data["campaigns"]["totalCount"].as_u64().unwrap() >= 1);
        let campaign = &data["campaign"];
        assert_eq!(campaign["countryCode"], "NO");
        assert_eq!(campaign["organiser"]["slug"], "race-to-zero-norway");
        let steps = campaign["joiningSteps"].as_array().unwrap();
        assert_eq!(steps.len(), 5);
        assert!(steps[2].as_str().unwrap().contains("MyCovenant"));
        let events = campaign["events"]["nodes"].as_array().unwrap();
        assert_eq!(campaign["events"]["totalCount"], 6);
        let deadline = events
            .iter()
            .find(|e| e["slug"] == "race-to-zero-norway-joining-deadline")
            .expect("the deadline");
        assert_eq!(deadline["startsOn"], "2021-09-15");
        assert!(
            events
                .iter()
                .all(|e| e["campaign"]["slug"] == "race-to-zero-norway-2021")
        );
        assert_eq!(events.last().unwrap()["slug"], "cop26-glasgow");

        let node = app
            .data(
                "query($id: ID!) { node(id: $id) { __typename } }",
                json!({ "id": campaign["id"] }),
            )
            .await;
        assert_eq!(node["node"]["__typename"], "Campaign");
    }
}

#[tokio::test]
async fn oslo_has_signed_the_initiatives_its_page_names() {
    for app in spawn_apps().await {
        let data = app
            .data(
                "{ city(slug: \"oslo\") { commitments { initiative { slug kind } } } }",
                json!({}),
            )
            .await;
        let signed: Vec<&str> = data["city"]["commitments"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["initiative"]["slug"].as_str().unwrap())
            .collect();
        for initiative in [
            "covenant-of-mayors",
            "aalborg-commitments",
            "mexico-city-pact",
            "compact-of-mayors",
            "paris-city-hall-declaration",
            "un-global-compact",
            "earth-charter",
        ] {
            assert!(signed.contains(&initiative), "{initiative}: {signed:?}");
        }
    }
}

#[tokio::test]
async fn the_named_organisations_and_the_cnca_innovation_fund_are_seeded() {
    for app in spawn_apps().await {
        for (slug, kind) in [
            ("osloregionen", "NETWORK"),
            ("usdn", "NETWORK"),
            ("unfccc", "INTERNATIONAL_BODY"),
            ("mission-innovation-urban-transitions", "INITIATIVE"),
            ("dut-partnership", "FUNDER"),
            ("enoll", "NETWORK"),
            ("un-habitat", "INTERNATIONAL_BODY"),
        ] {
            let data = app
                .data(
                    "query($slug: String!) { organisation(slug: $slug) { slug kind description } }",
                    json!({ "slug": slug }),
                )
                .await;
            assert_eq!(data["organisation"]["kind"], kind, "{slug}: {data}");
            let description = data["organisation"]["description"].as_str().unwrap();
            assert!(!description.is_empty());
            assert!(!description.contains("telefon"), "{slug}: no phone numbers");
        }
        let funding = app
            .data(
                "{ fundingOpportunities(first: 100, filter: { providerLevels: [INTERNATIONAL] }) {
                    nodes { externalId title instrument provider { slug } } } }",
                json!({}),
            )
            .await;
        let fund: Vec<&Value> = funding["fundingOpportunities"]["nodes"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|node| node["externalId"] == "cnca-innovation-fund")
            .collect();
        assert_eq!(fund.len(), 1, "{funding}");
        assert_eq!(fund[0]["provider"]["slug"], "cnca");
        assert_eq!(fund[0]["instrument"], "GRANT");
    }
}

#[tokio::test]
async fn norway_follows_the_2024_counties_not_the_crates_stale_table() {
    for app in spawn_apps().await {
        let data = app
            .data(
                "{ viken: region(code: \"NO-30\") { code }
                   vt: region(code: \"NO-38\") { code }
                   tf: region(code: \"NO-54\") { code }
                   akershus: region(code: \"NO-32\") { name kind ancestors { code } }
                   ostfold: region(code: \"NO-31\") { name }
                   telemark: region(code: \"NO-40\") { name }
                   finnmark: region(code: \"NO-56\") { name } }",
                json!({}),
            )
            .await;
        assert_eq!(data["viken"], Value::Null, "{data}");
        assert_eq!(data["vt"], Value::Null);
        assert_eq!(data["tf"], Value::Null);
        assert_eq!(data["akershus"]["name"], "Akershus");
        assert_eq!(data["akershus"]["kind"], "SUBDIVISION");
        assert!(
            data["akershus"]["ancestors"]
                .as_array()
                .unwrap()
                .contains(&json!({ "code": "NO" }))
        );
        assert_eq!(data["ostfold"]["name"], "Østfold");
        assert_eq!(data["telemark"]["name"], "Telemark");
        assert_eq!(data["finnmark"]["name"], "Finnmark");
    }
}
