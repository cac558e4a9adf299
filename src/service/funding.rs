//! Reading live funding opportunities (not tombstoned), with filters and keyset pages.

use chrono::NaiveDate;
use sea_orm::sea_query::{Condition, Expr, ExprTrait, Query};
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, Order, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect, Select,
};

use super::ServiceError;
use super::paging::{Cursor, Page, PageRequest, keyset_condition};
use super::practice_query::Range;
use super::records::{ApplicantKind, Direction, FieldError, Instrument, ProviderLevel};
use super::reference::Reference;
use crate::domain::{Currency, Slug, ThemePath};
use crate::entity::{
    city, funding_applicant, funding_deadline, funding_opportunity, funding_region, funding_theme,
    region, theme,
};

#[derive(Clone, Debug, Default)]
pub struct FundingFilter {
    pub instruments: Vec<Instrument>,
    pub provider_levels: Vec<ProviderLevel>,
    pub directions: Vec<Direction>,
    /// Opportunities open to this region: those listing it or any region containing it, and
    /// those that list no region at all (no restriction).
    pub eligible_region: Option<String>,
    /// As `eligible_region`, for the region of this city.
    pub eligible_city: Option<Slug>,
    pub applicant_kinds: Vec<ApplicantKind>,
    pub themes: Vec<ThemePath>,
    /// Accepting applications on this day.
    pub open_at: Option<NaiveDate>,
    pub deadline_between: Option<(NaiveDate, NaiveDate)>,
    pub amount: Option<(Range, Currency)>,
    pub sources: Vec<Slug>,
}

pub fn live() -> Select<funding_opportunity::Entity> {
    funding_opportunity::Entity::find().filter(funding_opportunity::Column::DeletedAt.is_null())
}

fn id_col() -> Expr {
    Expr::col((funding_opportunity::Entity, funding_opportunity::Column::Id))
}

fn ids_in<E: EntityTrait>(
    entity: E,
    column: impl sea_orm::sea_query::IntoColumnRef,
    condition: Condition,
) -> sea_orm::sea_query::SelectStatement {
    Query::select()
        .column(column)
        .from(entity)
        .cond_where(condition)
        .to_owned()
}

impl FundingFilter {
    /// The SQL condition; theme paths and region codes resolve through `reference`, an
    /// eligible city through `db`.
    pub async fn condition(
        &self,
        db: &impl ConnectionTrait,
        reference: &Reference,
    ) -> Result<Condition, ServiceError> {
        let mut errors = Vec::new();
        let mut condition = Condition::all();
        if !self.instruments.is_empty() {
            condition = condition.add(
                funding_opportunity::Column::Instrument
                    .is_in(self.instruments.iter().map(|value| value.as_str())),
            );
        }
        if !self.provider_levels.is_empty() {
            condition = condition.add(
                funding_opportunity::Column::ProviderLevel
                    .is_in(self.provider_levels.iter().map(|value| value.as_str())),
            );
        }
        if !self.directions.is_empty() {
            condition = condition.add(
                funding_opportunity::Column::Direction
                    .is_in(self.directions.iter().map(|value| value.as_str())),
            );
        }
        if !self.sources.is_empty() {
            condition = condition.add(
                funding_opportunity::Column::Source.is_in(self.sources.iter().map(Slug::as_str)),
            );
        }
        let mut eligible_paths = Vec::new();
        if let Some(code) = &self.eligible_region {
            let before = errors.len();
            eligible_paths.extend(reference.region_paths(
                &[code.as_str()],
                "eligibleRegion",
                &mut errors,
            ));
            super::lookup::as_single_field(&mut errors, before, "eligibleRegion");
        }
        if let Some(slug) = &self.eligible_city {
            let found = city::Entity::find()
                .filter(city::Column::Slug.eq(slug.as_str()))
                .find_also_related(region::Entity)
                .one(db)
                .await?;
            match found {
                Some((_, Some(region))) => eligible_paths.push(region.path),
                _ => errors.push(FieldError::new(
                    "eligibleCity",
                    format!("unknown city `{slug}`"),
                )),
            }
        }
        for path in eligible_paths {
            // The region itself and every ancestor: `001/150/154/NO/NO-03/` yields 001, 150, 154, NO, NO-03.
            let codes: Vec<String> = path
                .split('/')
                .filter(|code| !code.is_empty())
                .map(str::to_owned)
                .collect();
            let listed = Query::select()
                .column((funding_region::Entity, funding_region::Column::FundingId))
                .from(funding_region::Entity)
                .inner_join(
                    region::Entity,
                    Expr::col((region::Entity, region::Column::Id))
                        .equals((funding_region::Entity, funding_region::Column::RegionId)),
                )
                .and_where(Expr::col((region::Entity, region::Column::Code)).is_in(codes))
                .to_owned();
            let restricted = Query::select()
                .column(funding_region::Column::FundingId)
                .from(funding_region::Entity)
                .to_owned();
            condition = condition.add(
                Condition::any()
                    .add(id_col().in_subquery(listed))
                    .add(id_col().not_in_subquery(restricted)),
            );
        }
        if !self.applicant_kinds.is_empty() {
            let kinds: Vec<&str> = self
                .applicant_kinds
                .iter()
                .map(|kind| kind.as_str())
                .collect();
            condition = condition.add(
                id_col().in_subquery(ids_in(
                    funding_applicant::Entity,
                    funding_applicant::Column::FundingId,
                    Condition::all()
                        .add(Expr::col(funding_applicant::Column::ApplicantKind).is_in(kinds)),
                )),
            );
        }
        if !self.themes.is_empty() {
            let paths: Vec<&str> = self.themes.iter().map(ThemePath::as_str).collect();
            reference.theme_ids(&paths, "themes", &mut errors);
            let any = super::chunked::any_of(
                paths
                    .iter()
                    .flat_map(|path| {
                        [
                            Expr::col((theme::Entity, theme::Column::Path)).eq(*path),
                            Expr::col((theme::Entity, theme::Column::Path))
                                .like(format!("{path}/%")),
                        ]
                    })
                    .collect(),
            );
            let tagged = Query::select()
                .column((funding_theme::Entity, funding_theme::Column::FundingId))
                .from(funding_theme::Entity)
                .inner_join(
                    theme::Entity,
                    Expr::col((theme::Entity, theme::Column::Id))
                        .equals((funding_theme::Entity, funding_theme::Column::ThemeId)),
                )
                .cond_where(any)
                .to_owned();
            condition = condition.add(id_col().in_subquery(tagged));
        }
        if let Some(day) = self.open_at {
            let deadline_on_or_after = ids_in(
                funding_deadline::Entity,
                funding_deadline::Column::FundingId,
                Condition::all().add(Expr::col(funding_deadline::Column::Deadline).gte(day)),
            );
            let any_deadline = Query::select()
                .column(funding_deadline::Column::FundingId)
                .from(funding_deadline::Entity)
                .to_owned();
            condition = condition
                .add(
                    Condition::any()
                        .add(funding_opportunity::Column::OpensAt.is_null())
                        .add(funding_opportunity::Column::OpensAt.lte(day)),
                )
                .add(
                    Condition::any()
                        .add(funding_opportunity::Column::Rolling.eq(true))
                        .add(id_col().in_subquery(deadline_on_or_after))
                        .add(id_col().not_in_subquery(any_deadline)),
                );
        }
        if let Some((from, to)) = self.deadline_between {
            condition = condition.add(
                id_col().in_subquery(ids_in(
                    funding_deadline::Entity,
                    funding_deadline::Column::FundingId,
                    Condition::all()
                        .add(Expr::col(funding_deadline::Column::Deadline).gte(from))
                        .add(Expr::col(funding_deadline::Column::Deadline).lte(to)),
                )),
            );
        }
        if let Some((range, currency)) = &self.amount {
            // Overlap of the offered [amount_min, amount_max] with the wanted range.
            condition = condition.add(funding_opportunity::Column::Currency.eq(currency.as_str()));
            if let Some(min) = range.min {
                condition = condition.add(
                    Condition::any()
                        .add(funding_opportunity::Column::AmountMax.is_null())
                        .add(funding_opportunity::Column::AmountMax.gte(min)),
                );
            }
            if let Some(max) = range.max {
                condition = condition.add(
                    Condition::any()
                        .add(funding_opportunity::Column::AmountMin.is_null())
                        .add(funding_opportunity::Column::AmountMin.lte(max)),
                );
            }
        }
        if errors.is_empty() {
            Ok(condition)
        } else {
            Err(ServiceError::Invalid(
                errors
                    .into_iter()
                    .map(|error| error.under("filter"))
                    .collect(),
            ))
        }
    }
}

