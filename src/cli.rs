//! The `kxc` command line: every command parses its arguments here and calls into the library.

use std::path::PathBuf;

use anyhow::Context;
use clap::{Parser, Subcommand};
use migrations::{Migrator, MigratorTrait};

use crate::config::Settings;
use crate::domain::{Role, Slug, Viewer};
use crate::{app, db, seed, service, telemetry};

#[derive(Parser, Debug)]
#[command(
    name = "kxc",
    version,
    about = "Knowledge-exchange API for climate-neutral cities"
)]
pub struct Cli {
    #[command(flatten)]
    pub settings: Settings,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Migrate, seed an empty database, and serve GraphQL over HTTP.
    Serve,
    /// Apply, roll back or list migrations.
    Migrate {
        #[command(subcommand)]
        action: MigrateAction,
    },
    /// Load the built-in seed data (idempotent); with `--synthetic N`, also a deterministic
    /// synthetic corpus of N practices for benchmarks.
    Seed {
        /// Also write N synthetic practices (with translations, evaluations, cities on every
        /// continent and one funding opportunity per ten practices) through the bulk path.
        #[arg(long, value_name = "N")]
        synthetic: Option<usize>,
        /// Seed of the synthetic corpus: the same seed gives the same records.
        #[arg(long, value_name = "S", default_value_t = 1)]
        rng_seed: u64,
    },
    /// Import practices from JSON Lines (valid lines are stored, bad lines reported) or funding
    /// records from JSON Lines or CSV (all or nothing: a bad line stores nothing).
    Import {
        #[command(subcommand)]
        kind: ImportKind,
    },
    /// Rebuild the search index from the database into a new generation and switch to it;
    /// a running server follows the switch without a restart.
    Reindex,
    /// Create, list and revoke API keys (as the operator; each action is audited).
    Keys {
        #[command(subcommand)]
        action: KeysAction,
    },
    /// Import or export the concept vocabulary as SKOS (Turtle).
    Vocabulary {
        #[command(subcommand)]
        action: VocabularyAction,
    },
    /// Print the GraphQL schema (SDL) to stdout or write it to a file.
    Schema {
        #[arg(long)]
        output: Option<PathBuf>,
    },
}

#[derive(Subcommand, Debug)]
pub enum VocabularyAction {
    /// Load a SKOS Turtle file (GEMET, EuroVoc or kxc's own export): concepts are matched by
    /// IRI or key and updated in place; search re-tags documents.
    Import { file: PathBuf },
    /// Write the vocabulary as SKOS Turtle to stdout or `--output`.
    Export {
        #[arg(long)]
        output: Option<PathBuf>,
    },
}

#[derive(Subcommand, Debug)]
pub enum MigrateAction {
    Up,
    /// Roll back the last migration, `--steps N` of them, or `--all`.
    Down {
        #[arg(long, conflicts_with = "all")]
        steps: Option<u32>,
        #[arg(long)]
        all: bool,
    },
    Status,
}

#[derive(Subcommand, Debug)]
pub enum KeysAction {
    /// Issue a key and print it once; only its hash is stored.
    Create {
        /// member, evaluator, moderator, partner or admin.
        #[arg(long, value_parser = parse_role)]
        role: Role,
        /// Who the key is for.
        #[arg(long)]
        name: String,
        /// The funding source a partner key may write (partners only).
        #[arg(long)]
        source: Option<String>,
        /// Why, for the audit log.
        #[arg(long)]
        reason: Option<String>,
    },
    /// List every key: prefix, name, role, source, created, last used, revoked.
    List,
    /// Revoke a key by its prefix (`kxc_1a2b3c4d`); its next request is refused.
    Revoke {
        prefix: String,
        #[arg(long)]
        reason: Option<String>,
    },
}

fn parse_role(text: &str) -> Result<Role, String> {
    Role::parse(text)
        .filter(|role| role.is_grantable())
        .ok_or_else(|| "must be member, evaluator, moderator, partner or admin".into())
}

#[derive(Subcommand, Debug)]
pub enum ImportKind {
    Practices {
        file: PathBuf,
    },
    Funding {
        file: PathBuf,
        /// The partner source the records belong to.
        #[arg(long)]
        source: String,
        /// The file's format; by default CSV when the name ends in `.csv`, else JSON Lines.
        #[arg(long, value_enum)]
        format: Option<service::import::Format>,
    },
}

