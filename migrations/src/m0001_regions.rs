use crate::helpers::*;
use sea_orm_migration::{prelude::*, schema::*};

/// Geography as one tree: world > continent > subregion > country > subdivision.
/// `path` is the chain of codes from the root (`001/150/154/NO/NO-03/`) so a subtree is a prefix.
#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table("region")
                    .col(pk_auto("id"))
                    .col(string_uniq("code"))
                    .col(string("kind"))
                    .col(string("name"))
                    .col(integer_null("parent_id"))
                    .col(string("path"))
                    .col(string_null("m49_code"))
                    .col(string_null("alpha3"))
                    .col(double_null("lat"))
                    .col(double_null("lon"))
                    .foreign_key(&mut foreign_key(
                        "region",
                        "parent_id",
                        "region",
                        ForeignKeyAction::Restrict,
                    ))
                    .to_owned(),
            )
            .await?;
        manager.create_index(index("region", &["path"])).await?;
        manager.create_index(index("region", &["parent_id"])).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_tables(manager, &["region"]).await
    }
}
