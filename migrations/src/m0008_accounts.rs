use crate::helpers::*;
use sea_orm_migration::{prelude::*, schema::*};

/// Accounts and their API keys. Keys are stored hashed; `prefix` finds the row, the hash proves it.
#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let mut account = Table::create();
        account
            .table("account")
            .col(pk_auto("id"))
            .col(string("name"))
            .col(string_null("email"))
            .col(string("role"))
            .col(integer_null("city_id"))
            .col(integer_null("organisation_id"))
            .col(timestamp_with_time_zone_null("disabled_at"))
            .foreign_key(&mut foreign_key(
                "account",
                "city_id",
                "city",
                ForeignKeyAction::SetNull,
            ))
            .foreign_key(&mut foreign_key(
                "account",
                "organisation_id",
                "organisation",
                ForeignKeyAction::SetNull,
            ));
        manager
            .create_table(with_timestamps(&mut account).to_owned())
            .await?;
        manager
            .create_index(unique_index("account", &["email"]))
            .await?;

        manager
            .create_table(
                Table::create()
                    .table("api_key")
                    .col(pk_auto("id"))
                    .col(integer("account_id"))
                    .col(string_uniq("prefix"))
                    .col(string("key_hash"))
                    .col(string("role"))
                    .col(string_null("source_scope"))
                    .col(integer("cost_budget"))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone_null("last_used_at"))
                    .col(timestamp_with_time_zone_null("revoked_at"))
                    .foreign_key(&mut foreign_key(
                        "api_key",
                        "account_id",
                        "account",
                        ForeignKeyAction::Cascade,
                    ))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_tables(manager, &["api_key", "account"]).await
    }
}
