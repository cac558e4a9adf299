//! Partner suggestions: which cities a city could partner with, and why. [`suggest`] scores
//! every candidate by explicit reasons (shared ambition, evaluated practices on themes the city
//! lacks, similar size, nearby region, shared networks, shared partners), each with its weight
//! and evidence; the score is the sum of the weights. A city is never suggested to itself or
//! to a city it is in an active partnership with. Ties are broken by name, then id.

use super::GeoPoint;

/// What a suggestion rests on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, async_graphql::Enum)]
pub enum ReasonKind {
    /// Net-zero years (and 2030 reduction targets) close to the city's.
    SharedAmbition,
    /// An evaluated practice on a theme the city has no practice on.
    Practice,
    /// A population of similar size.
    SimilarSize,
    /// The same subdivision or country, or a short distance.
    NearbyRegion,
    /// Both cities belong to this network or initiative.
    SharedNetwork,
    /// Both cities partner with the same third city, or they partnered before.
    ExistingPartnership,
}

/// One evaluated, published practice of a city.
#[derive(Clone, Debug)]
pub struct PracticeFact {
    pub id: i32,
    /// Theme paths, such as `mobility/cycling`.
    pub themes: Vec<String>,
    /// Mean evaluation score 1..5.
    pub score: f64,
}

/// A city's partnership.
#[derive(Clone, Copy, Debug)]
pub struct PartnershipFact {
    pub id: i32,
    /// Active (current) rather than completed or proposed.
    pub active: bool,
    pub completed: bool,
}

/// What [`suggest`] knows of a city.
#[derive(Clone, Debug)]
pub struct CityProfile {
    pub id: i32,
    pub name: String,
    pub country: String,
    pub region_id: i32,
    pub point: GeoPoint,
    pub population: Option<i64>,
    pub net_zero_year: Option<i32>,
    pub target_year: Option<i32>,
    pub reduction_pct: Option<f64>,
    /// Organisation ids of its memberships and commitments.
    pub networks: Vec<i32>,
    pub partnerships: Vec<PartnershipFact>,
    /// Theme paths of all its published practices (evaluated or not).
    pub practice_themes: Vec<String>,
    /// Its evaluated, published practices.
    pub evaluated: Vec<PracticeFact>,
}

/// One reason, with its weight and the record it rests on.
#[derive(Clone, Debug, PartialEq)]
pub struct Reason {
    pub kind: ReasonKind,
    pub weight: f64,
    /// One sentence, in English.
    pub description: String,
    pub practice: Option<i32>,
    pub theme: Option<String>,
    pub network: Option<i32>,
    pub partnership: Option<i32>,
}

/// A suggested city, its score and reasons (strongest first).
#[derive(Clone, Debug, PartialEq)]
pub struct Suggestion {
    pub city: i32,
    pub score: f64,
    pub reasons: Vec<Reason>,
}

/// Most evaluated practices counted per candidate (the best one per lacked theme), shared
/// networks, shared partnerships.
const MAX_PRACTICE_REASONS: usize = 3;
const MAX_NETWORK_REASONS: usize = 3;
const MAX_PARTNERSHIP_REASONS: usize = 2;

fn round(value: f64) -> f64 {
    (value * 1000.0).round() / 1000.0
}

fn reason(kind: ReasonKind, weight: f64, description: String) -> Reason {
    Reason {
        kind,
        weight: round(weight),
        description,
        practice: None,
        theme: None,
        network: None,
        partnership: None,
    }
}

/// Whether `path` lies in the subtree of `root` (or is it).
fn within(path: &str, root: &str) -> bool {
    path == root || (path.starts_with(root) && path.as_bytes().get(root.len()) == Some(&b'/'))
}

fn root_of(path: &str) -> &str {
    path.split('/').next().unwrap_or(path)
}

/// The themes `city` has no practice on that `practice` covers: within `themes` when given
/// (each a subtree), else by top-level theme.
fn lacked_theme(city: &CityProfile, practice: &PracticeFact, themes: &[String]) -> Option<String> {
    if themes.is_empty() {
        practice
            .themes
            .iter()
            .map(|path| root_of(path))
            .find(|root| !city.practice_themes.iter().any(|own| within(own, root)))
            .map(str::to_owned)
    } else {
        themes
            .iter()
            .filter(|theme| practice.themes.iter().any(|path| within(path, theme)))
            .find(|theme| !city.practice_themes.iter().any(|own| within(own, theme)))
            .cloned()
    }
}

