//! Opaque Relay global IDs: base64 of `Type:id`. Clients must treat them as opaque.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NodeType {
    Practice,
    City,
    Theme,
    FundingOpportunity,
}

impl NodeType {
    fn as_str(self) -> &'static str {
        match self {
            Self::Practice => "Practice",
            Self::City => "City",
            Self::Theme => "Theme",
            Self::FundingOpportunity => "FundingOpportunity",
        }
    }

    fn parse(value: &str) -> Option<Self> {
        [
            Self::Practice,
            Self::City,
            Self::Theme,
            Self::FundingOpportunity,
        ]
        .into_iter()
        .find(|kind| kind.as_str() == value)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct GlobalId {
    pub kind: NodeType,
    pub id: i32,
}

impl GlobalId {
    pub fn new(kind: NodeType, id: i32) -> Self {
        Self { kind, id }
    }

    pub fn encode(self) -> async_graphql::ID {
        async_graphql::ID(URL_SAFE_NO_PAD.encode(format!("{}:{}", self.kind.as_str(), self.id)))
    }

    pub fn decode(value: &str) -> Option<Self> {
        let bytes = URL_SAFE_NO_PAD.decode(value).ok()?;
        let text = String::from_utf8(bytes).ok()?;
        let (kind, id) = text.split_once(':')?;
        Some(Self {
            kind: NodeType::parse(kind)?,
            id: id.parse().ok()?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_round_trip_and_garbage_is_none() {
        let id = GlobalId::new(NodeType::City, 42);
        assert_eq!(GlobalId::decode(&id.encode()), Some(id));
        assert_eq!(GlobalId::decode("not-an-id"), None);
        assert_eq!(
            GlobalId::decode(&URL_SAFE_NO_PAD.encode("Spaceship:1")),
            None
        );
    }
}
