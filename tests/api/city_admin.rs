//! Admin writes of the city landscape through the API: cities with typed climate targets
//! (admins, and a city's own account), commitments whose derived criteria follow each write,
//! memberships. Every write leaves an audit row and a `change_log` row; bad input stores nothing.

use std::time::Duration;

use kxc::entity::{account, audit_event, change_log, city, commitment, membership};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, Set,
};
use serde_json::{Value, json};

use crate::helpers::{TestApp, spawn_apps};

const CREATE_CITY: &str = "mutation($input: CreateCityInput!) { createCity(input: $input) {
    city { id slug name countryCode region { code } latitude longitude population populationYear
           version localNames { language name }
           targets { baseYear targetYear reductionPercent netZeroYear status sectors } }
    userErrors { field code message } } }";

const UPDATE_CITY: &str = "mutation($input: UpdateCityInput!) { updateCity(input: $input) {
    city { id slug name version targets { baseYear targetYear reductionPercent netZeroYear status sectors } }
    userErrors { field code message } } }";

const CREATE_COMMITMENT: &str = "mutation($input: CreateCommitmentInput!) {
    createCommitment(input: $input) { city { version } commitment { initiative { slug } joinedOn }
    userErrors { field code message } } }";

const REPORT: &str = "mutation($input: RecordCommitmentReportInput!) {
    recordCommitmentReport(input: $input) { city { version }
    commitment { reportingPlatform lastReportedOn } userErrors { field code message } } }";

const DELETE_COMMITMENT: &str = "mutation($input: DeleteCommitmentInput!) {
    deleteCommitment(input: $input) { city { version commitments { initiative { slug } } }
    userErrors { field code message } } }";

const MISSING: &str = r#"query($criterion: String) {
    cities(first: 100, filter: { commitment: "race-to-zero", missingCriterion: $criterion }) {
      nodes { slug } } }"#;

fn fields(payload: &Value) -> Vec<String> {
    payload["userErrors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|error| {
            error["field"]
                .as_array()
                .unwrap()
                .iter()
                .map(|part| match part {
                    Value::String(text) => text.clone(),
                    other => other.to_string(),
                })
                .collect::<Vec<_>>()
                .join(".")
        })
        .collect()
}

fn testville() -> Value {
    json!({
        "slug": "testville", "name": "Testville", "region": "NO-03",
        "latitude": 59.91, "longitude": 10.75, "population": 1000, "populationYear": 2024,
        "localNames": [{ "language": "nb", "name": "Testby" }],
        "reason": "test"
    })
}

async fn cities(app: &TestApp) -> u64 {
    let db = app.db().await;
    let count = city::Entity::find().count(&db).await.unwrap();
    db.close().await.unwrap();
    count
}

