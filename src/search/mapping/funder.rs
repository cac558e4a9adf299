//! Funders, for search-as-you-type only: organisations of kind `funder` and every provider of
//! a live funding opportunity.

use async_trait::async_trait;
use sea_orm::sea_query::Condition;
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter};

use super::DocumentMapping;
use crate::entity::{funding_opportunity, organisation};
use crate::search::concepts::ConceptMatcher;
use crate::search::document::{RecordKind, SearchDocument};

pub struct FunderMapping;

async fn funders(
    db: &DatabaseConnection,
    ids: Option<&[i32]>,
) -> Result<Vec<organisation::Model>, sea_orm::DbErr> {
    // A subquery, not a list of ids: one id per live opportunity would outgrow the bound
    // parameters a statement may hold.
    let providers = sea_orm::sea_query::Query::select()
        .column(funding_opportunity::Column::ProviderId)
        .from(funding_opportunity::Entity)
        .and_where(funding_opportunity::Column::DeletedAt.is_null())
        .and_where(funding_opportunity::Column::ProviderId.is_not_null())
        .to_owned();
    let mut query = organisation::Entity::find().filter(
        Condition::any()
            .add(organisation::Column::Kind.eq("funder"))
            .add(organisation::Column::Id.in_subquery(providers)),
    );
    if let Some(ids) = ids {
        query = query.filter(organisation::Column::Id.is_in(ids.iter().copied()));
    }
    query.all(db).await
}

#[async_trait]
impl DocumentMapping for FunderMapping {
    fn kind(&self) -> RecordKind {
        RecordKind::Organisation
    }

    async fn load(
        &self,
        db: &DatabaseConnection,
        ids: &[i32],
        _vocabulary: &ConceptMatcher,
    ) -> Result<Vec<SearchDocument>, sea_orm::DbErr> {
        Ok(funders(db, Some(ids))
            .await?
            .into_iter()
            .map(|row| {
                let mut doc = SearchDocument::new(RecordKind::Organisation, row.id);
                doc.suggest.push(row.name);
                doc.countries.extend(row.country_code);
                doc
            })
            .collect())
    }

    async fn all_ids(&self, db: &DatabaseConnection) -> Result<Vec<i32>, sea_orm::DbErr> {
        Ok(funders(db, None)
            .await?
            .into_iter()
            .map(|row| row.id)
            .collect())
    }

    async fn dependents(
        &self,
        db: &DatabaseConnection,
        ids: &[i32],
    ) -> Result<Vec<(RecordKind, i32)>, sea_orm::DbErr> {
        use sea_orm::QuerySelect;
        let funding: Vec<i32> = funding_opportunity::Entity::find()
            .select_only()
            .column(funding_opportunity::Column::Id)
            .filter(funding_opportunity::Column::ProviderId.is_in(ids.iter().copied()))
            .into_tuple()
            .all(db)
            .await?;
        Ok(super::tagged(RecordKind::FundingOpportunity, funding))
    }
}
