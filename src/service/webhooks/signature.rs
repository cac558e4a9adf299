//! Standard Webhooks signatures (<https://www.standardwebhooks.com>): `webhook-signature` is
//! `v1,` and the base64 HMAC-SHA256, keyed with the subscription's secret, of
//! `<webhook-id>.<webhook-timestamp>.<body>`.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, Mac};
use sha2::Sha256;

/// The `webhook-signature` value for one attempt.
pub fn sign(secret: &str, id: &str, timestamp: i64, body: &str) -> String {
    let mut mac =
        Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC accepts keys of any size");
    mac.update(format!("{id}.{timestamp}.").as_bytes());
    mac.update(body.as_bytes());
    format!("v1,{}", STANDARD.encode(mac.finalize().into_bytes()))
}

/// Whether `header` (space-separated `v1,<sig>` entries) holds a valid signature; in constant
/// time per entry. For receivers written in Rust, and the tests.
pub fn verify(secret: &str, id: &str, timestamp: i64, body: &str, header: &str) -> bool {
    let Some(expected) = sign(secret, id, timestamp, body)
        .strip_prefix("v1,")
        .and_then(|sig| STANDARD.decode(sig).ok())
    else {
        return false;
    };
    header.split(' ').any(|entry| {
        entry
            .strip_prefix("v1,")
            .and_then(|sig| STANDARD.decode(sig).ok())
            .is_some_and(|given| {
                use subtle::ConstantTimeEq;
                given.len() == expected.len() && bool::from(given.ct_eq(&expected))
            })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_signature_verifies_only_for_its_secret_id_timestamp_and_body() {
        let signature = sign("a-secret-of-24-characters", "msg_1", 1_700_000_000, "{}");
        assert!(signature.starts_with("v1,"));
        assert!(verify(
            "a-secret-of-24-characters",
            "msg_1",
            1_700_000_000,
            "{}",
            &signature
        ));
        assert!(!verify(
            "another-secret-24-chars!",
            "msg_1",
            1_700_000_000,
            "{}",
            &signature
        ));
        assert!(!verify(
            "a-secret-of-24-characters",
            "msg_1",
            1_700_000_001,
            "{}",
            &signature
        ));
        assert!(verify(
            "a-secret-of-24-characters",
            "msg_1",
            1_700_000_000,
            "{}",
            &format!("v1,AAAA {signature}")
        ));
    }
}
