//! Who is asking, and how much of the server they may use.
//!
//! - [`Authenticator::authenticate`] turns the `Authorization` header into a [`Viewer`]: no
//!   header is anonymous; `Bearer kxc_...` is an API key ([`api_key`]); any other bearer token
//!   is a JWT ([`jwt`]). A credential that does not verify is refused, never treated as
//!   anonymous.
//! - [`budget::Budgets`] keeps a leaky bucket of query cost per key, account or client address.
//!
//! What a viewer may then see and do is `service::permissions`.

pub mod api_key;
pub mod budget;
pub mod jwt;

use sea_orm::DatabaseConnection;

use crate::config::AuthSettings;
use crate::domain::{Account, Credential, Role, Slug, Viewer};
use crate::service;
use crate::service::api_keys::KeyRefusal;

/// Why a request's credentials were refused.
#[derive(Debug, PartialEq, Eq)]
pub enum Refusal {
    /// The credential is missing a part, malformed, unknown, revoked, expired or foreign: 401.
    Unauthenticated(String),
    /// The credential is good but its account is suspended: 403.
    Suspended,
}

impl Refusal {
    pub fn message(&self) -> &str {
        match self {
            Refusal::Unauthenticated(message) => message,
            Refusal::Suspended => "this account is suspended",
        }
    }
}

pub struct Authenticator {
    jwt: Option<jwt::JwtVerifier>,
}

impl Authenticator {
    /// Fails when the JWT settings are incomplete or a key file cannot be used; the message
    /// names the variable.
    pub fn from_settings(settings: &AuthSettings) -> anyhow::Result<Self> {
        Ok(Self {
            jwt: jwt::JwtVerifier::from_settings(settings)?,
        })
    }

    /// The viewer of a request with this `Authorization` header value (`None`: no header).
    pub async fn authenticate(
        &self,
        db: &DatabaseConnection,
        authorization: Option<&str>,
    ) -> Result<Result<Viewer, Refusal>, sea_orm::DbErr> {
        let Some(header) = authorization else {
            return Ok(Ok(Viewer::anonymous()));
        };
        let refuse = |message: &str| Ok(Err(Refusal::Unauthenticated(message.to_owned())));
        let Some(token) = bearer_token(header) else {
            return refuse("send credentials as `Authorization: Bearer <API key or token>`");
        };
        if api_key::is_api_key(token) {
            return self.with_key(db, token).await;
        }
        let Some(verifier) = &self.jwt else {
            return refuse("this server accepts API keys (`kxc_...`) but no other bearer tokens");
        };
        let claims = match verifier.verify(token) {
            Ok(claims) => claims,
            Err(message) => return refuse(&message),
        };
        let role = match claims.role.as_deref() {
            None => Role::Member,
            Some(text) => match Role::parse(text).filter(|role| role.is_grantable()) {
                Some(role) => role,
                None => {
                    return refuse(&format!(
                        "the token's `{}` claim `{text}` is not a role (member, evaluator, moderator, partner, admin)",
                        verifier.role_claim()
                    ));
                }
            },
        };
        let source = match (role, claims.source.as_deref()) {
            (Role::Partner, Some(text)) => match Slug::parse(text) {
                Ok(source) => Some(source),
                Err(_) => {
                    return refuse(&format!(
                        "the token's `{}` claim is not a source slug",
                        verifier.source_claim()
                    ));
                }
            },
            (Role::Partner, None) => {
                return refuse(&format!(
                    "a partner token needs the `{}` claim naming its funding source",
                    verifier.source_claim()
                ));
            }
            _ => None,
        };
        let account =
            service::accounts::from_token(db, &claims.issuer, &claims.subject, &claims.name, role)
                .await?;
        if account.disabled_at.is_some() {
            return Ok(Err(Refusal::Suspended));
        }
        Ok(Viewer::signed_in(
            Account {
                id: account.id,
                name: account.name,
            },
            role,
            source,
            Credential::Token,
        )
        .map_err(|error| Refusal::Unauthenticated(error.to_string())))
    }

    async fn with_key(
        &self,
        db: &DatabaseConnection,
        token: &str,
    ) -> Result<Result<Viewer, Refusal>, sea_orm::DbErr> {
        let (key, owner) = match service::api_keys::check(db, token).await? {
            Ok(found) => found,
            Err(KeyRefusal::Unknown) => {
                return Ok(Err(Refusal::Unauthenticated(
                    "the API key is not known".into(),
                )));
            }
            Err(KeyRefusal::Revoked) => {
                return Ok(Err(Refusal::Unauthenticated(
                    "the API key has been revoked".into(),
                )));
            }
        };
        if owner.disabled_at.is_some() {
            return Ok(Err(Refusal::Suspended));
        }
        let role = Role::parse(&key.role).unwrap_or(Role::Anonymous);
        let source = key
            .source_scope
            .as_deref()
            .and_then(|text| Slug::parse(text).ok());
        Ok(Viewer::signed_in(
            Account {
                id: owner.id,
                name: key.name.clone(),
            },
            role,
            source,
            Credential::ApiKey {
                id: key.id,
                prefix: key.prefix,
            },
        )
        .map_err(|error| Refusal::Unauthenticated(format!("the API key is unusable: {error}"))))
    }
}

/// The token of `Bearer <token>` (the scheme is case-insensitive).
fn bearer_token(header: &str) -> Option<&str> {
    let (scheme, token) = header.trim().split_once(' ')?;
    let token = token.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty()).then_some(token)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_bearer_credentials_are_read() {
        assert_eq!(bearer_token("Bearer abc"), Some("abc"));
        assert_eq!(bearer_token("bearer  abc "), Some("abc"));
        assert_eq!(bearer_token("Basic abc"), None);
        assert_eq!(bearer_token("Bearer "), None);
        assert_eq!(bearer_token("abc"), None);
    }
}
