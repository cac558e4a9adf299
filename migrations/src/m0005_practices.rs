use crate::helpers::*;
use sea_orm_migration::{prelude::*, schema::*};

/// Practices, their links to cities, themes and SDGs, and their translations.
/// `score`, `evaluation_label` and `evaluation_count` are derived from evaluations and kept in
/// step by the service that writes evaluations, so listing and ordering never aggregate.
#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let mut practice = Table::create();
        practice
            .table("practice")
            .col(pk_auto("id"))
            .col(string_uniq("slug"))
            .col(string("title"))
            .col(text("summary"))
            .col(text("body"))
            .col(string_len("original_language", 8))
            .col(string("status"))
            .col(string_null("governance_level"))
            .col(date_null("start_date"))
            .col(date_null("end_date"))
            .col(double_null("cost_amount"))
            .col(string_len_null("cost_currency", 3))
            .col(double_null("impact_tco2e"))
            .col(text_null("impact_baseline"))
            .col(text_null("impact_method"))
            .col(json("co_benefits"))
            .col(text_null("replicability_notes"))
            .col(integer_null("replicated_from_id"))
            .col(json("contacts"))
            .col(json("links"))
            .col(double_null("score"))
            .col(string_null("evaluation_label"))
            .col(integer("evaluation_count"))
            .col(timestamp_with_time_zone_null("published_at"))
            .col(timestamp_with_time_zone_null("deleted_at"))
            .foreign_key(&mut foreign_key(
                "practice",
                "replicated_from_id",
                "practice",
                ForeignKeyAction::SetNull,
            ));
        manager
            .create_table(with_timestamps(&mut practice).to_owned())
            .await?;
        for columns in [
            &["status", "published_at", "id"][..],
            &["updated_at", "id"],
            &["score", "id"],
            &["impact_tco2e", "id"],
            &["title", "id"],
            &["replicated_from_id"],
        ] {
            manager.create_index(index("practice", columns)).await?;
        }

        manager
            .create_table(link_table(
                "practice_city",
                ("practice_id", "practice"),
                ("city_id", "city", integer("city_id")),
            ))
            .await?;
        manager
            .create_index(index("practice_city", &["city_id"]))
            .await?;
        manager
            .create_table(link_table(
                "practice_theme",
                ("practice_id", "practice"),
                ("theme_id", "theme", integer("theme_id")),
            ))
            .await?;
        manager
            .create_index(index("practice_theme", &["theme_id"]))
            .await?;
        manager
            .create_table(link_table(
                "practice_sdg",
                ("practice_id", "practice"),
                ("sdg", "", small_integer("sdg")),
            ))
            .await?;

        let mut translation = Table::create();
        translation
            .table("practice_translation")
            .col(pk_auto("id"))
            .col(integer("practice_id"))
            .col(string_len("language", 8))
            .col(string("title"))
            .col(text("summary"))
            .col(text("body"))
            .col(boolean("machine_translated"))
            .foreign_key(&mut foreign_key(
                "practice_translation",
                "practice_id",
                "practice",
                ForeignKeyAction::Cascade,
            ));
        manager
            .create_table(with_timestamps(&mut translation).to_owned())
            .await?;
        manager
            .create_index(unique_index(
                "practice_translation",
                &["practice_id", "language"],
            ))
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_tables(
            manager,
            &[
                "practice_translation",
                "practice_sdg",
                "practice_theme",
                "practice_city",
                "practice",
            ],
        )
        .await
    }
}
