use crate::helpers::*;
use sea_orm_migration::{prelude::*, schema::*};

/// The moderated learning community: threads attached to a subject, posts, exchange requests,
/// flags on posts and the moderation audit log.
#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let mut thread = Table::create();
        thread
            .table("thread")
            .col(pk_auto("id"))
            .col(string("title"))
            .col(string("kind"))
            .col(string_null("subject_type"))
            .col(integer_null("subject_id"))
            .col(integer("author_id"))
            .col(string("status"))
            .col(timestamp_with_time_zone_null("last_post_at"))
            .foreign_key(&mut foreign_key(
                "thread",
                "author_id",
                "account",
                ForeignKeyAction::Restrict,
            ));
        manager
            .create_table(with_timestamps(&mut thread).to_owned())
            .await?;
        manager
            .create_index(index("thread", &["subject_type", "subject_id"]))
            .await?;

        let mut post = Table::create();
        post.table("post")
            .col(pk_auto("id"))
            .col(integer("thread_id"))
            .col(integer("author_id"))
            .col(text("body"))
            .col(string("status"))
            .foreign_key(&mut foreign_key(
                "post",
                "thread_id",
                "thread",
                ForeignKeyAction::Cascade,
            ))
            .foreign_key(&mut foreign_key(
                "post",
                "author_id",
                "account",
                ForeignKeyAction::Restrict,
            ));
        manager
            .create_table(with_timestamps(&mut post).to_owned())
            .await?;
        manager
            .create_index(index("post", &["thread_id", "id"]))
            .await?;

        let mut exchange = Table::create();
        exchange
            .table("exchange_request")
            .col(pk_auto("id"))
            .col(integer("city_id"))
            .col(integer("author_id"))
            .col(string("kind"))
            .col(integer_null("theme_id"))
            .col(string("title"))
            .col(text("body"))
            .col(string("status"))
            .foreign_key(&mut foreign_key(
                "exchange_request",
                "city_id",
                "city",
                ForeignKeyAction::Cascade,
            ))
            .foreign_key(&mut foreign_key(
                "exchange_request",
                "author_id",
                "account",
                ForeignKeyAction::Restrict,
            ))
            .foreign_key(&mut foreign_key(
                "exchange_request",
                "theme_id",
                "theme",
                ForeignKeyAction::SetNull,
            ));
        manager
            .create_table(with_timestamps(&mut exchange).to_owned())
            .await?;

        manager
            .create_table(
                Table::create()
                    .table("flag")
                    .col(pk_auto("id"))
                    .col(integer("post_id"))
                    .col(integer("reporter_id"))
                    .col(text("reason"))
                    .col(string("status"))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone_null("resolved_at"))
                    .foreign_key(&mut foreign_key(
                        "flag",
                        "post_id",
                        "post",
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut foreign_key(
                        "flag",
                        "reporter_id",
                        "account",
                        ForeignKeyAction::Restrict,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index("flag", &["status", "id"]))
            .await?;

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
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_tables(
            manager,
            &[
                "moderation_action",
                "flag",
                "exchange_request",
                "post",
                "thread",
            ],
        )
        .await
    }
}
