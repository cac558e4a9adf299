//! Cities: `cities(filter:)`, `city(id:|slug:)` and the `City` type with its memberships,
//! commitments and practices.

use async_graphql::{ComplexObject, Context, ID, Object, SimpleObject};

use crate::domain::{CommitmentCriterion, MembershipRole, TargetSector, TargetStatus};
use crate::entity::{city, commitment, membership};
use crate::error::AppResult;
use crate::graphql::ids::{GlobalId, RecordKind};
use crate::graphql::scalars::Date;
use crate::graphql::types::organisation::Organisation;
use crate::graphql::types::pagination::PageInfo;
use crate::graphql::types::partnership::{PartnershipConnection, Total};
use crate::graphql::types::practice_connection::PracticeConnection;
use crate::graphql::types::region::Region;
use crate::service;

/// A page of cities.
#[derive(SimpleObject)]
#[graphql(complex)]
pub struct CityConnection {
    /// The cities on this page with their cursors, in name order.
    pub edges: Vec<CityEdge>,
    /// Cursors and whether more pages exist either way.
    pub page_info: PageInfo,
    #[graphql(skip)]
    pub total: Total<service::cities::CityFilter>,
}

impl CityConnection {
    pub fn new(
        page: service::paging::Page<city::Model>,
        total: Total<service::cities::CityFilter>,
    ) -> Self {
        Self {
            page_info: PageInfo::of(&page),
            edges: page
                .items
                .into_iter()
                .map(|(cursor, row)| CityEdge {
                    cursor: cursor.encode(),
                    node: City(row),
                })
                .collect(),
            total,
        }
    }
}

#[ComplexObject]
impl CityConnection {
    /// The cities on this page.
    async fn nodes(&self) -> Vec<City> {
        self.edges.iter().map(|edge| edge.node.clone()).collect()
    }

    /// How many cities match, across all pages.
    async fn total_count(&self, ctx: &Context<'_>) -> AppResult<u64> {
        Ok(match &self.total {
            Total::Known(count) => *count,
            Total::Filter(filter) => {
                service::cities::count(crate::graphql::db(ctx), filter).await?
            }
        })
    }
}

/// A page of a network's memberships.
#[derive(SimpleObject)]
#[graphql(complex)]
pub struct MembershipConnection {
    /// The memberships on this page with their cursors, in the order kxc recorded them.
    pub edges: Vec<MembershipEdge>,
    /// Cursors and whether more pages exist either way.
    pub page_info: PageInfo,
    #[graphql(skip)]
    pub total: u64,
}

#[ComplexObject]
impl MembershipConnection {
    /// The memberships on this page.
    async fn nodes(&self) -> Vec<Membership> {
        self.edges.iter().map(|edge| edge.node.clone()).collect()
    }

    /// How many memberships the network has, across all pages.
    async fn total_count(&self) -> u64 {
        self.total
    }
}

/// A membership and its cursor.
#[derive(SimpleObject)]
pub struct MembershipEdge {
    /// Opaque cursor of this membership; pass it as `after` or `before` to page from here.
    pub cursor: String,
    /// The membership.
    pub node: Membership,
}

impl MembershipConnection {
    /// A page of `rows` (every membership of one network, loaded in one batch for all
    /// networks asked for), in id order.
    pub fn page(rows: Vec<membership::Model>, request: &service::paging::PageRequest) -> Self {
        let total = rows.len() as u64;
        let page = service::paging::page_in_memory(rows, request, |row| (String::new(), row.id));
        Self {
            page_info: PageInfo::of(&page),
            edges: page
                .items
                .into_iter()
                .map(|(cursor, row)| MembershipEdge {
                    cursor: cursor.encode(),
                    node: Membership(row),
                })
                .collect(),
            total,
        }
    }
}

/// A city and its cursor.
#[derive(SimpleObject)]
pub struct CityEdge {
    /// Opaque cursor of this city; pass it as `after` or `before` to page from here.
    pub cursor: String,
    /// The city.
    pub node: City,
}

/// A city with its location and climate targets.
#[derive(Clone)]
pub struct City(pub city::Model);

/// A city's public climate targets.
#[derive(SimpleObject)]
pub struct ClimateTargets {
    /// The year emissions are measured against (e.g. 1990); null when not recorded.
    pub base_year: Option<i32>,
    /// The year by which `reductionPercent` is to be reached; null when not recorded.
    pub target_year: Option<i32>,
    /// Emission reduction by `targetYear` against `baseYear`, in percent.
    pub reduction_percent: Option<f64>,
    /// The year the city aims to reach net-zero (climate-neutral) emissions; null when it
    /// has set none.
    pub net_zero_year: Option<i32>,
    /// How firmly the target is set; null when not recorded.
    pub status: Option<TargetStatus>,
    /// The sectors the targets cover; empty when not recorded.
    pub sectors: Vec<TargetSector>,
}

