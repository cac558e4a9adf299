//! The input shapes of practices and funding opportunities, shared by the seed files and
//! `kxc import` (one JSON object per line). Domain types do the parsing, so a bad value is
//! reported with its field path (`cost.currency`) by [`parse_record`].

use chrono::NaiveDate;
use serde::Deserialize;

use crate::domain::{
    Body, CountryCode, Currency, Description, Email, FieldPath, GovernanceLevel, HttpUrl, Language,
    Name, PracticeStatus, RequiredText, Scores, Sdg, ShortText, Slug, Summary, Text, ThemePath,
    Title, limits,
};

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PracticeRecord {
    pub slug: Slug,
    pub original_language: Language,
    pub title: Title,
    pub summary: Summary,
    pub body: Body,
    #[serde(default = "published")]
    pub status: PracticeStatus,
    pub published_at: Option<NaiveDate>,
    #[serde(default)]
    pub cities: Vec<Slug>,
    pub themes: Vec<ThemePath>,
    #[serde(default)]
    pub sdgs: Vec<Sdg>,
    pub governance_level: Option<GovernanceLevel>,
    pub start_date: Option<NaiveDate>,
    pub end_date: Option<NaiveDate>,
    pub cost: Option<Money>,
    pub impact: Option<Impact>,
    #[serde(default)]
    pub co_benefits: Vec<ShortText>,
    pub replicability_notes: Option<Description>,
    pub replicated_from: Option<Slug>,
    #[serde(default)]
    pub contacts: Vec<Contact>,
    #[serde(default)]
    pub links: Vec<Link>,
    #[serde(default)]
    pub translations: Vec<TranslationRecord>,
    #[serde(default)]
    pub evaluations: Vec<EvaluationRecord>,
}

fn published() -> PracticeStatus {
    PracticeStatus::Published
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Money {
    pub amount: NonNegative,
    pub currency: Currency,
}

#[derive(Clone, Copy, Debug, PartialEq, Deserialize)]
#[serde(try_from = "f64")]
pub struct NonNegative(f64);

impl NonNegative {
    pub fn get(self) -> f64 {
        self.0
    }
}

impl TryFrom<f64> for NonNegative {
    type Error = String;
    fn try_from(value: f64) -> Result<Self, String> {
        if value.is_finite() && value >= 0.0 {
            Ok(Self(value))
        } else {
            Err(format!("{value} must be a finite number of at least 0"))
        }
    }
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Impact {
    pub annual_tco2e: Option<NonNegative>,
    pub baseline: Option<Description>,
    pub method: Option<Description>,
}

#[derive(Clone, Debug, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct Contact {
    pub name: Name,
    pub role: Option<ShortText>,
    pub email: Option<Email>,
}

#[derive(Clone, Debug, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct Link {
    pub title: ShortText,
    pub url: HttpUrl,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TranslationRecord {
    pub language: Language,
    pub title: Title,
    pub summary: Summary,
    pub body: Body,
    #[serde(default)]
    pub machine_translated: bool,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EvaluationRecord {
    pub evaluator: Name,
    pub date: NaiveDate,
    pub summary: Text<{ limits::SUMMARY }>,
    pub scores: Scores,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FundingRecord {
    /// Taken from `--source` on import; present in the seed file.
    pub source: Option<Slug>,
    pub external_id: RequiredText<{ limits::EXTERNAL_ID }>,
    pub title: Title,
    pub summary: Summary,
    pub provider: Option<Slug>,
    pub provider_level: ProviderLevel,
    pub provider_country: Option<CountryCode>,
    pub instrument: Instrument,
    /// Derived by [`derive_direction`] when omitted.
    #[serde(default)]
    pub direction: Option<Direction>,
    /// Region codes (UN M49, ISO 3166-1 alpha-2, ISO 3166-2).
    #[serde(default)]
    pub eligible_regions: Vec<ShortText>,
    #[serde(default)]
    pub eligible_applicants: Vec<ApplicantKind>,
    #[serde(default)]
    pub themes: Vec<ThemePath>,
    pub amount_min: Option<NonNegative>,
    pub amount_max: Option<NonNegative>,
    pub currency: Option<Currency>,
    pub co_financing_rate: Option<NonNegative>,
    pub opens_at: Option<NaiveDate>,
    #[serde(default)]
    pub deadlines: Vec<NaiveDate>,
    #[serde(default)]
    pub rolling: bool,
    pub url: Option<HttpUrl>,
    pub language: Language,
}

macro_rules! wire_enum {
    ($name:ident { $($variant:ident => $text:literal),+ $(,)? }) => {
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Deserialize)]
        pub enum $name {
            $(#[serde(rename = $text)] $variant),+
        }
        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }
        }
    };
}

