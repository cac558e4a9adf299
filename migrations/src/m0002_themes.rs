use crate::helpers::*;
use sea_orm_migration::{prelude::*, schema::*};

/// The theme tree (stable slug paths such as `energy/renewables/solar`) and its labels per language.
#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table("theme")
                    .col(pk_auto("id"))
                    .col(string_uniq("path"))
                    .col(string("slug"))
                    .col(integer_null("parent_id"))
                    .col(small_integer("depth"))
                    .col(integer("position"))
                    .foreign_key(&mut foreign_key(
                        "theme",
                        "parent_id",
                        "theme",
                        ForeignKeyAction::Restrict,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("theme_label")
                    .col(integer("theme_id"))
                    .col(string_len("language", 8))
                    .col(string("label"))
                    .primary_key(Index::create().col("theme_id").col("language"))
                    .foreign_key(&mut foreign_key(
                        "theme_label",
                        "theme_id",
                        "theme",
                        ForeignKeyAction::Cascade,
                    ))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_tables(manager, &["theme_label", "theme"]).await
    }
}
