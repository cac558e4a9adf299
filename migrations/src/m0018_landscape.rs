use crate::helpers::*;
use sea_orm_migration::{prelude::*, schema::*};

/// The city landscape made editable and queryable: `partnership.version` (for
/// `expectedVersion`) and `partnership.outcomes`; a participant's `role` in
/// `partnership_city` (mentor, learner, lead, member); events with local start and end times
/// in an IANA time zone and the campaign they belong to; and `campaign`, a communication
/// campaign (such as Race to Zero for Norwegian municipalities) whose milestones are events,
/// with the joining steps it publishes; and the organisation that reports a commitment on a
/// city's behalf (`commitment.reporting_organisation_id`, e.g. a county for its municipalities).
#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let mut campaign = Table::create();
        campaign
            .table("campaign")
            .col(pk_auto("id"))
            .col(string_uniq("slug"))
            .col(string("name"))
            .col(text("description"))
            .col(integer_null("organiser_id"))
            .col(string_null("country_code"))
            .col(string_null("url"))
            .col(date_null("starts_on"))
            .col(date_null("ends_on"))
            .col(json_null("joining_steps"))
            .foreign_key(&mut foreign_key(
                "campaign",
                "organiser_id",
                "organisation",
                ForeignKeyAction::SetNull,
            ));
        manager
            .create_table(with_timestamps(&mut campaign).to_owned())
            .await?;

        for column in [
            integer("version").default(1).to_owned(),
            text_null("outcomes"),
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table("partnership")
                        .add_column(column)
                        .to_owned(),
                )
                .await?;
        }
        manager
            .alter_table(
                Table::alter()
                    .table("partnership_city")
                    .add_column(string("role").default("member").to_owned())
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index("partnership_city", &["city_id"]))
            .await?;
        for column in [
            integer("version").default(1).to_owned(),
            string_null("start_time"),
            string_null("end_time"),
            string("time_zone").default("UTC").to_owned(),
            integer_null("campaign_id")
                .extra("REFERENCES campaign (id) ON DELETE SET NULL")
                .to_owned(),
        ] {
            manager
                .alter_table(Table::alter().table("event").add_column(column).to_owned())
                .await?;
        }
        manager
            .alter_table(
                Table::alter()
                    .table("commitment")
                    .add_column(
                        integer_null("reporting_organisation_id")
                            .extra("REFERENCES organisation (id) ON DELETE SET NULL")
                            .to_owned(),
                    )
                    .to_owned(),
            )
            .await?;
        manager.create_index(index("event", &["starts_on"])).await?;
        manager.create_index(index("event", &["campaign_id"])).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for (table, name) in [
            ("event", "ix_event_campaign_id"),
            ("event", "ix_event_starts_on"),
            ("partnership_city", "ix_partnership_city_city_id"),
        ] {
            manager
                .drop_index(Index::drop().name(name).table(table).to_owned())
                .await?;
        }
        for (table, column) in [
            ("commitment", "reporting_organisation_id"),
            ("event", "campaign_id"),
            ("event", "time_zone"),
            ("event", "end_time"),
            ("event", "start_time"),
            ("event", "version"),
            ("partnership_city", "role"),
            ("partnership", "outcomes"),
            ("partnership", "version"),
        ] {
            manager
                .alter_table(Table::alter().table(table).drop_column(column).to_owned())
                .await?;
        }
        drop_tables(manager, &["campaign"]).await
    }
}
