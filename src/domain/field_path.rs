//! Where in an input a problem is: a path of field names and list indices, built once by the
//! validation and rendered for each audience. GraphQL clients get the input field names they
//! sent (`["input", "records", 3, "amountMin"]`, indices as numbers); the importer reports the
//! JSON Lines field (`records[3].amount_min`).

/// One step of a [`FieldPath`].
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Segment {
    /// A field, named as the Rust/JSON record names it (snake_case) or as GraphQL does
    /// (camelCase); each rendering converts.
    Field(String),
    /// An element of a list, from 0.
    Index(usize),
}

/// A path into an input; empty for the input as a whole.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct FieldPath(Vec<Segment>);

impl FieldPath {
    /// The input as a whole.
    pub fn root() -> Self {
        Self::default()
    }

    /// This path followed by the field `name`.
    pub fn field(mut self, name: impl Into<String>) -> Self {
        self.0.push(Segment::Field(name.into()));
        self
    }

    /// This path followed by the list element `index`.
    pub fn index(mut self, index: usize) -> Self {
        self.0.push(Segment::Index(index));
        self
    }

    /// This path followed by `tail`.
    pub fn join(mut self, tail: &FieldPath) -> Self {
        self.0.extend(tail.0.iter().cloned());
        self
    }

    pub fn segments(&self) -> &[Segment] {
        &self.0
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// GraphQL's rendering: camelCase field names and numeric indices, as a JSON array.
    pub fn camel(&self) -> serde_json::Value {
        self.0
            .iter()
            .map(|segment| match segment {
                Segment::Field(name) => serde_json::Value::from(camel_case(name)),
                Segment::Index(index) => serde_json::Value::from(*index),
            })
            .collect()
    }

    /// GraphQL's rendering as text, for messages: `filter.implementedBetween.from`,
    /// `input.records[3].amountMin`.
    pub fn camel_text(&self) -> String {
        self.render(camel_case)
    }

    /// The importer's rendering: snake_case field names joined by `.`, indices in brackets
    /// (`evaluations[0].scores.relevance`); empty for the root.
    pub fn snake(&self) -> String {
        self.render(snake_case)
    }

    fn render(&self, name_case: fn(&str) -> String) -> String {
        let mut text = String::new();
        for segment in &self.0 {
            match segment {
                Segment::Field(name) => {
                    if !text.is_empty() {
                        text.push('.');
                    }
                    text.push_str(&name_case(name));
                }
                Segment::Index(index) => text.push_str(&format!("[{index}]")),
            }
        }
        text
    }
}

/// A path of one field.
impl From<&str> for FieldPath {
    fn from(name: &str) -> Self {
        Self::root().field(name)
    }
}

impl From<String> for FieldPath {
    fn from(name: String) -> Self {
        Self::root().field(name)
    }
}

/// A path of fields, outermost first.
impl<const N: usize> From<[&str; N]> for FieldPath {
    fn from(names: [&str; N]) -> Self {
        names.into_iter().fold(Self::root(), Self::field)
    }
}

impl<const N: usize> From<&[&str; N]> for FieldPath {
    fn from(names: &[&str; N]) -> Self {
        Self::from(*names)
    }
}

impl From<&[&str]> for FieldPath {
    fn from(names: &[&str]) -> Self {
        names.iter().copied().fold(Self::root(), Self::field)
    }
}

impl From<&FieldPath> for FieldPath {
    fn from(path: &FieldPath) -> Self {
        path.clone()
    }
}

fn camel_case(name: &str) -> String {
    let mut text = String::with_capacity(name.len());
    let mut upper = false;
    for character in name.chars() {
        if character == '_' {
            upper = !text.is_empty();
        } else if upper {
            text.extend(character.to_uppercase());
            upper = false;
        } else {
            text.push(character);
        }
    }
    text
}

fn snake_case(name: &str) -> String {
    let mut text = String::with_capacity(name.len() + 4);
    for character in name.chars() {
        if character.is_uppercase() {
            if !text.is_empty() {
                text.push('_');
            }
            text.extend(character.to_lowercase());
        } else {
            text.push(character);
        }
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    fn amount_of_fourth_record() -> FieldPath {
        FieldPath::from("input")
            .field("records")
            .index(3)
            .field("amount_min")
    }

    #[test]
    fn graphql_sees_camel_case_names_and_numeric_indices() {
        assert_eq!(
            amount_of_fourth_record().camel(),
            serde_json::json!(["input", "records", 3, "amountMin"])
        );
    }

    #[test]
    fn the_importer_sees_snake_case_names_and_bracketed_indices() {
        assert_eq!(
            amount_of_fourth_record().snake(),
            "input.records[3].amount_min"
        );
        assert_eq!(
            amount_of_fourth_record().camel_text(),
            "input.records[3].amountMin"
        );
    }

    #[test]
    fn either_spelling_renders_both_ways() {
        let camel = FieldPath::from(["filter", "implementedBetween", "from"]);
        assert_eq!(camel.snake(), "filter.implemented_between.from");
        assert_eq!(
            camel.camel(),
            serde_json::json!(["filter", "implementedBetween", "from"])
        );
        assert_eq!(FieldPath::from("annual_tco2e").camel()[0], "annualTco2e");
    }

    #[test]
    fn the_root_renders_empty() {
        assert_eq!(FieldPath::root().snake(), "");
        assert_eq!(FieldPath::root().camel(), serde_json::json!([]));
        assert!(FieldPath::root().is_empty());
    }

    #[test]
    fn joining_prefixes_a_path() {
        let inner = FieldPath::from("themes").index(1);
        assert_eq!(
            FieldPath::from("filter").join(&inner).snake(),
            "filter.themes[1]"
        );
    }
}
