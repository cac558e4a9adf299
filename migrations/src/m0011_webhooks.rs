use crate::helpers::*;
use sea_orm_migration::{prelude::*, schema::*};

/// Webhook subscriptions and their deliveries (one row per change and subscription, retried with backoff).
#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let mut subscription = Table::create();
        subscription
            .table("webhook_subscription")
            .col(pk_auto("id"))
            .col(integer("account_id"))
            .col(string("url"))
            .col(string("secret"))
            .col(json("entity_types"))
            .col(boolean("active"))
            .col(big_integer("checkpoint_seq"))
            .foreign_key(&mut foreign_key(
                "webhook_subscription",
                "account_id",
                "account",
                ForeignKeyAction::Cascade,
            ));
        manager
            .create_table(with_timestamps(&mut subscription).to_owned())
            .await?;

        manager
            .create_table(
                Table::create()
                    .table("webhook_delivery")
                    .col(pk_auto("id"))
                    .col(integer("subscription_id"))
                    .col(big_integer("change_seq"))
                    .col(integer("attempts"))
                    .col(timestamp_with_time_zone_null("next_attempt_at"))
                    .col(integer_null("last_status"))
                    .col(text_null("last_error"))
                    .col(timestamp_with_time_zone_null("delivered_at"))
                    .col(timestamp_with_time_zone("created_at"))
                    .foreign_key(&mut foreign_key(
                        "webhook_delivery",
                        "subscription_id",
                        "webhook_subscription",
                        ForeignKeyAction::Cascade,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(unique_index(
                "webhook_delivery",
                &["subscription_id", "change_seq"],
            ))
            .await?;
        manager
            .create_index(index(
                "webhook_delivery",
                &["delivered_at", "next_attempt_at"],
            ))
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_tables(manager, &["webhook_delivery", "webhook_subscription"]).await
    }
}
