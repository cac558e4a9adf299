//! `spawn_apps()` starts a real server on port 0 for every configured backend: always SQLite
//! (a fresh file per test) and, when `KXC_TEST_POSTGRES_URL` is set, PostgreSQL (a fresh
//! database per test, created from a seeded template and dropped afterwards).

use std::io::{Read, Write};
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

use kxc::app::Application;
use kxc::config::Settings;
use serde_json::{Value, json};
use tokio::sync::OnceCell;

pub struct TestApp {
    pub backend: &'static str,
    pub address: String,
    pub database_url: String,
    pub client: reqwest::Client,
    _data_dir: tempfile::TempDir,
    postgres: Option<PostgresDatabase>,
    settings: Settings,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    server: Option<tokio::task::JoinHandle<anyhow::Result<()>>>,
}

impl TestApp {
    /// Stops this app (in-flight requests finish, background tasks such as the indexer and
    /// the webhook dispatcher stop) and starts a new one with the same settings on the same
    /// database and data directory, as a restart of the process would. The new app listens
    /// on a new port; `address` follows it.
    pub async fn restart(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(server) = self.server.take() {
            server
                .await
                .expect("server task")
                .expect("server stopped cleanly");
        }
        let (address, stop, server) = launch(self.settings.clone()).await;
        self.address = address;
        self.stop = Some(stop);
        self.server = Some(server);
    }

    /// POSTs a GraphQL request and returns the whole JSON response.
    pub async fn graphql(&self, query: &str, variables: Value) -> Value {
        self.client
            .post(format!("{}/graphql", self.address))
            .json(&json!({ "query": query, "variables": variables }))
            .send()
            .await
            .expect("request sent")
            .json()
            .await
            .expect("JSON response")
    }

    /// POSTs a GraphQL request with `Authorization: Bearer <bearer>` (none when `None`) and
    /// returns the HTTP response, for tests that look at status and headers.
    pub async fn post_as(
        &self,
        bearer: Option<&str>,
        query: &str,
        variables: Value,
    ) -> reqwest::Response {
        let mut request = self
            .client
            .post(format!("{}/graphql", self.address))
            .json(&json!({ "query": query, "variables": variables }));
        if let Some(bearer) = bearer {
            request = request.bearer_auth(bearer);
        }
        request.send().await.expect("request sent")
    }

    /// Like [`graphql`](Self::graphql), sent with `bearer` (an API key or a token).
    pub async fn graphql_as(&self, bearer: &str, query: &str, variables: Value) -> Value {
        self.post_as(Some(bearer), query, variables)
            .await
            .json()
            .await
            .expect("JSON response")
    }

    /// Like [`data`](Self::data), sent with `bearer`.
    pub async fn data_as(&self, bearer: &str, query: &str, variables: Value) -> Value {
        let response = self.graphql_as(bearer, query, variables).await;
        assert!(
            response.get("errors").is_none(),
            "[{}] unexpected errors: {response}",
            self.backend
        );
        response["data"].clone()
    }

    /// A new API key for `role` (`member`, `evaluator`, `moderator`, `partner`, `admin`),
    /// created as the operator would with `kxc keys create`. Partner keys get `source`, or
    /// `test-source` when none is given.
    pub async fn api_key(&self, role: &str, source: Option<&str>) -> String {
        let role = kxc::domain::Role::parse(role).expect("a role name");
        let source = match role {
            kxc::domain::Role::Partner => Some(source.unwrap_or("test-source")),
            _ => source,
        }
        .map(|text| kxc::domain::Slug::parse(text).expect("a source slug"));
        let db = self.db().await;
        let created = kxc::service::api_keys::create::run(
            &db,
            &kxc::domain::Viewer::operator(),
            kxc::service::api_keys::create::NewKey {
                name: format!("test {role} key"),
                role,
                source,
                reason: None,
            },
        )
        .await
        .expect("key created");
        db.close().await.expect("close");
        created.secret
    }

