use crate::helpers::*;
use sea_orm_migration::{prelude::*, schema::*};

/// Evaluations of practices: seven criteria scored 1..5.
#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let mut evaluation = Table::create();
        evaluation
            .table("evaluation")
            .col(pk_auto("id"))
            .col(integer("practice_id"))
            .col(string("evaluator"))
            .col(small_integer("relevance"))
            .col(small_integer("impact"))
            .col(small_integer("evidence_quality"))
            .col(small_integer("replicability"))
            .col(small_integer("cost_effectiveness"))
            .col(small_integer("co_benefits"))
            .col(small_integer("participation"))
            .col(text("summary"))
            .col(date("evaluated_on"))
            .col(string("status"))
            .foreign_key(&mut foreign_key(
                "evaluation",
                "practice_id",
                "practice",
                ForeignKeyAction::Cascade,
            ));
        manager
            .create_table(with_timestamps(&mut evaluation).to_owned())
            .await?;
        manager
            .create_index(index("evaluation", &["practice_id"]))
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_tables(manager, &["evaluation"]).await
    }
}
