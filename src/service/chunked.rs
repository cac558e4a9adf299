//! Keeps every batched statement within what one SQL statement may hold on its backend
//! (SQLite: 32766 bound parameters, 500 compound-select terms, expression trees 1000 deep;
//! PostgreSQL: 65535 bound parameters). A batch of keys is split into chunks that fit, one
//! statement (or one small group of statements) per chunk, and the answers are merged, so a
//! caller sees the same result as one unbounded statement would give. Conditions over a list
//! of values are built with [`any_of`], whose depth grows with the logarithm of the list: a
//! chain of `OR`s as deep as the list exceeds SQLite's expression depth and overflows the
//! stack of the thread that renders or drops it.

use std::future::Future;

use sea_orm::sea_query::{Expr, ExprTrait, OnConflict};
use sea_orm::{ActiveModelTrait, ConnectionTrait, DbBackend, EntityTrait, IntoActiveModel};

/// What one statement may hold on a backend.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StatementLimits {
    pub bound_parameters: usize,
    /// `SELECT`s joined by `UNION ALL` in one statement.
    pub compound_terms: usize,
}

impl StatementLimits {
    /// SQLite's compiled-in defaults (`SQLITE_MAX_VARIABLE_NUMBER`, `SQLITE_MAX_COMPOUND_SELECT`).
    pub const SQLITE: Self = Self {
        bound_parameters: 32_766,
        compound_terms: 500,
    };
    /// PostgreSQL's wire protocol counts parameters in 16 bits; it has no compound-select limit.
    pub const POSTGRES: Self = Self {
        bound_parameters: 65_535,
        compound_terms: usize::MAX,
    };

    pub fn of(backend: DbBackend) -> Self {
        match backend {
            DbBackend::Postgres => Self::POSTGRES,
            _ => Self::SQLITE,
        }
    }
}

/// What each key adds to a batched statement.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PerKey {
    pub bound_parameters: usize,
    pub compound_terms: usize,
}

impl PerKey {
    /// One bound parameter: an element of a `column IN (...)` list, or one condition of
    /// [`any_of`] binding one value.
    pub const IN_LIST: Self = Self::parameters(1);

    /// A condition binding `bound_parameters` values.
    pub const fn parameters(bound_parameters: usize) -> Self {
        Self {
            bound_parameters,
            compound_terms: 0,
        }
    }

    /// One `SELECT` of a `UNION ALL`, binding `bound_parameters` values.
    pub const fn union_term(bound_parameters: usize) -> Self {
        Self {
            bound_parameters,
            compound_terms: 1,
        }
    }
}

/// Room left in every statement for what does not depend on the keys (other filters, the
/// visibility condition, joins).
const RESERVE: StatementLimits = StatementLimits {
    bound_parameters: 64,
    compound_terms: 0,
};

/// The most keys one statement of this shape may take under `limits` (at least 1).
pub fn chunk_len(limits: StatementLimits, per_key: PerKey) -> usize {
    let fits = |limit: usize, reserve: usize, cost: usize| match cost {
        0 => usize::MAX,
        cost => limit.saturating_sub(reserve) / cost,
    };
    fits(
        limits.bound_parameters,
        RESERVE.bound_parameters,
        per_key.bound_parameters,
    )
    .min(fits(
        limits.compound_terms,
        RESERVE.compound_terms,
        per_key.compound_terms,
    ))
    .max(1)
}

/// How many rows of `columns` bound values one multi-row statement may take on `db`'s backend.
fn rows_per_statement(db: &impl ConnectionTrait, columns: usize) -> usize {
    chunk_len(
        StatementLimits::of(db.get_database_backend()),
        PerKey::parameters(columns),
    )
}

/// Inserts `rows` (each binding `columns` values) with as few multi-row `INSERT`s as the
/// backend allows.
pub async fn insert_all<A>(
    db: &impl ConnectionTrait,
    rows: Vec<A>,
    columns: usize,
) -> Result<(), sea_orm::DbErr>
where
    A: ActiveModelTrait + Send,
{
    upsert_all(db, rows, columns, None).await
}

