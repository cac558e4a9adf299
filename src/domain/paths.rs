use std::fmt;

use serde::{Deserialize, Serialize};

/// A theme's stable slug path such as `energy/renewables/solar`: one to six slug segments.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct ThemePath(String);

impl ThemePath {
    pub fn parse(value: &str) -> Result<Self, String> {
        let segments: Vec<&str> = value.split('/').collect();
        let valid = segments.len() <= 6
            && segments
                .iter()
                .all(|segment| super::Slug::parse(segment).is_ok());
        if valid {
            Ok(Self(value.to_owned()))
        } else {
            Err(format!(
                "`{}` is not a theme path (slugs joined by `/`, such as `energy/renewables/solar`)",
                super::excerpt(value)
            ))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The parent path, or `None` at the root.
    pub fn parent(&self) -> Option<ThemePath> {
        self.0
            .rsplit_once('/')
            .map(|(parent, _)| ThemePath(parent.to_owned()))
    }

    pub fn slug(&self) -> &str {
        self.0.rsplit('/').next().unwrap_or(&self.0)
    }

    pub fn depth(&self) -> usize {
        self.0.matches('/').count()
    }
}

impl fmt::Display for ThemePath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for ThemePath {
    type Error = String;
    fn try_from(value: String) -> Result<Self, String> {
        Self::parse(&value)
    }
}

impl From<ThemePath> for String {
    fn from(value: ThemePath) -> String {
        value.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_path_knows_its_parent_slug_and_depth() {
        let path = ThemePath::parse("energy/renewables/solar").unwrap();
        assert_eq!(path.parent().unwrap().as_str(), "energy/renewables");
        assert_eq!(path.slug(), "solar");
        assert_eq!(path.depth(), 2);
        assert!(ThemePath::parse("energy").unwrap().parent().is_none());
    }

    #[test]
    fn malformed_paths_are_rejected() {
        for bad in [
            "",
            "/energy",
            "energy/",
            "energy//solar",
            "Energy",
            "a/b/c/d/e/f/g",
        ] {
            assert!(ThemePath::parse(bad).is_err(), "{bad}");
        }
    }
}
