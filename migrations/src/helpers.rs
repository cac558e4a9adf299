use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

/// `created_at` / `updated_at` columns, set by the application (portable: no DB defaults).
pub fn with_timestamps(table: &mut TableCreateStatement) -> &mut TableCreateStatement {
    table
        .col(timestamp_with_time_zone("created_at"))
        .col(timestamp_with_time_zone("updated_at"))
}

/// A foreign key from `table.column` to `target.id`.
pub fn foreign_key(
    table: &'static str,
    column: &'static str,
    target: &'static str,
    on_delete: ForeignKeyAction,
) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .name(format!("fk_{table}_{column}"))
        .from(table, column)
        .to(target, "id")
        .on_delete(on_delete)
        .to_owned()
}

pub fn index(table: &'static str, columns: &[&'static str]) -> IndexCreateStatement {
    let mut statement = Index::create();
    statement
        .name(format!("ix_{table}_{}", columns.join("_")))
        .table(table);
    for column in columns {
        statement.col(*column);
    }
    statement.to_owned()
}

pub fn unique_index(table: &'static str, columns: &[&'static str]) -> IndexCreateStatement {
    let mut statement = index(table, columns);
    statement
        .name(format!("ux_{table}_{}", columns.join("_")))
        .unique();
    statement
}

/// A two-column link table whose primary key is both columns.
pub fn link_table(
    table: &'static str,
    left: (&'static str, &'static str),
    right: (&'static str, &'static str, ColumnDef),
) -> TableCreateStatement {
    let (left_column, left_target) = left;
    let (right_column, right_target, right_def) = right;
    let mut statement = Table::create();
    statement
        .table(table)
        .col(integer(left_column))
        .col(right_def)
        .primary_key(Index::create().col(left_column).col(right_column))
        .foreign_key(&mut foreign_key(
            table,
            left_column,
            left_target,
            ForeignKeyAction::Cascade,
        ));
    if !right_target.is_empty() {
        statement.foreign_key(&mut foreign_key(
            table,
            right_column,
            right_target,
            ForeignKeyAction::Cascade,
        ));
    }
    statement.to_owned()
}

pub async fn drop_tables(
    manager: &SchemaManager<'_>,
    tables: &[&'static str],
) -> Result<(), DbErr> {
    for table in tables {
        manager
            .drop_table(Table::drop().table(*table).if_exists().to_owned())
            .await?;
    }
    Ok(())
}