impl ClimateTargets {
    /// The targets stored on a city row.
    pub fn of(row: &city::Model) -> AppResult<Self> {
        Ok(ClimateTargets {
            base_year: row.target_base_year,
            target_year: row.target_year,
            reduction_percent: row.target_reduction_pct,
            net_zero_year: row.net_zero_year,
            status: row
                .target_status
                .as_deref()
                .map(|status| {
                    super::stored(status, TargetStatus::from_stored, "city.target_status")
                })
                .transpose()?,
            sectors: service::cities::update::stored_targets(row).sectors,
        })
    }
}

/// A name of the city in one language.
#[derive(SimpleObject)]
pub struct LocalName {
    /// ISO 639-1 code.
    pub language: String,
    /// The city's name in that language, e.g. "København".
    pub name: String,
}

/// A city's membership of a network.
#[derive(Clone)]
pub struct Membership(pub membership::Model);

/// A city's membership of a network.
#[Object]
impl Membership {
    /// The network or initiative; null only if it has been removed.
    async fn network(&self, ctx: &Context<'_>) -> AppResult<Option<Organisation>> {
        Ok(crate::graphql::loaders(ctx)
            .organisations
            .load_one(self.0.organisation_id)
            .await?
            .map(Organisation))
    }

    /// The member city; null only if it has been removed.
    async fn city(&self, ctx: &Context<'_>) -> AppResult<Option<City>> {
        Ok(crate::graphql::loaders(ctx)
            .cities
            .load_one(self.0.city_id)
            .await?
            .map(City))
    }

    /// The year the city joined, when known.
    async fn since(&self) -> Option<i32> {
        self.0.since_year
    }

    /// The city's standing in the network.
    async fn role(&self) -> AppResult<MembershipRole> {
        super::stored(&self.0.role, MembershipRole::from_stored, "membership.role")
    }
}

/// A city's commitment to an initiative (UN Race to Zero, Covenant of Mayors, EU Cities Mission).
pub struct Commitment(pub commitment::Model);

/// A city's commitment to an initiative (UN Race to Zero, Covenant of Mayors, EU Cities Mission).
#[Object]
impl Commitment {
    /// The initiative committed to; null only if it has been removed.
    async fn initiative(&self, ctx: &Context<'_>) -> AppResult<Option<Organisation>> {
        Ok(crate::graphql::loaders(ctx)
            .organisations
            .load_one(self.0.organisation_id)
            .await?
            .map(Organisation))
    }

    /// The day the city joined, when known.
    async fn joined_on(&self) -> Option<Date> {
        self.0.joined_on.map(Date::from)
    }

    /// The initiative's criteria the city has met (UN Race to Zero's pledge, plan, proceed,
    /// publish, persuade); empty when none is recorded.
    async fn criteria_met(&self) -> AppResult<Vec<CommitmentCriterion>> {
        let stored: Vec<String> =
            serde_json::from_value(self.0.criteria_met.clone()).unwrap_or_default();
        stored
            .iter()
            .map(|criterion| {
                super::stored(
                    criterion,
                    CommitmentCriterion::from_stored,
                    "commitment.criteria_met",
                )
            })
            .collect()
    }

    /// Where the commitment is documented (a URL or a reference), when recorded.
    async fn evidence(&self) -> Option<&str> {
        self.0.evidence.as_deref()
    }

    /// Where the city reports progress, e.g. "CDP-ICLEI Track".
    async fn reporting_platform(&self) -> Option<&str> {
        self.0.reporting_platform.as_deref()
    }

    /// The day the city last reported through `reportingPlatform`, when recorded.
    async fn last_reported_on(&self) -> Option<Date> {
        self.0.last_reported_on.map(Date::from)
    }

    /// Every public criterion of the initiative (`initiatives` lists them), derived today
    /// from the city's targets, published practices, reports and this commitment's record,
    /// with the evidence; empty when kxc holds no criteria for the initiative.
    async fn criteria(
        &self,
        ctx: &Context<'_>,
    ) -> AppResult<Vec<super::initiative::CriterionAssessment>> {
        super::initiative::assess(ctx, &self.0).await
    }

    /// The organisation that reports on the city's behalf (e.g. the county for its
    /// municipalities); null when the city reports itself or it is not recorded.
    async fn reporting_organisation(&self, ctx: &Context<'_>) -> AppResult<Option<Organisation>> {
        let Some(id) = self.0.reporting_organisation_id else {
            return Ok(None);
        };
        Ok(crate::graphql::loaders(ctx)
            .organisations
            .load_one(id)
            .await?
            .map(Organisation))
    }
}

/// A city with its location, population, climate targets, networks and practices.
#[Object]
impl City {
    /// Opaque global ID.
    pub async fn id(&self) -> ID {
        GlobalId::new(RecordKind::City, self.0.id).encode()
    }

    /// Stable lower-case identifier used in URLs and filters, such as `oslo`.
    async fn slug(&self) -> &str {
        &self.0.slug
    }

    /// English name.
    async fn name(&self) -> &str {
        &self.0.name
    }

    /// The version of the city's profile, bumped by every change to it (its fields, targets,
    /// memberships and commitments); pass it as `expectedVersion` to those mutations.
    async fn version(&self) -> i32 {
        self.0.version
    }

