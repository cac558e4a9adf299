//! The `kxc` command line: every command parses its arguments here and calls into the library.

use std::path::PathBuf;

use anyhow::Context;
use clap::{Parser, Subcommand};
use migrations::{Migrator, MigratorTrait};

use crate::config::Settings;
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
    /// Load the built-in seed data (idempotent).
    Seed,
    /// Import records from a JSON Lines file; valid lines are stored, bad lines reported.
    Import {
        #[command(subcommand)]
        kind: ImportKind,
    },
    /// Rebuild the search index from the database into a new generation and switch to it;
    /// a running server follows the switch without a restart.
    Reindex,
    /// Print the GraphQL schema (SDL) to stdout or write it to a file.
    Schema {
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
pub enum ImportKind {
    Practices {
        file: PathBuf,
    },
    Funding {
        file: PathBuf,
        /// The partner source the records belong to.
        #[arg(long)]
        source: String,
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
        Command::Seed => {
            let connection = db::connect(&settings).await?;
            db::migrate(&connection).await?;
            let report = seed::load(&connection).await?;
            println!("{report}");
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
                ImportKind::Funding { file, source } => {
                    service::import::import_file(
                        &connection,
                        &file,
                        service::import::Kind::Funding { source },
                    )
                    .await?
                }
            };
            println!("{report}");
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
