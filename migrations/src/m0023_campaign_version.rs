use sea_orm_migration::{prelude::*, schema::*};

/// `campaign.version`, for `updateCampaign(input: {expectedVersion})`.
#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table("campaign")
                    .add_column(integer("version").default(1).to_owned())
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table("campaign")
                    .drop_column("version")
                    .to_owned(),
            )
            .await
    }
}
