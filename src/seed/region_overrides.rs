//! Corrections to `keshvar`'s ISO 3166-2 table where it is older than the current standard:
//! subdivisions that no longer exist are left out and their successors added. Norway merged
//! and then, on 1 January 2024, split counties again: Viken (NO-30) became Akershus (NO-32),
//! Buskerud (NO-33) and Østfold (NO-31); Vestfold og Telemark (NO-38) became Vestfold (NO-39)
//! and Telemark (NO-40); Troms og Finnmark (NO-54) became Troms (NO-55) and Finnmark (NO-56).

/// One country's changes: codes to drop and `(code, name)` pairs to add.
pub struct Override {
    pub country: &'static str,
    pub removed: &'static [&'static str],
    pub added: &'static [(&'static str, &'static str)],
}

pub const OVERRIDES: &[Override] = &[Override {
    country: "NO",
    removed: &["NO-30", "NO-38", "NO-54"],
    added: &[
        ("NO-31", "Østfold"),
        ("NO-32", "Akershus"),
        ("NO-33", "Buskerud"),
        ("NO-39", "Vestfold"),
        ("NO-40", "Telemark"),
        ("NO-55", "Troms"),
        ("NO-56", "Finnmark"),
    ],
}];

/// Whether `code` is a subdivision the current standard no longer has.
pub fn is_removed(code: &str) -> bool {
    OVERRIDES.iter().any(|entry| entry.removed.contains(&code))
}

/// The subdivisions to add for `country` (alpha-2).
pub fn added(country: &str) -> impl Iterator<Item = (&'static str, &'static str)> {
    OVERRIDES
        .iter()
        .filter(move |entry| entry.country == country)
        .flat_map(|entry| entry.added.iter().copied())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn norway_has_its_2024_counties_and_not_the_merged_ones() {
        assert!(is_removed("NO-30"));
        assert!(!is_removed("NO-03"));
        let norway: Vec<&str> = added("NO").map(|(code, _)| code).collect();
        assert!(norway.contains(&"NO-32"));
        assert_eq!(norway.len(), 7);
        assert_eq!(added("SE").count(), 0);
    }
}
