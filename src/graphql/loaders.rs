//! DataLoaders for every relation, created per request so their batches (and the SQL statement
//! counter, when enabled) belong to that request. Each wraps one function of `service::batch`.

use std::collections::HashMap;

use async_graphql::dataloader::{DataLoader, Loader};
use sea_orm::DatabaseConnection;

use crate::entity::{
    city, commitment, evaluation, membership, organisation, practice, practice_translation, region,
};
use crate::error::AppError;
use crate::service::batch::{self, FundingLinks};
use crate::service::themes::Theme;

macro_rules! loader {
    ($name:ident, $value:ty, $function:path) => {
        pub struct $name(DatabaseConnection);

        impl Loader<i32> for $name {
            type Value = $value;
            type Error = AppError;

            async fn load(&self, keys: &[i32]) -> Result<HashMap<i32, Self::Value>, Self::Error> {
                Ok($function(&self.0, keys).await?)
            }
        }
    };
}

loader!(PracticeCities, Vec<city::Model>, batch::practice_cities);
loader!(PracticeThemes, Vec<Theme>, batch::practice_themes);
loader!(PracticeSdgs, Vec<i32>, batch::practice_sdgs);
loader!(
    PracticeTranslations,
    Vec<practice_translation::Model>,
    batch::practice_translations
);
loader!(
    PracticeEvaluations,
    Vec<evaluation::Model>,
    batch::practice_evaluations
);
loader!(Regions, region::Model, batch::regions);
loader!(Organisations, organisation::Model, batch::organisations);
loader!(Cities, city::Model, batch::cities);
loader!(
    CityMemberships,
    Vec<membership::Model>,
    batch::city_memberships
);
loader!(
    OrganisationMembers,
    Vec<membership::Model>,
    batch::organisation_members
);
loader!(
    CityCommitments,
    Vec<commitment::Model>,
    batch::city_commitments
);
loader!(CityPracticeIds, Vec<i32>, batch::city_practice_ids);
loader!(FundingLinksLoader, FundingLinks, batch::funding_links);

pub struct Practices(DatabaseConnection);

impl Loader<i32> for Practices {
    type Value = practice::Model;
    type Error = AppError;

    async fn load(&self, keys: &[i32]) -> Result<HashMap<i32, Self::Value>, Self::Error> {
        let rows = crate::service::practices::by_ids(&self.0, keys).await?;
        Ok(rows.into_iter().map(|row| (row.id, row)).collect())
    }
}

/// Subtree counts keyed by materialized path (themes and regions).
pub struct ThemePracticeCounts(DatabaseConnection);
pub struct RegionCityCounts(DatabaseConnection);
pub struct RegionPracticeCounts(DatabaseConnection);

macro_rules! count_loader {
    ($name:ident, $function:path) => {
        impl Loader<String> for $name {
            type Value = i64;
            type Error = AppError;

            async fn load(&self, keys: &[String]) -> Result<HashMap<String, i64>, Self::Error> {
                Ok($function(&self.0, keys).await?)
            }
        }
    };
}

count_loader!(
    ThemePracticeCounts,
    crate::service::counts::practices_per_theme
);
count_loader!(RegionCityCounts, crate::service::counts::cities_per_region);
count_loader!(
    RegionPracticeCounts,
    crate::service::counts::practices_per_region
);

/// A batch the loaders hand to their spawner; see [`Loaders::new`].
pub type BatchFuture = std::pin::Pin<Box<dyn std::future::Future<Output = ()> + Send + 'static>>;

/// All loaders of one request.
pub struct Loaders {
    pub practice_cities: DataLoader<PracticeCities>,
    pub practice_themes: DataLoader<PracticeThemes>,
    pub practice_sdgs: DataLoader<PracticeSdgs>,
    pub practice_translations: DataLoader<PracticeTranslations>,
    pub practice_evaluations: DataLoader<PracticeEvaluations>,
    pub practices: DataLoader<Practices>,
    pub regions: DataLoader<Regions>,
    pub organisations: DataLoader<Organisations>,
    pub cities: DataLoader<Cities>,
    pub city_memberships: DataLoader<CityMemberships>,
    pub organisation_members: DataLoader<OrganisationMembers>,
    pub city_commitments: DataLoader<CityCommitments>,
    pub city_practice_ids: DataLoader<CityPracticeIds>,
    pub funding_links: DataLoader<FundingLinksLoader>,
    pub theme_practice_counts: DataLoader<ThemePracticeCounts>,
    pub region_city_counts: DataLoader<RegionCityCounts>,
    pub region_practice_counts: DataLoader<RegionPracticeCounts>,
    theme_tree: tokio::sync::OnceCell<std::sync::Arc<Vec<Theme>>>,
}

impl Loaders {
    /// `spawn` runs each batch; the request passes one that keeps its SQL statement counter in scope.
    pub fn new<S>(db: &DatabaseConnection, spawn: S) -> Self
    where
        S: Fn(BatchFuture) + Send + Sync + Clone + 'static,
    {
        macro_rules! make {
            ($loader:ident) => {{
                let spawn = spawn.clone();
                DataLoader::new($loader(db.clone()), move |future| spawn(future))
            }};
        }
        Self {
            practice_cities: make!(PracticeCities),
            practice_themes: make!(PracticeThemes),
            practice_sdgs: make!(PracticeSdgs),
            practice_translations: make!(PracticeTranslations),
            practice_evaluations: make!(PracticeEvaluations),
            practices: make!(Practices),
            regions: make!(Regions),
            organisations: make!(Organisations),
            cities: make!(Cities),
            city_memberships: make!(CityMemberships),
            organisation_members: make!(OrganisationMembers),
            city_commitments: make!(CityCommitments),
            city_practice_ids: make!(CityPracticeIds),
            funding_links: make!(FundingLinksLoader),
            theme_practice_counts: make!(ThemePracticeCounts),
            region_city_counts: make!(RegionCityCounts),
            region_practice_counts: make!(RegionPracticeCounts),
            theme_tree: tokio::sync::OnceCell::new(),
        }
    }

    /// Every theme with labels, read once per request (the tree is small and every theme
    /// field — parent, children, ancestors — is answered from it without further queries).
    pub async fn all_themes(
        &self,
        db: &DatabaseConnection,
    ) -> Result<std::sync::Arc<Vec<Theme>>, AppError> {
        let themes = self
            .theme_tree
            .get_or_try_init(|| async {
                crate::service::themes::all(db)
                    .await
                    .map(std::sync::Arc::new)
            })
            .await?;
        Ok(themes.clone())
    }
}
