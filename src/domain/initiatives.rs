//! Initiatives cities commit to (UN Race to Zero, the EU Covenant of Mayors, the EU Cities
//! Mission) with their public criteria and joining steps, held as data, and [`assess`]: which
//! criteria a city's commitment meets, and on what evidence.
//!
//! Each criterion names a [`Check`]: what kind of record shows it is met (a declaration, the
//! city's targets, a published practice, a recent report) and the threshold. Adding an
//! initiative or changing a threshold is a change to [`INITIATIVES`] only.

use chrono::{Months, NaiveDate};

/// How a criterion is checked, with its threshold.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Check {
    /// The commitment has a declaration or pledge on record: a joining date, a documented
    /// reference, or a pledge recorded with the commitment.
    Declaration,
    /// The city's net-zero year is set and no later than `latest`.
    NetZeroBy { latest: i32 },
    /// An interim target: at least `min_reduction_pct` reduction by `by_year` at the latest
    /// (a net-zero year no later than `by_year` counts as 100 %).
    InterimTarget {
        by_year: i32,
        min_reduction_pct: f64,
    },
    /// At least one published practice of the city: implementation has started.
    ConcreteAction,
    /// A reporting platform is named and the last report is at most `within_months` old.
    Reporting { within_months: u32 },
}

/// What kind of record a criterion's evidence is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, async_graphql::Enum)]
pub enum EvidenceKind {
    /// The commitment's declaration or pledge record (joining date, reference).
    Declaration,
    /// The city's climate targets.
    Targets,
    /// A published practice of the city.
    Practice,
    /// A report through an established reporting platform.
    Report,
}

impl Check {
    /// The kind of record this check looks at.
    pub fn evidence_kind(self) -> EvidenceKind {
        match self {
            Check::Declaration => EvidenceKind::Declaration,
            Check::NetZeroBy { .. } | Check::InterimTarget { .. } => EvidenceKind::Targets,
            Check::ConcreteAction => EvidenceKind::Practice,
            Check::Reporting { .. } => EvidenceKind::Report,
        }
    }
}

/// One public criterion of an initiative.
#[derive(Debug)]
pub struct Criterion {
    /// Stable identifier within the initiative, e.g. `net-zero-target`.
    pub code: &'static str,
    pub title: &'static str,
    pub description: &'static str,
    pub check: Check,
}

/// One step of joining an initiative.
#[derive(Debug)]
pub struct JoiningStep {
    pub title: &'static str,
    pub description: &'static str,
}

/// An initiative's criteria and joining steps; `slug` is its organisation's slug.
#[derive(Debug)]
pub struct Initiative {
    pub slug: &'static str,
    pub criteria: &'static [Criterion],
    pub joining_steps: &'static [JoiningStep],
}

impl Initiative {
    /// The criterion with this code, if any.
    pub fn criterion(&self, code: &str) -> Option<&'static Criterion> {
        self.criteria
            .iter()
            .find(|criterion| criterion.code == code)
    }
}