    /// Names in local languages.
    async fn local_names(&self) -> Vec<LocalName> {
        let names: std::collections::BTreeMap<String, String> =
            serde_json::from_value(self.0.local_names.clone()).unwrap_or_default();
        names
            .into_iter()
            .map(|(language, name)| LocalName { language, name })
            .collect()
    }

    /// ISO 3166-1 alpha-2 code of the city's country.
    async fn country_code(&self) -> &str {
        &self.0.country_code
    }

    /// The most specific region the city lies in (a subdivision, or its country).
    async fn region(&self, ctx: &Context<'_>) -> AppResult<Option<Region>> {
        Ok(crate::graphql::loaders(ctx)
            .regions
            .load_one(self.0.region_id)
            .await?
            .map(Region))
    }

    /// Latitude of the city centre in WGS84 degrees (-90..90, north positive).
    async fn latitude(&self) -> f64 {
        self.0.lat
    }

    /// Longitude of the city centre in WGS84 degrees (-180..180, east positive).
    async fn longitude(&self) -> f64 {
        self.0.lon
    }

    /// Population of the city (municipality) in persons, counted in `populationYear`; null
    /// when unknown.
    async fn population(&self) -> Option<i64> {
        self.0.population
    }

    /// The year `population` was counted.
    async fn population_year(&self) -> Option<i32> {
        self.0.population_year
    }

    /// The city's public climate targets; every field is null when none is recorded.
    async fn targets(&self) -> AppResult<ClimateTargets> {
        ClimateTargets::of(&self.0)
    }

    /// Networks the city belongs to.
    async fn memberships(&self, ctx: &Context<'_>) -> AppResult<Vec<Membership>> {
        let rows = crate::graphql::loaders(ctx)
            .city_memberships
            .load_one(self.0.id)
            .await?
            .unwrap_or_default();
        Ok(rows.into_iter().map(Membership).collect())
    }

    /// Initiatives the city has committed to.
    async fn commitments(&self, ctx: &Context<'_>) -> AppResult<Vec<Commitment>> {
        let rows = crate::graphql::loaders(ctx)
            .city_commitments
            .load_one(self.0.id)
            .await?
            .unwrap_or_default();
        Ok(rows.into_iter().map(Commitment).collect())
    }

    /// Partnerships the city takes part in, by name. `first` or `last` (1..100) is required.
    #[graphql(
        complexity = "crate::graphql::exec::limits::connection_complexity(first, last, child_complexity)"
    )]
    async fn partnerships(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Page forwards: at most this many partnerships (1..100) after `after`.")]
        first: Option<i32>,
        #[graphql(desc = "Cursor (an edge's `cursor` or `pageInfo.endCursor`) to start after.")]
        after: Option<String>,
        #[graphql(
            desc = "Page backwards: at most this many partnerships (1..100) before `before`."
        )]
        last: Option<i32>,
        #[graphql(desc = "Cursor (an edge's `cursor` or `pageInfo.startCursor`) to end before.")]
        before: Option<String>,
    ) -> AppResult<PartnershipConnection> {
        let request = crate::graphql::types::pagination::request(first, after, last, before)?;
        let rows = crate::graphql::loaders(ctx)
            .city_partnerships
            .load_one(self.0.id)
            .await?
            .unwrap_or_default();
        let total = rows.len() as u64;
        let page =
            service::paging::page_in_memory(rows, &request, |row| (row.name.clone(), row.id));
        Ok(PartnershipConnection::new(page, Total::Known(total)))
    }

    /// The city's practices the viewer may see (as `practices(filter: {cities: [slug]})` lists
    /// them: keyset pages, newest published first unless `orderBy` says otherwise). `first` or
    /// `last` (1..100) is required.
    #[graphql(
        complexity = "crate::graphql::exec::limits::connection_complexity(first, last, child_complexity)"
    )]
    #[allow(clippy::too_many_arguments)]
    async fn practices(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The order; null for newest published first (PUBLISHED_AT DESC).")]
        order_by: Option<crate::graphql::inputs::PracticeOrder>,
        #[graphql(desc = "Page forwards: at most this many practices (1..100) after `after`.")]
        first: Option<i32>,
        #[graphql(desc = "Cursor (an edge's `cursor` or `pageInfo.endCursor`) to start after.")]
        after: Option<String>,
        #[graphql(desc = "Page backwards: at most this many practices (1..100) before `before`.")]
        last: Option<i32>,
        #[graphql(desc = "Cursor (an edge's `cursor` or `pageInfo.startCursor`) to end before.")]
        before: Option<String>,
        #[graphql(desc = "ISO 639-1 language to answer in, falling back to the original")]
        lang: Option<String>,
    ) -> AppResult<PracticeConnection> {
        let filter =
            service::practice_query::PracticeFilter {
                cities: vec![crate::domain::Slug::parse(&self.0.slug).map_err(|message| {
                    crate::error::AppError::internal(anyhow::anyhow!(message))
                })?],
                ..Default::default()
            };
        PracticeConnection::list(ctx, filter, order_by, (first, after, last, before), lang).await
    }
}
