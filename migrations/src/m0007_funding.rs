use crate::helpers::*;
use sea_orm_migration::{prelude::*, schema::*};

/// Funding and advising opportunities. `(source, external_id)` identifies a partner's record;
/// `version` increases on every change and `deleted_at` is a tombstone so sync never loses a delete.
#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let mut funding = Table::create();
        funding
            .table("funding_opportunity")
            .col(pk_auto("id"))
            .col(string("source"))
            .col(string("external_id"))
            .col(string("title"))
            .col(text("summary"))
            .col(integer_null("provider_id"))
            .col(string("provider_level"))
            .col(string_len_null("provider_country", 2))
            .col(string("instrument"))
            .col(string("direction"))
            .col(double_null("amount_min"))
            .col(double_null("amount_max"))
            .col(string_len_null("currency", 3))
            .col(double_null("co_financing_rate"))
            .col(date_null("opens_at"))
            .col(boolean("rolling"))
            .col(string_null("url"))
            .col(string_len("language", 8))
            .col(integer("version"))
            .col(timestamp_with_time_zone_null("deleted_at"))
            .foreign_key(&mut foreign_key(
                "funding_opportunity",
                "provider_id",
                "organisation",
                ForeignKeyAction::SetNull,
            ));
        manager
            .create_table(with_timestamps(&mut funding).to_owned())
            .await?;
        manager
            .create_index(unique_index(
                "funding_opportunity",
                &["source", "external_id"],
            ))
            .await?;
        manager
            .create_index(index("funding_opportunity", &["updated_at", "id"]))
            .await?;

        manager
            .create_table(link_table(
                "funding_deadline",
                ("funding_id", "funding_opportunity"),
                ("deadline", "", date("deadline")),
            ))
            .await?;
        manager
            .create_table(link_table(
                "funding_region",
                ("funding_id", "funding_opportunity"),
                ("region_id", "region", integer("region_id")),
            ))
            .await?;
        manager
            .create_table(link_table(
                "funding_theme",
                ("funding_id", "funding_opportunity"),
                ("theme_id", "theme", integer("theme_id")),
            ))
            .await?;
        manager
            .create_table(link_table(
                "funding_applicant",
                ("funding_id", "funding_opportunity"),
                ("applicant_kind", "", string("applicant_kind")),
            ))
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_tables(
            manager,
            &[
                "funding_applicant",
                "funding_theme",
                "funding_region",
                "funding_deadline",
                "funding_opportunity",
            ],
        )
        .await
    }
}
