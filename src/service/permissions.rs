//! Who may see and do what: the one place permission logic lives. GraphQL guards
//! (`graphql::guard`) and services call the `check_*` functions here; visibility of records is
//! the SQL condition [`practice_visibility`], shared by every read path (lists, lookups,
//! loaders, `node`, search), so they always agree.
//!
//! Errors follow one rule: no viewer at all is `Unauthenticated`, a known viewer without the
//! right is `Forbidden`.

use sea_orm::sea_query::{Condition, Expr, ExprTrait};

use super::ServiceError;
use crate::domain::{Role, Slug, Viewer};
use sea_orm::EntityTrait;

use crate::entity::{account, city, practice};

/// Privileged actions, each checked by [`check`]. Add one here with the roles allowed in
/// [`allowed`], and a row in the role table test (`tests/api/roles.rs`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    /// Create, list and revoke API keys.
    ManageApiKeys,
    /// Read the audit log.
    ReadAuditLog,
    /// Write funding records (`upsertFundingOpportunities`, `deleteFundingOpportunities`);
    /// which source is [`check_source`]'s to decide.
    WriteFunding,
    /// See practices in every state (drafts, submitted, rejected, archived), to review them;
    /// publish, reject, archive and edit any practice.
    ReviewPractices,
    /// Create practices and edit, submit, translate and archive one's own.
    ContributePractices,
    /// Evaluate published practices (never one's own, each once).
    EvaluatePractices,
    /// Subscribe webhooks to the change feed, list their deliveries, redeliver and delete them
    /// (one's own subscriptions; admins may delete and redeliver any).
    ManageWebhooks,
    /// Write threads and posts, edit one's own, flag posts (`service::community`).
    Participate,
    /// See and act on the moderation queue: approve, hide and restore posts, lock threads,
    /// suspend accounts, read the moderation log; edit any post.
    Moderate,
    /// Create cities, and create, edit and delete memberships, commitments, city-to-city
    /// partnerships, events and campaigns.
    ManageLandscape,
    /// Follow the moderation queue live (`moderationQueueChanged`).
    WatchModerationQueue,
    /// Post exchange requests (a city offers or needs help on a theme).
    RequestExchange,
    /// Edit a city's profile (name, place, population, climate targets) and its commitments:
    /// admins any city, every other signed-in account only the city it belongs to
    /// (`account.city_id`), which [`check_city`] decides.
    EditCity,
    /// Create, edit and delete concepts of the search vocabulary.
    ManageVocabulary,
}

impl Action {
    fn describe(self) -> &'static str {
        match self {
            Action::ManageApiKeys => "manage API keys",
            Action::ReadAuditLog => "read the audit log",
            Action::ReviewPractices => "review unpublished practices",
            Action::WriteFunding => "write funding records",
            Action::ContributePractices => "contribute practices",
            Action::EvaluatePractices => "evaluate practices",
            Action::ManageWebhooks => "manage webhook subscriptions",
            Action::Participate => "write in the community",
            Action::Moderate => "moderate the community",
            Action::ManageLandscape => {
                "manage cities, memberships, commitments, partnerships, events and campaigns"
            }
            Action::WatchModerationQueue => "watch the moderation queue",
            Action::RequestExchange => "post exchange requests",
            Action::EditCity => "edit a city's profile",
            Action::ManageVocabulary => "edit the concept vocabulary",
        }
    }
}

/// The roles that may perform `action`.
pub fn allowed(action: Action) -> &'static [Role] {
    match action {
        Action::ManageApiKeys
        | Action::ReadAuditLog
        | Action::ManageLandscape
        | Action::ManageVocabulary => &[Role::Admin],
        Action::ReviewPractices | Action::WatchModerationQueue => &[Role::Moderator, Role::Admin],
        Action::WriteFunding | Action::ManageWebhooks => &[Role::Partner, Role::Admin],
        Action::ContributePractices | Action::RequestExchange => {
            &[Role::Member, Role::Evaluator, Role::Moderator, Role::Admin]
        }
        Action::EvaluatePractices => &[Role::Evaluator, Role::Admin],
        Action::Participate => &[Role::Member, Role::Evaluator, Role::Moderator, Role::Admin],
        Action::Moderate => &[Role::Moderator, Role::Admin],
        Action::EditCity => &[
            Role::Member,
            Role::Evaluator,
            Role::Moderator,
            Role::Partner,
            Role::Admin,
        ],
    }
}

pub fn may(viewer: &Viewer, action: Action) -> bool {
    allowed(action).contains(&viewer.role())
}

/// `Ok` when `viewer` may perform `action`.
pub fn check(viewer: &Viewer, action: Action) -> Result<(), ServiceError> {
    if may(viewer, action) {
        return Ok(());
    }
    let message = format!(
        "only {} may {}",
        role_list(allowed(action)),
        action.describe()
    );
    if viewer.is_anonymous() {
        Err(ServiceError::Unauthenticated(format!("sign in: {message}")))
    } else {
        Err(ServiceError::Forbidden(message))
    }
}

