//! GraphiQL works without internet: the page and every script and style come from kxc. One
//! test drives it in headless Chromium through chromedriver (Debian's `chromium` and
//! `chromium-driver`): it types a query into the editor, runs it and reads the result pane.

use std::io::Write;
use std::path::PathBuf;
use std::process::Stdio;
use std::time::{Duration, Instant};

use fantoccini::{ClientBuilder, Locator};
use reqwest::header::ACCEPT;
use serde_json::{Value, json};

use crate::helpers::{TestApp, spawn_apps};

const QUERY: &str = "{ practices(first: 3) { totalCount nodes { title } } }";

#[tokio::test]
async fn a_browser_gets_graphiql_whose_assets_are_all_served_by_kxc() {
    for app in spawn_apps().await {
        let page = app
            .client
            .get(format!("{}/graphql", app.address))
            .header(ACCEPT, "text/html,application/xhtml+xml,*/*;q=0.8")
            .send()
            .await
            .unwrap();
        assert_eq!(page.status(), 200);
        assert!(
            page.headers()["content-security-policy"]
                .to_str()
                .unwrap()
                .contains("default-src 'self'")
        );
        let html = page.text().await.unwrap();
        assert!(html.contains("graphiql"), "{html}");
        assert!(
            !html.contains("//"),
            "the page must not load from another host: {html}"
        );
        for path in referenced_assets(&html) {
            let asset = app
                .client
                .get(format!("{}/{path}", app.address))
                .send()
                .await
                .unwrap();
            assert_eq!(asset.status(), 200, "{path}");
            assert!(asset.bytes().await.unwrap().len() > 100, "{path}");
        }
    }
}

/// The `src` and `href` values of the page, relative to the endpoint's directory.
fn referenced_assets(html: &str) -> Vec<String> {
    let paths: Vec<String> = html
        .split(['"', '\''])
        .filter(|part| part.starts_with("graphiql/"))
        .map(str::to_owned)
        .collect();
    assert!(paths.len() >= 5, "{paths:?}");
    paths
}

#[tokio::test]
async fn graphiql_runs_a_query_from_its_editor_in_headless_chromium() {
    let Some(tools) = BrowserTools::find() else {
        return;
    };
    // The page is the same for every backend; the SQLite app is enough to drive it.
    let apps = spawn_apps().await;
    let app = &apps[0];
    let driver = tools.start_driver().await;
    let profile = tempfile::tempdir().unwrap();
    let result = run_query_in_graphiql(app, &driver.url, &tools.chromium, profile.path()).await;
    drop(driver);
    let (result, resources, introspection) = result;
    let total = result["data"]["practices"]["totalCount"]
        .as_u64()
        .unwrap_or(0);
    assert!(total >= 30, "result pane: {result}");
    assert_eq!(
        result["data"]["practices"]["nodes"]
            .as_array()
            .map(Vec::len),
        Some(3)
    );
    assert!(!resources.is_empty());
    for resource in resources {
        assert!(
            resource.starts_with(&app.address),
            "loaded from elsewhere: {resource}"
        );
    }
    let schema = app
        .graphql(introspection.as_str().unwrap(), json!({}))
        .await;
    assert!(
        schema.get("errors").is_none(),
        "GraphiQL's introspection within limits: {schema}"
    );
}

