//! Which language a client wants: the `lang:` argument first, then `Accept-Language`.

/// Languages the client accepts, most wanted first, as ISO 639-1 codes.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AcceptedLanguages(pub Vec<String>);

impl AcceptedLanguages {
    /// Parses an `Accept-Language` header (quality-ordered by the `accept-language` crate);
    /// region subtags are dropped and Norwegian Bokmål/Nynorsk (`nb`, `nn`) count as `no`.
    pub fn from_header(header: &str) -> Self {
        let mut languages: Vec<String> = Vec::new();
        for tag in accept_language::parse(header) {
            let primary = tag
                .split(['-', '_'])
                .next()
                .unwrap_or_default()
                .to_ascii_lowercase();
            let code = match primary.as_str() {
                "nb" | "nn" => "no".to_owned(),
                _ => primary,
            };
            if code.len() == 2 && !languages.contains(&code) {
                languages.push(code);
            }
        }
        Self(languages)
    }
}

/// The language to answer in: the first preference that is available, else `original`.
pub fn pick<'a>(
    preferences: impl IntoIterator<Item = &'a str>,
    original: &'a str,
    available: &[&'a str],
) -> &'a str {
    preferences
        .into_iter()
        .find(|wanted| *wanted == original || available.contains(wanted))
        .unwrap_or(original)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accept_language_is_ordered_by_quality_and_normalised() {
        let accepted =
            AcceptedLanguages::from_header("fr-CH, fr;q=0.9, nb-NO;q=0.95, en;q=0.8, *;q=0.5");
        assert_eq!(accepted.0, vec!["fr", "no", "en"]);
    }

    #[test]
    fn the_first_available_preference_wins_else_the_original() {
        assert_eq!(pick(["de", "fr"], "no", &["en", "fr"]), "fr");
        assert_eq!(pick(["de"], "no", &["en"]), "no");
        assert_eq!(pick(["no", "en"], "no", &["en"]), "no");
    }
}
