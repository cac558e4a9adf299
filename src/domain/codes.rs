use std::fmt;

use serde::{Deserialize, Serialize};

macro_rules! string_newtype {
    ($name:ident) => {
        impl $name {
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }
        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
        impl TryFrom<&str> for $name {
            type Error = String;
            fn try_from(value: &str) -> Result<Self, String> {
                Self::parse(value)
            }
        }
        impl TryFrom<String> for $name {
            type Error = String;
            fn try_from(value: String) -> Result<Self, String> {
                Self::parse(&value)
            }
        }
        impl From<$name> for String {
            fn from(value: $name) -> String {
                value.0
            }
        }
    };
}

/// ISO 639-1 language code, lower case (`en`, `no`, `fr`).
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Language(String);
string_newtype!(Language);

impl Language {
    pub fn parse(value: &str) -> Result<Self, String> {
        let code = value.trim().to_ascii_lowercase();
        match isolang::Language::from_639_1(&code) {
            Some(_) => Ok(Self(code)),
            None => Err(format!(
                "`{}` is not an ISO 639-1 language code",
                super::excerpt(value)
            )),
        }
    }
}

/// ISO 3166-1 alpha-2 country code, upper case.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct CountryCode(String);
string_newtype!(CountryCode);

impl CountryCode {
    pub fn parse(value: &str) -> Result<Self, String> {
        let code = value.trim().to_ascii_uppercase();
        match keshvar::Alpha2::try_from(code.as_str()) {
            Ok(_) => Ok(Self(code)),
            Err(_) => Err(format!(
                "`{}` is not an ISO 3166-1 alpha-2 country code",
                super::excerpt(value)
            )),
        }
    }
}

/// ISO 4217 currency code.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Currency(String);
string_newtype!(Currency);

impl Currency {
    pub fn parse(value: &str) -> Result<Self, String> {
        let code = value.trim().to_ascii_uppercase();
        match iso_currency::Currency::from_code(&code) {
            Some(_) => Ok(Self(code)),
            None => Err(format!(
                "`{}` is not an ISO 4217 currency code",
                super::excerpt(value)
            )),
        }
    }
}

/// A stable, URL-safe identifier: lower-case ASCII letters, digits and single hyphens.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Slug(String);
string_newtype!(Slug);

impl Slug {
    pub fn parse(value: &str) -> Result<Self, String> {
        let valid = !value.is_empty()
            && value.len() <= 120
            && !value.starts_with('-')
            && !value.ends_with('-')
            && !value.contains("--")
            && value
                .bytes()
                .all(|byte| byte.is_ascii_lowercase() || byte.is_ascii_digit() || byte == b'-');
        if valid {
            Ok(Self(value.to_owned()))
        } else {
            Err(format!(
                "`{}` is not a slug (lower-case letters, digits and single hyphens, at most 120)",
                super::excerpt(value)
            ))
        }
    }
}

/// One of the 17 UN Sustainable Development Goals.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "i64", into = "i64")]
pub struct Sdg(u8);

impl Sdg {
    pub fn get(self) -> u8 {
        self.0
    }
}

impl TryFrom<i64> for Sdg {
    type Error = String;
    fn try_from(value: i64) -> Result<Self, String> {
        match u8::try_from(value) {
            Ok(goal @ 1..=17) => Ok(Self(goal)),
            _ => Err(format!(
                "{value} is not a Sustainable Development Goal (1..17)"
            )),
        }
    }
}

impl From<Sdg> for i64 {
    fn from(value: Sdg) -> i64 {
        value.0.into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn languages_are_iso_639_1_and_normalised() {
        assert_eq!(Language::parse("NO").unwrap().as_str(), "no");
        assert!(Language::parse("xx").is_err());
        assert!(Language::parse("eng").is_err());
    }

    #[test]
    fn country_codes_are_iso_3166_alpha2() {
        assert_eq!(CountryCode::parse("no").unwrap().as_str(), "NO");
        assert!(CountryCode::parse("XX").is_err());
        assert!(CountryCode::parse("NOR").is_err());
    }

    #[test]
    fn currencies_are_iso_4217() {
        assert_eq!(Currency::parse("nok").unwrap().as_str(), "NOK");
        assert!(Currency::parse("EURO").is_err());
    }

    #[test]
    fn slugs_reject_upper_case_spaces_and_double_hyphens() {
        assert!(Slug::parse("oslo-climate-budget").is_ok());
        for bad in ["", "Oslo", "oslo budget", "a--b", "-a", "a-", "ø"] {
            assert!(Slug::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn sdgs_are_1_to_17() {
        assert!(Sdg::try_from(0).is_err());
        assert!(Sdg::try_from(18).is_err());
        assert_eq!(Sdg::try_from(13).unwrap().get(), 13);
    }
}
