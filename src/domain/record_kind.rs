//! [`RecordKind`]: the one list of the kinds of record kxc stores. Global IDs, `change_log`
//! rows, search documents and the change feed all name a kind by [`RecordKind::name`], so a
//! kind added here is added everywhere at once.

/// A kind of record. Its [`name`](Self::name) and [`code`](Self::code) are stable: they are
/// stored in `change_log`, in the search index and inside the global IDs clients keep.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum RecordKind {
    Practice,
    FundingOpportunity,
    City,
    Theme,
    Organisation,
    Region,
    Partnership,
    Event,
    Thread,
    Post,
    ExchangeRequest,
    Account,
    ApiKey,
    WebhookSubscription,
    WebhookDelivery,
    Concept,
    Campaign,
}

impl RecordKind {
    pub const ALL: [RecordKind; 17] = [
        Self::Practice,
        Self::FundingOpportunity,
        Self::City,
        Self::Theme,
        Self::Organisation,
        Self::Region,
        Self::Partnership,
        Self::Event,
        Self::Thread,
        Self::Post,
        Self::ExchangeRequest,
        Self::Account,
        Self::ApiKey,
        Self::WebhookSubscription,
        Self::WebhookDelivery,
        Self::Concept,
        Self::Campaign,
    ];

    /// The stable snake_case name: `change_log.entity_type`, the search document kind and the
    /// prefix inside a global ID.
    pub fn name(self) -> &'static str {
        match self {
            Self::Practice => "practice",
            Self::FundingOpportunity => "funding_opportunity",
            Self::City => "city",
            Self::Theme => "theme",
            Self::Organisation => "organisation",
            Self::Region => "region",
            Self::Partnership => "partnership",
            Self::Event => "event",
            Self::Thread => "thread",
            Self::Post => "post",
            Self::ExchangeRequest => "exchange_request",
            Self::Account => "account",
            Self::ApiKey => "api_key",
            Self::WebhookSubscription => "webhook_subscription",
            Self::WebhookDelivery => "webhook_delivery",
            Self::Concept => "concept",
            Self::Campaign => "campaign",
        }
    }

    /// The kind a stable name stands for.
    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|kind| kind.name() == name)
    }

    /// A small stable number for packed keys (the search index's document key). Never reuse one.
    pub fn code(self) -> u8 {
        match self {
            Self::Practice => 1,
            Self::FundingOpportunity => 2,
            Self::City => 3,
            Self::Theme => 4,
            Self::Organisation => 5,
            Self::Region => 6,
            Self::Partnership => 7,
            Self::Event => 8,
            Self::Thread => 9,
            Self::Post => 10,
            Self::ExchangeRequest => 11,
            Self::Account => 12,
            Self::ApiKey => 13,
            Self::WebhookSubscription => 14,
            Self::WebhookDelivery => 15,
            Self::Concept => 30,
            Self::Campaign => 21,
        }
    }

    /// The kind a [`code`](Self::code) stands for.
    pub fn from_code(code: u64) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|kind| u64::from(kind.code()) == code)
    }
}

impl std::fmt::Display for RecordKind {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;

    #[test]
    fn every_kind_parses_from_its_name_and_code_and_both_are_unique() {
        let names: HashSet<_> = RecordKind::ALL.iter().map(|kind| kind.name()).collect();
        let codes: HashSet<_> = RecordKind::ALL.iter().map(|kind| kind.code()).collect();
        assert_eq!(names.len(), RecordKind::ALL.len());
        assert_eq!(codes.len(), RecordKind::ALL.len());
        for kind in RecordKind::ALL {
            assert_eq!(RecordKind::parse(kind.name()), Some(kind));
            assert_eq!(RecordKind::from_code(u64::from(kind.code())), Some(kind));
        }
        assert_eq!(RecordKind::parse("Practice"), None);
        assert_eq!(RecordKind::from_code(0), None);
    }
}
