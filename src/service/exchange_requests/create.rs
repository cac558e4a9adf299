//! `createExchangeRequest`: a member posts what a city offers or needs on a theme. One
//! transaction writes the request, its `change_log` row and its audit row.

use chrono::Utc;
use sea_orm::{ActiveModelTrait, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, Set};
use serde_json::json;

use super::ExchangeKind;
use crate::domain::{RecordKind, Viewer};
use crate::entity::{city, exchange_request, theme};
use crate::service::change_log::{self, Operation};
use crate::service::permissions::{self, Action};
use crate::service::records::FieldError;
use crate::service::{ServiceError, audit};

pub const TITLE_MAX_CHARS: usize = 200;
pub const BODY_MAX_CHARS: usize = 10_000;

/// A request as the client sent it; `city_id` is `None` when the ID was not a city's.
#[derive(Clone, Debug)]
pub struct NewRequest {
    pub city_id: Option<i32>,
    pub kind: ExchangeKind,
    pub theme: String,
    pub title: String,
    pub body: String,
}

fn text(field: &str, value: &str, max: usize, errors: &mut Vec<FieldError>) -> String {
    let trimmed = value.trim();
    let length = trimmed.chars().count();
    if length == 0 || length > max {
        errors.push(FieldError::new(
            field,
            format!("must be 1..{max} characters"),
        ));
    }
    trimmed.to_owned()
}

pub async fn run(
    db: &DatabaseConnection,
    viewer: &Viewer,
    new: NewRequest,
) -> Result<exchange_request::Model, ServiceError> {
    permissions::check(viewer, Action::RequestExchange)?;
    let mut errors = Vec::new();
    let city = match new.city_id {
        Some(id) => city::Entity::find_by_id(id).one(db).await?,
        None => None,
    };
    if city.is_none() {
        errors.push(FieldError::new("cityId", "is not the ID of a city"));
    }
    let theme = match crate::domain::ThemePath::parse(&new.theme) {
        Ok(path) => {
            let found = theme::Entity::find()
                .filter(theme::Column::Path.eq(path.as_str()))
                .one(db)
                .await?;
            if found.is_none() {
                errors.push(FieldError::new("theme", format!("unknown theme `{path}`")));
            }
            found.map(|row| row.id)
        }
        Err(message) => {
            errors.push(FieldError::new("theme", message));
            None
        }
    };
    let title = text("title", &new.title, TITLE_MAX_CHARS, &mut errors);
    let body = text("body", &new.body, BODY_MAX_CHARS, &mut errors);
    let (Some(city), Some(theme), true) = (city, theme, errors.is_empty()) else {
        return Err(ServiceError::Invalid(errors));
    };
    let author = viewer
        .account_id()
        .ok_or_else(|| ServiceError::Forbidden("an exchange request needs an account".into()))?;
    let now = Utc::now().fixed_offset();
    let txn = crate::service::change_log::begin_write(db).await?;
    let row = exchange_request::ActiveModel {
        city_id: Set(city.id),
        author_id: Set(author),
        kind: Set(new.kind.as_str().to_owned()),
        theme_id: Set(Some(theme)),
        title: Set(title),
        body: Set(body),
        status: Set("open".into()),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    let seq =
        change_log::append(&txn, RecordKind::ExchangeRequest, row.id, Operation::Upsert).await?;
    audit::record(
        &txn,
        viewer,
        audit::Entry {
            action: "exchange_request.create",
            target: RecordKind::ExchangeRequest,
            target_id: row.id,
            reason: None,
            details: json!({ "city": city.slug, "kind": row.kind, "theme": new.theme }),
            change_seq: Some(seq),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(row)
}
