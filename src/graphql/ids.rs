//! Opaque Relay global IDs: base64 of `kind:id`, where `kind` is [`RecordKind::name`]. Clients
//! must treat them as opaque.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

pub use crate::domain::RecordKind;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct GlobalId {
    pub kind: RecordKind,
    pub id: i32,
}

impl GlobalId {
    pub fn new(kind: RecordKind, id: i32) -> Self {
        Self { kind, id }
    }

    pub fn encode(self) -> async_graphql::ID {
        async_graphql::ID(URL_SAFE_NO_PAD.encode(format!("{}:{}", self.kind.name(), self.id)))
    }

    pub fn decode(value: &str) -> Option<Self> {
        let bytes = URL_SAFE_NO_PAD.decode(value).ok()?;
        let text = String::from_utf8(bytes).ok()?;
        let (kind, id) = text.split_once(':')?;
        Some(Self {
            kind: RecordKind::parse(kind)?,
            id: id.parse().ok()?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_round_trip_and_garbage_is_none() {
        let id = GlobalId::new(RecordKind::City, 42);
        assert_eq!(GlobalId::decode(&id.encode()), Some(id));
        assert_eq!(GlobalId::decode("not-an-id"), None);
        assert_eq!(
            GlobalId::decode(&URL_SAFE_NO_PAD.encode("Spaceship:1")),
            None
        );
    }
}
