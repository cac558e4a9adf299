use crate::helpers::*;
use sea_orm_migration::{prelude::*, schema::*};

/// Memberships of networks, commitments to initiatives, city-to-city partnerships and events.
#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table("membership")
                    .col(pk_auto("id"))
                    .col(integer("city_id"))
                    .col(integer("organisation_id"))
                    .col(integer_null("since_year"))
                    .col(string("role"))
                    .foreign_key(&mut foreign_key(
                        "membership",
                        "city_id",
                        "city",
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut foreign_key(
                        "membership",
                        "organisation_id",
                        "organisation",
                        ForeignKeyAction::Cascade,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(unique_index("membership", &["city_id", "organisation_id"]))
            .await?;
        manager
            .create_index(index("membership", &["organisation_id"]))
            .await?;

        manager
            .create_table(
                Table::create()
                    .table("commitment")
                    .col(pk_auto("id"))
                    .col(integer("city_id"))
                    .col(integer("organisation_id"))
                    .col(date_null("joined_on"))
                    .col(json("criteria_met"))
                    .col(text_null("evidence"))
                    .col(string_null("reporting_platform"))
                    .foreign_key(&mut foreign_key(
                        "commitment",
                        "city_id",
                        "city",
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut foreign_key(
                        "commitment",
                        "organisation_id",
                        "organisation",
                        ForeignKeyAction::Cascade,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(unique_index("commitment", &["city_id", "organisation_id"]))
            .await?;

        let mut partnership = Table::create();
        partnership
            .table("partnership")
            .col(pk_auto("id"))
            .col(string_uniq("slug"))
            .col(string("name"))
            .col(string("kind"))
            .col(string("status"))
            .col(text("description"))
            .col(date_null("started_on"))
            .col(date_null("ended_on"));
        manager
            .create_table(with_timestamps(&mut partnership).to_owned())
            .await?;
        manager
            .create_table(link_table(
                "partnership_city",
                ("partnership_id", "partnership"),
                ("city_id", "city", integer("city_id")),
            ))
            .await?;
        manager
            .create_table(link_table(
                "partnership_theme",
                ("partnership_id", "partnership"),
                ("theme_id", "theme", integer("theme_id")),
            ))
            .await?;

        let mut event = Table::create();
        event
            .table("event")
            .col(pk_auto("id"))
            .col(string_uniq("slug"))
            .col(string("title"))
            .col(text("description"))
            .col(date("starts_on"))
            .col(date("ends_on"))
            .col(integer_null("city_id"))
            .col(boolean("online"))
            .col(integer_null("organiser_id"))
            .col(string_null("url"))
            .foreign_key(&mut foreign_key(
                "event",
                "city_id",
                "city",
                ForeignKeyAction::SetNull,
            ))
            .foreign_key(&mut foreign_key(
                "event",
                "organiser_id",
                "organisation",
                ForeignKeyAction::SetNull,
            ));
        manager
            .create_table(with_timestamps(&mut event).to_owned())
            .await?;
        manager
            .create_table(link_table(
                "event_theme",
                ("event_id", "event"),
                ("theme_id", "theme", integer("theme_id")),
            ))
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_tables(
            manager,
            &[
                "event_theme",
                "event",
                "partnership_theme",
                "partnership_city",
                "partnership",
                "commitment",
                "membership",
            ],
        )
        .await
    }
}