fn reasons(
    city: &CityProfile,
    other: &CityProfile,
    all: &[CityProfile],
    themes: &[String],
) -> Vec<Reason> {
    let mut found = Vec::new();
    // Shared ambition.
    if let (Some(mine), Some(theirs)) = (city.net_zero_year, other.net_zero_year) {
        let gap = (mine - theirs).abs();
        if gap <= 5 {
            found.push(reason(
                ReasonKind::SharedAmbition,
                1.5 * (1.0 - f64::from(gap) / 6.0),
                format!("net zero by {theirs}, against {mine}"),
            ));
        }
    }
    if let (Some(2030), Some(2030), Some(mine), Some(theirs)) = (
        city.target_year,
        other.target_year,
        city.reduction_pct,
        other.reduction_pct,
    ) && (mine - theirs).abs() <= 10.0
    {
        found.push(reason(
            ReasonKind::SharedAmbition,
            0.5,
            format!("{theirs} % reduction by 2030, against {mine} %"),
        ));
    }
    // Evaluated practices on themes the city lacks, best first.
    let mut practices: Vec<(&PracticeFact, String)> = other
        .evaluated
        .iter()
        .filter_map(|practice| lacked_theme(city, practice, themes).map(|theme| (practice, theme)))
        .collect();
    practices.sort_by(|a, b| b.0.score.total_cmp(&a.0.score).then(a.0.id.cmp(&b.0.id)));
    let mut seen_themes: Vec<String> = Vec::new();
    practices.retain(|(_, theme)| {
        let first = !seen_themes.contains(theme);
        seen_themes.push(theme.clone());
        first
    });
    for (practice, theme) in practices.into_iter().take(MAX_PRACTICE_REASONS) {
        found.push(Reason {
            practice: Some(practice.id),
            theme: Some(theme.clone()),
            ..reason(
                ReasonKind::Practice,
                1.0 + practice.score / 5.0,
                format!(
                    "an evaluated practice (score {:.2}) on {theme}, which the city has none on",
                    practice.score
                ),
            )
        });
    }
    // Similar size.
    if let (Some(mine), Some(theirs)) = (city.population, other.population)
        && mine > 0
        && theirs > 0
    {
        let ratio = mine.min(theirs) as f64 / mine.max(theirs) as f64;
        if ratio >= 0.5 {
            found.push(reason(
                ReasonKind::SimilarSize,
                ratio,
                format!("population {theirs}, against {mine}"),
            ));
        }
    }
    // Nearby.
    let distance = city.point.distance_km(other.point);
    if city.region_id == other.region_id {
        found.push(reason(
            ReasonKind::NearbyRegion,
            1.5,
            format!("the same region, {distance:.0} km away"),
        ));
    } else if city.country == other.country {
        found.push(reason(
            ReasonKind::NearbyRegion,
            1.0,
            format!("the same country, {distance:.0} km away"),
        ));
    } else if distance < 1000.0 {
        found.push(reason(
            ReasonKind::NearbyRegion,
            1.0 - distance / 1000.0,
            format!("{distance:.0} km away"),
        ));
    }
    // Shared networks.
    let mut shared: Vec<i32> = city
        .networks
        .iter()
        .copied()
        .filter(|network| other.networks.contains(network))
        .collect();
    shared.sort_unstable();
    shared.dedup();
    for network in shared.into_iter().take(MAX_NETWORK_REASONS) {
        found.push(Reason {
            network: Some(network),
            ..reason(
                ReasonKind::SharedNetwork,
                0.5,
                "both belong to this network".to_owned(),
            )
        });
    }
    // Existing partnerships: a partnership completed together, or an active partnership of
    // the candidate with one of the city's active partners.
    let mut partnerships: Vec<(i32, f64, String)> = Vec::new();
    for partnership in &other.partnerships {
        if partnership.completed && city.partnerships.iter().any(|own| own.id == partnership.id) {
            partnerships.push((
                partnership.id,
                1.0,
                "partnered with the city before".to_owned(),
            ));
        }
    }
    let partners: Vec<&CityProfile> = all
        .iter()
        .filter(|third| third.id != city.id && third.id != other.id && partners_now(city, third))
        .collect();
    for third in partners {
        if let Some(shared) = other
            .partnerships
            .iter()
            .find(|theirs| theirs.active && third.partnerships.iter().any(|p| p.id == theirs.id))
        {
            partnerships.push((
                shared.id,
                0.75,
                format!("partners with {}, a partner of the city", third.name),
            ));
        }
    }
    partnerships.sort_by(|a, b| a.0.cmp(&b.0).then(b.1.total_cmp(&a.1)));
    partnerships.dedup_by_key(|entry| entry.0);
    partnerships.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    for (id, weight, description) in partnerships.into_iter().take(MAX_PARTNERSHIP_REASONS) {
        found.push(Reason {
            partnership: Some(id),
            ..reason(ReasonKind::ExistingPartnership, weight, description)
        });
    }
    found.retain(|reason| reason.weight > 0.0);
    found.sort_by(|a, b| b.weight.total_cmp(&a.weight));
    found
}

