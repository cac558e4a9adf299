//! Creating an API key (admins, and the operator's `kxc keys create`): permission check,
//! validation, then one transaction with the key's account, the key, its `change_log` row and
//! its audit row. The secret is returned once and only its hash is stored.

use chrono::Utc;
use sea_orm::{ActiveModelTrait, DatabaseConnection, Set};

use crate::auth::api_key;
use crate::domain::{RecordKind, Role, Slug, Viewer};
use crate::entity::{account, api_key as key_entity};
use crate::service::change_log::{self, Operation};
use crate::service::permissions::{self, Action};
use crate::service::records::FieldError;
use crate::service::{ServiceError, audit};

pub const MAX_NAME_CHARS: usize = 100;
pub const MAX_REASON_CHARS: usize = 1000;

/// What to create. Field errors name these fields (`name`, `role`, `source`, `reason`).
#[derive(Clone, Debug)]
pub struct NewKey {
    pub name: String,
    pub role: Role,
    /// Required for partners, refused for everyone else.
    pub source: Option<Slug>,
    pub reason: Option<String>,
}

pub struct Created {
    pub key: key_entity::Model,
    /// The whole key: show it once, it cannot be read again.
    pub secret: String,
}

pub async fn run(
    db: &DatabaseConnection,
    viewer: &Viewer,
    new: NewKey,
) -> Result<Created, ServiceError> {
    permissions::check(viewer, Action::ManageApiKeys)?;
    let errors = validate(&new);
    if !errors.is_empty() {
        return Err(ServiceError::Invalid(errors));
    }
    let (prefix, secret) = api_key::generate()
        .map_err(|error| ServiceError::Db(sea_orm::DbErr::Custom(error.to_string())))?;
    let now = Utc::now().fixed_offset();
    let name = new.name.trim().to_owned();
    let txn = crate::service::change_log::begin_write(db).await?;
    let owner = account::ActiveModel {
        name: Set(name.clone()),
        role: Set(new.role.as_str().to_owned()),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    let key = key_entity::ActiveModel {
        account_id: Set(owner.id),
        prefix: Set(prefix.clone()),
        key_hash: Set(api_key::hash(&secret)),
        role: Set(new.role.as_str().to_owned()),
        source_scope: Set(new.source.as_ref().map(ToString::to_string)),
        // Budgets come from the role's settings; the column is kept for a per-key override.
        cost_budget: Set(0),
        name: Set(name.clone()),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    let seq = change_log::append(&txn, RecordKind::ApiKey, key.id, Operation::Upsert).await?;
    audit::record(
        &txn,
        viewer,
        audit::Entry {
            action: "api_key.create",
            target: RecordKind::ApiKey,
            target_id: key.id,
            reason: new.reason.clone(),
            details: serde_json::json!({
                "prefix": prefix,
                "name": name,
                "role": new.role.as_str(),
                "source": new.source.as_ref().map(Slug::as_str),
            }),
            change_seq: Some(seq),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(Created { key, secret })
}

fn validate(new: &NewKey) -> Vec<FieldError> {
    let mut errors = Vec::new();
    let name = new.name.trim();
    if name.is_empty() {
        errors.push(FieldError::new("name", "must not be blank"));
    } else if name.chars().count() > MAX_NAME_CHARS {
        errors.push(FieldError::new(
            "name",
            format!("must be at most {MAX_NAME_CHARS} characters"),
        ));
    }
    if !new.role.is_grantable() {
        errors.push(FieldError::new("role", "a key cannot be anonymous"));
    }
    match (new.role, &new.source) {
        (Role::Partner, None) => errors.push(FieldError::new(
            "source",
            "a partner key needs the funding source it may write",
        )),
        (Role::Partner, Some(_)) | (_, None) => {}
        (_, Some(_)) => errors.push(FieldError::new("source", "only partner keys have a source")),
    }
    if new
        .reason
        .as_ref()
        .is_some_and(|reason| reason.chars().count() > MAX_REASON_CHARS)
    {
        errors.push(FieldError::new(
            "reason",
            format!("must be at most {MAX_REASON_CHARS} characters"),
        ));
    }
    errors
}

#[cfg(test)]
mod tests {
    use super::*;

    fn new(role: Role, source: Option<&str>) -> NewKey {
        NewKey {
            name: "Partner portal".into(),
            role,
            source: source.map(|text| Slug::try_from(text.to_owned()).unwrap()),
            reason: None,
        }
    }

    #[test]
    fn partner_keys_and_only_partner_keys_name_a_source() {
        assert!(validate(&new(Role::Partner, Some("eu-funding"))).is_empty());
        assert_eq!(
            validate(&new(Role::Partner, None))[0].path.snake(),
            "source"
        );
        assert_eq!(
            validate(&new(Role::Member, Some("eu-funding")))[0]
                .path
                .snake(),
            "source"
        );
        assert_eq!(
            validate(&new(Role::Anonymous, None))[0].path.snake(),
            "role"
        );
    }

    #[test]
    fn a_name_is_required_and_bounded() {
        let mut blank = new(Role::Admin, None);
        blank.name = "  ".into();
        assert_eq!(validate(&blank)[0].path.snake(), "name");
        let mut long = new(Role::Admin, None);
        long.name = "x".repeat(MAX_NAME_CHARS + 1);
        assert_eq!(validate(&long)[0].path.snake(), "name");
    }
}
