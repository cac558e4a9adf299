//! UN M49 codes for the world, its regions, sub-regions and intermediate regions. Country
//! membership comes from `keshvar` (whose region and sub-region names follow M49); this table
//! adds the numeric codes and the two M49 groupings keshvar flattens (Sub-Saharan Africa and
//! Latin America and the Caribbean). Source: UN Statistics Division, Standard country or area
//! codes for statistical use (M49).

pub const WORLD: (&str, &str) = ("001", "World");

/// `(m49 code, name)` of the five M49 regions.
pub const CONTINENTS: [(&str, &str); 5] = [
    ("002", "Africa"),
    ("019", "Americas"),
    ("142", "Asia"),
    ("150", "Europe"),
    ("009", "Oceania"),
];

/// `(m49 code, name, parent m49 code)`, parents before children.
pub const SUBREGIONS: [(&str, &str, &str); 24] = [
    ("015", "Northern Africa", "002"),
    ("202", "Sub-Saharan Africa", "002"),
    ("014", "Eastern Africa", "202"),
    ("017", "Middle Africa", "202"),
    ("018", "Southern Africa", "202"),
    ("011", "Western Africa", "202"),
    ("419", "Latin America and the Caribbean", "019"),
    ("029", "Caribbean", "419"),
    ("013", "Central America", "419"),
    ("005", "South America", "419"),
    ("021", "Northern America", "019"),
    ("143", "Central Asia", "142"),
    ("030", "Eastern Asia", "142"),
    ("035", "South-eastern Asia", "142"),
    ("034", "Southern Asia", "142"),
    ("145", "Western Asia", "142"),
    ("151", "Eastern Europe", "150"),
    ("154", "Northern Europe", "150"),
    ("039", "Southern Europe", "150"),
    ("155", "Western Europe", "150"),
    ("053", "Australia and New Zealand", "009"),
    ("054", "Melanesia", "009"),
    ("057", "Micronesia", "009"),
    ("061", "Polynesia", "009"),
];

/// The M49 code of a keshvar sub-region (matched by name, case- and hyphen-insensitively).
pub fn subregion_code(name: &str) -> Option<&'static str> {
    let wanted = normalise(name);
    SUBREGIONS
        .iter()
        .find(|(_, candidate, _)| normalise(candidate) == wanted)
        .map(|(code, _, _)| *code)
}

/// The M49 code of a keshvar region (continent).
pub fn continent_code(name: &str) -> Option<&'static str> {
    CONTINENTS
        .iter()
        .find(|(_, candidate)| candidate.eq_ignore_ascii_case(name))
        .map(|(code, _)| *code)
}

fn normalise(name: &str) -> String {
    name.to_ascii_lowercase().replace(['-', ' '], "")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_country_with_a_subregion_maps_to_an_m49_code() {
        let mut countries = 0;
        for country in keshvar::CountryIterator::new() {
            if let Some(subregion) = country.maybe_subregion() {
                assert!(
                    subregion_code(&subregion.to_string()).is_some(),
                    "{subregion}"
                );
                countries += 1;
            }
            if let Some(region) = country.maybe_region() {
                assert!(continent_code(&region.to_string()).is_some(), "{region}");
            }
        }
        assert!(countries >= 240, "{countries}");
    }

    #[test]
    fn parents_come_before_children() {
        for (index, (_, _, parent)) in SUBREGIONS.iter().enumerate() {
            let is_continent = CONTINENTS.iter().any(|(code, _)| code == parent);
            let earlier = SUBREGIONS[..index]
                .iter()
                .any(|(code, _, _)| code == parent);
            assert!(is_continent || earlier, "{parent}");
        }
    }
}
