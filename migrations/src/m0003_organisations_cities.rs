use crate::helpers::*;
use sea_orm_migration::{prelude::*, schema::*};

/// Organisations (networks, initiatives, funders, ...) and cities with their climate targets.
#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let mut organisation = Table::create();
        organisation
            .table("organisation")
            .col(pk_auto("id"))
            .col(string_uniq("slug"))
            .col(string("name"))
            .col(string("kind"))
            .col(string_len_null("country_code", 2))
            .col(string_null("url"))
            .col(text("description"));
        manager
            .create_table(with_timestamps(&mut organisation).to_owned())
            .await?;

        let mut city = Table::create();
        city.table("city")
            .col(pk_auto("id"))
            .col(string_uniq("slug"))
            .col(string("name"))
            .col(json("local_names"))
            .col(integer("region_id"))
            .col(string_len("country_code", 2))
            .col(double("lat"))
            .col(double("lon"))
            .col(big_integer_null("population"))
            .col(integer_null("population_year"))
            .col(integer_null("target_base_year"))
            .col(integer_null("target_year"))
            .col(double_null("target_reduction_pct"))
            .col(integer_null("net_zero_year"))
            .col(string_null("target_status"))
            .foreign_key(&mut foreign_key(
                "city",
                "region_id",
                "region",
                ForeignKeyAction::Restrict,
            ));
        manager
            .create_table(with_timestamps(&mut city).to_owned())
            .await?;
        manager.create_index(index("city", &["region_id"])).await?;
        manager.create_index(index("city", &["country_code"])).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_tables(manager, &["city", "organisation"]).await
    }
}