    /// A connection to this app's database, for arranging what the API cannot (yet) do.
    pub async fn db(&self) -> sea_orm::DatabaseConnection {
        sea_orm::Database::connect(&self.database_url)
            .await
            .expect("connect to the app's database")
    }

    /// Like [`graphql`](Self::graphql) but fails the test on any GraphQL error; returns the
    /// whole response (`data` and `extensions`).
    pub async fn graphql_ok(&self, query: &str, variables: Value) -> Value {
        let response = self.graphql(query, variables).await;
        assert!(
            response.get("errors").is_none(),
            "[{}] unexpected errors: {response}",
            self.backend
        );
        response
    }

    /// Like [`graphql_ok`](Self::graphql_ok); returns `data`.
    pub async fn data(&self, query: &str, variables: Value) -> Value {
        self.graphql_ok(query, variables).await["data"].clone()
    }

    /// Runs the `kxc` binary against this app's database, killed after [`KXC_COMMAND_LIMIT`].
    pub fn kxc(&self, args: &[&str]) -> Output {
        run_bounded(
            Command::new(env!("CARGO_BIN_EXE_kxc"))
                .args(args)
                .env("KXC_DATABASE_URL", &self.database_url)
                .env("KXC_DATA_DIR", self._data_dir.path())
                .env("KXC_LOG", "warn"),
            KXC_COMMAND_LIMIT,
        )
    }

    /// Like [`kxc`](Self::kxc), failing the test with the command's stderr when it fails.
    pub fn kxc_ok(&self, args: &[&str]) -> Output {
        let output = self.kxc(args);
        assert!(
            output.status.success(),
            "[{}] kxc {}: {}",
            self.backend,
            args.join(" "),
            String::from_utf8_lossy(&output.stderr)
        );
        output
    }

    /// Walks every page of `practices(filter:, orderBy:)` forwards and returns the nodes
    /// (with `fields` selected) in order, checking that `totalCount` matches what was walked.
    pub async fn all_practices(
        &self,
        filter: Value,
        order_by: Value,
        page_size: u32,
        fields: &str,
    ) -> Vec<Value> {
        let query = format!(
            "query($filter: PracticeFilter, $orderBy: PracticeOrder, $first: Int, $after: String) {{
               practices(filter: $filter, orderBy: $orderBy, first: $first, after: $after) {{
                 totalCount edges {{ cursor node {{ {fields} }} }} pageInfo {{ hasNextPage endCursor }} }} }}"
        );
        let mut nodes = Vec::new();
        let mut after = Value::Null;
        loop {
            let data = self
                .data(&query, json!({ "filter": filter, "orderBy": order_by, "first": page_size, "after": after }))
                .await;
            let connection = &data["practices"];
            for edge in connection["edges"].as_array().expect("edges") {
                nodes.push(edge["node"].clone());
            }
            if !connection["pageInfo"]["hasNextPage"]
                .as_bool()
                .expect("hasNextPage")
            {
                assert_eq!(
                    connection["totalCount"].as_u64().unwrap() as usize,
                    nodes.len(),
                    "[{}] totalCount",
                    self.backend
                );
                return nodes;
            }
            after = connection["pageInfo"]["endCursor"].clone();
        }
    }

    /// Imports practice records (JSON values) through `kxc import practices`.
    pub fn import_practices(&self, records: &[Value]) {
        let file = self.data_dir().join(format!(
            "import-{}.jsonl",
            COUNTER.fetch_add(1, Ordering::SeqCst)
        ));
        let lines: Vec<String> = records.iter().map(Value::to_string).collect();
        std::fs::write(&file, lines.join("\n")).expect("write import file");
        let output = self.kxc(&["import", "practices", file.to_str().expect("path")]);
        assert!(
            output.status.success(),
            "[{}] import failed: {}{}",
            self.backend,
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
    }

    pub fn data_dir(&self) -> PathBuf {
        self._data_dir.path().to_path_buf()
    }
}