/// Whether the two cities share an active partnership.
pub fn partners_now(a: &CityProfile, b: &CityProfile) -> bool {
    a.partnerships
        .iter()
        .filter(|p| p.active)
        .any(|p| b.partnerships.iter().any(|q| q.id == p.id))
}

/// Every candidate with at least one reason, best first (score, then name, then id), and how
/// many there are; `cities` holds every city including `city` itself.
pub fn suggest(
    city: &CityProfile,
    cities: &[CityProfile],
    themes: &[String],
) -> Vec<(Suggestion, String)> {
    let mut suggestions: Vec<(Suggestion, String)> = cities
        .iter()
        .filter(|other| other.id != city.id && !partners_now(city, other))
        .filter_map(|other| {
            let reasons = reasons(city, other, cities, themes);
            (!reasons.is_empty()).then(|| {
                let score = round(reasons.iter().map(|r| r.weight).sum());
                (
                    Suggestion {
                        city: other.id,
                        score,
                        reasons,
                    },
                    other.name.clone(),
                )
            })
        })
        .collect();
    suggestions.sort_by(|(a, a_name), (b, b_name)| {
        b.score
            .total_cmp(&a.score)
            .then_with(|| a_name.cmp(b_name))
            .then(a.city.cmp(&b.city))
    });
    suggestions
}

#[cfg(test)]
mod tests {
    use super::*;

    fn city(id: i32, name: &str) -> CityProfile {
        CityProfile {
            id,
            name: name.to_owned(),
            country: "NO".to_owned(),
            region_id: id,
            point: GeoPoint::new(60.0, 10.0).unwrap(),
            population: None,
            net_zero_year: None,
            target_year: None,
            reduction_pct: None,
            networks: Vec::new(),
            partnerships: Vec::new(),
            practice_themes: Vec::new(),
            evaluated: Vec::new(),
        }
    }

    fn kinds(suggestion: &Suggestion) -> Vec<ReasonKind> {
        suggestion.reasons.iter().map(|r| r.kind).collect()
    }

    #[test]
    fn never_self_nor_a_current_partner_and_ties_go_by_name() {
        let mut me = city(1, "Oslo");
        let mut partner = city(2, "Asker");
        me.partnerships.push(PartnershipFact {
            id: 9,
            active: true,
            completed: false,
        });
        partner.partnerships.push(PartnershipFact {
            id: 9,
            active: true,
            completed: false,
        });
        let b = city(4, "Bergen");
        let a = city(3, "Ålesund");
        let all = vec![me.clone(), partner, b, a];
        let found = suggest(&me, &all, &[]);
        let ids: Vec<i32> = found.iter().map(|(s, _)| s.city).collect();
        assert_eq!(ids, [4, 3], "same score (same country), so by name");
        assert!(
            found
                .iter()
                .all(|(s, _)| s.score == 1.0 && kinds(s) == [ReasonKind::NearbyRegion])
        );
    }

