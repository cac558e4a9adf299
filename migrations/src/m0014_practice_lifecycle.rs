use crate::helpers::*;
use sea_orm_migration::{prelude::*, schema::*};

/// The practice life cycle (contribute, review, evaluate): `practice.version` for
/// `expectedVersion`, `practice.review_reason` for the reason of the last rejection or
/// archival, and `evaluation.evaluator_account_id` so that nobody evaluates a practice twice
/// (one evaluation per account and practice; imported evaluations have no account).
#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for column in [
            integer("version").default(1).to_owned(),
            text_null("review_reason"),
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table("practice")
                        .add_column(column)
                        .to_owned(),
                )
                .await?;
        }
        manager
            .alter_table(
                Table::alter()
                    .table("evaluation")
                    .add_column(
                        integer_null("evaluator_account_id")
                            .extra("REFERENCES account (id) ON DELETE SET NULL"),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(unique_index(
                "evaluation",
                &["practice_id", "evaluator_account_id"],
            ))
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(
                Index::drop()
                    .name("ux_evaluation_practice_id_evaluator_account_id")
                    .table("evaluation")
                    .to_owned(),
            )
            .await?;
        for (table, column) in [
            ("evaluation", "evaluator_account_id"),
            ("practice", "review_reason"),
            ("practice", "version"),
        ] {
            manager
                .alter_table(Table::alter().table(table).drop_column(column).to_owned())
                .await?;
        }
        Ok(())
    }
}