wire_enum!(ProviderLevel {
    International => "international",
    Eu => "eu",
    National => "national",
    Regional => "regional",
    City => "city",
});

wire_enum!(Instrument {
    Grant => "grant",
    Loan => "loan",
    Guarantee => "guarantee",
    Equity => "equity",
    TechnicalAssistance => "technical_assistance",
    Advisory => "advisory",
    Prize => "prize",
    Other => "other",
});

wire_enum!(Direction {
    Domestic => "domestic",
    EuToNonEu => "eu_to_non_eu",
    InternationalToEu => "international_to_eu",
    International => "international",
    EuInternal => "eu_internal",
});

wire_enum!(ApplicantKind {
    CityGovernment => "city_government",
    RegionalGovernment => "regional_government",
    PublicBody => "public_body",
    Ngo => "ngo",
    Company => "company",
    Research => "research",
});

/// The ISO 3166-1 codes of the EU member states.
const EU_MEMBERS: [&str; 27] = [
    "AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "ES", "FI", "FR", "GR", "HR", "HU", "IE", "IT",
    "LT", "LU", "LV", "MT", "NL", "PL", "PT", "RO", "SE", "SI", "SK",
];

/// The direction of a record that names none, from its provider level and eligible regions:
/// national, regional and city providers fund at home (`domestic`); an EU provider funds
/// `eu_internal` when every eligible region lies in an EU member state (ISO 3166-1 or 3166-2
/// code) or none is listed, otherwise `eu_to_non_eu`; an international provider funds
/// `international_to_eu` when every eligible region lies in the EU, otherwise `international`.
/// Region groups such as UN M49 `150` (Europe) are not inside the EU, so a partner with such
/// records should send `direction` itself.
pub fn derive_direction(record: &FundingRecord) -> Direction {
    let in_eu = |code: &str| {
        let country = code.split('-').next().unwrap_or(code);
        EU_MEMBERS.contains(&country.to_ascii_uppercase().as_str())
    };
    let all_in_eu = record
        .eligible_regions
        .iter()
        .all(|code| in_eu(code.as_str()));
    match record.provider_level {
        ProviderLevel::National | ProviderLevel::Regional | ProviderLevel::City => {
            Direction::Domestic
        }
        ProviderLevel::Eu if all_in_eu => Direction::EuInternal,
        ProviderLevel::Eu => Direction::EuToNonEu,
        ProviderLevel::International if all_in_eu && !record.eligible_regions.is_empty() => {
            Direction::InternationalToEu
        }
        ProviderLevel::International => Direction::International,
    }
}

/// An error at `field` when a list holds more than `max` elements.
pub fn check_list_length(errors: &mut Vec<FieldError>, field: &str, length: usize, max: usize) {
    if length > max {
        errors.push(FieldError::new(
            field,
            format!("at most {max} elements (this list has {length})"),
        ));
    }
}

/// Parses one JSON document into `T`, reporting the path of the first field that fails.
pub fn parse_record<T: serde::de::DeserializeOwned>(json: &str) -> Result<T, FieldError> {
    let mut deserializer = serde_json::Deserializer::from_str(json);
    serde_path_to_error::deserialize(&mut deserializer).map_err(path_error)
}

/// Like [`parse_record`], for a record already held as a JSON value (a GraphQL input rewritten
/// in the import format), so both paths run the same domain types.
pub fn parse_value<T: serde::de::DeserializeOwned>(
    value: serde_json::Value,
) -> Result<T, FieldError> {
    serde_path_to_error::deserialize(value).map_err(path_error)
}

