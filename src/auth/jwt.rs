//! Verifying bearer tokens from the portal's identity provider with `jsonwebtoken`: HS256 with a
//! shared secret, RS256 or ES256 with public keys from a PEM or JWKS file. Signature, issuer,
//! audience, expiry and not-before are all checked (with the configured leeway); a token
//! signed with any other algorithm, or with a key family that does not match its header, is
//! refused, so a public key can never be used as an HMAC secret.

use std::collections::HashSet;

use anyhow::Context;
use jsonwebtoken::errors::ErrorKind;
use jsonwebtoken::jwk::JwkSet;
use jsonwebtoken::{Algorithm, AlgorithmFamily, DecodingKey, Validation};
use serde_json::{Map, Value};

use crate::config::AuthSettings;

/// What a verified token says about its bearer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Claims {
    pub issuer: String,
    pub subject: String,
    /// `name`, else `preferred_username`, else the subject.
    pub name: String,
    /// The role claim's text, if the token has one.
    pub role: Option<String>,
    /// The source claim's text, if the token has one.
    pub source: Option<String>,
}

/// Public keys of the identity provider, by key id where the JWKS gives one.
struct PublicKey {
    id: Option<String>,
    key: DecodingKey,
    algorithm: Algorithm,
}

pub struct JwtVerifier {
    secret: Option<DecodingKey>,
    public: Vec<PublicKey>,
    issuer: String,
    audience: String,
    leeway: u64,
    role_claim: String,
    source_claim: String,
}

impl JwtVerifier {
    /// `None` when no JWT key is configured (bearer tokens other than API keys are then refused).
    pub fn from_settings(settings: &AuthSettings) -> anyhow::Result<Option<Self>> {
        if !settings.accepts_tokens() {
            return Ok(None);
        }
        let issuer = settings.jwt_issuer.clone().context(
            "KXC_JWT_ISSUER must be set when KXC_JWT_HS256_SECRET or KXC_JWT_PUBLIC_KEYS is",
        )?;
        let audience = settings.jwt_audience.clone().context(
            "KXC_JWT_AUDIENCE must be set when KXC_JWT_HS256_SECRET or KXC_JWT_PUBLIC_KEYS is",
        )?;
        let public = match &settings.jwt_public_keys {
            Some(path) => {
                let text = std::fs::read_to_string(path).with_context(|| {
                    format!("KXC_JWT_PUBLIC_KEYS: cannot read {}", path.display())
                })?;
                public_keys(&text).with_context(|| {
                    format!(
                        "KXC_JWT_PUBLIC_KEYS: {} holds no usable key",
                        path.display()
                    )
                })?
            }
            None => Vec::new(),
        };
        Ok(Some(Self {
            secret: settings
                .jwt_hs256_secret
                .as_ref()
                .map(|secret| DecodingKey::from_secret(secret.as_bytes()))
                .transpose()
                .context("KXC_JWT_HS256_SECRET cannot be used as a key")?,
            public,
            issuer,
            audience,
            leeway: settings.jwt_leeway_seconds,
            role_claim: settings.jwt_role_claim.clone(),
            source_claim: settings.jwt_source_claim.clone(),
        }))
    }

    /// The claims of a valid token; otherwise a message for the client.
    pub fn verify(&self, token: &str) -> Result<Claims, String> {
        let header = jsonwebtoken::decode_header(token).map_err(|_| malformed())?;
        let key = match header.alg {
            Algorithm::HS256 => self.secret.as_ref(),
            Algorithm::RS256 | Algorithm::ES256 => self.public_key(header.alg, header.kid),
            _ => {
                return Err(format!(
                    "tokens signed with {:?} are not accepted (HS256, RS256, ES256 are)",
                    header.alg
                ));
            }
        }
        .ok_or_else(|| "no key of this server verifies the token".to_owned())?;
        let mut validation = Validation::new(header.alg);
        validation.leeway = self.leeway;
        validation.validate_nbf = true;
        validation.set_issuer(&[&self.issuer]);
        validation.set_audience(&[&self.audience]);
        validation.required_spec_claims =
            HashSet::from(["exp", "iss", "aud", "sub"].map(str::to_owned));
        let data = jsonwebtoken::decode::<Map<String, Value>>(token, key, &validation)
            .map_err(|error| explain(error.kind()))?;
        let claims = data.claims;
        let text = |name: &str| claims.get(name).and_then(Value::as_str).map(str::to_owned);
        let subject = text("sub")
            .filter(|subject| !subject.is_empty())
            .ok_or("the token's `sub` claim must be a non-empty string")?;
        Ok(Claims {
            issuer: self.issuer.clone(),
            name: text("name")
                .or_else(|| text("preferred_username"))
                .unwrap_or_else(|| subject.clone()),
            subject,
            role: text(&self.role_claim),
            source: text(&self.source_claim),
        })
    }

    pub fn role_claim(&self) -> &str {
        &self.role_claim
    }

    pub fn source_claim(&self) -> &str {
        &self.source_claim
    }

    fn public_key(&self, algorithm: Algorithm, id: Option<String>) -> Option<&DecodingKey> {
        let mut candidates = self.public.iter().filter(|key| key.algorithm == algorithm);
        match id {
            Some(id) => candidates
                .find(|key| key.id.as_deref() == Some(id.as_str()))
                .map(|key| &key.key),
            None => candidates.next().map(|key| &key.key),
        }
    }
}

fn malformed() -> String {
    "the bearer token is neither an API key nor a well-formed JWT".into()
}

fn explain(kind: &ErrorKind) -> String {
    match kind {
        ErrorKind::ExpiredSignature => "the token has expired".into(),
        ErrorKind::ImmatureSignature => "the token is not valid yet (`nbf`)".into(),
        ErrorKind::InvalidIssuer => "the token was issued by another issuer".into(),
        ErrorKind::InvalidAudience => "the token is meant for another audience".into(),
        ErrorKind::InvalidSignature => "the token's signature does not verify".into(),
        ErrorKind::MissingRequiredClaim(claim) => format!("the token has no `{claim}` claim"),
        ErrorKind::InvalidAlgorithm => "the token's algorithm does not fit its key".into(),
        _ => malformed(),
    }
}

/// Keys from a JWKS document or from a PEM public key (RSA or EC P-256).
fn public_keys(text: &str) -> anyhow::Result<Vec<PublicKey>> {
    if text.trim_start().starts_with('{') {
        let set: JwkSet = serde_json::from_str(text).context("not a JWKS document")?;
        let mut keys = Vec::new();
        for jwk in &set.keys {
            let key = DecodingKey::from_jwk(jwk).context("a JWKS key cannot be used")?;
            let algorithm = match key.family() {
                AlgorithmFamily::Rsa => Algorithm::RS256,
                AlgorithmFamily::Ec => Algorithm::ES256,
                // Symmetric keys do not belong in a public key set.
                _ => continue,
            };
            keys.push(PublicKey {
                id: jwk.common.key_id.clone(),
                key,
                algorithm,
            });
        }
        anyhow::ensure!(!keys.is_empty(), "the JWKS holds no RSA or EC key");
        return Ok(keys);
    }
    let bytes = text.as_bytes();
    let (key, algorithm) = if let Ok(key) = DecodingKey::from_ec_pem(bytes) {
        (key, Algorithm::ES256)
    } else {
        let key = DecodingKey::from_rsa_pem(bytes).context("not an RSA or EC public key in PEM")?;
        (key, Algorithm::RS256)
    };
    Ok(vec![PublicKey {
        id: None,
        key,
        algorithm,
    }])
}