/// Opens GraphiQL, replaces the editor's text with [`QUERY`], presses run and waits for the
/// result pane to hold JSON with data. Returns that JSON, the URLs the page loaded and the
/// introspection query this GraphiQL sends.
async fn run_query_in_graphiql(
    app: &TestApp,
    driver_url: &str,
    chromium: &PathBuf,
    profile: &std::path::Path,
) -> (Value, Vec<String>, Value) {
    let capabilities = json!({
        "browserName": "chrome",
        "goog:chromeOptions": {
            "binary": chromium,
            "args": [
                "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--no-first-run", "--window-size=1280,900",
                format!("--user-data-dir={}", profile.display()),
            ],
        },
    });
    let Value::Object(capabilities) = capabilities else {
        unreachable!()
    };
    let browser = ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
        .capabilities(capabilities)
        .connect(driver_url)
        .await
        .expect("chromedriver starts a Chromium session");
    let outcome = async {
        browser.goto(&format!("{}/graphql", app.address)).await?;
        let editor = ".graphiql-query-editor .CodeMirror";
        browser
            .wait()
            .at_most(Duration::from_secs(30))
            .for_element(Locator::Css(editor))
            .await?;
        browser
            .execute(
                "document.querySelector(arguments[0]).CodeMirror.setValue(arguments[1]);",
                vec![json!(editor), json!(QUERY)],
            )
            .await?;
        browser
            .find(Locator::Css(".graphiql-execute-button"))
            .await?
            .click()
            .await?;
        let deadline = Instant::now() + Duration::from_secs(30);
        let result = loop {
            let text = browser
                .execute(
                    "const pane = document.querySelector('.result-window .CodeMirror');
                     return pane ? pane.CodeMirror.getValue() : '';",
                    vec![],
                )
                .await?;
            let parsed: Value =
                serde_json::from_str(text.as_str().unwrap_or("")).unwrap_or(Value::Null);
            if parsed.get("data").is_some()
                || parsed.get("errors").is_some()
                || Instant::now() > deadline
            {
                break parsed;
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        };
        let resources = browser
            .execute(
                "return performance.getEntriesByType('resource').map(entry => entry.name);",
                vec![],
            )
            .await?;
        let resources = resources
            .as_array()
            .map(|names| {
                names
                    .iter()
                    .filter_map(|name| name.as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default();
        // GraphiQL's own introspection query, to check it fits the default limits.
        let introspection = browser
            .execute(
                "return GraphiQL.GraphQL.getIntrospectionQuery({
                     descriptions: true, inputValueDeprecation: true, schemaDescription: true,
                     directiveIsRepeatable: true, specifiedByUrl: true });",
                vec![],
            )
            .await?;
        Ok::<_, fantoccini::error::CmdError>((result, resources, introspection))
    }
    .await;
    let _ = browser.close().await;
    outcome.expect("GraphiQL runs the query")
}

/// Chromium and chromedriver, when installed.
struct BrowserTools {
    chromium: PathBuf,
    chromedriver: PathBuf,
}

impl BrowserTools {
    /// `None` (after saying so) when either is missing; CI installs both, so there a missing
    /// browser fails the test instead of skipping it.
    fn find() -> Option<Self> {
        let chromium = which(&["chromium", "chromium-browser", "google-chrome"]);
        let chromedriver = which(&["chromedriver"]);
        match (chromium, chromedriver) {
            (Some(chromium), Some(chromedriver)) => Some(Self {
                chromium,
                chromedriver,
            }),
            _ if std::env::var_os("CI").is_some() => {
                panic!("CI must install chromium and chromium-driver (see .ci/run)")
            }
            _ => {
                // Written to stderr directly: libtest captures `eprintln!` of passing tests,
                // and a skip must be seen.
                let _ = writeln!(
                    std::io::stderr(),
                    "SKIPPED graphiql_runs_a_query_from_its_editor_in_headless_chromium: \
                     chromium and chromedriver are not installed \
                     (apt-get install chromium chromium-driver)"
                );
                None
            }
        }
    }

    async fn start_driver(&self) -> Driver {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|listener| listener.local_addr())
            .expect("free port")
            .port();
        let child = tokio::process::Command::new(&self.chromedriver)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .expect("chromedriver starts");
        let url = format!("http://127.0.0.1:{port}");
        let deadline = Instant::now() + Duration::from_secs(20);
        while tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .is_err()
        {
            assert!(
                Instant::now() < deadline,
                "chromedriver did not listen on {port}"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        Driver { url, _child: child }
    }
}

/// A running chromedriver; dropping it ends the process.
struct Driver {
    url: String,
    _child: tokio::process::Child,
}

fn which(names: &[&str]) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    names.iter().find_map(|name| {
        std::env::split_paths(&path)
            .map(|dir| dir.join(name))
            .find(|candidate| candidate.is_file())
    })
}
