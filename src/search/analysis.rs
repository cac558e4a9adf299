//! Text analysis: one analyzer per stemmed language, a plain one for every other language, and
//! query-language detection.
//!
//! Every analyzer lower-cases and folds to ASCII, so `energía`/`energia` and `Tromsø`/`Tromso`
//! produce the same token. Stop words are removed before folding (the lists are spelled with
//! diacritics) and folding happens before stemming, so a query typed without accents stems the
//! same way as the accented text.

use std::borrow::Cow;

use rustc_hash::FxHashMap;
use tantivy::tokenizer::{
    AsciiFoldingFilter, Language, LowerCaser, RemoveLongFilter, SimpleTokenizer, StopWordFilter,
    TextAnalyzer, Token, TokenFilter, TokenStream, Tokenizer, TokenizerManager,
};

/// Tokens longer than this are dropped (base64 blobs, URLs without separators).
const MAX_TOKEN_BYTES: usize = 40;

/// A language with its own analyzer, or [`TextLanguage::Other`] for the plain analyzer.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum TextLanguage {
    En,
    Fr,
    De,
    No,
    Es,
    It,
    Nl,
    Sv,
    Da,
    Fi,
    Pt,
    Other,
}

impl TextLanguage {
    pub const ALL: [TextLanguage; 12] = [
        Self::En,
        Self::Fr,
        Self::De,
        Self::No,
        Self::Es,
        Self::It,
        Self::Nl,
        Self::Sv,
        Self::Da,
        Self::Fi,
        Self::Pt,
        Self::Other,
    ];

    /// The analyzer for an ISO 639-1 code; unknown codes get the plain analyzer.
    /// Norwegian Bokmål and Nynorsk (`nb`, `nn`) share Norwegian's.
    pub fn from_code(code: &str) -> Self {
        match code {
            "en" => Self::En,
            "fr" => Self::Fr,
            "de" => Self::De,
            "no" | "nb" | "nn" => Self::No,
            "es" => Self::Es,
            "it" => Self::It,
            "nl" => Self::Nl,
            "sv" => Self::Sv,
            "da" => Self::Da,
            "fi" => Self::Fi,
            "pt" => Self::Pt,
            _ => Self::Other,
        }
    }

    /// Suffix of the field names holding text in this language, and the tokenizer's name.
    pub fn suffix(self) -> &'static str {
        match self {
            Self::En => "en",
            Self::Fr => "fr",
            Self::De => "de",
            Self::No => "no",
            Self::Es => "es",
            Self::It => "it",
            Self::Nl => "nl",
            Self::Sv => "sv",
            Self::Da => "da",
            Self::Fi => "fi",
            Self::Pt => "pt",
            Self::Other => "other",
        }
    }

    /// Tantivy's language (for its stop words) and the snowball algorithm stemming it.
    fn stemmer(self) -> Option<(Language, frostem::Algorithm)> {
        use frostem::Algorithm;
        Some(match self {
            Self::En => (Language::English, Algorithm::English),
            Self::Fr => (Language::French, Algorithm::French),
            Self::De => (Language::German, Algorithm::German),
            Self::No => (Language::Norwegian, Algorithm::Norwegian),
            Self::Es => (Language::Spanish, Algorithm::Spanish),
            Self::It => (Language::Italian, Algorithm::Italian),
            Self::Nl => (Language::Dutch, Algorithm::Dutch),
            Self::Sv => (Language::Swedish, Algorithm::Swedish),
            Self::Da => (Language::Danish, Algorithm::Danish),
            Self::Fi => (Language::Finnish, Algorithm::Finnish),
            Self::Pt => (Language::Portuguese, Algorithm::Portuguese),
            Self::Other => return None,
        })
    }

    pub fn tokenizer_name(self) -> String {
        format!("kxc_{}", self.suffix())
    }

    /// The analyzer indexing and querying text in this language.
    pub fn analyzer(self) -> TextAnalyzer {
        match self.stemmer() {
            Some((language, algorithm)) => {
                stemmed_analyzer(language, CachedStemmer(frostem::Stemmer::new(algorithm)))
            }
            None => plain_analyzer(),
        }
    }

    /// True when `word` (already lower-cased) is a stop word of this language.
    pub fn is_stop_word(self, word: &str) -> bool {
        let Some((language, _)) = self.stemmer() else {
            return false;
        };
        let Some(filter) = StopWordFilter::new(language) else {
            return false;
        };
        let mut analyzer = TextAnalyzer::builder(SimpleTokenizer::default())
            .filter(filter)
            .build();
        let mut stream = analyzer.token_stream(word);
        !stream.advance()
    }
}

