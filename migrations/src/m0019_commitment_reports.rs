use sea_orm_migration::{prelude::*, schema::*};

/// City profiles and commitment criteria: `commitment.last_reported_on` (the day the city last
/// reported through its platform, for the reporting criterion), `city.version` (for
/// `expectedVersion`) and `city.target_sectors` (the sectors a city's targets cover, a JSON list).
#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table("commitment")
                    .add_column(date_null("last_reported_on"))
                    .to_owned(),
            )
            .await?;
        for column in [
            integer("version").default(1).to_owned(),
            json_null("target_sectors"),
        ] {
            manager
                .alter_table(Table::alter().table("city").add_column(column).to_owned())
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for (table, column) in [
            ("city", "target_sectors"),
            ("city", "version"),
            ("commitment", "last_reported_on"),
        ] {
            manager
                .alter_table(Table::alter().table(table).drop_column(column).to_owned())
                .await?;
        }
        Ok(())
    }
}