/// Every initiative kxc holds criteria for.
pub static INITIATIVES: &[Initiative] = &[
    Initiative {
        slug: "race-to-zero",
        criteria: &[
            Criterion {
                code: "climate-emergency",
                title: "Recognise the climate emergency and the Paris goal",
                description: "The city publicly recognises the global climate emergency and commits to keeping warming to 1.5 °C, shown by a declaration or pledge on record.",
                check: Check::Declaration,
            },
            Criterion {
                code: "net-zero-target",
                title: "Net zero in the 2040s or by 2050 at the latest",
                description: "The city has set a target to reach net-zero emissions in the 2040s or sooner, or by 2050 at the latest.",
                check: Check::NetZeroBy { latest: 2050 },
            },
            Criterion {
                code: "interim-target",
                title: "A 2030 interim target reflecting a fair share of a 50 % global reduction",
                description: "The city has an interim target for 2030 of at least a 50 % emission reduction (its fair share of halving global emissions by 2030).",
                check: Check::InterimTarget {
                    by_year: 2030,
                    min_reduction_pct: 50.0,
                },
            },
            Criterion {
                code: "implementation",
                title: "Start implementation with at least one concrete action",
                description: "The city has started implementing at least one concrete action, shown by a published practice.",
                check: Check::ConcreteAction,
            },
            Criterion {
                code: "annual-reporting",
                title: "Report annually through an established platform",
                description: "The city reports progress at least once a year through an established platform (such as CDP-ICLEI Track); the last report is at most 15 months old.",
                check: Check::Reporting { within_months: 15 },
            },
        ],
        joining_steps: &[
            JoiningStep {
                title: "Pledge through a partner initiative",
                description: "The mayor or council pledges through a Race to Zero partner (Cities Race to Zero via C40, ICLEI, GCoM, CDP or WRI) to reach net zero by 2050 at the latest.",
            },
            JoiningStep {
                title: "Set an interim and a long-term target",
                description: "Adopt a 2030 interim target reflecting a fair share of halving global emissions and a net-zero target.",
            },
            JoiningStep {
                title: "Publish a plan within a year",
                description: "Within 12 months of joining, publish a climate action plan showing how the targets will be met.",
            },
            JoiningStep {
                title: "Take immediate action",
                description: "Start at least one concrete action towards the targets.",
            },
            JoiningStep {
                title: "Report every year",
                description: "Report progress publicly at least annually through an established platform such as CDP-ICLEI Track.",
            },
        ],
    },
    Initiative {
        slug: "covenant-of-mayors",
        criteria: &[
            Criterion {
                code: "signed-commitment",
                title: "Signed commitment",
                description: "The city council has adopted the Covenant of Mayors commitment and the mayor has signed it.",
                check: Check::Declaration,
            },
            Criterion {
                code: "target-2030",
                title: "At least 55 % reduction by 2030",
                description: "The city targets at least a 55 % emission reduction by 2030.",
                check: Check::InterimTarget {
                    by_year: 2030,
                    min_reduction_pct: 55.0,
                },
            },
            Criterion {
                code: "climate-neutrality-2050",
                title: "Climate neutrality by 2050",
                description: "The city aims at climate neutrality by 2050 at the latest.",
                check: Check::NetZeroBy { latest: 2050 },
            },
            Criterion {
                code: "action-plan",
                title: "Implementing its action plan",
                description: "The city is implementing actions of its Sustainable Energy and Climate Action Plan, shown by a published practice.",
                check: Check::ConcreteAction,
            },
            Criterion {
                code: "monitoring",
                title: "Monitoring report every two years",
                description: "The city submits a monitoring report through MyCovenant at least every two years.",
                check: Check::Reporting { within_months: 24 },
            },
        ],
        joining_steps: &[
            JoiningStep {
                title: "Council decision and signature",
                description: "The municipal council adopts the Covenant commitments and the mayor signs the commitment document.",
            },
            JoiningStep {
                title: "Register on MyCovenant",
                description: "Register the city and its contact on the MyCovenant platform.",
            },
            JoiningStep {
                title: "Inventory, assessment and plan within two years",
                description: "Submit a baseline emission inventory, a climate risk and vulnerability assessment and a Sustainable Energy and Climate Action Plan within two years of signing.",
            },
            JoiningStep {
                title: "Monitor every two years",
                description: "Report progress on the plan at least every two years.",
            },
        ],
    },
    Initiative {
        slug: "eu-cities-mission",
        criteria: &[
            Criterion {
                code: "mission-city",
                title: "Selected as a Mission city",
                description: "The city answered the call for expressions of interest and was selected for the Mission.",
                check: Check::Declaration,
            },
            Criterion {
                code: "climate-neutrality-2030",
                title: "Climate neutrality by 2030",
                description: "The city aims at climate neutrality by 2030.",
                check: Check::NetZeroBy { latest: 2030 },
            },
            Criterion {
                code: "climate-city-contract",
                title: "Acting on its Climate City Contract",
                description: "The city is implementing actions of its Climate City Contract, shown by a published practice.",
                check: Check::ConcreteAction,
            },
            Criterion {
                code: "reporting",
                title: "Reporting through the NetZeroCities platform",
                description: "The city reports progress through the NetZeroCities platform; the last report is at most 15 months old.",
                check: Check::Reporting { within_months: 15 },
            },
        ],
        joining_steps: &[
            JoiningStep {
                title: "Express interest",
                description: "Answer the Mission's call for expressions of interest.",
            },
            JoiningStep {
                title: "Be selected",
                description: "The European Commission selects the Mission cities.",
            },
            JoiningStep {
                title: "Write a Climate City Contract",
                description: "Prepare a Climate City Contract (commitments, action plan and investment plan) with the support of the NetZeroCities platform.",
            },
            JoiningStep {
                title: "Receive the Mission Label",
                description: "A contract that passes review earns the EU Mission Label.",
            },
            JoiningStep {
                title: "Implement and report",
                description: "Implement the contract and report progress through NetZeroCities.",
            },
        ],
    },
];

/// The initiative with this organisation slug, if kxc holds its criteria.
pub fn initiative(slug: &str) -> Option<&'static Initiative> {
    INITIATIVES
        .iter()
        .find(|initiative| initiative.slug == slug)
}

