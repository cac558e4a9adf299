//! The API key format: `kxc_` + 8 hex characters (the public prefix that names the key in
//! listings and logs) + `_` + 43 base64url characters (256 random bits from the operating
//! system). Only the SHA-256 of the whole key is stored.
//!
//! Why SHA-256 and not argon2 or bcrypt: those are slow on purpose so that guessing a
//! low-entropy password costs the attacker; a 256-bit random secret cannot be guessed however
//! fast the hash, and a deliberately slow hash on every request would hand anyone sending
//! made-up keys a cheap way to burn the server's CPU and memory.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

pub const PREFIX_TAG: &str = "kxc_";
const PREFIX_HEX: usize = 8;
const SECRET_BYTES: usize = 32;

/// A key as presented by a client, split into its lookup prefix and the whole text.
#[derive(Debug, PartialEq, Eq)]
pub struct PresentedKey<'a> {
    /// `kxc_` and the 8 hex characters, as stored in `api_key.prefix`.
    pub prefix: &'a str,
    pub whole: &'a str,
}

/// True when a bearer token looks like an API key rather than a JWT.
pub fn is_api_key(token: &str) -> bool {
    token.starts_with(PREFIX_TAG)
}

/// Splits a presented key; `None` when it is not in the key format.
pub fn parse(whole: &str) -> Option<PresentedKey<'_>> {
    let rest = whole.strip_prefix(PREFIX_TAG)?;
    let (id, secret) = rest.split_at_checked(PREFIX_HEX)?;
    let secret = secret.strip_prefix('_')?;
    let well_formed = id.bytes().all(|byte| byte.is_ascii_hexdigit())
        && URL_SAFE_NO_PAD
            .decode(secret)
            .is_ok_and(|bytes| bytes.len() == SECRET_BYTES);
    well_formed.then(|| PresentedKey {
        prefix: &whole[..PREFIX_TAG.len() + PREFIX_HEX],
        whole,
    })
}

/// A new key: its prefix and the whole text, which is shown once and never stored.
pub fn generate() -> Result<(String, String), getrandom::Error> {
    let mut id = [0u8; PREFIX_HEX / 2];
    let mut secret = [0u8; SECRET_BYTES];
    getrandom::fill(&mut id)?;
    getrandom::fill(&mut secret)?;
    let prefix = format!(
        "{PREFIX_TAG}{}",
        id.iter()
            .map(|byte| format!("{byte:02x}"))
            .collect::<String>()
    );
    let whole = format!("{prefix}_{}", URL_SAFE_NO_PAD.encode(secret));
    Ok((prefix, whole))
}

/// What `api_key.key_hash` holds: the SHA-256 of the whole key, in hex.
pub fn hash(whole: &str) -> String {
    Sha256::digest(whole.as_bytes())
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

/// Compares in constant time, so response timing says nothing about the stored hash.
pub fn matches(whole: &str, stored_hash: &str) -> bool {
    hash(whole).as_bytes().ct_eq(stored_hash.as_bytes()).into()
}

/// A prefix as an operator types it (`kxc_1a2b3c4d` or `1a2b3c4d`), normalised.
pub fn normalise_prefix(text: &str) -> Option<String> {
    let id = text.trim();
    let id = id
        .strip_prefix(PREFIX_TAG)
        .unwrap_or(id)
        .to_ascii_lowercase();
    (id.len() == PREFIX_HEX && id.bytes().all(|byte| byte.is_ascii_hexdigit()))
        .then(|| format!("{PREFIX_TAG}{id}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_generated_key_parses_to_its_prefix_and_matches_only_its_hash() {
        let (prefix, whole) = generate().unwrap();
        assert!(is_api_key(&whole));
        assert_eq!(whole.len(), 4 + 8 + 1 + 43);
        let presented = parse(&whole).unwrap();
        assert_eq!(presented.prefix, prefix);
        let stored = hash(&whole);
        assert!(matches(&whole, &stored));
        let (_, other) = generate().unwrap();
        assert!(!matches(&other, &stored));
        assert_ne!(generate().unwrap().1, whole);
    }

    #[test]
    fn malformed_keys_do_not_parse() {
        let (_, whole) = generate().unwrap();
        assert!(parse(&whole[..whole.len() - 1]).is_none());
        assert!(parse("kxc_zzzzzzzz_AAAA").is_none());
        assert!(parse("kxc_").is_none());
        assert!(parse("eyJhbGciOi.x.y").is_none());
        assert!(parse(&whole.replacen('_', "-", 2)).is_none());
    }

    #[test]
    fn prefixes_are_accepted_with_or_without_the_tag() {
        assert_eq!(
            normalise_prefix("1A2B3C4D").as_deref(),
            Some("kxc_1a2b3c4d")
        );
        assert_eq!(
            normalise_prefix("kxc_1a2b3c4d").as_deref(),
            Some("kxc_1a2b3c4d")
        );
        assert_eq!(normalise_prefix("kxc_1a2b"), None);
    }
}
