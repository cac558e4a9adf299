use crate::helpers::*;
use sea_orm_migration::{prelude::*, schema::*};

/// The change log: one row per write, appended in the same transaction as the write.
/// Everything derived (search index, webhooks, partner sync) tails it by `seq`.
#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table("change_log")
                    .col(big_pk_auto("seq"))
                    .col(string("entity_type"))
                    .col(integer("entity_id"))
                    .col(string("operation"))
                    .col(timestamp_with_time_zone("occurred_at"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index("change_log", &["entity_type", "seq"]))
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_tables(manager, &["change_log"]).await
    }
}
