use crate::helpers::*;
use sea_orm_migration::{prelude::*, schema::*};

/// Shared change-log consumers and webhook dispatch: `change_consumer` keeps each named
/// consumer's checkpoint (the last `change_log.seq` it handled); subscriptions get
/// `failing_since` (set when a delivery ran out of attempts) and `deleted_at`; deliveries get
/// the event id receivers de-duplicate by, the body they are signed over, and a status.
#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table("change_consumer")
                    .col(string("name").primary_key())
                    .col(big_integer("seq"))
                    .col(timestamp_with_time_zone("updated_at"))
                    .to_owned(),
            )
            .await?;
        for column in [
            timestamp_with_time_zone_null("failing_since"),
            timestamp_with_time_zone_null("deleted_at"),
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table("webhook_subscription")
                        .add_column(column)
                        .to_owned(),
                )
                .await?;
        }
        for column in [
            string_null("event_id"),
            string("status").default("pending").to_owned(),
            text_null("payload"),
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table("webhook_delivery")
                        .add_column(column)
                        .to_owned(),
                )
                .await?;
        }
        manager
            .create_index(unique_index("webhook_delivery", &["event_id"]))
            .await?;
        manager
            .create_index(index("webhook_delivery", &["status", "next_attempt_at"]))
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for name in [
            "ix_webhook_delivery_status_next_attempt_at",
            "ux_webhook_delivery_event_id",
        ] {
            manager
                .drop_index(
                    Index::drop()
                        .name(name)
                        .table("webhook_delivery")
                        .to_owned(),
                )
                .await?;
        }
        for (table, column) in [
            ("webhook_delivery", "payload"),
            ("webhook_delivery", "status"),
            ("webhook_delivery", "event_id"),
            ("webhook_subscription", "deleted_at"),
            ("webhook_subscription", "failing_since"),
        ] {
            manager
                .alter_table(Table::alter().table(table).drop_column(column).to_owned())
                .await?;
        }
        manager
            .drop_table(Table::drop().table("change_consumer").to_owned())
            .await
    }
}
