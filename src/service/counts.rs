//! Subtree counts for the theme and region trees, one statement per chunk of nodes (see
//! [`chunked`]): a `UNION ALL` of one `COUNT(DISTINCT ...)` per requested node, each counting
//! everything at or below the node.
//! Counts are of public practices whoever asks, so a menu reads the same for everybody.

use std::collections::HashMap;

use sea_orm::sea_query::{Alias, Expr, ExprTrait, Func, Query, SelectStatement, UnionType};
use sea_orm::{ConnectionTrait, FromQueryResult, StatementBuilder};

use super::chunked::{self, PerKey};
use crate::domain::Viewer;
use crate::entity::{city, practice_city, practice_theme, region, theme};

#[derive(FromQueryResult)]
struct Counted {
    node: String,
    total: i64,
}

/// `SELECT <path> AS node, COUNT(DISTINCT <counted>) AS total`, to be completed by the caller.
fn counting(path: &str, counted: Expr) -> SelectStatement {
    Query::select()
        .expr_as(Expr::val(path.to_owned()), Alias::new("node"))
        .expr_as(Func::count_distinct(counted), Alias::new("total"))
        .to_owned()
}

/// `UNION ALL`s of the count `select` builds for each path.
async fn run(
    db: &impl ConnectionTrait,
    paths: &[String],
    select: impl Fn(&str) -> SelectStatement,
) -> Result<HashMap<String, i64>, sea_orm::DbErr> {
    let Some(sample) = paths.first() else {
        return Ok(HashMap::new());
    };
    // Each term binds what the sample binds (the same shape, another path).
    let parameters = StatementBuilder::build(&select(sample), &db.get_database_backend())
        .values
        .map_or(0, |values| values.0.len());
    let select = &select;
    chunked::load(
        db,
        paths,
        PerKey::union_term(parameters),
        |paths| async move {
            let mut selects = paths.iter().map(|path| select(path));
            let Some(mut first) = selects.next() else {
                return Ok(HashMap::new());
            };
            for other in selects {
                first.union(UnionType::All, other);
            }
            let statement = StatementBuilder::build(&first, &db.get_database_backend());
            let rows = Counted::find_by_statement(statement).all(db).await?;
            Ok(rows.into_iter().map(|row| (row.node, row.total)).collect())
        },
    )
    .await
}

/// Visible practices tagged with each theme path or a theme below it.
pub async fn practices_per_theme(
    db: &impl ConnectionTrait,
    paths: &[String],
) -> Result<HashMap<String, i64>, sea_orm::DbErr> {
    run(db, paths, |path| {
        let practice_id = Expr::col((practice_theme::Entity, practice_theme::Column::PracticeId));
        let theme_path = || Expr::col((theme::Entity, theme::Column::Path));
        counting(path, practice_id.clone())
            .from(practice_theme::Entity)
            .inner_join(
                theme::Entity,
                Expr::col((theme::Entity, theme::Column::Id))
                    .equals((practice_theme::Entity, practice_theme::Column::ThemeId)),
            )
            .cond_where(
                sea_orm::sea_query::Condition::any()
                    .add(theme_path().eq(path))
                    .add(theme_path().like(format!("{path}/%"))),
            )
            .and_where(practice_id.in_subquery(super::practices::visible_ids(&Viewer::anonymous())))
            .to_owned()
    })
    .await
}

fn region_subtree(path: &str) -> Expr {
    Expr::col((region::Entity, region::Column::Path)).like(format!("{path}%"))
}

/// Cities in each region subtree (keyed by the region's materialized path).
pub async fn cities_per_region(
    db: &impl ConnectionTrait,
    paths: &[String],
) -> Result<HashMap<String, i64>, sea_orm::DbErr> {
    run(db, paths, |path| {
        counting(path, Expr::col((city::Entity, city::Column::Id)))
            .from(city::Entity)
            .inner_join(
                region::Entity,
                Expr::col((region::Entity, region::Column::Id))
                    .equals((city::Entity, city::Column::RegionId)),
            )
            .and_where(region_subtree(path))
            .to_owned()
    })
    .await
}

/// Visible practices of cities in each region subtree.
pub async fn practices_per_region(
    db: &impl ConnectionTrait,
    paths: &[String],
) -> Result<HashMap<String, i64>, sea_orm::DbErr> {
    run(db, paths, |path| {
        let practice_id = Expr::col((practice_city::Entity, practice_city::Column::PracticeId));
        counting(path, practice_id.clone())
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
            .and_where(practice_id.in_subquery(super::practices::visible_ids(&Viewer::anonymous())))
            .to_owned()
    })
    .await
}
