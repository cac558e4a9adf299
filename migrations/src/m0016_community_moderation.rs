use crate::helpers::*;
use sea_orm_migration::{prelude::*, schema::*};

/// The moderated community on top of `m0009_community`: a thread's language, accepted answer
/// and the moment it became visible (its first post approved); a post's last edit; the edit
/// history (`post_revision`); account suspensions (`account_suspension`, a posting ban with a
/// reason and an optional end); and an index for counting a member's approved posts (the
/// new-member threshold).
#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for column in [
            string("language").default("en").to_owned(),
            integer_null("accepted_post_id"),
            timestamp_with_time_zone_null("approved_at"),
        ] {
            manager
                .alter_table(Table::alter().table("thread").add_column(column).to_owned())
                .await?;
        }
        manager
            .alter_table(
                Table::alter()
                    .table("post")
                    .add_column(timestamp_with_time_zone_null("edited_at"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index("post", &["author_id", "status"]))
            .await?;
        manager
            .create_index(index("thread", &["approved_at", "id"]))
            .await?;

        manager
            .create_table(
                Table::create()
                    .table("post_revision")
                    .col(pk_auto("id"))
                    .col(integer("post_id"))
                    .col(integer("editor_id"))
                    .col(text("body"))
                    .col(timestamp_with_time_zone("created_at"))
                    .foreign_key(&mut foreign_key(
                        "post_revision",
                        "post_id",
                        "post",
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut foreign_key(
                        "post_revision",
                        "editor_id",
                        "account",
                        ForeignKeyAction::Restrict,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index("post_revision", &["post_id", "id"]))
            .await?;

        manager
            .create_table(
                Table::create()
                    .table("account_suspension")
                    .col(pk_auto("id"))
                    .col(integer("account_id"))
                    .col(integer("moderator_id"))
                    .col(text("reason"))
                    .col(timestamp_with_time_zone_null("until"))
                    .col(timestamp_with_time_zone("created_at"))
                    .foreign_key(&mut foreign_key(
                        "account_suspension",
                        "account_id",
                        "account",
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut foreign_key(
                        "account_suspension",
                        "moderator_id",
                        "account",
                        ForeignKeyAction::Restrict,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index("account_suspension", &["account_id", "id"]))
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_tables(manager, &["account_suspension", "post_revision"]).await?;
        for (table, name) in [
            ("thread", "ix_thread_approved_at_id"),
            ("post", "ix_post_author_id_status"),
        ] {
            manager
                .drop_index(Index::drop().name(name).table(table).to_owned())
                .await?;
        }
        for (table, column) in [
            ("post", "edited_at"),
            ("thread", "approved_at"),
            ("thread", "accepted_post_id"),
            ("thread", "language"),
        ] {
            manager
                .alter_table(Table::alter().table(table).drop_column(column).to_owned())
                .await?;
        }
        Ok(())
    }
}
