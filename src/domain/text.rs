//! Free text with a length limit (see [`super::limits`]). `Text` may be empty; `RequiredText`
//! needs a character other than whitespace.

use std::fmt;

use serde::{Deserialize, Serialize};

use super::limits;

/// Titles of practices, translations, funding opportunities and events.
pub type Title = RequiredText<{ limits::TITLE }>;
/// Names of people, places, organisations; labels.
pub type Name = RequiredText<{ limits::NAME }>;
/// A short phrase: a contact's role, a co-benefit, a link's title.
pub type ShortText = RequiredText<{ limits::SHORT_TEXT }>;
/// A summary that must be given.
pub type Summary = RequiredText<{ limits::SUMMARY }>;
/// Longer free text, possibly empty.
pub type Description = Text<{ limits::DESCRIPTION }>;
/// A Markdown body.
pub type Body = RequiredText<{ limits::BODY }>;

/// At most `MAX` characters.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Text<const MAX: usize>(String);

/// At least one non-whitespace character and at most `MAX` characters.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct RequiredText<const MAX: usize>(String);

fn check_length(value: &str, max: usize) -> Result<(), String> {
    // Counting stops past the limit, so a huge value costs no more than a valid one.
    match value.chars().nth(max) {
        None => Ok(()),
        Some(_) => Err(format!(
            "must be at most {max} characters (this one has {})",
            value.chars().count()
        )),
    }
}

impl<const MAX: usize> Text<MAX> {
    pub fn parse(value: impl Into<String>) -> Result<Self, String> {
        let value = value.into();
        check_length(&value, MAX)?;
        Ok(Self(value))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_inner(self) -> String {
        self.0
    }
}

impl<const MAX: usize> RequiredText<MAX> {
    pub fn parse(value: impl Into<String>) -> Result<Self, String> {
        let value = value.into();
        if value.trim().is_empty() {
            return Err("must not be empty".into());
        }
        check_length(&value, MAX)?;
        Ok(Self(value))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_inner(self) -> String {
        self.0
    }
}

macro_rules! string_conversions {
    ($name:ident) => {
        impl<const MAX: usize> TryFrom<String> for $name<MAX> {
            type Error = String;
            fn try_from(value: String) -> Result<Self, String> {
                Self::parse(value)
            }
        }
        impl<const MAX: usize> From<$name<MAX>> for String {
            fn from(value: $name<MAX>) -> String {
                value.0
            }
        }
        impl<const MAX: usize> fmt::Display for $name<MAX> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
}

string_conversions!(Text);
string_conversions!(RequiredText);

/// An e-mail address: one `@` between a local part and a domain with a dot, no whitespace or
/// control characters, at most [`super::limits::EMAIL`] characters. Deliverability is not
/// checked; the shape keeps out text that is no address at all.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Email(String);

impl Email {
    pub fn parse(value: &str) -> Result<Self, String> {
        let value = value.trim();
        check_length(value, limits::EMAIL)?;
        let shaped = value.split_once('@').is_some_and(|(local, domain)| {
            !local.is_empty()
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
                && !domain.contains('@')
        });
        if !shaped || value.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(format!(
                "`{}` is not an e-mail address",
                super::excerpt(value)
            ));
        }
        Ok(Self(value.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for Email {
    type Error = String;
    fn try_from(value: String) -> Result<Self, String> {
        Self::parse(&value)
    }
}

impl From<Email> for String {
    fn from(value: Email) -> String {
        value.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_up_to_the_limit_is_accepted_and_beyond_it_refused() {
        assert!(Text::<5>::parse("fjord").is_ok());
        assert!(Text::<5>::parse("").is_ok());
        let error = Text::<5>::parse("fjords").unwrap_err();
        assert_eq!(error, "must be at most 5 characters (this one has 6)");
    }

    #[test]
    fn characters_are_counted_not_bytes() {
        assert!(RequiredText::<5>::parse("Tromsø").is_err());
        assert!(RequiredText::<6>::parse("Tromsø").is_ok());
        assert!(RequiredText::<2>::parse("東京").is_ok());
    }

    #[test]
    fn required_text_needs_more_than_whitespace() {
        assert_eq!(
            RequiredText::<10>::parse(" \n ").unwrap_err(),
            "must not be empty"
        );
    }

    #[test]
    fn a_hundred_thousand_character_title_is_refused() {
        let title = "x".repeat(100_000);
        let error = RequiredText::<{ crate::domain::limits::TITLE }>::parse(title).unwrap_err();
        assert!(error.contains("at most 300 characters"), "{error}");
    }

    #[test]
    fn e_mail_addresses_have_a_local_part_and_a_domain() {
        assert!(Email::parse("klima@oslo.kommune.no").is_ok());
        for bad in [
            "klima",
            "@oslo.no",
            "klima@oslo",
            "kli ma@oslo.no",
            "a@b@c.no",
            "a@.no",
        ] {
            assert!(Email::parse(bad).is_err(), "{bad}");
        }
    }
}
