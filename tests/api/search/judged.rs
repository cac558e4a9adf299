//! The judged query set: each query with graded judgments (3 = what the query is about,
//! 2 = closely related, 1 = related; unlisted practices are 0) over the seed practices, and
//! nDCG@10 to score a ranking against them. The relevance test runs it through `search`; the
//! PostgreSQL full-text peer (`peer.rs`, ignored by default) runs the same set.

/// What a query tests; the relevance test reports each class on its own.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Class {
    /// Every word (or a typo or accent-folded form of it) appears in the relevant practice.
    Direct,
    /// One or two words of the query appear nowhere in the practice graded 3 (in any of its
    /// languages): only partial matching finds it.
    Partial,
    /// The practice graded 3 has no text in the query's language: only the concept
    /// vocabulary (the vocab branch) finds it. Reported, not asserted.
    CrossLanguage,
}

pub struct Judged {
    pub query: &'static str,
    pub class: Class,
    pub relevant: &'static [(&'static str, u8)],
}

const fn direct(query: &'static str, relevant: &'static [(&'static str, u8)]) -> Judged {
    Judged {
        query,
        class: Class::Direct,
        relevant,
    }
}

const fn partial(query: &'static str, relevant: &'static [(&'static str, u8)]) -> Judged {
    Judged {
        query,
        class: Class::Partial,
        relevant,
    }
}

const fn cross(query: &'static str, relevant: &'static [(&'static str, u8)]) -> Judged {
    Judged {
        query,
        class: Class::CrossLanguage,
        relevant,
    }
}

const CYCLING: &[(&str, u8)] = &[
    ("copenhagen-cycle-superhighways", 3),
    ("paris-plan-velo", 3),
    ("montreal-express-bike-network", 3),
    ("pandemic-pop-up-bike-lanes", 3),
    ("bogota-ciclovia", 2),
    ("lahti-citicap-personal-carbon-trading", 1),
    ("lisbon-green-corridors", 1),
    ("trondheim-miljopakken", 1),
];

const DISTRICT_HEATING: &[(&str, u8)] = &[
    ("copenhagen-district-heating", 3),
    ("drammen-seawater-heat-pump-district-heating", 3),
    ("munich-geothermal-district-heating", 3),
    ("helsinki-energy-challenge", 2),
    ("bristol-city-leap", 2),
];

const CONGESTION: &[(&str, u8)] = &[
    ("stockholm-congestion-tax", 3),
    ("gothenburg-congestion-tax", 3),
    ("milan-area-c", 3),
    ("london-ultra-low-emission-zone", 2),
    ("trondheim-miljopakken", 1),
];

pub const JUDGED: &[Judged] = &[
    // Words that the relevant practices contain, in English and in their own languages.
    direct("cycling", CYCLING),
    direct(
        "heat pumps",
        &[
            ("drammen-seawater-heat-pump-district-heating", 3),
            ("vancouver-zero-emissions-building-plan", 2),
            ("copenhagen-district-heating", 1),
            ("helsinki-energy-challenge", 1),
        ],
    ),
    direct(
        "green roofs",
        &[
            ("hamburg-green-roof-strategy", 3),
            ("malmo-western-harbour", 1),
            ("rotterdam-water-squares", 1),
        ],
    ),
    direct("green bonds", &[("gothenburg-green-bonds", 3)]),
    direct("congestion charge", CONGESTION),
    direct(
        "carbon trading",
        &[
            ("lahti-citicap-personal-carbon-trading", 3),
            ("tokyo-cap-and-trade", 2),
        ],
    ),
    direct("light rail", &[("bergen-bybanen-light-rail", 3)]),
    direct(
        "reforestation",
        &[
            ("durban-buffelsdraai-reforestation", 3),
            ("medellin-green-corridors", 1),
        ],
    ),
    direct(
        "bus rapid transit",
        &[
            ("bogota-transmilenio", 3),
            ("curitiba-bus-rapid-transit", 3),
            ("mexico-city-metrobus", 3),
        ],
    ),
    direct(
        "zero emission construction machinery",
        &[
            ("oslo-fossil-free-construction-sites", 3),
            ("asker-drammen-zero-emission-machinery-procurement", 3),
        ],
    ),
    direct(
        "wind power purchasing",
        &[("melbourne-renewable-energy-project", 3)],
    ),
    direct("sykkel", &[("trondheim-miljopakken", 3)]),
    direct("klimabudsjett", &[("oslo-climate-budget", 3)]),
    direct(
        "fjernvarme",
        &[
            ("drammen-seawater-heat-pump-district-heating", 3),
            ("copenhagen-district-heating", 2),
        ],
    ),
    direct(
        "Fernwärme",
        &[
            ("copenhagen-district-heating", 3),
            ("munich-geothermal-district-heating", 3),
            ("drammen-seawater-heat-pump-district-heating", 2),
            ("helsinki-energy-challenge", 1),
        ],
    ),
    direct(
        "Wärmepumpe",
        &[
            ("drammen-seawater-heat-pump-district-heating", 3),
            ("vancouver-zero-emissions-building-plan", 1),
        ],
    ),
    direct(
        "vélo",
        &[
            ("paris-plan-velo", 3),
            ("montreal-express-bike-network", 3),
            ("paris-15-minute-city", 1),
        ],
    ),
    direct("quart d'heure", &[("paris-15-minute-city", 3)]),
    direct("cours d'école", &[("paris-oasis-schoolyards", 3)]),
    direct(
        "rénovation énergétique",
        &[
            ("grenoble-mur-mur-renovation", 3),
            ("new-york-local-law-97", 1),
            ("vancouver-zero-emissions-building-plan", 1),
        ],
    ),
    direct(
        "Supermanzanas",
        &[
            ("barcelona-superblocks", 3),
            ("vienna-supergraetzl-favoriten", 2),
        ],
    ),
    direct("agricultura urbana", &[("valencia-agri-food-strategy", 3)]),
    direct(
        "corredores verdes",
        &[
            ("medellin-green-corridors", 3),
            ("lisbon-green-corridors", 3),
        ],
    ),
    direct(
        "energía solar",
        &[
            ("seoul-one-less-nuclear-power-plant", 3),
            ("malmo-western-harbour", 1),
        ],
    ),
    direct("waterpleinen", &[("rotterdam-water-squares", 3)]),
    direct(
        "trängselskatt",
        &[
            ("stockholm-congestion-tax", 3),
            ("gothenburg-congestion-tax", 2),
        ],
    ),
    direct(
        "Stadtteil ohne Autos",
        &[("freiburg-vauban", 3), ("vienna-supergraetzl-favoriten", 1)],
    ),
    direct("Geothermie", &[("munich-geothermal-district-heating", 3)]),
    direct(
        "Copenhagn",
        &[
            ("copenhagen-district-heating", 3),
            ("copenhagen-cycle-superhighways", 3),
        ],
    ),
    direct("renovaton", &[("grenoble-mur-mur-renovation", 3)]),
    direct("Malmo", &[("malmo-western-harbour", 3)]),
    direct("Zurich", &[("zurich-2000-watt-society", 3)]),
    direct("Munchen", &[("munich-geothermal-district-heating", 3)]),
    direct(
        "Bogota",
        &[
            ("bogota-ciclovia", 3),
            ("bogota-transmilenio", 3),
            ("pandemic-pop-up-bike-lanes", 1),
        ],
    ),
    direct("\"district heating\"", DISTRICT_HEATING),
    direct(
        "low emission zone",
        &[("london-ultra-low-emission-zone", 3), ("milan-area-c", 2)],
    ),
    direct(
        "drought water demand",
        &[("cape-town-water-demand-management", 3)],
    ),
    direct(
        "circular economy",
        &[
            ("amsterdam-circular-strategy-doughnut", 3),
            ("valencia-agri-food-strategy", 1),
        ],
    ),
    direct("passive houses", &[("freiburg-vauban", 3)]),
    direct(
        "cap and trade",
        &[
            ("tokyo-cap-and-trade", 3),
            ("lahti-citicap-personal-carbon-trading", 1),
        ],
    ),
    direct(
        "public private partnership",
        &[("bristol-city-leap", 3), ("gothenburg-congestion-tax", 1)],
    ),
    direct(
        "superblock",
        &[
            ("barcelona-superblocks", 3),
            ("vienna-supergraetzl-favoriten", 3),
        ],
    ),
    direct("nuclear", &[("seoul-one-less-nuclear-power-plant", 3)]),
    // One or two words of the query appear nowhere in the practice graded 3.
    partial(
        "bus rapid transit corridors for suburbs",
        &[
            ("bogota-transmilenio", 3),
            ("curitiba-bus-rapid-transit", 3),
            ("mexico-city-metrobus", 2),
        ],
    ),
    partial(
        "seawater heat pump skyscrapers",
        &[
            ("drammen-seawater-heat-pump-district-heating", 3),
            ("vancouver-zero-emissions-building-plan", 1),
        ],
    ),
    partial(
        "congestion tax referendum tourists",
        &[
            ("stockholm-congestion-tax", 3),
            ("gothenburg-congestion-tax", 2),
        ],
    ),
    partial(
        "geothermal district heating aquifer",
        &[
            ("munich-geothermal-district-heating", 3),
            ("copenhagen-district-heating", 1),
        ],
    ),
    partial(
        "personal carbon trading smartphone",
        &[("lahti-citicap-personal-carbon-trading", 3)],
    ),
    partial(
        "water squares rainwater skaters",
        &[("rotterdam-water-squares", 3)],
    ),
    partial(
        "schoolyards islands toddlers",
        &[("paris-oasis-schoolyards", 3)],
    ),
    partial(
        "community reforestation beekeeping",
        &[("durban-buffelsdraai-reforestation", 3)],
    ),
    partial(
        "open competition decarbonise heating startups",
        &[("helsinki-energy-challenge", 3)],
    ),
    partial(
        "cap and trade large buildings skyscrapers",
        &[("tokyo-cap-and-trade", 3), ("new-york-local-law-97", 2)],
    ),
    partial(
        "group purchasing wind power stadiums",
        &[("melbourne-renewable-energy-project", 3)],
    ),
    partial(
        "pop-up bike lanes lockdown",
        &[("pandemic-pop-up-bike-lanes", 3), ("paris-plan-velo", 1)],
    ),
    partial(
        "ultra low emission zone minicabs",
        &[("london-ultra-low-emission-zone", 3), ("milan-area-c", 1)],
    ),
    partial(
        "circular strategy doughnut textiles",
        &[("amsterdam-circular-strategy-doughnut", 3)],
    ),
    partial("sunday streets joggers", &[("bogota-ciclovia", 3)]),
    partial(
        "green bonds municipal pension",
        &[("gothenburg-green-bonds", 3)],
    ),
    partial(
        "light rail densification trolleybus",
        &[("bergen-bybanen-light-rail", 3)],
    ),
    partial("passive houses Vauban hedgehogs", &[("freiburg-vauban", 3)]),
    partial(
        "emission limits large buildings landlords",
        &[("new-york-local-law-97", 3), ("tokyo-cap-and-trade", 2)],
    ),
    partial(
        "water demand drought icebergs",
        &[("cape-town-water-demand-management", 3)],
    ),
    // The practice graded 3 has no text in the query's language (needs the vocabulary).
    cross(
        "Radschnellwege",
        &[
            ("copenhagen-cycle-superhighways", 3),
            ("montreal-express-bike-network", 1),
        ],
    ),
    cross(
        "péage urbain",
        &[
            ("gothenburg-congestion-tax", 3),
            ("stockholm-congestion-tax", 2),
            ("milan-area-c", 2),
        ],
    ),
    cross(
        "calefacción urbana",
        &[
            ("copenhagen-district-heating", 3),
            ("helsinki-energy-challenge", 3),
            ("drammen-seawater-heat-pump-district-heating", 3),
            ("munich-geothermal-district-heating", 3),
        ],
    ),
    cross(
        "toitures végétalisées",
        &[("hamburg-green-roof-strategy", 3)],
    ),
    cross("grønne obligasjoner", &[("gothenburg-green-bonds", 3)]),
    cross(
        "Emissionshandel",
        &[
            ("tokyo-cap-and-trade", 3),
            ("lahti-citicap-personal-carbon-trading", 2),
        ],
    ),
    cross(
        "zone à faibles émissions",
        &[("london-ultra-low-emission-zone", 3), ("milan-area-c", 2)],
    ),
    cross(
        "reforestación comunitaria",
        &[("durban-buffelsdraai-reforestation", 3)],
    ),
    cross("Wassermangel", &[("cape-town-water-demand-management", 3)]),
    cross("teleriscaldamento", DISTRICT_HEATING),
    cross("fietssnelwegen", &[("copenhagen-cycle-superhighways", 3)]),
    cross("kärnkraft", &[("seoul-one-less-nuclear-power-plant", 3)]),
    cross(
        "économie circulaire",
        &[("amsterdam-circular-strategy-doughnut", 3)],
    ),
    cross("Stadtbahn", &[("bergen-bybanen-light-rail", 3)]),
    cross(
        "energía eólica",
        &[("melbourne-renewable-energy-project", 3)],
    ),
    cross("pyöräily", CYCLING),
    cross(
        "piste ciclabili temporanee",
        &[("pandemic-pop-up-bike-lanes", 3)],
    ),
    cross(
        "tarifa de congestionamento",
        &[
            ("stockholm-congestion-tax", 3),
            ("gothenburg-congestion-tax", 3),
        ],
    ),
    cross("grønne tage", &[("hamburg-green-roof-strategy", 3)]),
];

/// nDCG@10 of `ranking` (slugs, best first) against `relevant`: gains `2^grade - 1`, discount
/// `log2(rank + 1)`; 0 when nothing relevant is ranked.
pub fn ndcg_at_10(ranking: &[String], relevant: &[(&str, u8)]) -> f64 {
    let gain = |grade: u8| f64::from((1u32 << grade) - 1);
    let discount = |rank: usize| ((rank + 2) as f64).log2();
    let grade_of = |slug: &str| {
        relevant
            .iter()
            .find(|(candidate, _)| *candidate == slug)
            .map_or(0, |(_, grade)| *grade)
    };
    let dcg: f64 = ranking
        .iter()
        .take(10)
        .enumerate()
        .map(|(rank, slug)| gain(grade_of(slug)) / discount(rank))
        .sum();
    let mut ideal: Vec<u8> = relevant.iter().map(|(_, grade)| *grade).collect();
    ideal.sort_unstable_by(|a, b| b.cmp(a));
    let idcg: f64 = ideal
        .iter()
        .take(10)
        .enumerate()
        .map(|(rank, grade)| gain(*grade) / discount(rank))
        .sum();
    // `Sum` of nothing is -0.0; report a plain 0.
    if idcg == 0.0 || dcg == 0.0 {
        0.0
    } else {
        dcg / idcg
    }
}

/// The mean nDCG@10 per class, as `(class, queries, mean)`.
pub fn by_class(scores: &[(Class, f64)]) -> Vec<(Class, usize, f64)> {
    [Class::Direct, Class::Partial, Class::CrossLanguage]
        .into_iter()
        .map(|class| {
            let of_class: Vec<f64> = scores
                .iter()
                .filter(|(candidate, _)| *candidate == class)
                .map(|(_, score)| *score)
                .collect();
            let mean = of_class.iter().sum::<f64>() / of_class.len().max(1) as f64;
            (class, of_class.len(), mean)
        })
        .collect()
}

#[test]
fn ndcg_is_one_for_the_ideal_ranking_and_lower_otherwise() {
    let relevant = [("a", 3), ("b", 1)];
    let ideal = vec!["a".to_owned(), "b".to_owned()];
    assert!((ndcg_at_10(&ideal, &relevant) - 1.0).abs() < 1e-9);
    let swapped = vec!["b".to_owned(), "a".to_owned()];
    assert!(ndcg_at_10(&swapped, &relevant) < 1.0);
    assert_eq!(ndcg_at_10(&[], &relevant), 0.0);
    let of = |class: Class| JUDGED.iter().filter(|j| j.class == class).count();
    assert!(of(Class::CrossLanguage) >= 15 && of(Class::Partial) >= 15);
    assert!(JUDGED.len() >= 60);
}
