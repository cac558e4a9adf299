use crate::helpers::*;
use sea_orm_migration::{prelude::*, schema::*};

/// The multilingual concept vocabulary: concepts (a stable key, the SKOS IRI they were imported
/// from, one broader concept), their preferred and alternative labels per language, and the
/// themes each concept belongs to.
#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                with_timestamps(
                    Table::create()
                        .table("concept")
                        .col(pk_auto("id"))
                        .col(string_uniq("key"))
                        .col(string_null("uri"))
                        .col(integer_null("broader_id"))
                        .foreign_key(&mut foreign_key(
                            "concept",
                            "broader_id",
                            "concept",
                            ForeignKeyAction::SetNull,
                        )),
                )
                .to_owned(),
            )
            .await?;
        manager
            .create_index(unique_index("concept", &["uri"]))
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("concept_label")
                    .col(pk_auto("id"))
                    .col(integer("concept_id"))
                    .col(string_len("language", 8))
                    .col(boolean("preferred"))
                    .col(string("label"))
                    .col(integer("position"))
                    .foreign_key(&mut foreign_key(
                        "concept_label",
                        "concept_id",
                        "concept",
                        ForeignKeyAction::Cascade,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index("concept_label", &["concept_id", "language"]))
            .await?;
        manager
            .create_table(link_table(
                "concept_theme",
                ("concept_id", "concept"),
                ("theme_id", "theme", integer("theme_id")),
            ))
            .await?;
        manager
            .create_index(index("concept_theme", &["theme_id"]))
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_tables(manager, &["concept_theme", "concept_label", "concept"]).await
    }
}
