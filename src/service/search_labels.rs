//! Facet counts with human-readable labels: theme labels in the query's language, region,
//! country and city names, language names.

use std::collections::HashMap;

use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter};

use crate::entity::city;
use crate::error::AppResult;
use crate::search::request::{FacetCounts, FacetKind, FacetValue};
use crate::service::reference::Reference;

pub struct LabelledFacet {
    pub kind: FacetKind,
    pub values: Vec<LabelledValue>,
}

pub struct LabelledValue {
    /// What the matching filter takes: a theme path, a region or country code, a city slug...
    pub value: String,
    pub label: Option<String>,
    pub count: u64,
    pub children: Vec<LabelledValue>,
}

pub async fn label(
    db: &DatabaseConnection,
    reference: &Reference,
    facets: Vec<FacetCounts>,
    language: &str,
) -> AppResult<Vec<LabelledFacet>> {
    let mut labelled = Vec::with_capacity(facets.len());
    for facet in facets {
        let labels = labels_for(db, reference, &facet, language).await?;
        let values = facet
            .values
            .into_iter()
            .map(|value| label_value(facet.kind, value, &labels))
            .collect();
        labelled.push(LabelledFacet {
            kind: facet.kind,
            values,
        });
    }
    Ok(labelled)
}

/// Labels by the value the client sees (`value` of [`LabelledValue`]).
async fn labels_for(
    db: &DatabaseConnection,
    reference: &Reference,
    facet: &FacetCounts,
    language: &str,
) -> AppResult<HashMap<String, String>> {
    Ok(match facet.kind {
        FacetKind::Theme => reference
            .themes()
            .iter()
            .map(|theme| (theme.row.path.clone(), theme.label(language).to_owned()))
            .collect(),
        FacetKind::Region | FacetKind::Country => {
            let mut labels = HashMap::new();
            collect_values(&facet.values, &mut |value| {
                let code = value.rsplit('/').next().unwrap_or(value);
                if let Some(region) = reference.region(code) {
                    labels.insert(code.to_owned(), region.name.clone());
                }
            });
            labels
        }
        FacetKind::City => {
            let slugs: Vec<String> = facet
                .values
                .iter()
                .map(|value| value.value.clone())
                .collect();
            city::Entity::find()
                .filter(city::Column::Slug.is_in(slugs))
                .all(db)
                .await?
                .into_iter()
                .map(|row| (row.slug, row.name))
                .collect()
        }
        FacetKind::Language => facet
            .values
            .iter()
            .filter_map(|value| {
                isolang::Language::from_639_1(&value.value)
                    .map(|language| (value.value.clone(), language.to_name().to_owned()))
            })
            .collect(),
        FacetKind::Sdg
        | FacetKind::Instrument
        | FacetKind::ProviderLevel
        | FacetKind::EvaluationLabel => HashMap::new(),
    })
}

fn collect_values(values: &[FacetValue], visit: &mut impl FnMut(&str)) {
    for value in values {
        visit(&value.value);
        collect_values(&value.children, visit);
    }
}

fn label_value(
    kind: FacetKind,
    value: FacetValue,
    labels: &HashMap<String, String>,
) -> LabelledValue {
    // Region nodes are paths in the index; clients filter by the region's own code.
    let shown = if kind == FacetKind::Region {
        value
            .value
            .rsplit('/')
            .next()
            .unwrap_or(&value.value)
            .to_owned()
    } else {
        value.value
    };
    LabelledValue {
        label: labels.get(&shown).cloned(),
        value: shown,
        count: value.count,
        children: value
            .children
            .into_iter()
            .map(|child| label_value(kind, child, labels))
            .collect(),
    }
}
