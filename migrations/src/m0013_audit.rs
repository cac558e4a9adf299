use crate::helpers::*;
use sea_orm_migration::{prelude::*, schema::*};

/// The audit log of every privileged action: who (account, role, credential), what, which
/// record, why and when, written in the same transaction as the action and its `change_log`
/// row. It replaces `moderation_action` (never written), which could only name a moderator
/// account: actions by the operator's CLI or by an API key need more.
#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table("audit_event")
                    .col(pk_auto("id"))
                    .col(timestamp_with_time_zone("occurred_at"))
                    .col(integer_null("actor_account_id"))
                    .col(string("actor_role"))
                    .col(string("actor_credential"))
                    .col(string("action"))
                    .col(string("target_type"))
                    .col(integer("target_id"))
                    .col(text_null("reason"))
                    .col(json("details"))
                    .col(big_integer_null("change_seq"))
                    .foreign_key(&mut foreign_key(
                        "audit_event",
                        "actor_account_id",
                        "account",
                        ForeignKeyAction::SetNull,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index("audit_event", &["action", "id"]))
            .await?;
        manager
            .create_index(index("audit_event", &["actor_account_id", "id"]))
            .await?;
        manager
            .create_index(index("audit_event", &["target_type", "target_id"]))
            .await?;
        drop_tables(manager, &["moderation_action"]).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table("moderation_action")
                    .col(pk_auto("id"))
                    .col(integer("moderator_id"))
                    .col(string("action"))
                    .col(string("target_type"))
                    .col(integer("target_id"))
                    .col(text("reason"))
                    .col(timestamp_with_time_zone("created_at"))
                    .foreign_key(&mut foreign_key(
                        "moderation_action",
                        "moderator_id",
                        "account",
                        ForeignKeyAction::Restrict,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index("moderation_action", &["target_type", "target_id"]))
            .await?;
        drop_tables(manager, &["audit_event"]).await
    }
}
