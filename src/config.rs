//! Typed settings. Defaults live here; `KXC_*` environment variables override them and CLI flags
//! override both (clap resolves flag > env > default). A bad value fails at start-up and the
//! message names the variable.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, ValueEnum};

pub mod api;
pub mod auth;
pub mod webhooks;

pub use api::{ApiSettings, CorsOrigins};
pub use auth::{AuthSettings, Budget, TrustedProxies};
pub use webhooks::WebhookSettings;
pub mod community;

pub use community::CommunitySettings;
pub mod live;

pub use live::LiveSettings;

pub const DEFAULT_BIND: &str = "127.0.0.1:8080";
pub const DEFAULT_DATA_DIR: &str = "./kxc-data";
pub const DEFAULT_SQLITE_CACHE_MIB: u32 = 16;

#[derive(Args, Clone, Debug)]
pub struct Settings {
    /// Directory for the embedded SQLite database and the search index.
    #[arg(long, env = "KXC_DATA_DIR", default_value = DEFAULT_DATA_DIR, global = true)]
    pub data_dir: PathBuf,

    /// Database URL (`sqlite://...` or `postgres://...`). Defaults to `KXC_DATA_DIR/kxc.db`.
    #[arg(long, env = "KXC_DATABASE_URL", value_parser = parse_database_url, global = true)]
    pub database_url: Option<String>,

    /// Address the HTTP server listens on.
    #[arg(long, env = "KXC_BIND", default_value = DEFAULT_BIND, value_parser = parse_bind, global = true)]
    pub bind: SocketAddr,