    #[test]
    fn each_reason_carries_its_weight_and_evidence_and_the_score_is_their_sum() {
        let mut me = city(1, "Oslo");
        me.net_zero_year = Some(2030);
        me.population = Some(700_000);
        me.networks = vec![10, 11];
        me.practice_themes = vec!["buildings/construction-sites".to_owned()];
        let mut other = city(2, "Copenhagen");
        other.country = "DK".to_owned();
        other.point = GeoPoint::new(55.68, 12.57).unwrap();
        other.net_zero_year = Some(2025);
        other.population = Some(650_000);
        other.networks = vec![11, 12];
        other.evaluated = vec![
            PracticeFact {
                id: 5,
                themes: vec!["mobility/cycling".to_owned()],
                score: 4.5,
            },
            PracticeFact {
                id: 6,
                themes: vec!["buildings/construction-sites".to_owned()],
                score: 5.0,
            },
        ];
        let all = vec![me.clone(), other];
        let (suggestion, _) = &suggest(&me, &all, &[])[0];
        let practice = suggestion
            .reasons
            .iter()
            .find(|r| r.kind == ReasonKind::Practice)
            .unwrap();
        assert_eq!(
            (practice.practice, practice.theme.as_deref()),
            (Some(5), Some("mobility"))
        );
        assert_eq!(practice.weight, 1.9);
        assert_eq!(
            suggestion
                .reasons
                .iter()
                .filter(|r| r.kind == ReasonKind::Practice)
                .count(),
            1,
            "the city has construction-site practices"
        );
        let network = suggestion
            .reasons
            .iter()
            .find(|r| r.kind == ReasonKind::SharedNetwork)
            .unwrap();
        assert_eq!(network.network, Some(11));
        let ambition = suggestion
            .reasons
            .iter()
            .find(|r| r.kind == ReasonKind::SharedAmbition)
            .unwrap();
        assert_eq!(ambition.weight, 0.25);
        assert!(kinds(suggestion).contains(&ReasonKind::SimilarSize));
        assert!(
            kinds(suggestion).contains(&ReasonKind::NearbyRegion),
            "about 480 km"
        );
        let sum: f64 = suggestion.reasons.iter().map(|r| r.weight).sum();
        assert!((suggestion.score - sum).abs() < 0.002);
        let weights: Vec<f64> = suggestion.reasons.iter().map(|r| r.weight).collect();
        assert!(
            weights.windows(2).all(|w| w[0] >= w[1]),
            "strongest first: {weights:?}"
        );
    }

    #[test]
    fn themes_restrict_practices_to_their_subtrees() {
        let me = city(1, "Oslo");
        let mut other = city(2, "Paris");
        other.country = "FR".to_owned();
        other.point = GeoPoint::new(48.85, 2.35).unwrap();
        other.evaluated = vec![PracticeFact {
            id: 5,
            themes: vec!["mobility/cycling".to_owned()],
            score: 4.0,
        }];
        let all = vec![me.clone(), other];
        assert!(suggest(&me, &all, &["energy".to_owned()]).is_empty());
        let found = suggest(&me, &all, &["mobility/cycling".to_owned()]);
        assert_eq!(
            found[0].0.reasons[0].theme.as_deref(),
            Some("mobility/cycling")
        );
        assert!(!within("mobility/cyclingx", "mobility/cycling"));
    }

    #[test]
    fn partners_of_partners_and_former_partners_count() {
        let mut me = city(1, "Oslo");
        let mut partner = city(2, "Asker");
        let mut third = city(3, "Drammen");
        let mut former = city(4, "Helsinki");
        me.partnerships = vec![
            PartnershipFact {
                id: 9,
                active: true,
                completed: false,
            },
            PartnershipFact {
                id: 7,
                active: false,
                completed: true,
            },
        ];
        partner.partnerships = vec![
            PartnershipFact {
                id: 9,
                active: true,
                completed: false,
            },
            PartnershipFact {
                id: 8,
                active: true,
                completed: false,
            },
        ];
        third.partnerships = vec![PartnershipFact {
            id: 8,
            active: true,
            completed: false,
        }];
        former.partnerships = vec![PartnershipFact {
            id: 7,
            active: false,
            completed: true,
        }];
        for other in [&mut third, &mut former] {
            other.country = "XX".to_owned();
            other.point = GeoPoint::new(0.0, 0.0).unwrap();
        }
        let all = vec![me.clone(), partner, third, former];
        let found = suggest(&me, &all, &[]);
        let ids: Vec<i32> = found.iter().map(|(s, _)| s.city).collect();
        assert_eq!(ids, [4, 3]);
        assert_eq!(found[0].0.reasons[0].partnership, Some(7));
        assert_eq!(found[1].0.reasons[0].partnership, Some(8));
        assert_eq!(found[1].0.reasons[0].weight, 0.75);
    }
}
