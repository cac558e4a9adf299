//! Seed data compiled into the binary (see `README.md` beside this file for the formats).
//! [`load`] is idempotent: records are matched by their stable keys and updated in place.

mod concepts;
mod m49;
mod places;
mod region_overrides;
mod regions;
pub mod synthetic;
mod taxonomy;

use std::collections::BTreeSet;
use std::fmt;

use anyhow::Context;
use sea_orm::{DatabaseConnection, EntityTrait, PaginatorTrait, TransactionTrait};
use serde::de::DeserializeOwned;

use crate::domain::Slug;
use crate::entity::practice;
use crate::service::records::{FundingRecord, PracticeRecord};
use crate::service::{funding_write, practice_write};

pub const THEMES: &str = include_str!("data/themes.json");
pub const ORGANISATIONS: &str = include_str!("data/organisations.json");
pub const CITIES: &str = include_str!("data/cities.json");
pub const PARTNERSHIPS: &str = include_str!("data/partnerships.json");
pub const EVENTS: &str = include_str!("data/events.json");
pub const CAMPAIGNS: &str = include_str!("data/campaigns.json");
pub const PRACTICES: &str = include_str!("data/practices.json");
pub const FUNDING: &str = include_str!("data/funding.json");
pub const CONCEPTS: &str = include_str!("data/concepts.json");

#[derive(Debug, Default)]
pub struct SeedReport {
    pub regions: usize,
    pub themes: usize,
    pub organisations: usize,
    pub cities: usize,
    pub partnerships: usize,
    pub events: usize,
    pub campaigns: usize,
    pub practices: usize,
    pub funding: usize,
    pub concepts: usize,
}

impl fmt::Display for SeedReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "seeded: {} new regions, {} themes, {} organisations, {} cities, {} partnerships, {} campaigns, {} events, {} practices, {} funding opportunities, {} concepts",
            self.regions,
            self.themes,
            self.organisations,
            self.cities,
            self.partnerships,
            self.campaigns,
            self.events,
            self.practices,
            self.funding,
            self.concepts
        )
    }
}

/// True when the database has no practices yet (what `serve` checks before seeding).
pub async fn is_empty(db: &DatabaseConnection) -> Result<bool, sea_orm::DbErr> {
    Ok(practice::Entity::find().count(db).await? == 0)
}

/// Loads every seed file in one transaction.
pub async fn load(db: &DatabaseConnection) -> anyhow::Result<SeedReport> {
    let cities: Vec<places::CitySeed> = parse(CITIES, "cities.json")?;
    let themes: Vec<taxonomy::ThemeSeed> = parse(THEMES, "themes.json")?;
    let organisations: Vec<taxonomy::OrganisationSeed> =
        parse(ORGANISATIONS, "organisations.json")?;
    let partnerships: Vec<places::PartnershipSeed> = parse(PARTNERSHIPS, "partnerships.json")?;
    let events: Vec<places::EventSeed> = parse(EVENTS, "events.json")?;
    let campaigns: Vec<places::CampaignSeed> = parse(CAMPAIGNS, "campaigns.json")?;
    let practices: Vec<PracticeRecord> = parse(PRACTICES, "practices.json")?;
    let funding: Vec<FundingRecord> = parse(FUNDING, "funding.json")?;
    let concepts: Vec<concepts::ConceptSeed> = parse(CONCEPTS, "concepts.json")?;

    let txn = db.begin().await?;
    let mut report = SeedReport::default();
    let countries: BTreeSet<String> = cities.iter().map(|city| city.country.to_string()).collect();
    let extra: Vec<regions::ExtraSubdivision> = cities
        .iter()
        .filter_map(|city| {
            city.subdivision
                .as_ref()
                .map(|subdivision| regions::ExtraSubdivision {
                    code: subdivision.code.clone(),
                    name: subdivision.name.to_string(),
                    country: city.country.to_string(),
                })
        })
        .collect();
    report.regions = regions::load(&txn, &countries, &extra)
        .await
        .context("seed regions")?;
    report.themes = taxonomy::load_themes(&txn, &themes)
        .await
        .context("seed themes")?;
    report.concepts = concepts::load(&txn, &concepts)
        .await
        .context("seed concepts")?;
    report.organisations = taxonomy::load_organisations(&txn, &organisations)
        .await
        .context("seed organisations")?;
    report.cities = places::load_cities(&txn, &cities)
        .await
        .context("seed cities")?;
    report.partnerships = places::load_partnerships(&txn, &partnerships)
        .await
        .context("seed partnerships")?;
    report.campaigns = places::load_campaigns(&txn, &campaigns)
        .await
        .context("seed campaigns")?;
    report.events = places::load_events(&txn, &events)
        .await
        .context("seed events")?;
    for record in practices {
        let slug = record.slug.clone();
        practice_write::upsert(&txn, record)
            .await
            .with_context(|| format!("seed practice {slug}"))?;
        report.practices += 1;
    }
    for record in funding {
        let source = record
            .source
            .clone()
            .unwrap_or_else(|| Slug::parse("kxc-seed").expect("valid slug"));
        let external_id = record.external_id.as_str().to_owned();
        funding_write::upsert(&txn, &source, record)
            .await
            .with_context(|| format!("seed funding {external_id}"))?;
        report.funding += 1;
    }
    txn.commit().await?;
    Ok(report)
}