/// How long a `kxc` command run by a test may take before it is killed and the test fails. A
/// hang guard, not a timing assertion: the slowest command (a debug-build reindex) needs seconds.
pub const KXC_COMMAND_LIMIT: Duration = Duration::from_secs(120);

/// Runs `command` to completion like [`Command::output`], but kills it and fails the test when it
/// is still running after `limit`, so a command that never exits (a `serve` that started) cannot
/// hang the suite.
pub fn run_bounded(command: &mut Command, limit: Duration) -> Output {
    let mut child = command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("child process starts");
    fn drain(mut pipe: impl Read + Send + 'static) -> std::thread::JoinHandle<Vec<u8>> {
        std::thread::spawn(move || {
            let mut bytes = Vec::new();
            let _ = pipe.read_to_end(&mut bytes);
            bytes
        })
    }
    let stdout = drain(child.stdout.take().expect("piped stdout"));
    let stderr = drain(child.stderr.take().expect("piped stderr"));
    let deadline = Instant::now() + limit;
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait for child") {
            break status;
        }
        if Instant::now() >= deadline {
            let _ = child.kill();
            let _ = child.wait();
            let stdout = stdout.join().unwrap_or_default();
            let stderr = stderr.join().unwrap_or_default();
            panic!(
                "{command:?} still running after {limit:?}; killed.\nstdout: {}\nstderr: {}",
                String::from_utf8_lossy(&stdout),
                String::from_utf8_lossy(&stderr)
            );
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    Output {
        status,
        stdout: stdout.join().expect("stdout read"),
        stderr: stderr.join().expect("stderr read"),
    }
}

/// Fails unless `selected` (what a filter returned, or what its rule picks from `all`) holds
/// something and leaves something of `all` out, and comes from `all`: a filter check over a
/// rule that selects everything or nothing cannot tell a working filter from a broken one.
pub fn assert_discriminates<T: PartialEq + std::fmt::Debug>(
    context: impl std::fmt::Display,
    all: &[T],
    selected: &[T],
) {
    assert!(
        !selected.is_empty(),
        "{context}: the rule selects nothing of {} items",
        all.len()
    );
    assert!(
        selected.len() < all.len(),
        "{context}: the rule selects all {} items",
        all.len()
    );
    for item in selected {
        assert!(all.contains(item), "{context}: {item:?} is not among all");
    }
}

/// A minimal valid practice record for imports; override fields as needed.
pub fn practice_record(slug: &str, title: &str) -> Value {
    json!({
        "slug": slug,
        "original_language": "en",
        "title": title,
        "summary": "A test practice.",
        "body": "## Context\n\nWritten by a test.",
        "published_at": "2026-01-15",
        "cities": ["asker"],
        "themes": ["mobility/cycling"],
        "sdgs": [11],
    })
}

/// Settings under which the apps accept bearer tokens from [`tokens`]: an HS256 secret and the
/// JWKS of the checked-in ES256 and RS256 test keys.
pub fn accept_test_tokens(settings: &mut Settings) {
    settings.auth.jwt_hs256_secret = Some(tokens::HS256_SECRET.into());
    settings.auth.jwt_public_keys = Some(tokens::fixture("jwks.json"));
    settings.auth.jwt_issuer = Some(tokens::ISSUER.into());
    settings.auth.jwt_audience = Some(tokens::AUDIENCE.into());
}

/// Bearer tokens for tests: claims and signatures made here, with no identity provider.
pub mod tokens {
    use std::path::PathBuf;

    use jsonwebtoken::{Algorithm, EncodingKey, Header};
    use serde_json::{Value, json};

    pub const HS256_SECRET: &str = "a test secret that is long enough for HS256";
    pub const ISSUER: &str = "https://id.test.example";
    pub const AUDIENCE: &str = "kxc-test";

    pub fn fixture(name: &str) -> PathBuf {
        PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("tests/api/fixtures/jwt")
            .join(name)
    }

    fn now() -> i64 {
        chrono::Utc::now().timestamp()
    }

