//! The engine-independent shape of an indexed record. Mappings produce these from the database;
//! the engine encodes them into its own documents. Nothing here knows about tantivy.

use chrono::{DateTime, NaiveDate, Utc};

use crate::domain::GeoPoint;

pub use crate::domain::RecordKind;

/// The kinds `search` returns; the others (themes, funders) only feed `suggest`.
pub const SEARCHABLE: [RecordKind; 4] = [
    RecordKind::Practice,
    RecordKind::FundingOpportunity,
    RecordKind::City,
    RecordKind::Thread,
];

/// The unique key of a document: kind and row id packed into one number, so that an upsert can
/// delete the previous version by a single term and results tie-break on a stable value.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct DocKey(u64);

impl DocKey {
    pub fn new(kind: RecordKind, id: i32) -> Self {
        // Row ids are positive; the cast keeps the low 32 bits.
        Self((u64::from(kind.code()) << 32) | u64::from(id as u32))
    }

    pub fn from_raw(raw: u64) -> Option<Self> {
        let key = Self(raw);
        key.kind().map(|_| key)
    }

    pub fn raw(self) -> u64 {
        self.0
    }

    pub fn kind(self) -> Option<RecordKind> {
        RecordKind::from_code(self.0 >> 32)
    }

    pub fn id(self) -> i32 {
        (self.0 & 0xffff_ffff) as u32 as i32
    }
}

/// Title, summary and body in one language (ISO 639-1 code).
#[derive(Clone, Debug, Default)]
pub struct LocalizedText {
    pub language: String,
    pub title: String,
    pub summary: String,
    pub body: String,
}

/// Extra words that should find the document without being shown: theme labels, place names,
/// funder names. `language` picks the analyzer; `None` means the plain one (for proper names).
#[derive(Clone, Debug)]
pub struct Tag {
    pub language: Option<String>,
    pub text: String,
}

impl Tag {
    pub fn plain(text: impl Into<String>) -> Self {
        Self {
            language: None,
            text: text.into(),
        }
    }

    pub fn in_language(language: impl Into<String>, text: impl Into<String>) -> Self {
        Self {
            language: Some(language.into()),
            text: text.into(),
        }
    }
}

/// The days a funding opportunity accepts applications; `None` ends are open.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct OpenWindow {
    pub opens: Option<NaiveDate>,
    pub closes: Option<NaiveDate>,
}

/// One searchable record. Tree values (`themes`, `regions`) are full paths such as
/// `energy/renewables/solar` or `001/150/154/NO`; the engine indexes every ancestor too, so a
/// filter on a node matches its whole subtree.
#[derive(Clone, Debug)]
pub struct SearchDocument {
    pub kind: RecordKind,
    pub id: i32,
    pub texts: Vec<LocalizedText>,
    pub tags: Vec<Tag>,
    /// Labels offered by search-as-you-type.
    pub suggest: Vec<String>,
    pub themes: Vec<String>,
    pub regions: Vec<String>,
    /// Funding only: the region paths it is open to exactly as listed (no ancestors, no
    /// subtree); empty means open everywhere.
    pub eligible_regions: Vec<String>,
    pub countries: Vec<String>,
    pub cities: Vec<String>,
    pub networks: Vec<String>,
    pub sdgs: Vec<u8>,
    pub languages: Vec<String>,
    pub instrument: Option<String>,
    pub provider_level: Option<String>,
    pub evaluation_label: Option<String>,
    /// Mean evaluation score, 1..5.
    pub score: Option<f64>,
    /// What "newest first" orders by.
    pub date: Option<DateTime<Utc>>,
    pub locations: Vec<GeoPoint>,
    pub open_window: Option<OpenWindow>,
    /// Keys of the vocabulary concepts the text names (see [`super::concepts`]).
    pub concepts: Vec<String>,
}

impl SearchDocument {
    pub fn new(kind: RecordKind, id: i32) -> Self {
        Self {
            kind,
            id,
            texts: Vec::new(),
            tags: Vec::new(),
            suggest: Vec::new(),
            themes: Vec::new(),
            regions: Vec::new(),
            eligible_regions: Vec::new(),
            countries: Vec::new(),
            cities: Vec::new(),
            networks: Vec::new(),
            sdgs: Vec::new(),
            languages: Vec::new(),
            instrument: None,
            provider_level: None,
            evaluation_label: None,
            score: None,
            date: None,
            locations: Vec::new(),
            open_window: None,
            concepts: Vec::new(),
        }
    }

    pub fn key(&self) -> DocKey {
        DocKey::new(self.kind, self.id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_round_trips_kind_and_id() {
        let key = DocKey::new(RecordKind::FundingOpportunity, 42);
        assert_eq!(key.kind(), Some(RecordKind::FundingOpportunity));
        assert_eq!(key.id(), 42);
        assert_eq!(DocKey::from_raw(key.raw()), Some(key));
        assert_eq!(DocKey::from_raw(7), None);
        assert_ne!(DocKey::new(RecordKind::City, 42), key);
    }
}
