//! The query syntax users know from web search: words, `"exact phrases"`, `-excluded` words or
//! phrases, and `OR` between alternatives. Whether every word must match is the request's
//! [`Matching`](super::request::Matching); phrases and exclusions are strict either way.

use std::fmt;

/// One thing to look for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Clause {
    Word(String),
    Phrase(String),
}

impl fmt::Display for Clause {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Word(word) => f.write_str(word),
            Self::Phrase(phrase) => write!(f, "\"{phrase}\""),
        }
    }
}

/// A parsed query: every group must match (through any one of its clauses), and no excluded
/// clause may.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ParsedQuery {
    pub groups: Vec<Vec<Clause>>,
    pub excluded: Vec<Clause>,
}

impl ParsedQuery {
    /// Parses `text`; `None` when nothing positive is left to look for.
    pub fn parse(text: &str) -> Option<Self> {
        let mut query = ParsedQuery::default();
        let mut join_next = false;
        for token in lex(text) {
            match token {
                Token::Or => join_next = !query.groups.is_empty(),
                Token::Clause {
                    clause,
                    negated: true,
                } => {
                    query.excluded.push(clause);
                    join_next = false;
                }
                Token::Clause {
                    clause,
                    negated: false,
                } => {
                    match query.groups.last_mut() {
                        Some(group) if join_next => group.push(clause),
                        _ => query.groups.push(vec![clause]),
                    }
                    join_next = false;
                }
            }
        }
        (!query.groups.is_empty()).then_some(query)
    }

    /// How many words the query looks for: each word of a phrase counts, excluded ones too.
    pub fn term_count(&self) -> usize {
        self.groups
            .iter()
            .flatten()
            .chain(&self.excluded)
            .map(|clause| match clause {
                Clause::Word(_) => 1,
                Clause::Phrase(phrase) => phrase.split_whitespace().count().max(1),
            })
            .sum()
    }

    /// Every positive clause, in order.
    pub fn clauses(&self) -> impl Iterator<Item = &Clause> {
        self.groups.iter().flatten()
    }

    /// The positive words and phrases as plain text (for language detection).
    pub fn plain_text(&self) -> String {
        self.clauses()
            .map(|clause| match clause {
                Clause::Word(word) | Clause::Phrase(word) => word.as_str(),
            })
            .collect::<Vec<_>>()
            .join(" ")
    }

    /// The query with every word passed through `replace` (phrases and exclusions are kept).
    pub fn map_words(&self, replace: impl Fn(&str) -> String) -> ParsedQuery {
        let map = |clause: &Clause| match clause {
            Clause::Word(word) => Clause::Word(replace(word)),
            other => other.clone(),
        };
        ParsedQuery {
            groups: self
                .groups
                .iter()
                .map(|group| group.iter().map(map).collect())
                .collect(),
            excluded: self.excluded.clone(),
        }
    }
}

impl fmt::Display for ParsedQuery {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut parts: Vec<String> = self
            .groups
            .iter()
            .map(|group| {
                group
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join(" OR ")
            })
            .collect();
        parts.extend(self.excluded.iter().map(|clause| format!("-{clause}")));
        f.write_str(&parts.join(" "))
    }
}

enum Token {
    Or,
    Clause { clause: Clause, negated: bool },
}

fn lex(text: &str) -> Vec<Token> {
    let mut tokens = Vec::new();
    let mut chars = text.chars().peekable();
    while let Some(&next) = chars.peek() {
        if next.is_whitespace() {
            chars.next();
            continue;
        }
        let negated = next == '-';
        if negated {
            chars.next();
        }
        if chars.peek() == Some(&'"') {
            chars.next();
            // An unclosed quote runs to the end of the query.
            let phrase: String = chars.by_ref().take_while(|c| *c != '"').collect();
            let phrase = phrase.split_whitespace().collect::<Vec<_>>().join(" ");
            if !phrase.is_empty() {
                tokens.push(Token::Clause {
                    clause: Clause::Phrase(phrase),
                    negated,
                });
            }
            continue;
        }
        let mut word = String::new();
        while let Some(&c) = chars.peek() {
            if c.is_whitespace() || c == '"' {
                break;
            }
            word.push(c);
            chars.next();
        }
        if word == "OR" && !negated {
            tokens.push(Token::Or);
        } else if !word.is_empty() {
            tokens.push(Token::Clause {
                clause: Clause::Word(word),
                negated,
            });
        }
    }
    tokens
}

#[cfg(test)]
mod tests {
    use super::*;

    fn word(text: &str) -> Clause {
        Clause::Word(text.into())
    }

    #[test]
    fn every_word_counts_as_a_term_phrases_and_exclusions_included() {
        let query = ParsedQuery::parse("bike OR cycle \"car free city\" -parking").unwrap();
        assert_eq!(query.term_count(), 6);
        assert_eq!(ParsedQuery::parse("one").unwrap().term_count(), 1);
    }

    #[test]
    fn words_are_all_required() {
        let query = ParsedQuery::parse("  district   heating ").unwrap();
        assert_eq!(
            query.groups,
            vec![vec![word("district")], vec![word("heating")]]
        );
        assert!(query.excluded.is_empty());
    }

    #[test]
    fn phrases_exclusions_and_or_are_understood() {
        let query =
            ParsedQuery::parse(r#""heat pumps" bus OR tram -diesel -"fossil fuel""#).unwrap();
        assert_eq!(
            query.groups,
            vec![
                vec![Clause::Phrase("heat pumps".into())],
                vec![word("bus"), word("tram")],
            ]
        );
        assert_eq!(
            query.excluded,
            vec![word("diesel"), Clause::Phrase("fossil fuel".into())]
        );
        assert_eq!(
            query.to_string(),
            r#""heat pumps" bus OR tram -diesel -"fossil fuel""#
        );
    }

    #[test]
    fn a_dangling_or_and_an_unclosed_quote_are_forgiven() {
        let query = ParsedQuery::parse(r#"OR cycling OR "green roofs"#).unwrap();
        assert_eq!(
            query.groups,
            vec![vec![word("cycling"), Clause::Phrase("green roofs".into())]]
        );
        assert_eq!(
            ParsedQuery::parse("solar OR").unwrap().groups,
            vec![vec![word("solar")]]
        );
        assert_eq!(
            ParsedQuery::parse("or").unwrap().groups,
            vec![vec![word("or")]]
        );
    }

    #[test]
    fn a_query_of_only_exclusions_or_blanks_is_nothing() {
        assert_eq!(ParsedQuery::parse("   "), None);
        assert_eq!(ParsedQuery::parse("-diesel -coal"), None);
        assert_eq!(ParsedQuery::parse(r#""""#), None);
    }
}