    /// Valid claims for `subject` with `role` (no role claim when `None`), expiring in ten
    /// minutes. Partners get `source: test-source`.
    pub fn claims(subject: &str, role: Option<&str>) -> Value {
        let mut claims = json!({
            "iss": ISSUER, "aud": AUDIENCE, "sub": subject, "name": format!("Test {subject}"),
            "iat": now(), "exp": now() + 600,
        });
        if let Some(role) = role {
            claims["role"] = json!(role);
            if role == "partner" {
                claims["source"] = json!("test-source");
            }
        }
        claims
    }

    /// `claims` with `exp` an hour ago (well past any leeway).
    pub fn expired(mut claims: Value) -> Value {
        claims["iat"] = json!(now() - 7200);
        claims["exp"] = json!(now() - 3600);
        claims
    }

    pub fn hs256(claims: &Value) -> String {
        jsonwebtoken::encode(
            &Header::new(Algorithm::HS256),
            claims,
            &EncodingKey::from_secret(HS256_SECRET.as_bytes()).expect("HS256 key"),
        )
        .expect("token signed")
    }

    /// Signed with the checked-in ES256 key (kid `test-es256` in the JWKS).
    pub fn es256(claims: &Value) -> String {
        let mut header = Header::new(Algorithm::ES256);
        header.kid = Some("test-es256".into());
        let pem = std::fs::read(fixture("es256-private.pem")).expect("ES256 key");
        jsonwebtoken::encode(
            &header,
            claims,
            &EncodingKey::from_ec_pem(&pem).expect("ES256 key"),
        )
        .expect("token signed")
    }

    /// Signed with the checked-in RS256 key (kid `test-rs256` in the JWKS).
    pub fn rs256(claims: &Value) -> String {
        let mut header = Header::new(Algorithm::RS256);
        header.kid = Some("test-rs256".into());
        let pem = std::fs::read(fixture("rs256-private.pem")).expect("RS256 key");
        jsonwebtoken::encode(
            &header,
            claims,
            &EncodingKey::from_rsa_pem(&pem).expect("RS256 key"),
        )
        .expect("token signed")
    }
}

/// One seeded app per configured backend.
pub async fn spawn_apps() -> Vec<TestApp> {
    spawn_apps_with(|_| {}).await
}

/// One seeded app per configured backend, with settings changed by `configure`.
pub async fn spawn_apps_with(configure: impl Fn(&mut Settings)) -> Vec<TestApp> {
    let mut apps = vec![spawn_sqlite(true, &configure).await];
    if let Some(server) = postgres_server_url() {
        apps.push(spawn_postgres(&server, true, &configure).await);
    }
    apps
}

/// One app per backend on an empty (migrated, unseeded) database.
pub async fn spawn_empty_apps() -> Vec<TestApp> {
    let mut apps = vec![spawn_sqlite(false, &|_| {}).await];
    if let Some(server) = postgres_server_url() {
        apps.push(spawn_postgres(&server, false, &|_| {}).await);
    }
    apps
}

fn postgres_server_url() -> Option<String> {
    let url = std::env::var("KXC_TEST_POSTGRES_URL")
        .ok()
        .filter(|url| !url.is_empty());
    if url.is_none() {
        POSTGRES_SKIPPED_NOTICE.call_once(|| {
            // Straight to the process's stderr, not `eprintln!`: the test harness captures the
            // macros' output of passing tests, and this notice must show in a plain `cargo test`.
            let _ = writeln!(
                std::io::stderr().lock(),
                "\nNOTICE: KXC_TEST_POSTGRES_URL is not set; these API tests ran against SQLite only \
                 (set it, e.g. to postgres://postgres@127.0.0.1:5432/postgres, to test PostgreSQL too).\n"
            );
        });
    }
    url
}

static POSTGRES_SKIPPED_NOTICE: std::sync::Once = std::sync::Once::new();