pub async fn run(cli: Cli) -> anyhow::Result<()> {
    telemetry::init(&cli.settings);
    let settings = cli.settings;
    match cli.command {
        Command::Serve => {
            let application = app::Application::build(settings).await?;
            tracing::info!(address = %application.address(), "listening; GraphiQL at /graphql");
            application.run_until_stopped().await
        }
        Command::Migrate { action } => {
            let connection = db::connect(&settings).await?;
            match action {
                MigrateAction::Up => db::migrate(&connection).await?,
                MigrateAction::Down { steps, all } => {
                    let steps = if all { None } else { Some(steps.unwrap_or(1)) };
                    Migrator::down(&connection, steps)
                        .await
                        .context("roll back migrations")?;
                }
                MigrateAction::Status => {
                    for migration in Migrator::get_migration_with_status(&connection).await? {
                        println!("{:?}\t{}", migration.status(), migration.name());
                    }
                }
            }
            Ok(())
        }
        Command::Seed {
            synthetic,
            rng_seed,
        } => {
            let connection = db::connect(&settings).await?;
            db::migrate(&connection).await?;
            let report = seed::load(&connection).await?;
            println!("{report}");
            if let Some(count) = synthetic {
                let started = std::time::Instant::now();
                let progress = indicatif::ProgressBar::new(count as u64);
                let report =
                    seed::synthetic::generate(&connection, count, rng_seed, &progress).await?;
                println!("{report} in {:.1} s", started.elapsed().as_secs_f64());
            }
            db::analyze(&connection).await?;
            Ok(())
        }
        Command::Import { kind } => {
            let connection = db::connect(&settings).await?;
            db::migrate(&connection).await?;
            let report = match kind {
                ImportKind::Practices { file } => {
                    service::import::import_file(
                        &connection,
                        &file,
                        service::import::Kind::Practices,
                    )
                    .await?
                }
                ImportKind::Funding {
                    file,
                    source,
                    format,
                } => {
                    service::import::import_file(
                        &connection,
                        &file,
                        service::import::Kind::Funding { source, format },
                    )
                    .await?
                }
            };
            println!("{report}");
            db::analyze(&connection).await?;
            if report.rejected() > 0 {
                anyhow::bail!("{} line(s) rejected", report.rejected());
            }
            Ok(())
        }
        Command::Reindex => {
            let connection = db::connect(&settings).await?;
            db::ensure_not_newer(&connection).await?;
            let progress = progress_bar();
            let report =
                crate::search::rebuild::rebuild(&connection, &settings.index_dir(), &progress)
                    .await?;
            println!(
                "reindexed {} documents up to change {} into {}",
                report.documents, report.checkpoint, report.generation
            );
            Ok(())
        }
        Command::Keys { action } => {
            let connection = db::connect(&settings).await?;
            db::migrate(&connection).await?;
            keys(&connection, action).await
        }
        Command::Vocabulary { action } => {
            let connection = db::connect(&settings).await?;
            db::migrate(&connection).await?;
            match action {
                VocabularyAction::Import { file } => {
                    let count = service::skos::import_file(&connection, &file).await?;
                    println!("imported {count} concepts from {}", file.display());
                }
                VocabularyAction::Export { output } => {
                    let turtle = service::skos::export(&connection).await?;
                    match output {
                        Some(path) => std::fs::write(&path, turtle)
                            .with_context(|| format!("write {}", path.display()))?,
                        None => print!("{turtle}"),
                    }
                }
            }
            Ok(())
        }
        Command::Schema { output } => {
            let sdl = crate::graphql::sdl();
            match output {
                Some(path) => std::fs::write(&path, sdl)
                    .with_context(|| format!("write {}", path.display()))?,
                None => print!("{sdl}"),
            }
            Ok(())
        }
    }
}

async fn keys(connection: &sea_orm::DatabaseConnection, action: KeysAction) -> anyhow::Result<()> {
    let operator = Viewer::operator();
    let refused = |error: service::ServiceError| anyhow::anyhow!("{error}");
    match action {
        KeysAction::Create {
            role,
            name,
            source,
            reason,
        } => {
            let source = source
                .map(|text| Slug::parse(&text))
                .transpose()
                .map_err(|message| anyhow::anyhow!("--source: {message}"))?;
            let created = service::api_keys::create::run(
                connection,
                &operator,
                service::api_keys::create::NewKey {
                    name,
                    role,
                    source,
                    reason,
                },
            )
            .await
            .map_err(refused)?;
            eprintln!(
                "created {} ({}); store the key now, it is not shown again:",
                created.key.prefix, created.key.role
            );
            println!("{}", created.secret);
        }
        KeysAction::List => {
            let keys = service::api_keys::list(connection, &operator)
                .await
                .map_err(refused)?;
            println!("prefix\tname\trole\tsource\tcreated\tlast used\trevoked");
            let time = |at: Option<chrono::DateTime<chrono::FixedOffset>>| {
                at.map_or_else(|| "-".to_owned(), |at| at.to_rfc3339())
            };
            for key in keys {
                println!(
                    "{}\t{}\t{}\t{}\t{}\t{}\t{}",
                    key.prefix,
                    key.name,
                    key.role,
                    key.source_scope.as_deref().unwrap_or("-"),
                    key.created_at.to_rfc3339(),
                    time(key.last_used_at),
                    time(key.revoked_at)
                );
            }
        }
        KeysAction::Revoke { prefix, reason } => {
            let key = service::api_keys::revoke::run(connection, &operator, &prefix, reason)
                .await
                .map_err(refused)?;
            println!(
                "revoked {} ({}) at {}",
                key.prefix,
                key.name,
                key.revoked_at.map(|at| at.to_rfc3339()).unwrap_or_default()
            );
        }
    }
    Ok(())
}

/// A progress bar on a terminal; hidden when output is piped (CI logs, tests).
fn progress_bar() -> indicatif::ProgressBar {
    use std::io::IsTerminal;
    if !std::io::stderr().is_terminal() {
        return indicatif::ProgressBar::hidden();
    }
    let bar = indicatif::ProgressBar::new(0);
    if let Ok(style) =
        indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} documents {elapsed}")
    {
        bar.set_style(style);
    }
    bar
}
