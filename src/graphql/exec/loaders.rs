//! DataLoaders for every relation, created per request so their batches (and the SQL statement
//! counter, when enabled) belong to that request. Each wraps one function of `service::batch`;
//! those that read practices carry the request's viewer, so a relation shows exactly the
//! practices `practice`, `practices` and `node` show that viewer.

use std::collections::HashMap;

use async_graphql::dataloader::{DataLoader, Loader};
use sea_orm::DatabaseConnection;

use crate::domain::Viewer;
use crate::entity::{
    campaign, city, commitment, evaluation, membership, organisation, partnership,
    partnership_city, practice, practice_translation, region,
};
use crate::error::AppError;
use crate::service::batch::{self, FundingLinks};
use crate::service::reference::RequestReference;
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
loader!(
    CityLatestPublishedPractice,
    i32,
    crate::service::commitments::latest_published_practices
);
loader!(FundingLinksLoader, FundingLinks, batch::funding_links);
loader!(
    PartnershipParticipants,
    Vec<partnership_city::Model>,
    crate::service::partnerships::participants
);
loader!(
    PartnershipThemes,
    Vec<i32>,
    crate::service::partnerships::theme_ids
);
loader!(EventThemes, Vec<i32>, crate::service::events::theme_ids);
loader!(
    Campaigns,
    campaign::Model,
    crate::service::campaigns::by_ids
);
loader!(
    CityPartnerships,
    Vec<partnership::Model>,
    crate::service::partnerships::of_cities
);

/// Like `loader!`, for a batch function that also takes the request's viewer.
macro_rules! viewer_loader {
    ($name:ident, $value:ty, $function:path) => {
        pub struct $name(DatabaseConnection, Viewer);

        impl Loader<i32> for $name {
            type Value = $value;
            type Error = AppError;

            async fn load(&self, keys: &[i32]) -> Result<HashMap<i32, Self::Value>, Self::Error> {
                Ok($function(&self.0, &self.1, keys).await?)
            }
        }
    };
}

viewer_loader!(CityPracticeIds, Vec<i32>, batch::city_practice_ids);
viewer_loader!(
    PracticeReplications,
    Vec<practice::Model>,
    batch::practice_replications
);
loader!(RegionChildren, Vec<region::Model>, batch::region_children);

/// Themes of practices, labelled from the request's reference snapshot.
pub struct PracticeThemes(DatabaseConnection, RequestReference);

impl Loader<i32> for PracticeThemes {
    type Value = Vec<Theme>;
    type Error = AppError;

    async fn load(&self, keys: &[i32]) -> Result<HashMap<i32, Self::Value>, Self::Error> {
        let reference = self.1.get().await?;
        Ok(batch::practice_themes(&self.0, &reference, keys).await?)
    }
}

pub struct Practices(DatabaseConnection, Viewer);

impl Loader<i32> for Practices {
    type Value = practice::Model;
    type Error = AppError;

    async fn load(&self, keys: &[i32]) -> Result<HashMap<i32, Self::Value>, Self::Error> {
        let rows = crate::service::practices::by_ids(&self.0, &self.1, keys).await?;
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

pub struct RegionsByCode(DatabaseConnection);

impl Loader<String> for RegionsByCode {
    type Value = region::Model;
    type Error = AppError;

    async fn load(&self, keys: &[String]) -> Result<HashMap<String, region::Model>, Self::Error> {
        Ok(batch::regions_by_code(&self.0, keys).await?)
    }
}

pub struct CitiesWithin(DatabaseConnection);

impl Loader<String> for CitiesWithin {
    type Value = Vec<city::Model>;
    type Error = AppError;

    async fn load(
        &self,
        keys: &[String],
    ) -> Result<HashMap<String, Vec<city::Model>>, Self::Error> {
        Ok(batch::cities_within(&self.0, keys).await?)
    }
}

/// A batch the loaders hand to their spawner; see [`Loaders::new`].
pub type BatchFuture = std::pin::Pin<Box<dyn std::future::Future<Output = ()> + Send + 'static>>;

/// Batches waiting to start.
#[derive(Clone, Default)]
pub struct BatchQueue(std::sync::Arc<std::sync::Mutex<Vec<BatchFuture>>>);

impl BatchQueue {
    fn push(&self, batch: BatchFuture) {
        self.0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .push(batch);
    }

    fn drain(&self) -> Vec<BatchFuture> {
        std::mem::take(
            &mut *self
                .0
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner),
        )
    }
}

/// Polls a GraphQL execution and, each time it stops to wait, starts the queued batches.
/// When execution returns `Pending` without having woken itself (list resolution yields every
/// few dozen items to stay cooperative, which is not a real wait), every resolver that could run
/// has registered its keys, so each loader runs one batch per level of the query whatever the
/// CPU speed. Batches run as tasks that keep the request's SQL statement counter in scope.
pub struct FlushOnPending<F> {
    inner: std::pin::Pin<Box<F>>,
    queue: BatchQueue,
    counter: std::sync::Arc<std::sync::atomic::AtomicU64>,
}

impl<F> FlushOnPending<F> {
    pub fn new(
        inner: F,
        queue: BatchQueue,
        counter: std::sync::Arc<std::sync::atomic::AtomicU64>,
    ) -> Self {
        Self {
            inner: Box::pin(inner),
            queue,
            counter,
        }
    }
}

/// Forwards wake-ups and remembers that one happened.
struct WakeFlag {
    inner: std::task::Waker,
    woken: std::sync::atomic::AtomicBool,
}

impl std::task::Wake for WakeFlag {
    fn wake(self: std::sync::Arc<Self>) {
        self.wake_by_ref();
    }