/// A city's targets, as [`assess`] needs them.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct TargetFacts {
    pub target_year: Option<i32>,
    pub reduction_pct: Option<f64>,
    pub net_zero_year: Option<i32>,
}

/// What is known about one commitment of one city.
#[derive(Clone, Debug, Default)]
pub struct CommitmentFacts {
    pub targets: TargetFacts,
    /// The day the city joined, when recorded.
    pub joined_on: Option<NaiveDate>,
    /// Where the commitment is documented, when recorded.
    pub reference: Option<String>,
    /// Whether the commitment record holds the city's pledge.
    pub pledge_recorded: bool,
    /// The id of a published practice of the city (the most recent), if any.
    pub published_practice: Option<i32>,
    pub reporting_platform: Option<String>,
    pub last_reported_on: Option<NaiveDate>,
}

/// One criterion of one commitment: met or not, and why.
#[derive(Debug)]
pub struct Assessment {
    pub criterion: &'static Criterion,
    pub met: bool,
    /// One sentence saying what was found (or what is missing).
    pub explanation: String,
    /// The practice that shows implementation, for [`Check::ConcreteAction`].
    pub practice: Option<i32>,
}

/// Every criterion of `initiative` for a city's commitment, in the initiative's order.
pub fn assess(
    initiative: &Initiative,
    facts: &CommitmentFacts,
    today: NaiveDate,
) -> Vec<Assessment> {
    initiative
        .criteria
        .iter()
        .map(|criterion| assess_one(criterion, facts, today))
        .collect()
}

