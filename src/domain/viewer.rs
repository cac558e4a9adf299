//! Who a request is: [`Viewer`] travels with every request into the services, which decide
//! what it may see and do (`service::permissions`). A viewer is built only by authentication
//! (`service::auth`) or as [`Viewer::anonymous`]; nothing a client sends becomes one directly.

use super::Slug;

/// What a viewer may do. Roles are not a ladder except where `service::permissions` says so.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Role {
    /// No credentials: sees what is public.
    Anonymous,
    /// A signed-in person of the community.
    Member,
    /// Rates practices.
    Evaluator,
    /// Reviews submitted practices and keeps the community in order.
    Moderator,
    /// A partner platform, scoped to exactly one funding source.
    Partner,
    /// Runs the service: keys, accounts, the audit log.
    Admin,
}

impl Role {
    pub const ALL: [Role; 6] = [
        Role::Anonymous,
        Role::Member,
        Role::Evaluator,
        Role::Moderator,
        Role::Partner,
        Role::Admin,
    ];

    /// The stable lower-case name stored in `account.role` and `api_key.role` and read from
    /// tokens.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Anonymous => "anonymous",
            Role::Member => "member",
            Role::Evaluator => "evaluator",
            Role::Moderator => "moderator",
            Role::Partner => "partner",
            Role::Admin => "admin",
        }
    }

    /// A role by its name, case-insensitively.
    pub fn parse(name: &str) -> Option<Self> {
        let name = name.trim();
        Self::ALL
            .into_iter()
            .find(|role| role.as_str().eq_ignore_ascii_case(name))
    }

    /// Roles a credential can carry (anonymous is the absence of one).
    pub fn is_grantable(self) -> bool {
        self != Role::Anonymous
    }
}

impl std::fmt::Display for Role {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.write_str(self.as_str())
    }
}

/// How the viewer proved who it is; budgets are kept per credential.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Credential {
    None,
    /// An API key (`api_key.id`, and the prefix shown in listings and logs).
    ApiKey {
        id: i32,
        prefix: String,
    },
    /// A bearer token from the identity provider.
    Token,
    /// The operator at the command line (`kxc keys ...`): an admin without an account.
    Operator,
}

impl Credential {
    /// How the audit log names the credential: `api_key:kxc_1a2b3c4d`, `token`, `cli`.
    pub fn describe(&self) -> String {
        match self {
            Credential::None => "none".into(),
            Credential::ApiKey { prefix, .. } => format!("api_key:{prefix}"),
            Credential::Token => "token".into(),
            Credential::Operator => "cli".into(),
        }
    }
}

/// The account behind a signed-in viewer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Account {
    pub id: i32,
    pub name: String,
}

/// Who is asking. Partners always carry their one funding source; nobody else carries one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Viewer {
    role: Role,
    account: Option<Account>,
    source: Option<Slug>,
    credential: Credential,
}

/// Why a viewer cannot be built from what a credential says.
#[derive(Debug, PartialEq, Eq)]
pub enum ViewerError {
    AnonymousCredential,
    PartnerWithoutSource,
    SourceWithoutPartner,
}

impl std::fmt::Display for ViewerError {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.write_str(match self {
            Self::AnonymousCredential => "a credential cannot carry the anonymous role",
            Self::PartnerWithoutSource => "a partner must be scoped to one funding source",
            Self::SourceWithoutPartner => "only partners are scoped to a funding source",
        })
    }
}

impl Viewer {
    pub fn anonymous() -> Self {
        Self {
            role: Role::Anonymous,
            account: None,
            source: None,
            credential: Credential::None,
        }
    }

    /// The operator running `kxc` commands on the server: an admin, with no account.
    pub fn operator() -> Self {
        Self {
            role: Role::Admin,
            account: None,
            source: None,
            credential: Credential::Operator,
        }
    }

    /// A signed-in viewer. `source` is required for partners and refused for everyone else.
    pub fn signed_in(
        account: Account,
        role: Role,
        source: Option<Slug>,
        credential: Credential,
    ) -> Result<Self, ViewerError> {
        match (role, &source) {
            (Role::Anonymous, _) => return Err(ViewerError::AnonymousCredential),
            (Role::Partner, None) => return Err(ViewerError::PartnerWithoutSource),
            (Role::Partner, Some(_)) | (_, None) => {}
            (_, Some(_)) => return Err(ViewerError::SourceWithoutPartner),
        }
        Ok(Self {
            role,
            account: Some(account),
            source,
            credential,
        })
    }

    pub fn role(&self) -> Role {
        self.role
    }

    pub fn account(&self) -> Option<&Account> {
        self.account.as_ref()
    }

    pub fn account_id(&self) -> Option<i32> {
        self.account.as_ref().map(|account| account.id)
    }

    /// The funding source a partner is scoped to.
    pub fn source(&self) -> Option<&Slug> {
        self.source.as_ref()
    }

    pub fn credential(&self) -> &Credential {
        &self.credential
    }

    /// True when the request carried no credential.
    pub fn is_anonymous(&self) -> bool {
        self.role == Role::Anonymous
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn account() -> Account {
        Account {
            id: 1,
            name: "a".into(),
        }
    }

    #[test]
    fn roles_parse_from_their_names_in_any_case() {
        for role in Role::ALL {
            assert_eq!(Role::parse(role.as_str()), Some(role));
            assert_eq!(Role::parse(&role.as_str().to_uppercase()), Some(role));
        }
        assert_eq!(Role::parse("root"), None);
        assert!(!Role::Anonymous.is_grantable());
    }

    #[test]
    fn partners_and_only_partners_carry_a_source() {
        let source = Slug::try_from("eu-funding".to_owned()).unwrap();
        let partner = Viewer::signed_in(
            account(),
            Role::Partner,
            Some(source.clone()),
            Credential::Token,
        )
        .unwrap();
        assert_eq!(partner.source(), Some(&source));
        assert_eq!(
            Viewer::signed_in(account(), Role::Partner, None, Credential::Token),
            Err(ViewerError::PartnerWithoutSource)
        );
        assert_eq!(
            Viewer::signed_in(account(), Role::Member, Some(source), Credential::Token),
            Err(ViewerError::SourceWithoutPartner)
        );
        assert_eq!(
            Viewer::signed_in(account(), Role::Anonymous, None, Credential::Token),
            Err(ViewerError::AnonymousCredential)
        );
        assert!(Viewer::anonymous().is_anonymous());
    }
}