    fn wake_by_ref(self: &std::sync::Arc<Self>) {
        self.woken.store(true, std::sync::atomic::Ordering::SeqCst);
        self.inner.wake_by_ref();
    }
}

impl<F: std::future::Future> std::future::Future for FlushOnPending<F> {
    type Output = F::Output;

    fn poll(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<F::Output> {
        let flag = std::sync::Arc::new(WakeFlag {
            inner: cx.waker().clone(),
            woken: false.into(),
        });
        let waker = std::task::Waker::from(flag.clone());
        let result = self
            .inner
            .as_mut()
            .poll(&mut std::task::Context::from_waker(&waker));
        if result.is_pending() && !flag.woken.load(std::sync::atomic::Ordering::SeqCst) {
            for batch in self.queue.drain() {
                tokio::spawn(crate::db::STATEMENT_COUNTER.scope(self.counter.clone(), batch));
            }
        }
        result
    }
}

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
    pub city_latest_published_practice: DataLoader<CityLatestPublishedPractice>,
    pub funding_links: DataLoader<FundingLinksLoader>,
    pub theme_practice_counts: DataLoader<ThemePracticeCounts>,
    pub region_city_counts: DataLoader<RegionCityCounts>,
    pub region_practice_counts: DataLoader<RegionPracticeCounts>,
    pub practice_replications: DataLoader<PracticeReplications>,
    pub region_children: DataLoader<RegionChildren>,
    pub regions_by_code: DataLoader<RegionsByCode>,
    pub cities_within: DataLoader<CitiesWithin>,
    pub partnership_participants: DataLoader<PartnershipParticipants>,
    pub partnership_themes: DataLoader<PartnershipThemes>,
    pub city_partnerships: DataLoader<CityPartnerships>,
    pub event_themes: DataLoader<EventThemes>,
    pub campaigns: DataLoader<Campaigns>,
    reference: RequestReference,
}

impl Loaders {
    /// Batches are queued on `queue` and started by [`FlushOnPending`] once the request has
    /// registered every key it can (no timing window, so batching does not depend on CPU speed).
    pub fn new(
        db: &DatabaseConnection,
        viewer: &Viewer,
        reference: RequestReference,
        queue: BatchQueue,
    ) -> Self {
        macro_rules! make {
            ($loader:ident) => {{
                let queue = queue.clone();
                DataLoader::new($loader(db.clone()), move |future| queue.push(future))
                    .delay(std::time::Duration::ZERO)
            }};
            ($loader:ident, viewer) => {{
                let queue = queue.clone();
                DataLoader::new($loader(db.clone(), viewer.clone()), move |future| {
                    queue.push(future)
                })
                .delay(std::time::Duration::ZERO)
            }};
            ($loader:ident, reference) => {{
                let queue = queue.clone();
                DataLoader::new($loader(db.clone(), reference.clone()), move |future| {
                    queue.push(future)
                })
                .delay(std::time::Duration::ZERO)
            }};
        }
        Self {
            practice_cities: make!(PracticeCities),
            practice_themes: make!(PracticeThemes, reference),
            practice_sdgs: make!(PracticeSdgs),
            practice_translations: make!(PracticeTranslations),
            practice_evaluations: make!(PracticeEvaluations),
            practices: make!(Practices, viewer),
            regions: make!(Regions),
            organisations: make!(Organisations),
            cities: make!(Cities),
            city_memberships: make!(CityMemberships),
            organisation_members: make!(OrganisationMembers),
            city_commitments: make!(CityCommitments),
            city_practice_ids: make!(CityPracticeIds, viewer),
            city_latest_published_practice: make!(CityLatestPublishedPractice),
            funding_links: make!(FundingLinksLoader),
            theme_practice_counts: make!(ThemePracticeCounts),
            region_city_counts: make!(RegionCityCounts),
            region_practice_counts: make!(RegionPracticeCounts),
            practice_replications: make!(PracticeReplications, viewer),
            region_children: make!(RegionChildren),
            regions_by_code: make!(RegionsByCode),
            cities_within: make!(CitiesWithin),
            partnership_participants: make!(PartnershipParticipants),
            partnership_themes: make!(PartnershipThemes),
            city_partnerships: make!(CityPartnerships),
            event_themes: make!(EventThemes),
            campaigns: make!(Campaigns),
            reference,
        }
    }

    /// The request's reference data: the theme tree with labels and the regions, as of the
    /// `change_log` tail the request reads (`service::reference`).
    pub async fn reference(
        &self,
    ) -> Result<std::sync::Arc<crate::service::reference::Reference>, AppError> {
        Ok(self.reference.get().await?)
    }

    /// Every theme with labels (the tree is small and every theme field — parent, children,
    /// ancestors — is answered from it without further queries).
    pub async fn all_themes(&self) -> Result<std::sync::Arc<Vec<Theme>>, AppError> {
        Ok(self.reference().await?.themes().clone())
    }
}
