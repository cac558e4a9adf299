use crate::helpers::*;
use sea_orm_migration::{prelude::*, schema::*};

/// Identity: accounts known by a token's issuer and subject, named API keys, and practices
/// owned by the account that wrote them (so their author sees them before they are public).
/// SQLite alters one thing per statement and cannot add a foreign key to an existing table
/// with `ALTER TABLE ... ADD CONSTRAINT`; a column-level `REFERENCES` works on both backends.
#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for column in [string_null("issuer"), string_null("subject")] {
            manager
                .alter_table(
                    Table::alter()
                        .table("account")
                        .add_column(column)
                        .to_owned(),
                )
                .await?;
        }
        manager
            .create_index(unique_index("account", &["issuer", "subject"]))
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table("api_key")
                    .add_column(string("name").default(""))
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table("practice")
                    .add_column(
                        integer_null("owner_id")
                            .extra("REFERENCES account (id) ON DELETE SET NULL"),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index("practice", &["owner_id", "status"]))
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(
                Index::drop()
                    .name("ix_practice_owner_id_status")
                    .table("practice")
                    .to_owned(),
            )
            .await?;
        manager
            .drop_index(
                Index::drop()
                    .name("ux_account_issuer_subject")
                    .table("account")
                    .to_owned(),
            )
            .await?;
        for (table, column) in [
            ("practice", "owner_id"),
            ("api_key", "name"),
            ("account", "subject"),
            ("account", "issuer"),
        ] {
            manager
                .alter_table(Table::alter().table(table).drop_column(column).to_owned())
                .await?;
        }
        Ok(())
    }
}