fn assess_one(
    criterion: &'static Criterion,
    facts: &CommitmentFacts,
    today: NaiveDate,
) -> Assessment {
    let targets = &facts.targets;
    let (met, explanation, practice) = match criterion.check {
        Check::Declaration => {
            let met =
                facts.joined_on.is_some() || facts.reference.is_some() || facts.pledge_recorded;
            let explanation = match (facts.joined_on, &facts.reference) {
                (Some(day), _) => format!("joined on {day}"),
                (None, Some(reference)) => format!("documented at {reference}"),
                (None, None) if facts.pledge_recorded => {
                    "pledge recorded with the commitment".to_owned()
                }
                (None, None) => "no declaration or pledge on record".to_owned(),
            };
            (met, explanation, None)
        }
        Check::NetZeroBy { latest } => match targets.net_zero_year {
            Some(year) if year <= latest => (
                true,
                format!("net zero by {year}, no later than {latest}"),
                None,
            ),
            Some(year) => (
                false,
                format!("net zero by {year} is later than {latest}"),
                None,
            ),
            None => (false, "no net-zero year set".to_owned(), None),
        },
        Check::InterimTarget {
            by_year,
            min_reduction_pct,
        } => match (
            targets.target_year,
            targets.reduction_pct,
            targets.net_zero_year,
        ) {
            (_, _, Some(net_zero)) if net_zero <= by_year => (
                true,
                format!("net zero by {net_zero} is a full reduction by {by_year}"),
                None,
            ),
            (Some(year), Some(pct), _) if year <= by_year && pct >= min_reduction_pct => (
                true,
                format!("{pct} % reduction by {year}, at least {min_reduction_pct} % by {by_year}"),
                None,
            ),
            (Some(year), Some(pct), _) if year <= by_year => (
                false,
                format!("{pct} % reduction by {year} is less than {min_reduction_pct} %"),
                None,
            ),
            (Some(year), Some(_), _) => (
                false,
                format!("the target year {year} is after {by_year}"),
                None,
            ),
            _ => (
                false,
                format!("no reduction target for {by_year} set"),
                None,
            ),
        },
        Check::ConcreteAction => match facts.published_practice {
            Some(id) => (
                true,
                "a published practice shows implementation".to_owned(),
                Some(id),
            ),
            None => (false, "no published practice of the city".to_owned(), None),
        },
        Check::Reporting { within_months } => {
            let cutoff = today.checked_sub_months(Months::new(within_months));
            match (&facts.reporting_platform, facts.last_reported_on) {
                (None, _) => (false, "no reporting platform named".to_owned(), None),
                (Some(platform), None) => (
                    false,
                    format!("no report date recorded for {platform}"),
                    None,
                ),
                (Some(platform), Some(day)) if cutoff.is_none_or(|cutoff| day >= cutoff) => (
                    true,
                    format!(
                        "last reported through {platform} on {day}, within {within_months} months"
                    ),
                    None,
                ),
                (Some(platform), Some(day)) => (
                    false,
                    format!(
                        "last reported through {platform} on {day}, more than {within_months} months ago"
                    ),
                    None,
                ),
            }
        }
    };
    Assessment {
        criterion,
        met,
        explanation,
        practice,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 12, 1).unwrap()
    }

    fn race_to_zero() -> &'static Initiative {
        initiative("race-to-zero").unwrap()
    }

    fn met(facts: &CommitmentFacts, code: &str) -> bool {
        assess(race_to_zero(), facts, today())
            .into_iter()
            .find(|assessment| assessment.criterion.code == code)
            .unwrap()
            .met
    }

    fn complete() -> CommitmentFacts {
        CommitmentFacts {
            targets: TargetFacts {
                target_year: Some(2030),
                reduction_pct: Some(70.0),
                net_zero_year: Some(2045),
            },
            joined_on: Some(NaiveDate::from_ymd_opt(2020, 11, 1).unwrap()),
            reference: None,
            pledge_recorded: false,
            published_practice: Some(7),
            reporting_platform: Some("CDP-ICLEI Track".to_owned()),
            last_reported_on: Some(NaiveDate::from_ymd_opt(2026, 3, 1).unwrap()),
        }
    }

    #[test]
    fn race_to_zero_has_its_five_criteria_and_steps() {
        let codes: Vec<&str> = race_to_zero().criteria.iter().map(|c| c.code).collect();
        assert_eq!(
            codes,
            [
                "climate-emergency",
                "net-zero-target",
                "interim-target",
                "implementation",
                "annual-reporting"
            ]
        );
        assert_eq!(race_to_zero().joining_steps.len(), 5);
        assert!(
            assess(race_to_zero(), &complete(), today())
                .iter()
                .all(|a| a.met)
        );
        for initiative in INITIATIVES {
            let mut codes: Vec<&str> = initiative.criteria.iter().map(|c| c.code).collect();
            codes.sort_unstable();
            codes.dedup();
            assert_eq!(
                codes.len(),
                initiative.criteria.len(),
                "{}",
                initiative.slug
            );
        }
    }

    #[test]
    fn declaration_is_met_by_a_date_a_reference_or_a_recorded_pledge() {
        let mut facts = complete();
        assert!(met(&facts, "climate-emergency"));
        facts.joined_on = None;
        assert!(!met(&facts, "climate-emergency"));
        facts.reference = Some("https://example.org/declaration".to_owned());
        assert!(met(&facts, "climate-emergency"));
        facts.reference = None;
        facts.pledge_recorded = true;
        assert!(met(&facts, "climate-emergency"));
    }

    #[test]
    fn net_zero_must_be_2050_at_the_latest() {
        let mut facts = complete();
        facts.targets.net_zero_year = Some(2050);
        assert!(met(&facts, "net-zero-target"));
        facts.targets.net_zero_year = Some(2051);
        assert!(!met(&facts, "net-zero-target"));
        facts.targets.net_zero_year = None;
        assert!(!met(&facts, "net-zero-target"));
    }

    #[test]
    fn interim_target_needs_half_by_2030() {
        let mut facts = complete();
        facts.targets.net_zero_year = Some(2050);
        facts.targets.reduction_pct = Some(50.0);
        assert!(met(&facts, "interim-target"));
        facts.targets.reduction_pct = Some(49.0);
        assert!(!met(&facts, "interim-target"));
        facts.targets.reduction_pct = Some(60.0);
        facts.targets.target_year = Some(2035);
        assert!(!met(&facts, "interim-target"));
        facts.targets.target_year = None;
        facts.targets.reduction_pct = None;
        assert!(!met(&facts, "interim-target"));
        facts.targets.net_zero_year = Some(2030);
        assert!(
            met(&facts, "interim-target"),
            "net zero by 2030 is 100 % by 2030"
        );
    }

    #[test]
    fn implementation_needs_a_published_practice_and_names_it() {
        let mut facts = complete();
        let found = assess(race_to_zero(), &facts, today());
        assert_eq!(found[3].practice, Some(7));
        assert!(found[3].met);
        facts.published_practice = None;
        assert!(!met(&facts, "implementation"));
    }

    #[test]
    fn reporting_needs_a_platform_and_a_report_within_fifteen_months() {
        let mut facts = complete();
        facts.last_reported_on = NaiveDate::from_ymd_opt(2025, 9, 1);
        assert!(met(&facts, "annual-reporting"));
        facts.last_reported_on = NaiveDate::from_ymd_opt(2025, 8, 31);
        assert!(!met(&facts, "annual-reporting"));
        facts.last_reported_on = None;
        assert!(!met(&facts, "annual-reporting"));
        facts.last_reported_on = NaiveDate::from_ymd_opt(2026, 6, 1);
        facts.reporting_platform = None;
        assert!(!met(&facts, "annual-reporting"));
    }
}