async fn start(
    backend: &'static str,
    data_dir: tempfile::TempDir,
    database_url: String,
    postgres: Option<PostgresDatabase>,
    configure: &dyn Fn(&mut Settings),
) -> TestApp {
    let mut settings = Settings::with_data_dir(data_dir.path());
    settings.database_url = Some(database_url.clone());
    settings.bind = "127.0.0.1:0".parse().expect("address");
    settings.seed_on_empty = false;
    settings.report_sql_statements = true;
    configure(&mut settings);
    let (address, stop, server) = launch(settings.clone()).await;
    let app = TestApp {
        backend,
        address,
        database_url,
        client: reqwest::Client::new(),
        _data_dir: data_dir,
        postgres,
        settings,
        stop: Some(stop),
        server: Some(server),
    };
    if WAIT_FOR_INDEX.with(std::cell::Cell::get) {
        app.wait_until_ready(Duration::from_secs(60)).await;
    }
    app
}

thread_local! {
    /// Whether `start` waits for the first index build (the server listens while it runs).
    static WAIT_FOR_INDEX: std::cell::Cell<bool> = const { std::cell::Cell::new(true) };
}

/// Like [`spawn_apps_with`], but returns as soon as the servers listen, before their first
/// search index build is published.
pub async fn spawn_apps_unready(configure: impl Fn(&mut Settings)) -> Vec<TestApp> {
    WAIT_FOR_INDEX.with(|wait| wait.set(false));
    let apps = spawn_apps_with(configure).await;
    WAIT_FOR_INDEX.with(|wait| wait.set(true));
    apps
}