/// [`insert_all`] with `on_conflict` (if any) on every statement.
pub async fn upsert_all<A>(
    db: &impl ConnectionTrait,
    rows: Vec<A>,
    columns: usize,
    on_conflict: Option<OnConflict>,
) -> Result<(), sea_orm::DbErr>
where
    A: ActiveModelTrait + Send,
{
    let per_statement = rows_per_statement(db, columns);
    let mut rows = rows.into_iter().peekable();
    while rows.peek().is_some() {
        let mut insert = <A::Entity as EntityTrait>::insert_many(rows.by_ref().take(per_statement));
        if let Some(on_conflict) = &on_conflict {
            insert = insert.on_conflict(on_conflict.clone());
        }
        insert.exec_without_returning(db).await?;
    }
    Ok(())
}

/// [`insert_all`] with `RETURNING`: the stored rows, in the order each statement returns them.
pub async fn insert_all_returning<A>(
    db: &impl ConnectionTrait,
    rows: Vec<A>,
    columns: usize,
) -> Result<Vec<<A::Entity as EntityTrait>::Model>, sea_orm::DbErr>
where
    A: ActiveModelTrait + Send,
    <A::Entity as EntityTrait>::Model: IntoActiveModel<A>,
{
    let per_statement = rows_per_statement(db, columns);
    let mut stored = Vec::with_capacity(rows.len());
    let mut rows = rows.into_iter().peekable();
    while rows.peek().is_some() {
        stored.extend(
            <A::Entity as EntityTrait>::insert_many(rows.by_ref().take(per_statement))
                .exec_with_returning(db)
                .await?,
        );
    }
    Ok(stored)
}

/// `conditions` joined by `OR` as a balanced tree (false when empty), so a long list nests
/// only as deep as its logarithm.
pub fn any_of(conditions: Vec<Expr>) -> Expr {
    fn balanced(mut conditions: Vec<Expr>) -> Expr {
        if conditions.len() == 1 {
            return conditions.remove(0);
        }
        let right = conditions.split_off(conditions.len() / 2);
        balanced(conditions).or(balanced(right))
    }
    if conditions.is_empty() {
        return Expr::Constant(false.into());
    }
    balanced(conditions)
}