async fn missing(app: &TestApp, criterion: impl Into<Value>) -> Vec<String> {
    app.data(MISSING, json!({ "criterion": criterion.into() }))
        .await["cities"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|node| node["slug"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn a_city_is_created_with_typed_targets_and_bad_input_stores_nothing() {
    for app in spawn_apps().await {
        let admin = app.api_key("admin", None).await;
        let before = cities(&app).await;
        let mut bad = testville();
        bad["slug"] = json!("oslo");
        bad["latitude"] = json!(95.0);
        bad["region"] = json!("XX-99");
        bad["populationYear"] = json!(1200);
        bad["targets"] = json!({ "baseYear": 1990, "targetYear": 1980, "reductionPercent": 120,
            "netZeroYear": 2200, "sectors": ["TRANSPORT", "TRANSPORT"] });
        let refused = app
            .data_as(&admin, CREATE_CITY, json!({ "input": bad }))
            .await;
        let payload = &refused["createCity"];
        assert_eq!(payload["city"], Value::Null, "[{}] {payload}", app.backend);
        let mut paths = fields(payload);
        paths.sort();
        assert_eq!(
            paths,
            [
                "input.latitude",
                "input.populationYear",
                "input.region",
                "input.slug",
                "input.targets.netZeroYear",
                "input.targets.reductionPercent",
                "input.targets.sectors.1",
                "input.targets.targetYear",
            ],
            "[{}] {payload}",
            app.backend
        );
        assert_eq!(
            cities(&app).await,
            before,
            "[{}] stored on bad input",
            app.backend
        );

        let mut good = testville();
        good["targets"] = json!({ "baseYear": 1990, "targetYear": 2030, "reductionPercent": 55,
            "netZeroYear": 2045, "status": "IN_POLICY", "sectors": ["TRANSPORT", "BUILDINGS"] });
        let created = app
            .data_as(&admin, CREATE_CITY, json!({ "input": good }))
            .await;
        let city = &created["createCity"]["city"];
        assert_eq!(created["createCity"]["userErrors"], json!([]), "{created}");
        assert_eq!(city["countryCode"], "NO");
        assert_eq!(city["region"]["code"], "NO-03");
        assert_eq!(city["version"], 1);
        assert_eq!(
            city["localNames"],
            json!([{ "language": "nb", "name": "Testby" }])
        );
        assert_eq!(
            city["targets"],
            json!({ "baseYear": 1990, "targetYear": 2030, "reductionPercent": 55.0,
                    "netZeroYear": 2045, "status": "IN_POLICY", "sectors": ["TRANSPORT", "BUILDINGS"] })
        );
        assert_eq!(cities(&app).await, before + 1);

        // Targets replace the stored ones at once; a stale version is CONFLICT.
        let id = city["id"].clone();
        let updated = app
            .data_as(
                &admin,
                UPDATE_CITY,
                json!({ "input": { "id": id, "expectedVersion": 1,
                    "targets": { "netZeroYear": 2040, "status": "IN_LAW", "sectors": ["WASTE"] } } }),
            )
            .await;
        assert_eq!(
            updated["updateCity"]["city"]["targets"],
            json!({ "baseYear": null, "targetYear": null, "reductionPercent": null,
                    "netZeroYear": 2040, "status": "IN_LAW", "sectors": ["WASTE"] }),
            "{updated}"
        );
        assert_eq!(updated["updateCity"]["city"]["version"], 2);
        let stale = app
            .graphql_as(
                &admin,
                UPDATE_CITY,
                json!({ "input": { "id": id, "expectedVersion": 1, "name": "Stale" } }),
            )
            .await;
        assert_eq!(
            stale["errors"][0]["extensions"]["code"], "CONFLICT",
            "{stale}"
        );
        assert_eq!(stale["errors"][0]["extensions"]["currentVersion"], 2);
        let invalid = app
            .data_as(
                &admin,
                UPDATE_CITY,
                json!({ "input": { "id": id, "targets": { "reductionPercent": 40 } } }),
            )
            .await;
        assert_eq!(fields(&invalid["updateCity"]), ["input.targets.targetYear"]);

        let db = app.db().await;
        let actions: Vec<String> = audit_event::Entity::find()
            .filter(audit_event::Column::TargetType.eq("city"))
            .order_by_asc(audit_event::Column::Id)
            .all(&db)
            .await
            .unwrap()
            .into_iter()
            .map(|row| row.action)
            .collect();
        assert_eq!(actions, ["city.create", "city.update"]);
        let audited: Vec<Option<i64>> = audit_event::Entity::find()
            .filter(audit_event::Column::TargetType.eq("city"))
            .all(&db)
            .await
            .unwrap()
            .into_iter()
            .map(|row| row.change_seq)
            .collect();
        for seq in audited {
            let row = change_log::Entity::find_by_id(seq.expect("a change_log row"))
                .one(&db)
                .await
                .unwrap()
                .expect("the change_log row exists");
            assert_eq!(row.entity_type, "city");
        }
        db.close().await.unwrap();
    }
}

#[tokio::test]
async fn a_renamed_city_is_found_by_its_new_name_with_its_practices() {
    for app in spawn_apps().await {
        let admin = app.api_key("admin", None).await;
        let oslo = app
            .data(
                r#"{ city(slug: "oslo") { id practices(first: 100) { nodes { slug } } } }"#,
                json!({}),
            )
            .await;
        let practices: Vec<String> = oslo["city"]["practices"]["nodes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|practice| practice["slug"].as_str().unwrap().to_owned())
            .collect();
        assert!(!practices.is_empty(), "Oslo has published practices");
        let renamed = app
            .data_as(
                &admin,
                UPDATE_CITY,
                json!({ "input": { "id": oslo["city"]["id"], "name": "Kristiania" } }),
            )
            .await;
        assert_eq!(renamed["updateCity"]["city"]["name"], "Kristiania");
        let found = crate::search::wait_for(&app, "Kristiania", Duration::from_secs(20), |keys| {
            keys.contains(&"oslo".to_owned()) && keys.iter().any(|key| practices.contains(key))
        })
        .await;
        assert!(
            found.is_some(),
            "[{}] the new name did not reach the city and its practices in search",
            app.backend
        );
    }
}

#[tokio::test]
async fn a_city_account_edits_its_own_city_and_no_other() {
    for app in spawn_apps().await {
        let member = app.api_key("member", None).await;
        let db = app.db().await;
        let asker = city::Entity::find()
            .filter(city::Column::Slug.eq("asker"))
            .one(&db)
            .await
            .unwrap()
            .unwrap();
        let newest = account::Entity::find()
            .order_by_desc(account::Column::Id)
            .one(&db)
            .await
            .unwrap()
            .unwrap();
        let ids = app
            .data(
                r#"{ asker: city(slug: "asker") { id } oslo: city(slug: "oslo") { id } }"#,
                json!({}),
            )
            .await;
        let edit = |id: &Value| json!({ "input": { "id": id, "population": 100000, "populationYear": 2025 } });
        // Before the account belongs to Asker, it may not edit it.
        let refused = app
            .graphql_as(&member, UPDATE_CITY, edit(&ids["asker"]["id"]))
            .await;
        assert_eq!(
            refused["errors"][0]["extensions"]["code"], "FORBIDDEN",
            "{refused}"
        );
        account::ActiveModel {
            id: Set(newest.id),
            city_id: Set(Some(asker.id)),
            ..Default::default()
        }
        .update(&db)
        .await
        .unwrap();
        let own = app
            .data_as(&member, UPDATE_CITY, edit(&ids["asker"]["id"]))
            .await;
        assert_eq!(
            own["updateCity"]["userErrors"],
            json!([]),
            "[{}] {own}",
            app.backend
        );
        assert_eq!(own["updateCity"]["city"]["version"], asker.version + 1);
        let other = app
            .graphql_as(&member, UPDATE_CITY, edit(&ids["oslo"]["id"]))
            .await;
        assert_eq!(
            other["errors"][0]["extensions"]["code"], "FORBIDDEN",
            "{other}"
        );
        // Its own city's commitments too, but creating cities stays with admins.
        let committed = app
            .data_as(
                &member,
                CREATE_COMMITMENT,
                json!({ "input": { "city": "asker", "initiative": "eurocities" } }),
            )
            .await;
        assert_eq!(
            committed["createCommitment"]["userErrors"],
            json!([]),
            "{committed}"
        );
        let create = app
            .graphql_as(&member, CREATE_CITY, json!({ "input": testville() }))
            .await;
        assert_eq!(
            create["errors"][0]["extensions"]["code"], "FORBIDDEN",
            "{create}"
        );
        db.close().await.unwrap();
    }
}

#[tokio::test]
async fn a_city_moves_from_missing_to_meeting_criteria_through_mutations() {
    for app in spawn_apps().await {
        let admin = app.api_key("admin", None).await;
        let created = app
            .data_as(&admin, CREATE_CITY, json!({ "input": testville() }))
            .await;
        let id = created["createCity"]["city"]["id"].clone();
        let committed = app
            .data_as(
                &admin,
                CREATE_COMMITMENT,
                json!({ "input": { "city": "testville", "initiative": "race-to-zero",
                    "joinedOn": "2024-03-01", "expectedVersion": 1 } }),
            )
            .await;
        assert_eq!(
            committed["createCommitment"]["userErrors"],
            json!([]),
            "{committed}"
        );
        assert_eq!(committed["createCommitment"]["city"]["version"], 2);
        let testville = "testville".to_owned();
        assert!(missing(&app, "net-zero-target").await.contains(&testville));
        assert!(missing(&app, "annual-reporting").await.contains(&testville));
        assert!(
            !missing(&app, "climate-emergency")
                .await
                .contains(&testville)
        );

        // Committing twice, or to an unknown initiative, is a user error.
        let db = app.db().await;
        let rows = commitment::Entity::find().count(&db).await.unwrap();
        for (initiative, field) in [
            ("race-to-zero", "input.initiative"),
            ("nowhere", "input.initiative"),
        ] {
            let again = app
                .data_as(
                    &admin,
                    CREATE_COMMITMENT,
                    json!({ "input": { "city": "testville", "initiative": initiative } }),
                )
                .await;
            assert_eq!(fields(&again["createCommitment"]), [field], "{again}");
        }
        assert_eq!(commitment::Entity::find().count(&db).await.unwrap(), rows);

        // A net-zero target by 2045 meets the net-zero criterion.
        app.data_as(
            &admin,
            UPDATE_CITY,
            json!({ "input": { "id": id, "targets": { "netZeroYear": 2045, "status": "PLEDGE" } } }),
        )
        .await;
        assert!(!missing(&app, "net-zero-target").await.contains(&testville));

        // A report in the future, or without a platform, is refused; a recent one meets the
        // reporting criterion; an older one after it is refused.
        let today = chrono::Utc::now().date_naive();
        let future = (today + chrono::Days::new(10)).to_string();
        let refused = app
            .data_as(
                &admin,
                REPORT,
                json!({ "input": { "city": "testville", "initiative": "race-to-zero",
                    "platform": " ", "reportedOn": future } }),
            )
            .await;
        let mut paths = fields(&refused["recordCommitmentReport"]);
        paths.sort();
        assert_eq!(paths, ["input.platform"], "{refused}");
        let refused = app
            .data_as(
                &admin,
                REPORT,
                json!({ "input": { "city": "testville", "initiative": "race-to-zero",
                    "platform": "CDP-ICLEI Track", "reportedOn": future } }),
            )
            .await;
        assert_eq!(
            fields(&refused["recordCommitmentReport"]),
            ["input.reportedOn"]
        );
        assert!(missing(&app, "annual-reporting").await.contains(&testville));
        let recent = (today - chrono::Days::new(30)).to_string();
        let reported = app
            .data_as(
                &admin,
                REPORT,
                json!({ "input": { "city": "testville", "initiative": "race-to-zero",
                    "platform": "CDP-ICLEI Track", "reportedOn": recent } }),
            )
            .await;
        assert_eq!(
            reported["recordCommitmentReport"]["commitment"],
            json!({ "reportingPlatform": "CDP-ICLEI Track", "lastReportedOn": recent }),
            "{reported}"
        );
        assert!(!missing(&app, "annual-reporting").await.contains(&testville));
        let older = app
            .data_as(
                &admin,
                REPORT,
                json!({ "input": { "city": "testville", "initiative": "race-to-zero",
                    "platform": "CDP-ICLEI Track", "reportedOn": "2024-06-01" } }),
            )
            .await;
        assert_eq!(
            fields(&older["recordCommitmentReport"]),
            ["input.reportedOn"]
        );

        // Deleting the commitment takes the city out of the initiative's lists.
        let deleted = app
            .data_as(
                &admin,
                DELETE_COMMITMENT,
                json!({ "input": { "city": "testville", "initiative": "race-to-zero" } }),
            )
            .await;
        assert_eq!(
            deleted["deleteCommitment"]["city"]["commitments"],
            json!([]),
            "{deleted}"
        );
        assert!(!missing(&app, Value::Null).await.contains(&testville));
        let again = app
            .graphql_as(
                &admin,
                DELETE_COMMITMENT,
                json!({ "input": { "city": "testville", "initiative": "race-to-zero" } }),
            )
            .await;
        assert_eq!(
            again["errors"][0]["extensions"]["code"], "NOT_FOUND",
            "{again}"
        );

        let actions: Vec<String> = audit_event::Entity::find()
            .filter(audit_event::Column::TargetType.eq("city"))
            .order_by_asc(audit_event::Column::Id)
            .all(&db)
            .await
            .unwrap()
            .into_iter()
            .filter(|row| row.details["city"] == "testville" || row.details["slug"] == "testville")
            .map(|row| row.action)
            .collect();
        assert_eq!(
            actions,
            [
                "city.create",
                "commitment.create",
                "city.update",
                "commitment.report",
                "commitment.delete"
            ]
        );
        db.close().await.unwrap();
    }
}

#[tokio::test]
async fn memberships_are_added_changed_and_removed() {
    const ADD: &str = "mutation($input: AddMembershipInput!) { addMembership(input: $input) {
        city { version memberships { network { slug } role since } }
        membership { network { slug } role since } userErrors { field code message } } }";
    const UPDATE: &str =
        "mutation($input: UpdateMembershipInput!) { updateMembership(input: $input) {
        membership { role since } userErrors { field code message } } }";
    const REMOVE: &str = "mutation($input: RemoveMembershipInput!) { removeMembership(input: $input) {
        city { memberships { network { slug } } } membership { role } userErrors { field code message } } }";
    const MEMBERS: &str =
        r#"{ cities(first: 100, filter: { networks: ["c40"] }) { nodes { slug } } }"#;
    for app in spawn_apps().await {
        let admin = app.api_key("admin", None).await;
        app.data_as(&admin, CREATE_CITY, json!({ "input": testville() }))
            .await;
        let db = app.db().await;
        let before = membership::Entity::find().count(&db).await.unwrap();
        let refused = app
            .data_as(
                &admin,
                ADD,
                json!({ "input": { "city": "testville", "network": "c40", "since": 1800 } }),
            )
            .await;
        assert_eq!(
            fields(&refused["addMembership"]),
            ["input.since"],
            "{refused}"
        );
        let unknown = app
            .data_as(
                &admin,
                ADD,
                json!({ "input": { "city": "nowhere", "network": "c40" } }),
            )
            .await;
        assert_eq!(
            fields(&unknown["addMembership"]),
            ["input.city"],
            "{unknown}"
        );
        assert_eq!(membership::Entity::find().count(&db).await.unwrap(), before);

        let added = app
            .data_as(
                &admin,
                ADD,
                json!({ "input": { "city": "testville", "network": "c40", "since": 2020,
                    "expectedVersion": 1 } }),
            )
            .await;
        assert_eq!(
            added["addMembership"]["membership"],
            json!({ "network": { "slug": "c40" }, "role": "MEMBER", "since": 2020 }),
            "[{}] {added}",
            app.backend
        );
        assert_eq!(added["addMembership"]["city"]["version"], 2);
        let members = app.data(MEMBERS, json!({})).await.to_string();
        assert!(members.contains("\"testville\""), "{members}");
        let twice = app
            .data_as(
                &admin,
                ADD,
                json!({ "input": { "city": "testville", "network": "c40" } }),
            )
            .await;
        assert_eq!(fields(&twice["addMembership"]), ["input.network"]);

        let updated = app
            .data_as(
                &admin,
                UPDATE,
                json!({ "input": { "city": "testville", "network": "c40", "role": "INNOVATOR_CITY",
                    "since": null } }),
            )
            .await;
        assert_eq!(
            updated["updateMembership"]["membership"],
            json!({ "role": "INNOVATOR_CITY", "since": null }),
            "{updated}"
        );
        let removed = app
            .data_as(
                &admin,
                REMOVE,
                json!({ "input": { "city": "testville", "network": "c40", "reason": "left" } }),
            )
            .await;
        assert_eq!(
            removed["removeMembership"],
            json!({ "city": { "memberships": [] }, "membership": null, "userErrors": [] })
        );
        let members = app.data(MEMBERS, json!({})).await.to_string();
        assert!(!members.contains("\"testville\""), "{members}");
        let again = app
            .graphql_as(
                &admin,
                REMOVE,
                json!({ "input": { "city": "testville", "network": "c40" } }),
            )
            .await;
        assert_eq!(again["errors"][0]["extensions"]["code"], "NOT_FOUND");
        let actions: Vec<String> = audit_event::Entity::find()
            .filter(audit_event::Column::Action.starts_with("membership."))
            .order_by_asc(audit_event::Column::Id)
            .all(&db)
            .await
            .unwrap()
            .into_iter()
            .map(|row| row.action)
            .collect();
        assert_eq!(
            actions,
            ["membership.add", "membership.update", "membership.remove"]
        );
        db.close().await.unwrap();
    }
}

