//! The tantivy schema. Text lives in one field per (part, language) so each language gets its
//! own analyzer; `*_all` fields hold every language unstemmed, for typo tolerance and spelling
//! suggestions. Keyword fields are raw, multi-valued fast fields: the same field filters (term
//! query) and counts facets (column scan).

use tantivy::schema::{
    FAST, Field, INDEXED, IndexRecordOption, STORED, STRING, Schema, TextFieldIndexing, TextOptions,
};

use super::analysis::{PLAIN_TOKENIZER, TextLanguage};

/// The parts of a document's text, strongest first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Part {
    Title,
    Summary,
    Body,
    Tags,
}

impl Part {
    pub const ALL: [Part; 4] = [Self::Title, Self::Summary, Self::Body, Self::Tags];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Title => "title",
            Self::Summary => "summary",
            Self::Body => "body",
            Self::Tags => "tags",
        }
    }

    /// Field boosts: a title match outweighs a summary match, which outweighs the body.
    pub fn boost(self) -> f32 {
        match self {
            Self::Title => 3.0,
            Self::Summary => 2.0,
            Self::Body => 1.0,
            Self::Tags => 1.5,
        }
    }

    /// Tags are for matching only and are never shown, so they are not stored.
    fn stored(self) -> bool {
        !matches!(self, Self::Tags)
    }
}

/// Keyword fields: filterable and countable.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Keyword {
    Kind,
    Theme,
    Region,
    Country,
    City,
    Network,
    Sdg,
    Language,
    Instrument,
    ProviderLevel,
    EvaluationLabel,
    /// Funding only: each listed region's exact path, or [`ANY_REGION`] when none is listed.
    EligibleRegion,
}

impl Keyword {
    pub const ALL: [Keyword; 12] = [
        Self::Kind,
        Self::Theme,
        Self::Region,
        Self::Country,
        Self::City,
        Self::Network,
        Self::Sdg,
        Self::Language,
        Self::Instrument,
        Self::ProviderLevel,
        Self::EvaluationLabel,
        Self::EligibleRegion,
    ];

    pub fn field_name(self) -> &'static str {
        match self {
            Self::Kind => "kind",
            Self::Theme => "theme",
            Self::Region => "region",
            Self::Country => "country",
            Self::City => "city",
            Self::Network => "network",
            Self::Sdg => "sdg",
            Self::Language => "language",
            Self::Instrument => "instrument",
            Self::ProviderLevel => "provider_level",
            Self::EvaluationLabel => "evaluation_label",
            Self::EligibleRegion => "eligible_region",
        }
    }
}

pub const UID: &str = "uid";
/// The [`Keyword::EligibleRegion`] of funding that lists no region (open everywhere).
pub const ANY_REGION: &str = "*";
pub const SCORE: &str = "score";
pub const DATE: &str = "date";
pub const GEO: &str = "geo";
pub const OPENS_DAY: &str = "opens_day";
pub const CLOSES_DAY: &str = "closes_day";
pub const SUGGEST: &str = "suggest";
/// Keys of the concepts a document is tagged with; stored, so a hit can say which matched.
pub const CONCEPT: &str = "concept";

/// Field handles, resolved once per schema.
#[derive(Clone, Debug)]
pub struct Fields {
    pub uid: Field,
    /// `[part][language]`, languages in [`TextLanguage::ALL`] order.
    text: Vec<Vec<Field>>,
    /// `[part]`, every language, plain analyzer.
    all: Vec<Field>,
    keywords: Vec<Field>,
    pub score: Field,
    pub date: Field,
    pub geo: Field,
    pub opens_day: Field,
    pub closes_day: Field,
    pub suggest: Field,
    pub concept: Field,
}

impl Fields {
    pub fn text(&self, part: Part, language: TextLanguage) -> Field {
        self.text[part_index(part)][language_index(language)]
    }

    pub fn all(&self, part: Part) -> Field {
        self.all[part_index(part)]
    }

