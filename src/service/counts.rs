//! Subtree counts for the theme and region trees, one statement per batch: a `UNION ALL` of one
//! `COUNT(DISTINCT ...)` per requested node, each counting everything at or below the node.

use std::collections::HashMap;

use sea_orm::sea_query::{Alias, Expr, ExprTrait, Func, Query, SelectStatement, UnionType};
use sea_orm::{ConnectionTrait, FromQueryResult, StatementBuilder};

use crate::entity::{city, practice_city, practice_theme, region, theme};

#[derive(FromQueryResult)]
struct Counted {
    node: String,
    total: i64,
}

async fn run(
    db: &impl ConnectionTrait,
    mut selects: Vec<SelectStatement>,
) -> Result<HashMap<String, i64>, sea_orm::DbErr> {
    let Some(mut first) = selects.pop() else {
        return Ok(HashMap::new());
    };
    for select in selects {
        first.union(UnionType::All, select);
    }
    let statement = StatementBuilder::build(&first, &db.get_database_backend());
    let rows = Counted::find_by_statement(statement).all(db).await?;
    Ok(rows.into_iter().map(|row| (row.node, row.total)).collect())
}

/// Visible practices tagged with each theme path or a theme below it.
pub async fn practices_per_theme(
    db: &impl ConnectionTrait,
    paths: &[String],
) -> Result<HashMap<String, i64>, sea_orm::DbErr> {
    let selects = paths
        .iter()
        .map(|path| {
            Query::select()
                .expr_as(Expr::val(path.clone()), Alias::new("node"))
                .expr_as(
                    Func::count_distinct(Expr::col((
                        practice_theme::Entity,
                        practice_theme::Column::PracticeId,
                    ))),
                    Alias::new("total"),
                )
                .from(practice_theme::Entity)
                .inner_join(
                    theme::Entity,
                    Expr::col((theme::Entity, theme::Column::Id))
                        .equals((practice_theme::Entity, practice_theme::Column::ThemeId)),
                )
                .cond_where(
                    sea_orm::sea_query::Condition::any()
                        .add(Expr::col((theme::Entity, theme::Column::Path)).eq(path.as_str()))
                        .add(
                            Expr::col((theme::Entity, theme::Column::Path))
                                .like(format!("{path}/%")),
                        ),
                )
                .and_where(
                    Expr::col((practice_theme::Entity, practice_theme::Column::PracticeId))
                        .in_subquery(super::practices::visible_ids()),
                )
                .to_owned()
        })
        .collect();
    run(db, selects).await
}

fn region_subtree(path: &str) -> Expr {
    Expr::col((region::Entity, region::Column::Path)).like(format!("{path}%"))
}

/// Cities in each region subtree (keyed by the region's materialized path).
pub async fn cities_per_region(
    db: &impl ConnectionTrait,
    paths: &[String],
) -> Result<HashMap<String, i64>, sea_orm::DbErr> {
    let selects = paths
        .iter()
        .map(|path| {
            Query::select()
                .expr_as(Expr::val(path.clone()), Alias::new("node"))
                .expr_as(
                    Func::count_distinct(Expr::col((city::Entity, city::Column::Id))),
                    Alias::new("total"),
                )
                .from(city::Entity)
                .inner_join(
                    region::Entity,
                    Expr::col((region::Entity, region::Column::Id))
                        .equals((city::Entity, city::Column::RegionId)),
                )
                .and_where(region_subtree(path))
                .to_owned()
        })
        .collect();
    run(db, selects).await
}

/// Visible practices of cities in each region subtree.
pub async fn practices_per_region(
    db: &impl ConnectionTrait,
    paths: &[String],
) -> Result<HashMap<String, i64>, sea_orm::DbErr> {
    let selects = paths
        .iter()
        .map(|path| {
            Query::select()
                .expr_as(Expr::val(path.clone()), Alias::new("node"))
                .expr_as(
                    Func::count_distinct(Expr::col((
                        practice_city::Entity,
                        practice_city::Column::PracticeId,
                    ))),
                    Alias::new("total"),
                )
                .from(practice_city::Entity)
                .inner_join(
                    city::Entity,
                    Expr::col((city::Entity, city::Column::Id))
                        .equals((practice_city::Entity, practice_city::Column::CityId)),
                )
                .inner_join(
                    region::Entity,
                    Expr::col((region::Entity, region::Column::Id))
                        .equals((city::Entity, city::Column::RegionId)),
                )
                .and_where(region_subtree(path))
                .and_where(
                    Expr::col((practice_city::Entity, practice_city::Column::PracticeId))
                        .in_subquery(super::practices::visible_ids()),
                )
                .to_owned()
        })
        .collect();
    run(db, selects).await
}