#[tokio::test]
async fn campaigns_are_created_and_edited_with_milestones_as_events() {
    const CREATE: &str = "mutation($input: CreateCampaignInput!) { createCampaign(input: $input) {
        campaign { id slug version joiningSteps organiser { slug } } userErrors { field code message } } }";
    const UPDATE: &str = "mutation($input: UpdateCampaignInput!) { updateCampaign(input: $input) {
        campaign { version name startsOn endsOn } userErrors { field code message } } }";
    for app in spawn_apps().await {
        let admin = app.api_key("admin", None).await;
        let db = app.db().await;
        let before = kxc::entity::campaign::Entity::find()
            .count(&db)
            .await
            .unwrap();
        let refused = app
            .data_as(
                &admin,
                CREATE,
                json!({ "input": { "slug": "race-to-zero-norway-2021", "name": "Again",
                    "organiser": "nobody", "startsOn": "2026-05-01", "endsOn": "2026-04-01",
                    "joiningSteps": ["Sign.", " "] } }),
            )
            .await;
        let mut paths = fields(&refused["createCampaign"]);
        paths.sort();
        assert_eq!(
            paths,
            [
                "input.endsOn",
                "input.joiningSteps.1",
                "input.organiser",
                "input.slug"
            ],
            "[{}] {refused}",
            app.backend
        );
        assert_eq!(
            kxc::entity::campaign::Entity::find()
                .count(&db)
                .await
                .unwrap(),
            before
        );
        let created = app
            .data_as(
                &admin,
                CREATE,
                json!({ "input": { "slug": "race-to-zero-sweden", "name": "Race to Zero Sweden",
                    "organiser": "race-to-zero", "countryCode": "SE",
                    "joiningSteps": ["Council decision.", "Sign the pledge."] } }),
            )
            .await;
        let campaign = &created["createCampaign"]["campaign"];
        assert_eq!(campaign["version"], 1, "{created}");
        assert_eq!(
            campaign["joiningSteps"],
            json!(["Council decision.", "Sign the pledge."])
        );
        let id = campaign["id"].clone();
        let updated = app
            .data_as(
                &admin,
                UPDATE,
                json!({ "input": { "id": id, "expectedVersion": 1, "name": "Race to Zero for Swedish municipalities",
                    "startsOn": "2027-01-01", "endsOn": "2027-12-31" } }),
            )
            .await;
        assert_eq!(
            updated["updateCampaign"]["campaign"],
            json!({ "version": 2, "name": "Race to Zero for Swedish municipalities",
                    "startsOn": "2027-01-01", "endsOn": "2027-12-31" })
        );
        let stale = app
            .graphql_as(
                &admin,
                UPDATE,
                json!({ "input": { "id": id, "expectedVersion": 1, "name": "Stale" } }),
            )
            .await;
        assert_eq!(
            stale["errors"][0]["extensions"]["code"], "CONFLICT",
            "{stale}"
        );
        // A milestone is an event under the campaign.
        let milestone = app
            .data_as(
                &admin,
                "mutation($input: CreateEventInput!) { createEvent(input: $input) {
                    event { campaign { slug } } userErrors { field code message } } }",
                json!({ "input": { "slug": "sweden-pledge-deadline", "title": "Pledge deadline",
                    "startsOn": "2027-06-01", "endsOn": "2027-06-01", "online": true,
                    "url": "https://example.org/pledge", "campaign": "race-to-zero-sweden" } }),
            )
            .await;
        assert_eq!(
            milestone["createEvent"]["event"]["campaign"]["slug"], "race-to-zero-sweden",
            "{milestone}"
        );
        let events = app
            .data(
                r#"{ campaign(slug: "race-to-zero-sweden") { events(first: 5) { nodes { slug } } } }"#,
                json!({}),
            )
            .await;
        assert_eq!(
            events["campaign"]["events"]["nodes"],
            json!([{ "slug": "sweden-pledge-deadline" }])
        );
        let actions: Vec<String> = audit_event::Entity::find()
            .filter(audit_event::Column::TargetType.eq("campaign"))
            .order_by_asc(audit_event::Column::Id)
            .all(&db)
            .await
            .unwrap()
            .into_iter()
            .map(|row| row.action)
            .collect();
        assert_eq!(actions, ["campaign.create", "campaign.update"]);
        db.close().await.unwrap();
    }
}