    pub fn keyword(&self, keyword: Keyword) -> Field {
        self.keywords[Keyword::ALL
            .iter()
            .position(|candidate| *candidate == keyword)
            .expect("every keyword is in ALL")]
    }

    pub fn from_schema(schema: &Schema) -> tantivy::Result<Self> {
        let text = Part::ALL
            .iter()
            .map(|part| {
                TextLanguage::ALL
                    .iter()
                    .map(|language| schema.get_field(&text_name(*part, *language)))
                    .collect::<tantivy::Result<Vec<_>>>()
            })
            .collect::<tantivy::Result<Vec<_>>>()?;
        let all = Part::ALL
            .iter()
            .map(|part| schema.get_field(&all_name(*part)))
            .collect::<tantivy::Result<Vec<_>>>()?;
        let keywords = Keyword::ALL
            .iter()
            .map(|keyword| schema.get_field(keyword.field_name()))
            .collect::<tantivy::Result<Vec<_>>>()?;
        Ok(Self {
            uid: schema.get_field(UID)?,
            text,
            all,
            keywords,
            score: schema.get_field(SCORE)?,
            date: schema.get_field(DATE)?,
            geo: schema.get_field(GEO)?,
            opens_day: schema.get_field(OPENS_DAY)?,
            closes_day: schema.get_field(CLOSES_DAY)?,
            suggest: schema.get_field(SUGGEST)?,
            concept: schema.get_field(CONCEPT)?,
        })
    }
}

fn part_index(part: Part) -> usize {
    Part::ALL
        .iter()
        .position(|candidate| *candidate == part)
        .expect("every part is in ALL")
}

fn language_index(language: TextLanguage) -> usize {
    TextLanguage::ALL
        .iter()
        .position(|candidate| *candidate == language)
        .expect("every language is in ALL")
}

fn text_name(part: Part, language: TextLanguage) -> String {
    format!("{}_{}", part.as_str(), language.suffix())
}

fn all_name(part: Part) -> String {
    format!("{}_all", part.as_str())
}

fn text_options(tokenizer: &str, positions: bool, stored: bool) -> TextOptions {
    let record = if positions {
        IndexRecordOption::WithFreqsAndPositions
    } else {
        IndexRecordOption::WithFreqs
    };
    let options = TextOptions::default().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer(tokenizer)
            .set_index_option(record),
    );
    if stored {
        options.set_stored()
    } else {
        options
    }
}

/// The schema every index generation is created with.
pub fn schema() -> Schema {
    let mut builder = Schema::builder();
    builder.add_u64_field(UID, INDEXED | STORED | FAST);
    for part in Part::ALL {
        for language in TextLanguage::ALL {
            builder.add_text_field(
                &text_name(part, language),
                text_options(&language.tokenizer_name(), true, part.stored()),
            );
        }
        builder.add_text_field(&all_name(part), text_options(PLAIN_TOKENIZER, false, false));
    }
    for keyword in Keyword::ALL {
        builder.add_text_field(keyword.field_name(), STRING | FAST);
    }
    builder.add_f64_field(SCORE, FAST);
    builder.add_i64_field(DATE, FAST);
    builder.add_u64_field(GEO, FAST);
    builder.add_i64_field(OPENS_DAY, FAST);
    builder.add_i64_field(CLOSES_DAY, FAST);
    builder.add_text_field(SUGGEST, text_options(PLAIN_TOKENIZER, false, true));
    builder.add_text_field(CONCEPT, STRING | STORED);
    builder.build()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_field_handle_resolves_against_the_schema() {
        let schema = schema();
        let fields = Fields::from_schema(&schema).unwrap();
        assert_eq!(
            schema.get_field_name(fields.text(Part::Body, TextLanguage::No)),
            "body_no"
        );
        assert_eq!(schema.get_field_name(fields.all(Part::Tags)), "tags_all");
        assert_eq!(
            schema.get_field_name(fields.keyword(Keyword::ProviderLevel)),
            "provider_level"
        );
    }
}
