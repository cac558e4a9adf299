use crate::helpers::spawn_apps;

#[tokio::test]
async fn health_and_readiness_probes_answer() {
    for app in spawn_apps().await {
        let health = app
            .client
            .get(format!("{}/healthz", app.address))
            .send()
            .await
            .unwrap();
        assert_eq!(health.status(), 200);
        let ready = app
            .client
            .get(format!("{}/readyz", app.address))
            .send()
            .await
            .unwrap();
        assert_eq!(ready.status(), 200, "[{}]", app.backend);
        let body: serde_json::Value = ready.json().await.unwrap();
        assert_eq!(body["migrations_current"], true);
    }
}

#[tokio::test]
async fn a_browser_gets_graphiql_at_the_graphql_endpoint() {
    for app in spawn_apps().await {
        let page = app
            .client
            .get(format!("{}/graphql", app.address))
            .header("accept", "text/html")
            .send()
            .await
            .unwrap();
        assert_eq!(page.status(), 200);
        assert!(
            page.text()
                .await
                .unwrap()
                .to_lowercase()
                .contains("graphiql")
        );
    }
}

#[tokio::test]
async fn a_query_can_be_sent_with_get() {
    for app in spawn_apps().await {
        let response: serde_json::Value = app
            .client
            .get(format!("{}/graphql", app.address))
            .query(&[("query", "{ practices(first: 1) { totalCount } }")])
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert!(
            response["data"]["practices"]["totalCount"]
                .as_u64()
                .unwrap()
                >= 30
        );
    }
}