impl TestApp {
    /// Polls `/readyz` until it answers 200 (the first index build is published).
    pub async fn wait_until_ready(&self, limit: Duration) {
        let started = Instant::now();
        // A client of its own that keeps no idle connection: a pooled one would hold one of the
        // server's connection permits, which tests of the connection limit count.
        let client = reqwest::Client::builder()
            .pool_max_idle_per_host(0)
            .build()
            .expect("client");
        loop {
            let status = client
                .get(format!("{}/readyz", self.address))
                .send()
                .await
                .map(|response| response.status().as_u16());
            if status.as_ref().is_ok_and(|status| *status == 200) {
                return;
            }
            assert!(
                started.elapsed() < limit,
                "[{}] not ready after {limit:?}: {status:?}",
                self.backend
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}

type Launched = (
    String,
    tokio::sync::oneshot::Sender<()>,
    tokio::task::JoinHandle<anyhow::Result<()>>,
);

async fn launch(settings: Settings) -> Launched {
    let application = Application::build(settings)
        .await
        .expect("application builds");
    let address = format!("http://{}", application.address());
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(application.run_until(async move {
        let _ = stopped.await;
    }));
    (address, stop, server)
}

// ---- SQLite: seed one template file per test binary, copy it per test.

static SQLITE_TEMPLATE: OnceCell<(tempfile::TempDir, PathBuf)> = OnceCell::const_new();

async fn spawn_sqlite(seeded: bool, configure: &dyn Fn(&mut Settings)) -> TestApp {
    let data_dir = tempfile::tempdir().expect("temp dir");
    let file = data_dir.path().join("kxc.db");
    if seeded {
        let (_, template) = SQLITE_TEMPLATE
            .get_or_init(|| async {
                let dir = tempfile::tempdir().expect("temp dir");
                let path = dir.path().join("template.db");
                prepare_template(&format!("sqlite://{}?mode=rwc", path.display())).await;
                (dir, path)
            })
            .await;
        std::fs::copy(template, &file).expect("copy template");
    }
    let url = format!("sqlite://{}?mode=rwc", file.display());
    start("sqlite", data_dir, url, None, configure).await
}

/// Migrates and seeds `url`, then closes every connection so the database can be copied.
async fn prepare_template(url: &str) {
    let mut settings = Settings::with_data_dir(std::env::temp_dir());
    settings.database_url = Some(url.to_owned());
    let connection = kxc::db::connect(&settings).await.expect("connect template");
    kxc::db::migrate(&connection)
        .await
        .expect("migrate template");
    kxc::seed::load(&connection).await.expect("seed template");
    connection.close().await.expect("close template");
}

// ---- PostgreSQL: one seeded template database per test binary; each test gets a copy.

static POSTGRES_TEMPLATE: OnceCell<String> = OnceCell::const_new();
static COUNTER: AtomicU32 = AtomicU32::new(0);

struct PostgresDatabase {
    server: String,
    name: String,
}

impl Drop for PostgresDatabase {
    fn drop(&mut self) {
        let server = self.server.clone();
        let name = self.name.clone();
        // Drop runs inside the test's runtime; use a fresh one on a plain thread.
        let _ = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("runtime");
            runtime.block_on(async {
                if let Ok(admin) = sea_orm::Database::connect(&server).await {
                    let _ = sea_orm::ConnectionTrait::execute_unprepared(
                        &admin,
                        &format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"),
                    )
                    .await;
                    let _ = admin.close().await;
                }
            });
        })
        .join();
    }
}

fn with_database(server: &str, name: &str) -> String {
    let base = server.split('?').next().unwrap_or(server);
    let without_db = match base.rfind('/') {
        Some(index) if index > "postgres://".len() => &base[..index],
        _ => base,
    };
    format!("{without_db}/{name}")
}

async fn admin_execute(server: &str, sql: &str) {
    let admin = sea_orm::Database::connect(server)
        .await
        .expect("connect to PostgreSQL server");
    sea_orm::ConnectionTrait::execute_unprepared(&admin, sql)
        .await
        .unwrap_or_else(|error| panic!("{sql}: {error}"));
    admin.close().await.expect("close admin");
}

/// Templates of earlier test runs (their process has exited) would pile up otherwise.
async fn drop_stale_templates(server: &str) {
    let admin = sea_orm::Database::connect(server)
        .await
        .expect("connect to PostgreSQL server");
    let rows = sea_orm::ConnectionTrait::query_all_raw(
        &admin,
        sea_orm::Statement::from_string(
            sea_orm::DbBackend::Postgres,
            "SELECT datname FROM pg_database WHERE datname LIKE 'kxc_template_%'",
        ),
    )
    .await
    .expect("list templates");
    for row in rows {
        let name: String = row.try_get("", "datname").expect("datname");
        // Another test process on this machine (another worktree) may still be using its own.
        let owner_alive = name
            .strip_prefix("kxc_template_")
            .is_some_and(|pid| std::path::Path::new("/proc").join(pid).exists());
        if owner_alive {
            continue;
        }
        let _ = sea_orm::ConnectionTrait::execute_unprepared(
            &admin,
            &format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"),
        )
        .await;
    }
    let _ = admin.close().await;
}

async fn spawn_postgres(server: &str, seeded: bool, configure: &dyn Fn(&mut Settings)) -> TestApp {
    let name = format!(
        "kxc_test_{}_{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::SeqCst)
    );
    if seeded {
        let template = POSTGRES_TEMPLATE
            .get_or_init(|| async {
                let template = format!("kxc_template_{}", std::process::id());
                drop_stale_templates(server).await;
                admin_execute(
                    server,
                    &format!("DROP DATABASE IF EXISTS \"{template}\" WITH (FORCE)"),
                )
                .await;
                admin_execute(server, &format!("CREATE DATABASE \"{template}\"")).await;
                prepare_template(&with_database(server, &template)).await;
                template
            })
            .await;
        admin_execute(
            server,
            &format!("CREATE DATABASE \"{name}\" TEMPLATE \"{template}\""),
        )
        .await;
    } else {
        admin_execute(server, &format!("CREATE DATABASE \"{name}\"")).await;
    }
    let url = with_database(server, &name);
    let guard = PostgresDatabase {
        server: server.to_owned(),
        name,
    };
    start(
        "postgres",
        tempfile::tempdir().expect("temp dir"),
        url,
        Some(guard),
        configure,
    )
    .await
}

impl Drop for TestApp {
    fn drop(&mut self) {
        // The server task keeps pool connections open; the guard's DROP ... WITH (FORCE) ends them.
        let _ = self.postgres.take();
    }
}