    /// Largest database pool size (SQLite too: readers run in parallel under WAL).
    #[arg(long, env = "KXC_DB_MAX_CONNECTIONS", default_value_t = 8,
          value_parser = clap::builder::RangedU64ValueParser::<u32>::new().range(2..=512), global = true)]
    pub db_max_connections: u32,

    /// SQLite page cache per connection, in MiB (SQLite's own default is 2): lookups at a
    /// million practices otherwise re-read index pages from the operating system per row.
    #[arg(long, env = "KXC_SQLITE_CACHE_MIB", default_value_t = DEFAULT_SQLITE_CACHE_MIB,
          value_parser = clap::builder::RangedU64ValueParser::<u32>::new().range(1..=4096), global = true)]
    pub sqlite_cache_mib: u32,

    /// Log filter in `tracing` syntax, e.g. `info` or `kxc=debug,sea_orm=warn`.
    #[arg(long, env = "KXC_LOG", default_value = "info", value_parser = parse_log_filter, global = true)]
    pub log: String,

    /// Log output format.
    #[arg(long, env = "KXC_LOG_FORMAT", value_enum, default_value_t = LogFormat::Text, global = true)]
    pub log_format: LogFormat,

    /// Report the number of SQL statements a GraphQL request ran in `extensions.sqlStatements`.
    #[arg(long, env = "KXC_REPORT_SQL_STATEMENTS", default_value_t = false, action = clap::ArgAction::Set, global = true)]
    pub report_sql_statements: bool,

    /// Load the seed data into an empty database when serving.
    #[arg(long, env = "KXC_SEED_ON_EMPTY", default_value_t = true, action = clap::ArgAction::Set, global = true)]
    pub seed_on_empty: bool,

    /// Deployment profile: `production` switches introspection and field suggestions off
    /// unless `KXC_INTROSPECTION` / `KXC_FIELD_SUGGESTIONS` say otherwise.
    #[arg(long, env = "KXC_PROFILE", value_enum, default_value_t = Profile::Development, global = true)]
    pub profile: Profile,

    /// Answer introspection queries (`__schema`, `__type`). Default: on, off in production.
    #[arg(long, env = "KXC_INTROSPECTION", value_parser = parse_introspection, global = true)]
    pub introspection: Option<bool>,

    /// Suggest field names in validation errors ("did you mean"). Default: on, off in production.
    #[arg(long, env = "KXC_FIELD_SUGGESTIONS", value_parser = parse_field_suggestions, global = true)]
    pub field_suggestions: Option<bool>,

    #[command(flatten)]
    pub api: ApiSettings,

    #[command(flatten)]
    pub auth: AuthSettings,

    #[command(flatten)]
    pub webhooks: WebhookSettings,

    #[command(flatten)]
    pub community: CommunitySettings,

    #[command(flatten)]
    pub live: LiveSettings,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Profile {
    Development,
    Production,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum LogFormat {
    Text,
    Json,
}

impl Settings {
    /// Settings with every default, rooted at `data_dir`; what tests and embedders start from.
    pub fn with_data_dir(data_dir: impl Into<PathBuf>) -> Self {
        Self {
            data_dir: data_dir.into(),
            database_url: None,
            bind: DEFAULT_BIND.parse().expect("default bind address parses"),
            db_max_connections: 8,
            sqlite_cache_mib: DEFAULT_SQLITE_CACHE_MIB,
            log: "info".into(),
            log_format: LogFormat::Text,
            seed_on_empty: true,
            report_sql_statements: false,
            profile: Profile::Development,
            introspection: None,
            field_suggestions: None,
            api: ApiSettings::default(),
            auth: AuthSettings::default(),
            webhooks: WebhookSettings::default(),
            community: CommunitySettings::default(),
            live: LiveSettings::default(),
        }
    }

    /// Whether introspection is answered: the explicit setting, else on outside production.
    pub fn introspection_enabled(&self) -> bool {
        self.introspection
            .unwrap_or(self.profile != Profile::Production)
    }

    /// Whether validation errors suggest field names: the explicit setting, else on outside production.
    pub fn field_suggestions_enabled(&self) -> bool {
        self.field_suggestions
            .unwrap_or(self.profile != Profile::Production)
    }

    /// The database URL in force: the configured one, or the SQLite file in the data directory.
    pub fn database_url(&self) -> String {
        match &self.database_url {
            Some(url) => url.clone(),
            None => format!(
                "sqlite://{}?mode=rwc",
                self.data_dir.join("kxc.db").display()
            ),
        }
    }

    pub fn index_dir(&self) -> PathBuf {
        self.data_dir.join("index")
    }

    /// How long an SQLite writer waits for the write lock before `database is locked`: long
    /// enough for an operator's CLI command to queue behind a busy server on 2 loaded cores
    /// (5 s was seen to run out in CI).
    pub fn busy_timeout(&self) -> Duration {
        Duration::from_secs(30)
    }
}

fn parse_bind(value: &str) -> Result<SocketAddr, String> {
    value
        .parse()
        .map_err(|_| format!("KXC_BIND must be host:port, such as {DEFAULT_BIND}"))
}

fn parse_database_url(value: &str) -> Result<String, String> {
    let known = ["sqlite:", "postgres://", "postgresql://"];
    if known.iter().any(|prefix| value.starts_with(prefix)) {
        Ok(value.to_owned())
    } else {
        Err("KXC_DATABASE_URL must start with sqlite:, postgres:// or postgresql://".into())
    }
}

fn parse_switch(variable: &str, value: &str) -> Result<bool, String> {
    match value.trim().to_ascii_lowercase().as_str() {
        "true" | "1" | "on" | "yes" => Ok(true),
        "false" | "0" | "off" | "no" => Ok(false),
        _ => Err(format!("{variable} must be true or false")),
    }
}

fn parse_introspection(value: &str) -> Result<bool, String> {
    parse_switch("KXC_INTROSPECTION", value)
}

fn parse_field_suggestions(value: &str) -> Result<bool, String> {
    parse_switch("KXC_FIELD_SUGGESTIONS", value)
}

fn parse_log_filter(value: &str) -> Result<String, String> {
    tracing_subscriber::EnvFilter::try_new(value)
        .map(|_| value.to_owned())
        .map_err(|error| format!("KXC_LOG is not a valid log filter: {error}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bad_bind_address_names_the_variable() {
        let error = parse_bind("localhost").unwrap_err();
        assert!(error.contains("KXC_BIND"), "{error}");
        assert_eq!(parse_bind("0.0.0.0:9000").unwrap().port(), 9000);
    }

    #[test]
    fn a_database_url_must_name_a_supported_driver() {
        assert!(
            parse_database_url("mysql://x")
                .unwrap_err()
                .contains("KXC_DATABASE_URL")
        );
        assert!(parse_database_url("postgres://postgres@127.0.0.1/test").is_ok());
        assert!(parse_database_url("sqlite::memory:").is_ok());
    }

    #[test]
    fn the_default_database_is_a_sqlite_file_in_the_data_dir() {
        let settings = Settings::with_data_dir("/tmp/kxc-x");
        assert_eq!(
            settings.database_url(),
            "sqlite:///tmp/kxc-x/kxc.db?mode=rwc"
        );
        assert_eq!(settings.index_dir(), PathBuf::from("/tmp/kxc-x/index"));
    }

    #[test]
    fn production_turns_introspection_and_suggestions_off_unless_set() {
        let mut settings = Settings::with_data_dir("/tmp/kxc-x");
        assert!(settings.introspection_enabled() && settings.field_suggestions_enabled());
        settings.profile = Profile::Production;
        assert!(!settings.introspection_enabled() && !settings.field_suggestions_enabled());
        settings.introspection = Some(true);
        assert!(settings.introspection_enabled());
        assert!(
            parse_introspection("maybe")
                .unwrap_err()
                .contains("KXC_INTROSPECTION")
        );
        assert!(!parse_field_suggestions("off").unwrap());
    }

    #[test]
    fn a_bad_log_filter_names_the_variable() {
        assert!(parse_log_filter("info,[").unwrap_err().contains("KXC_LOG"));
    }
}