fn parse<T: DeserializeOwned>(json: &str, file: &str) -> anyhow::Result<Vec<T>> {
    let mut deserializer = serde_json::Deserializer::from_str(json);
    serde_path_to_error::deserialize(&mut deserializer)
        .map_err(|error| anyhow::anyhow!("{file}: {}: {}", error.path(), error.inner()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_seed_file_parses_into_its_domain_types() {
        let cities: Vec<places::CitySeed> = parse(CITIES, "cities.json").unwrap();
        let themes: Vec<taxonomy::ThemeSeed> = parse(THEMES, "themes.json").unwrap();
        let practices: Vec<PracticeRecord> = parse(PRACTICES, "practices.json").unwrap();
        let funding: Vec<FundingRecord> = parse(FUNDING, "funding.json").unwrap();
        parse::<taxonomy::OrganisationSeed>(ORGANISATIONS, "organisations.json").unwrap();
        parse::<places::PartnershipSeed>(PARTNERSHIPS, "partnerships.json").unwrap();
        parse::<places::EventSeed>(EVENTS, "events.json").unwrap();
        parse::<places::CampaignSeed>(CAMPAIGNS, "campaigns.json").unwrap();
        assert!(cities.len() >= 60);
        assert!(themes.len() >= 40);
        assert!(themes.iter().any(|theme| theme.path.depth() >= 2));
        assert!(practices.len() >= 30);
        assert!(funding.len() >= 20);
    }

    /// At least 150 concepts, each with labels in the eleven languages the analyzers stem,
    /// and every theme of the tree named by at least one concept.
    #[test]
    fn the_concept_vocabulary_covers_every_theme_in_eleven_languages() {
        let concepts: Vec<concepts::ConceptSeed> = parse(CONCEPTS, "concepts.json").unwrap();
        let themes: Vec<taxonomy::ThemeSeed> = parse(THEMES, "themes.json").unwrap();
        assert!(concepts.len() >= 150, "{}", concepts.len());
        let mut keys = BTreeSet::new();
        for concept in &concepts {
            assert!(keys.insert(concept.key.as_str()), "{} twice", concept.key);
            assert!(!concept.themes.is_empty(), "{}", concept.key);
            for language in [
                "en", "fr", "de", "no", "sv", "da", "es", "it", "nl", "pt", "fi",
            ] {
                let has = concept
                    .labels
                    .iter()
                    .any(|(code, labels)| code.as_str() == language && !labels.is_empty());
                assert!(has, "{} has no {language} label", concept.key);
            }
        }
        for theme in &themes {
            assert!(
                concepts
                    .iter()
                    .any(|concept| concept.themes.contains(&theme.path)),
                "no concept for {}",
                theme.path
            );
        }
    }

    #[test]
    fn practices_cover_at_least_four_seed_languages() {
        let practices: Vec<PracticeRecord> = parse(PRACTICES, "practices.json").unwrap();
        let mut languages = BTreeSet::new();
        for practice in &practices {
            languages.insert(practice.original_language.to_string());
            for translation in &practice.translations {
                languages.insert(translation.language.to_string());
            }
        }
        for language in ["en", "fr", "de", "no", "es"] {
            assert!(languages.contains(language), "{language}");
        }
    }

    #[test]
    fn the_required_cities_are_seeded() {
        let cities: Vec<places::CitySeed> = parse(CITIES, "cities.json").unwrap();
        for slug in [
            "tokyo",
            "kuala-lumpur",
            "asker",
            "drammen",
            "oslo",
            "copenhagen",
        ] {
            assert!(
                cities.iter().any(|city| city.slug.as_str() == slug),
                "{slug}"
            );
        }
        let founders = cities
            .iter()
            .filter(|city| {
                city.memberships.iter().any(|membership| {
                    membership.network.as_str() == "cnca"
                        && membership.role == crate::domain::MembershipRole::FoundingMember
                })
            })
            .count();
        assert_eq!(founders, 17);
    }
}