pub async fn count(
    db: &impl ConnectionTrait,
    reference: &Reference,
    filter: &FundingFilter,
) -> Result<u64, ServiceError> {
    Ok(live()
        .filter(filter.condition(db, reference).await?)
        .count(db)
        .await?)
}

/// Most recently updated first, by keyset on `(updated_at, id)`.
pub async fn page(
    db: &impl ConnectionTrait,
    reference: &Reference,
    filter: &FundingFilter,
    request: &PageRequest,
) -> Result<Page<funding_opportunity::Model>, ServiceError> {
    let mut query = live().filter(filter.condition(db, reference).await?);
    let ascending = !request.is_forward();
    if let Some(cursor) = request.cursor() {
        let argument = if request.is_forward() {
            "after"
        } else {
            "before"
        };
        let updated_at = cursor.timestamp().map_err(|_| {
            ServiceError::Invalid(vec![FieldError::new(argument, "is not a funding cursor")])
        })?;
        query = query.filter(keyset_condition(
            Expr::col((
                funding_opportunity::Entity,
                funding_opportunity::Column::UpdatedAt,
            )),
            id_col(),
            updated_at.into(),
            cursor.id,
            ascending,
        ));
    }
    let direction = if ascending { Order::Asc } else { Order::Desc };
    let rows = query
        .order_by(funding_opportunity::Column::UpdatedAt, direction.clone())
        .order_by(funding_opportunity::Column::Id, direction)
        .limit(u64::from(request.size()) + 1)
        .all(db)
        .await?;
    Ok(Page::from_rows(rows, request, |row| {
        Cursor::from_timestamp(row.updated_at, row.id)
    }))
}

pub async fn by_id(
    db: &impl ConnectionTrait,
    id: i32,
) -> Result<Option<funding_opportunity::Model>, sea_orm::DbErr> {
    live()
        .filter(funding_opportunity::Column::Id.eq(id))
        .one(db)
        .await
}

pub async fn by_ids(
    db: &impl ConnectionTrait,
    ids: &[i32],
) -> Result<Vec<funding_opportunity::Model>, sea_orm::DbErr> {
    super::chunked::load(db, ids, super::chunked::PerKey::IN_LIST, |ids| {
        live()
            .filter(funding_opportunity::Column::Id.is_in(ids.iter().copied()))
            .all(db)
    })
    .await
}