/// Tokenizing, dropping long tokens, lower-casing, `language`'s stop words, ASCII folding, then
/// `stem`.
fn stemmed_analyzer(language: Language, stem: impl TokenFilter) -> TextAnalyzer {
    let builder = TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(MAX_TOKEN_BYTES))
        .filter(LowerCaser)
        .dynamic();
    let builder = match StopWordFilter::new(language) {
        Some(stop_words) => builder.filter_dynamic(stop_words),
        None => builder,
    };
    builder
        .filter_dynamic(AsciiFoldingFilter)
        .filter_dynamic(stem)
        .build()
}

/// Lower-casing and ASCII folding only: for languages without a stemmer, for fuzzy matching
/// and spelling suggestions (which need surface forms, not stems), and for suggest prefixes.
pub fn plain_analyzer() -> TextAnalyzer {
    TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(MAX_TOKEN_BYTES))
        .filter(LowerCaser)
        .filter(AsciiFoldingFilter)
        .build()
}

/// Snowball stemming (the same frostem stemmers as tantivy's `Stemmer`, so stems are identical)
/// that remembers the stems it computed. Prose repeats its words, and stemming was about a fifth
/// of the CPU an index build spent, so each analyzer instance keeps a bounded map from word to
/// stem. Tantivy's segment writer holds one analyzer per field for a whole segment, which is
/// where the map pays off; a cloned analyzer starts with an empty map, so query analyzers (one
/// per search) cost nothing extra.
#[derive(Clone, Copy)]
struct CachedStemmer(frostem::Stemmer);

/// Words remembered per analyzer before the map is emptied and refilled (a few hundred KiB).
const STEM_CACHE_ENTRIES: usize = 8192;

impl TokenFilter for CachedStemmer {
    type Tokenizer<T: Tokenizer> = CachedStemmerFilter<T>;

    fn transform<T: Tokenizer>(self, inner: T) -> CachedStemmerFilter<T> {
        CachedStemmerFilter {
            stemmer: self.0,
            stems: FxHashMap::default(),
            inner,
        }
    }
}

struct CachedStemmerFilter<T> {
    stemmer: frostem::Stemmer,
    stems: FxHashMap<Box<str>, Box<str>>,
    inner: T,
}

impl<T: Clone> Clone for CachedStemmerFilter<T> {
    fn clone(&self) -> Self {
        Self {
            stemmer: self.stemmer,
            stems: FxHashMap::default(),
            inner: self.inner.clone(),
        }
    }
}

impl<T: Tokenizer> Tokenizer for CachedStemmerFilter<T> {
    type TokenStream<'a> = CachedStemmerStream<'a, T::TokenStream<'a>>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> Self::TokenStream<'a> {
        CachedStemmerStream {
            tail: self.inner.token_stream(text),
            stemmer: self.stemmer,
            stems: &mut self.stems,
        }
    }
}

struct CachedStemmerStream<'a, T> {
    tail: T,
    stemmer: frostem::Stemmer,
    stems: &'a mut FxHashMap<Box<str>, Box<str>>,
}

impl<T: TokenStream> TokenStream for CachedStemmerStream<'_, T> {
    fn advance(&mut self) -> bool {
        if !self.tail.advance() {
            return false;
        }
        let token = self.tail.token_mut();
        if let Some(stem) = self.stems.get(token.text.as_str()) {
            token.text.clear();
            token.text.push_str(stem);
            return true;
        }
        let stem: Box<str> = match self.stemmer.stem(&token.text) {
            Cow::Borrowed(stem) => stem.into(),
            Cow::Owned(stem) => stem.into(),
        };
        if self.stems.len() >= STEM_CACHE_ENTRIES {
            self.stems.clear();
        }
        let word = std::mem::replace(&mut token.text, String::from(&*stem));
        self.stems.insert(word.into_boxed_str(), stem);
        true
    }

    fn token(&self) -> &Token {
        self.tail.token()
    }

    fn token_mut(&mut self) -> &mut Token {
        self.tail.token_mut()
    }
}

