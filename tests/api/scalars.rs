//! Dates are the `Date` scalar (ISO 8601 `YYYY-MM-DD`) and moments `DateTime` (RFC 3339); a bad
//! value is BAD_USER_INPUT at the argument's path.

use serde_json::json;

use crate::helpers::spawn_apps;

#[test]
fn the_schema_names_its_date_scalars_for_clients_not_after_rust_types() {
    let sdl = kxc::graphql::sdl();
    assert!(
        sdl.contains("scalar Date\n") || sdl.contains("scalar Date @"),
        "{sdl}"
    );
    assert!(sdl.contains("scalar DateTime"));
    for leaked in ["NaiveDate", "FixedOffset", "DateTime<"] {
        assert!(!sdl.contains(leaked), "`{leaked}` leaks into the schema");
    }
}

#[tokio::test]
async fn a_bad_date_is_bad_user_input_naming_its_argument() {
    for app in spawn_apps().await {
        for (query, field) in [
            (
                r#"{ fundingOpportunities(first: 1, filter: { openAt: "2026-13-01" }) { totalCount } }"#,
                json!(["filter", "openAt"]),
            ),
            (
                r#"{ fundingOpportunities(first: 1, filter: { deadlineBetween: { from: "2026-01-01", to: "soon" } }) { totalCount } }"#,
                json!(["filter", "deadlineBetween", "to"]),
            ),
            (
                r#"{ fundingOpportunities(first: 1) { nodes { status(on: "31.12.2026") } } }"#,
                json!(["on"]),
            ),
            (
                r#"{ practices(first: 1, filter: { updatedSince: "yesterday" }) { totalCount } }"#,
                json!(["filter", "updatedSince"]),
            ),
            (
                r#"{ search(query: "heat", filter: { openAt: "2026-02-30" }) { totalCount } }"#,
                json!(["filter", "openAt"]),
            ),
        ] {
            let response = app.graphql(query, json!({})).await;
            let error = &response["errors"][0];
            assert_eq!(
                error["extensions"]["code"], "BAD_USER_INPUT",
                "[{}] {query}: {response}",
                app.backend
            );
            assert_eq!(
                error["extensions"]["field"], field,
                "[{}] {query}: {response}",
                app.backend
            );
        }
    }
}

#[tokio::test]
async fn dates_are_served_as_iso_calendar_dates_and_moments_as_rfc_3339() {
    for app in spawn_apps().await {
        let data = app
            .data(
                r#"{ practice(slug: "oslo-climate-budget") { startDate publishedAt updatedAt evaluations { evaluatedOn } }
                     fundingOpportunities(first: 1, filter: { openAt: "2026-12-01" }) { nodes { status(on: "2026-12-01") } } }"#,
                json!({}),
            )
            .await;
        let practice = &data["practice"];
        assert_eq!(practice["startDate"], "2017-01-01", "[{}]", app.backend);
        let updated = practice["updatedAt"].as_str().unwrap();
        assert!(
            chrono::DateTime::parse_from_rfc3339(updated).is_ok(),
            "[{}] {updated}",
            app.backend
        );
        let evaluated = practice["evaluations"][0]["evaluatedOn"].as_str().unwrap();
        assert!(
            chrono::NaiveDate::parse_from_str(evaluated, "%Y-%m-%d").is_ok()
                && evaluated.len() == 10,
            "[{}] {evaluated}",
            app.backend
        );
    }
}
