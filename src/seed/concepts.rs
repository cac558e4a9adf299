//! The concept vocabulary seed (`data/concepts.json`): per concept a key, its theme paths and
//! labels per language, the first label of a language being its preferred one.

use std::collections::BTreeMap;

use sea_orm::DatabaseTransaction;
use serde::Deserialize;

use crate::domain::{Language, Name, Slug, ThemePath};
use crate::service::concepts::{self, ConceptRecord, LabelRecord};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConceptSeed {
    pub key: Slug,
    pub themes: Vec<ThemePath>,
    pub labels: BTreeMap<Language, Vec<Name>>,
}

impl ConceptSeed {
    pub fn record(&self) -> ConceptRecord {
        ConceptRecord {
            key: self.key.clone(),
            uri: None,
            broader: None,
            themes: self.themes.clone(),
            labels: self
                .labels
                .iter()
                .flat_map(|(language, labels)| {
                    labels
                        .iter()
                        .enumerate()
                        .map(move |(position, label)| LabelRecord {
                            language: language.clone(),
                            preferred: position == 0,
                            text: label.clone(),
                        })
                })
                .collect(),
        }
    }
}

pub async fn load(txn: &DatabaseTransaction, seeds: &[ConceptSeed]) -> anyhow::Result<usize> {
    let records: Vec<ConceptRecord> = seeds.iter().map(ConceptSeed::record).collect();
    concepts::save(txn, &records)
        .await
        .map_err(|error| anyhow::anyhow!("{error}"))?;
    Ok(records.len())
}