/// Runs `load` on chunks of at most `chunk_len` keys and merges the answers. `load` must answer
/// each key from its own chunk alone (every batch here groups by key), so the merge equals
/// one load of every key. A batch that fits runs as one call.
pub async fn in_chunks<'k, K, Out, F, Fut>(
    keys: &'k [K],
    chunk_len: usize,
    mut load: F,
) -> Result<Out, sea_orm::DbErr>
where
    Out: Default + Extend<<Out as IntoIterator>::Item> + IntoIterator,
    F: FnMut(&'k [K]) -> Fut,
    Fut: Future<Output = Result<Out, sea_orm::DbErr>>,
{
    if keys.len() <= chunk_len {
        return load(keys).await;
    }
    let mut merged = Out::default();
    for chunk in keys.chunks(chunk_len.max(1)) {
        merged.extend(load(chunk).await?);
    }
    Ok(merged)
}

/// [`in_chunks`] with chunks as large as `db`'s backend allows for statements of this shape.
pub async fn load<'k, K, Out, F, Fut>(
    db: &impl ConnectionTrait,
    keys: &'k [K],
    per_key: PerKey,
    load: F,
) -> Result<Out, sea_orm::DbErr>
where
    Out: Default + Extend<<Out as IntoIterator>::Item> + IntoIterator,
    F: FnMut(&'k [K]) -> Fut,
    Fut: Future<Output = Result<Out, sea_orm::DbErr>>,
{
    let chunk_len = chunk_len(StatementLimits::of(db.get_database_backend()), per_key);
    in_chunks(keys, chunk_len, load).await
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    #[test]
    fn a_sqlite_union_holds_at_most_500_terms() {
        let len = chunk_len(StatementLimits::SQLITE, PerKey::union_term(4));
        assert!(len <= 500, "{len}");
        assert!(len * 4 + RESERVE.bound_parameters <= 32_766);
    }

    #[test]
    fn in_lists_stay_under_each_backends_parameter_limit() {
        for limits in [StatementLimits::SQLITE, StatementLimits::POSTGRES] {
            let len = chunk_len(limits, PerKey::IN_LIST);
            assert!(len + RESERVE.bound_parameters <= limits.bound_parameters);
            assert!(len > 30_000, "{len}: chunks should be as large as allowed");
        }
    }

    fn depth(expr: &Expr) -> usize {
        match expr {
            Expr::Binary(left, _, right) => 1 + depth(left).max(depth(right)),
            _ => 1,
        }
    }

    #[test]
    fn a_long_list_of_conditions_nests_logarithmically() {
        let conditions: Vec<Expr> = (0..30_000)
            .map(|value| Expr::col(sea_orm::sea_query::Alias::new("x")).eq(value))
            .collect();
        let any = any_of(conditions);
        assert!(depth(&any) <= 17, "{}", depth(&any));
        let sql = sea_orm::sea_query::Query::select()
            .expr(Expr::val(1))
            .and_where(any)
            .to_string(sea_orm::sea_query::SqliteQueryBuilder);
        assert_eq!(sql.matches("\"x\" = ").count(), 30_000);
        assert_eq!(sql.matches(" OR ").count(), 29_999);
    }

    #[test]
    fn no_conditions_match_nothing() {
        let sql = sea_orm::sea_query::Query::select()
            .expr(Expr::val(1))
            .and_where(any_of(Vec::new()))
            .to_string(sea_orm::sea_query::SqliteQueryBuilder);
        assert!(sql.ends_with("WHERE FALSE"), "{sql}");
    }

    #[test]
    fn a_key_that_never_fits_still_gets_a_chunk_of_one() {
        let greedy = PerKey::union_term(usize::MAX);
        assert_eq!(chunk_len(StatementLimits::SQLITE, greedy), 1);
    }

    /// A stand-in for a batched statement: answers each key, and records the chunk sizes.
    async fn squares(keys: &[u32], seen: &std::cell::RefCell<Vec<usize>>) -> HashMap<u32, u32> {
        seen.borrow_mut().push(keys.len());
        keys.iter().map(|key| (*key, key * key)).collect()
    }

    #[tokio::test]
    async fn a_batch_larger_than_a_chunk_gives_the_unchunked_answer() {
        let keys: Vec<u32> = (0..1_003).collect();
        let seen = std::cell::RefCell::new(Vec::new());
        let whole: HashMap<u32, u32> = squares(&keys, &seen).await;
        seen.borrow_mut().clear();
        let chunked: HashMap<u32, u32> = in_chunks(&keys, 100, |chunk| async {
            Ok(squares(chunk, &seen).await)
        })
        .await
        .unwrap();
        assert_eq!(chunked, whole);
        let sizes = seen.borrow().clone();
        assert_eq!(sizes.len(), 11, "{sizes:?}");
        assert!(sizes.iter().all(|size| *size <= 100), "{sizes:?}");
    }

    #[tokio::test]
    async fn a_batch_that_fits_runs_once() {
        let keys: Vec<u32> = (0..100).collect();
        let seen = std::cell::RefCell::new(Vec::new());
        let rows: Vec<u32> = in_chunks(&keys, 100, |chunk| async {
            Ok(squares(chunk, &seen).await.into_values().collect())
        })
        .await
        .unwrap();
        assert_eq!(rows.len(), 100);
        assert_eq!(*seen.borrow(), vec![100]);
    }
}
