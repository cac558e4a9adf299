//! Schema migrations for kxc. One change per file, each with a `down`, portable across SQLite
//! and PostgreSQL. Never edit a migration once it has landed; add a new one.

pub use sea_orm_migration::prelude::*;

mod helpers;
mod m0001_regions;
mod m0002_themes;
mod m0003_organisations_cities;
mod m0004_networks_and_partnerships;
mod m0005_practices;
mod m0006_evaluations;
mod m0007_funding;
mod m0008_accounts;
mod m0009_community;
mod m0010_change_log;
mod m0011_webhooks;
mod m0012_identity;
mod m0013_audit;
mod m0014_practice_lifecycle;
mod m0015_webhook_dispatch;
mod m0016_community_moderation;
mod m0018_landscape;
mod m0019_commitment_reports;
mod m0021_concepts;
mod m0023_campaign_version;

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m0001_regions::Migration),
            Box::new(m0002_themes::Migration),
            Box::new(m0003_organisations_cities::Migration),
            Box::new(m0004_networks_and_partnerships::Migration),
            Box::new(m0005_practices::Migration),
            Box::new(m0006_evaluations::Migration),
            Box::new(m0007_funding::Migration),
            Box::new(m0008_accounts::Migration),
            Box::new(m0009_community::Migration),
            Box::new(m0010_change_log::Migration),
            Box::new(m0011_webhooks::Migration),
            Box::new(m0012_identity::Migration),
            Box::new(m0013_audit::Migration),
            Box::new(m0014_practice_lifecycle::Migration),
            Box::new(m0015_webhook_dispatch::Migration),
            Box::new(m0016_community_moderation::Migration),
            Box::new(m0019_commitment_reports::Migration),
            Box::new(m0018_landscape::Migration),
            Box::new(m0021_concepts::Migration),
            Box::new(m0023_campaign_version::Migration),
        ]
    }
}
