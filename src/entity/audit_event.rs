//! `SeaORM` Entity for `audit_event` (migration m0013), in the style of sea-orm-codegen 2.0

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "audit_event")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub occurred_at: DateTimeWithTimeZone,
    pub actor_account_id: Option<i32>,
    pub actor_role: String,
    pub actor_credential: String,
    pub action: String,
    pub target_type: String,
    pub target_id: i32,
    #[sea_orm(column_type = "Text", nullable)]
    pub reason: Option<String>,
    pub details: Json,
    pub change_seq: Option<i64>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::account::Entity",
        from = "Column::ActorAccountId",
        to = "super::account::Column::Id",
        on_update = "NoAction",
        on_delete = "SetNull"
    )]
    Account,
}

impl Related<super::account::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Account.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