fn path_error(error: serde_path_to_error::Error<serde_json::Error>) -> FieldError {
    {
        let path = error
            .path()
            .iter()
            .fold(FieldPath::root(), |path, segment| match segment {
                serde_path_to_error::Segment::Seq { index } => path.index(*index),
                serde_path_to_error::Segment::Map { key } => path.field(key.as_str()),
                serde_path_to_error::Segment::Enum { variant } => path.field(variant.as_str()),
                serde_path_to_error::Segment::Unknown => path,
            });
        let inner = error.into_inner();
        let message = if inner.is_syntax() || inner.is_eof() {
            format!("invalid JSON: {inner}")
        } else {
            strip_position(&inner.to_string())
        };
        FieldError { path, message }
    }
}

fn strip_position(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(index) => message[..index].to_owned(),
        None => message.to_owned(),
    }
}

/// A problem with one field of an input: `path` leads to it (`cities[2]`, `cost.currency` as
/// the importer prints it; `["cost", "currency"]` as GraphQL sends it).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldError {
    pub path: FieldPath,
    pub message: String,
}

impl FieldError {
    pub fn new(path: impl Into<FieldPath>, message: impl Into<String>) -> Self {
        Self {
            path: path.into(),
            message: message.into(),
        }
    }

    /// The same problem, seen from an input that holds this one at `prefix`.
    pub fn under(self, prefix: impl Into<FieldPath>) -> Self {
        Self {
            path: prefix.into().join(&self.path),
            message: self.message,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bad_currency_is_reported_at_its_path() {
        let line = r#"{"slug":"x","original_language":"en","title":"T","summary":"S","body":"B",
            "themes":["energy"],"cost":{"amount":10,"currency":"EURO"}}"#;
        let error = parse_record::<PracticeRecord>(line).unwrap_err();
        assert_eq!(error.path.snake(), "cost.currency");
        assert_eq!(error.path.camel(), serde_json::json!(["cost", "currency"]));
        assert!(error.message.contains("ISO 4217"), "{}", error.message);
    }

    #[test]
    fn an_omitted_direction_is_derived_from_the_provider_and_the_regions() {
        let direction = |level: &str, regions: &str| {
            let line = format!(
                r#"{{"external_id":"x","title":"T","summary":"S","provider_level":"{level}","instrument":"grant",
                "eligible_regions":{regions},"language":"en"}}"#
            );
            let record = parse_record::<FundingRecord>(&line).unwrap();
            assert_eq!(record.direction, None);
            derive_direction(&record)
        };
        assert_eq!(direction("national", "[\"NO\"]"), Direction::Domestic);
        assert_eq!(direction("eu", "[]"), Direction::EuInternal);
        assert_eq!(
            direction("eu", "[\"de\", \"FR-IDF\"]"),
            Direction::EuInternal
        );
        assert_eq!(direction("eu", "[\"DE\", \"202\"]"), Direction::EuToNonEu);
        assert_eq!(
            direction("international", "[\"IT\"]"),
            Direction::InternationalToEu
        );
        assert_eq!(direction("international", "[]"), Direction::International);
    }

    #[test]
    fn an_unknown_field_is_named() {
        let line = r#"{"slug":"x","original_language":"en","title":"T","summary":"S","body":"B","themes":[],"colour":1}"#;
        let error = parse_record::<PracticeRecord>(line).unwrap_err();
        assert!(error.message.contains("colour"), "{}", error.message);
    }

    #[test]
    fn a_bad_score_is_reported_inside_the_evaluation() {
        let line = r#"{"slug":"x","original_language":"en","title":"T","summary":"S","body":"B","themes":[],
            "evaluations":[{"evaluator":"E","date":"2024-01-01","summary":"",
            "scores":{"relevance":9,"impact":1,"evidence_quality":1,"replicability":1,"cost_effectiveness":1,"co_benefits":1,"participation":1}}]}"#;
        let error = parse_record::<PracticeRecord>(line).unwrap_err();
        assert_eq!(error.path.snake(), "evaluations[0].scores.relevance");
        assert_eq!(
            error.path.camel(),
            serde_json::json!(["evaluations", 0, "scores", "relevance"])
        );
    }
}