/// `Ok` when `viewer` may edit `city`: admins any city, other accounts only the city they
/// belong to (`account.city_id`).
pub async fn check_city(
    db: &impl sea_orm::ConnectionTrait,
    viewer: &Viewer,
    city: &city::Model,
) -> Result<(), ServiceError> {
    check(viewer, Action::EditCity)?;
    if viewer.role() == Role::Admin {
        return Ok(());
    }
    let own = match viewer.account_id() {
        Some(id) => account::Entity::find_by_id(id)
            .one(db)
            .await?
            .and_then(|account| account.city_id),
        None => None,
    };
    if own == Some(city.id) {
        Ok(())
    } else {
        Err(ServiceError::Forbidden(format!(
            "only admins and the accounts of {} may edit it",
            city.name
        )))
    }
}

/// `Ok` for any signed-in viewer.
pub fn check_signed_in(viewer: &Viewer) -> Result<(), ServiceError> {
    if viewer.is_anonymous() {
        Err(ServiceError::Unauthenticated(
            "this needs an API key or a bearer token".into(),
        ))
    } else {
        Ok(())
    }
}

/// `Ok` when `viewer` may write the records of funding `source`: admins any, a partner only
/// its own.
pub fn check_source(viewer: &Viewer, source: &Slug) -> Result<(), ServiceError> {
    match viewer.role() {
        Role::Admin => Ok(()),
        Role::Partner if viewer.source() == Some(source) => Ok(()),
        Role::Partner => Err(ServiceError::Forbidden(format!(
            "this partner key is scoped to source `{}`, not `{source}`",
            viewer.source().map(Slug::as_str).unwrap_or_default()
        ))),
        Role::Anonymous => Err(ServiceError::Unauthenticated(
            "sign in as a partner or an admin to write funding records".into(),
        )),
        _ => Err(ServiceError::Forbidden(
            "only partners (for their own source) and admins may write funding records".into(),
        )),
    }
}

/// The practices `viewer` may see, as a condition on the `practice` table: published ones for
/// everybody, the viewer's own in any state, every state for reviewers (moderators and
/// admins). Deleted ones for nobody.
pub fn practice_visibility(viewer: &Viewer) -> Condition {
    let column = |column: practice::Column| Expr::col((practice::Entity, column));
    let not_deleted = Condition::all().add(column(practice::Column::DeletedAt).is_null());
    if may(viewer, Action::ReviewPractices) {
        return not_deleted;
    }
    let mut visible = Condition::any().add(column(practice::Column::Status).eq("published"));
    if let Some(account) = viewer.account_id() {
        visible = visible.add(column(practice::Column::OwnerId).eq(account));
    }
    not_deleted.add(visible)
}

/// True when `viewer` may see practices that anonymous visitors cannot; only then does search
/// look beyond the public index.
pub fn sees_unpublished_practices(viewer: &Viewer) -> bool {
    !viewer.is_anonymous()
}

fn role_list(roles: &[Role]) -> String {
    let names: Vec<String> = roles.iter().map(|role| format!("{role}s")).collect();
    match names.as_slice() {
        [] => "nobody".into(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{Account, Credential};

    fn viewer(role: Role) -> Viewer {
        let source =
            (role == Role::Partner).then(|| Slug::try_from("eu-funding".to_owned()).unwrap());
        Viewer::signed_in(
            Account {
                id: 7,
                name: "x".into(),
            },
            role,
            source,
            Credential::Token,
        )
        .unwrap()
    }

    #[test]
    fn nobody_is_unauthenticated_and_a_known_viewer_without_the_right_is_forbidden() {
        assert!(matches!(
            check(&Viewer::anonymous(), Action::ManageApiKeys),
            Err(ServiceError::Unauthenticated(_))
        ));
        assert!(matches!(
            check(&viewer(Role::Moderator), Action::ManageApiKeys),
            Err(ServiceError::Forbidden(message)) if message == "only admins may manage API keys"
        ));
        assert!(check(&viewer(Role::Admin), Action::ManageApiKeys).is_ok());
        assert!(check(&viewer(Role::Moderator), Action::ReviewPractices).is_ok());
    }

    #[test]
    fn a_partner_writes_only_its_own_source() {
        let own = Slug::try_from("eu-funding".to_owned()).unwrap();
        let other = Slug::try_from("other".to_owned()).unwrap();
        assert!(check_source(&viewer(Role::Partner), &own).is_ok());
        assert!(matches!(
            check_source(&viewer(Role::Partner), &other),
            Err(ServiceError::Forbidden(_))
        ));
        assert!(check_source(&viewer(Role::Admin), &other).is_ok());
        assert!(matches!(
            check_source(&viewer(Role::Member), &own),
            Err(ServiceError::Forbidden(_))
        ));
        assert!(matches!(
            check_source(&Viewer::anonymous(), &own),
            Err(ServiceError::Unauthenticated(_))
        ));
    }

    #[test]
    fn role_lists_read_as_english() {
        assert_eq!(role_list(&[Role::Admin]), "admins");
        assert_eq!(
            role_list(&[Role::Member, Role::Moderator, Role::Admin]),
            "members, moderators and admins"
        );
    }
}
