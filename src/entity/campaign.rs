//! A communication campaign (such as Race to Zero for Norwegian municipalities); its
//! milestones and deadlines are events with `campaign_id` set.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "campaign")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    #[sea_orm(unique)]
    pub slug: String,
    pub name: String,
    #[sea_orm(column_type = "Text")]
    pub description: String,
    pub organiser_id: Option<i32>,
    pub country_code: Option<String>,
    pub url: Option<String>,
    pub starts_on: Option<Date>,
    pub ends_on: Option<Date>,
    /// The steps a member joins by, in order (a JSON array of strings).
    pub joining_steps: Option<Json>,
    pub created_at: DateTimeWithTimeZone,
    pub updated_at: DateTimeWithTimeZone,
    pub version: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(has_many = "super::event::Entity")]
    Event,
    #[sea_orm(
        belongs_to = "super::organisation::Entity",
        from = "Column::OrganiserId",
        to = "super::organisation::Column::Id",
        on_update = "NoAction",
        on_delete = "SetNull"
    )]
    Organisation,
}

impl Related<super::event::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Event.def()
    }
}

impl Related<super::organisation::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Organisation.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