pub const PLAIN_TOKENIZER: &str = "kxc_plain";

/// Registers every analyzer under the names the schema refers to.
pub fn register(manager: &TokenizerManager) {
    for language in TextLanguage::ALL {
        manager.register(&language.tokenizer_name(), language.analyzer());
    }
    manager.register(PLAIN_TOKENIZER, plain_analyzer());
}

/// The tokens of `text` under `analyzer`, with their positions.
pub fn tokens(analyzer: &mut TextAnalyzer, text: &str) -> Vec<(usize, String)> {
    let mut stream = analyzer.token_stream(text);
    let mut tokens = Vec::new();
    while let Some(token) = stream.next() {
        tokens.push((token.position, token.text.clone()));
    }
    tokens
}

/// The language of a query, when whatlang is confident enough to act on it. Only languages with
/// their own analyzer are candidates, which also makes short queries less ambiguous.
pub fn detect(text: &str) -> Option<TextLanguage> {
    use whatlang::Lang;
    let detector = whatlang::Detector::with_allowlist(vec![
        Lang::Eng,
        Lang::Fra,
        Lang::Deu,
        Lang::Nob,
        Lang::Spa,
        Lang::Ita,
        Lang::Nld,
        Lang::Swe,
        Lang::Dan,
        Lang::Fin,
        Lang::Por,
    ]);
    let info = detector.detect(text)?;
    if !info.is_reliable() {
        return None;
    }
    Some(match info.lang() {
        Lang::Eng => TextLanguage::En,
        Lang::Fra => TextLanguage::Fr,
        Lang::Deu => TextLanguage::De,
        Lang::Nob => TextLanguage::No,
        Lang::Spa => TextLanguage::Es,
        Lang::Ita => TextLanguage::It,
        Lang::Nld => TextLanguage::Nl,
        Lang::Swe => TextLanguage::Sv,
        Lang::Dan => TextLanguage::Da,
        Lang::Fin => TextLanguage::Fi,
        Lang::Por => TextLanguage::Pt,
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn analyze(language: TextLanguage, text: &str) -> Vec<String> {
        tokens(&mut language.analyzer(), text)
            .into_iter()
            .map(|(_, token)| token)
            .collect()
    }

    /// The same analyzer with tantivy's own (uncached) stemmer.
    fn reference(language: TextLanguage) -> TextAnalyzer {
        let (language, _) = language.stemmer().unwrap();
        stemmed_analyzer(language, tantivy::tokenizer::Stemmer::new(language))
    }

    #[test]
    fn cached_stems_are_the_stems_tantivy_computes_even_past_the_cache_bound() {
        let prose = "Die Wärmenetze der Städte versorgen Gebäude; les réseaux de chaleur urbains \
            alimentent les bâtiments; district heating networks heated the buildings, heating \
            again and again; las redes de calefacción urbana calientan los edificios";
        // More distinct words than one cache holds, so it is emptied and refilled mid-text.
        let many: String = (0..STEM_CACHE_ENTRIES + 500)
            .map(|n| format!("heatings{n} networks{n} "))
            .collect();
        for language in TextLanguage::ALL {
            if language == TextLanguage::Other {
                continue;
            }
            let mut cached = language.analyzer();
            let mut uncached = reference(language);
            for text in [prose, prose, many.as_str(), prose] {
                assert_eq!(
                    tokens(&mut cached, text),
                    tokens(&mut uncached, text),
                    "{language:?}"
                );
            }
            // A clone starts with an empty cache and still stems the same.
            let mut clone = cached.clone();
            assert_eq!(tokens(&mut clone, prose), tokens(&mut uncached, prose));
        }
    }

    #[test]
    fn accents_are_folded_so_both_spellings_meet() {
        for language in [TextLanguage::Es, TextLanguage::Pt, TextLanguage::It] {
            assert_eq!(
                analyze(language, "energía"),
                analyze(language, "energia"),
                "{language:?}"
            );
        }
        assert_eq!(
            analyze(TextLanguage::No, "Tromsø"),
            analyze(TextLanguage::No, "Tromso")
        );
        assert_eq!(
            analyze(TextLanguage::Other, "Tromsø"),
            vec!["tromso".to_owned()]
        );
        assert_eq!(
            analyze(TextLanguage::De, "München"),
            analyze(TextLanguage::De, "Munchen")
        );
    }

    #[test]
    fn each_language_stems_its_own_inflections() {
        assert_eq!(
            analyze(TextLanguage::En, "cycling"),
            analyze(TextLanguage::En, "cycle")
        );
        assert_eq!(
            analyze(TextLanguage::Fr, "rénovations"),
            analyze(TextLanguage::Fr, "rénovation")
        );
        assert_eq!(
            analyze(TextLanguage::De, "Wärmepumpen"),
            analyze(TextLanguage::De, "Wärmepumpe")
        );
        assert_eq!(
            analyze(TextLanguage::No, "bussene"),
            analyze(TextLanguage::No, "buss")
        );
        assert_eq!(
            analyze(TextLanguage::Sv, "trängselskatten"),
            analyze(TextLanguage::Sv, "trängselskatt")
        );
        assert_eq!(
            analyze(TextLanguage::Fi, "kaupungit"),
            analyze(TextLanguage::Fi, "kaupungeissa")
        );
    }

    /// The Snowball stem of each word, written out: comparing an analyzer with itself passes
    /// even when it returns nothing or leaves every word unstemmed.
    #[test]
    fn each_language_produces_its_known_stems() {
        let cases: &[(TextLanguage, &str, &[&str])] = &[
            (TextLanguage::De, "Wärmepumpen", &["warmepump"]),
            (TextLanguage::De, "Wärmepumpe", &["warmepump"]),
            (TextLanguage::De, "München", &["munch"]),
            (TextLanguage::No, "bussene", &["buss"]),
            (TextLanguage::No, "Tromsø", &["tromso"]),
            (TextLanguage::Sv, "trängselskatten", &["trangselskat"]),
            (TextLanguage::Sv, "trängselskatt", &["trangselskat"]),
            (TextLanguage::Fi, "kaupungit", &["kaupung"]),
            (TextLanguage::Fi, "kaupungeissa", &["kaupung"]),
            (TextLanguage::Es, "energía", &["energi"]),
            (TextLanguage::Es, "ciudades", &["ciudad"]),
            (TextLanguage::Pt, "energia", &["energ"]), // -ia is a verb ending in step 2
            (TextLanguage::Pt, "cidades", &["cidad"]),
            (TextLanguage::It, "energia", &["energ"]), // final -a and the i before it
            (TextLanguage::It, "biciclette", &["biciclett"]),
        ];
        let wrong: Vec<String> = cases
            .iter()
            .filter_map(|(language, word, stems)| {
                let got = analyze(*language, word);
                (got != *stems).then(|| format!("{language:?} {word}: {got:?}, expected {stems:?}"))
            })
            .collect();
        assert!(wrong.is_empty(), "{wrong:#?}");
    }

    #[test]
    fn stop_words_are_removed_per_language() {
        assert_eq!(
            analyze(TextLanguage::En, "the city"),
            vec!["citi".to_owned()]
        );
        assert_eq!(
            analyze(TextLanguage::Fr, "la ville"),
            vec!["vill".to_owned()]
        );
        assert!(TextLanguage::De.is_stop_word("und"));
        assert!(!TextLanguage::De.is_stop_word("stadt"));
        assert!(!TextLanguage::Other.is_stop_word("the"));
    }

    #[test]
    fn unknown_languages_get_the_plain_analyzer() {
        assert_eq!(TextLanguage::from_code("ja"), TextLanguage::Other);
        assert_eq!(TextLanguage::from_code("nb"), TextLanguage::No);
        assert_eq!(
            analyze(TextLanguage::Other, "Cities, cycling!"),
            vec!["cities", "cycling"]
        );
    }

    #[test]
    fn the_language_of_a_sentence_is_detected() {
        assert_eq!(
            detect("comment les villes financent la rénovation des bâtiments"),
            Some(TextLanguage::Fr)
        );
        assert_eq!(
            detect("wie Städte die Wärmewende mit Fernwärme schaffen"),
            Some(TextLanguage::De)
        );
    }
}
