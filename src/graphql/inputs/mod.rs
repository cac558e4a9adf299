//! GraphQL input types and their conversion into the services' domain filters. Every value is
//! parsed here; a bad one becomes BAD_USER_INPUT with its field path (`filter.themes.1`).

pub mod audit;
pub mod search;

use async_graphql::{Enum, InputObject};
use chrono::NaiveDate;

use crate::domain::{self, CountryCode, Currency, FieldPath, Language, Sdg, Slug, ThemePath};
use crate::error::{AppError, AppResult};
use crate::graphql::scalars::{Date, DateTime};
use crate::service::cities::CityFilter as CityQuery;
use crate::service::funding::FundingFilter as FundingQuery;
use crate::service::practice_query::{
    CostRange, PracticeFilter as PracticeQuery, PracticeOrder as PracticeOrdering, PracticeSort,
    Range,
};
use crate::service::records::{
    ApplicantKind as Applicant, Direction as FlowDirection, Instrument as FundingInstrument,
    ProviderLevel as Level,
};

/// The items of an optional list argument, refused when there are more than
/// [`domain::limits::LIST_ARGUMENT`]; `path` names the argument (`filter.themes`).
pub(crate) fn bounded_list<T>(
    values: Option<Vec<T>>,
    path: impl Into<FieldPath>,
) -> AppResult<Vec<T>> {
    let values = values.unwrap_or_default();
    let limit = domain::limits::LIST_ARGUMENT;
    if values.len() > limit {
        let path = path.into();
        let name = path.camel_text();
        return Err(AppError::bad_input(
            path,
            format!(
                "`{name}` has {} items; at most {limit} are allowed",
                values.len()
            ),
        ));
    }
    Ok(values)
}

/// Parses every element of an optional list, naming the failing element.
fn parse_list<T>(
    values: Option<Vec<String>>,
    field: &str,
    parse: impl Fn(&str) -> Result<T, String>,
) -> AppResult<Vec<T>> {
    bounded_list(values, ["filter", field])?
        .iter()
        .enumerate()
        .map(|(index, value)| {
            parse(value).map_err(|message| {
                AppError::bad_input(FieldPath::from(["filter", field]).index(index), message)
            })
        })
        .collect()
}

fn check_range(range: Option<FloatRange>, field: &str) -> AppResult<Range> {
    let Some(range) = range else {
        return Ok(Range::default());
    };
    if let (Some(min), Some(max)) = (range.min, range.max)
        && min > max
    {
        return Err(AppError::bad_input(
            ["filter", field, "min"],
            "`min` must not exceed `max`",
        ));
    }
    Ok(Range {
        min: range.min,
        max: range.max,
    })
}

fn check_dates(range: Option<DateRange>, field: &str) -> AppResult<Option<(NaiveDate, NaiveDate)>> {
    let Some(range) = range else { return Ok(None) };
    let from = range.from.day(["filter", field, "from"])?;
    let to = range.to.day(["filter", field, "to"])?;
    if from > to {
        return Err(AppError::bad_input(
            ["filter", field, "from"],
            "`from` must not be after `to`",
        ));
    }
    Ok(Some((from, to)))
}

fn optional_day(date: Option<Date>, field: &str) -> AppResult<Option<NaiveDate>> {
    date.map(|date| date.day(["filter", field])).transpose()
}

fn money(range: Option<MoneyRange>, field: &str) -> AppResult<Option<(Range, Currency)>> {
    let Some(range) = range else { return Ok(None) };
    let currency = Currency::parse(&range.currency)
        .map_err(|message| AppError::bad_input(["filter", field, "currency"], message))?;
    let bounds = check_range(
        Some(FloatRange {
            min: range.min,
            max: range.max,
        }),
        field,
    )?;
    Ok(Some((bounds, currency)))
}

/// Sort direction.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum OrderDirection {
    /// Ascending: smallest, earliest or A first.
    Asc,
    /// Descending: largest, latest or Z first (the default).
    #[default]
    Desc,
}

/// An inclusive range of numbers; either end may be left open.
#[derive(InputObject, Clone, Copy, Debug)]
pub struct FloatRange {
    /// The lowest value included; null for no lower bound.
    pub min: Option<f64>,
    /// The highest value included; null for no upper bound.
    pub max: Option<f64>,
}

/// An inclusive range of amounts in one ISO 4217 currency.
#[derive(InputObject, Clone, Debug)]
pub struct MoneyRange {
    /// The lowest amount included, in `currency` units; null for no lower bound.
    pub min: Option<f64>,
    /// The highest amount included, in `currency` units; null for no upper bound.
    pub max: Option<f64>,
    /// ISO 4217 code of the amounts, such as `EUR`; only amounts in this currency match.
    pub currency: String,
}

/// An inclusive range of dates.
#[derive(InputObject, Clone, Debug)]
pub struct DateRange {
    /// The first day included.
    pub from: Date,
    /// The last day included (on or after `from`).
    pub to: Date,
}

/// The label a practice earns from its mean evaluation score.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum EvaluationLabel {
    /// Mean score of 4.25 or more.
    Exemplary,
    /// Mean score from 3.5 up to 4.25.
    Proven,
    /// Mean score from 2.5 up to 3.5.
    Promising,
    /// Mean score below 2.5.
    Emerging,
}

impl EvaluationLabel {
    pub fn parse(value: &str) -> Option<Self> {
        Some(match domain::EvaluationLabel::parse(value)? {
            domain::EvaluationLabel::Exemplary => Self::Exemplary,
            domain::EvaluationLabel::Proven => Self::Proven,
            domain::EvaluationLabel::Promising => Self::Promising,
            domain::EvaluationLabel::Emerging => Self::Emerging,
        })
    }

    fn domain(self) -> domain::EvaluationLabel {
        match self {
            Self::Exemplary => domain::EvaluationLabel::Exemplary,
            Self::Proven => domain::EvaluationLabel::Proven,
            Self::Promising => domain::EvaluationLabel::Promising,
            Self::Emerging => domain::EvaluationLabel::Emerging,
        }
    }
}

/// Which practices to list. Lists match any of their values (at most 100 each); filters combine with AND.
#[derive(InputObject, Default, Debug)]
pub struct PracticeFilter {
    /// Theme paths; each matches its whole subtree (`energy` matches `energy/renewables/solar`).
    pub themes: Option<Vec<String>>,
    /// Region codes (UN M49 such as `150`, ISO 3166-1 such as `NO`, ISO 3166-2 such as `NO-03`);
    /// each matches its whole subtree.
    pub regions: Option<Vec<String>>,
    /// City slugs.
    pub cities: Option<Vec<String>>,
    /// Organisation slugs (`c40`, `cnca`, ...): practices of member cities.
    pub networks: Option<Vec<String>>,
    /// Sustainable Development Goals, 1..17.
    pub sdgs: Option<Vec<i32>>,
    /// ISO 639-1 codes: practices written or translated in any of them.
    pub languages: Option<Vec<String>>,
    /// Lowest mean evaluation score, 1..5.
    pub min_score: Option<f64>,
    /// Evaluation labels: practices whose mean score earns any of them.
    pub evaluation_label: Option<Vec<EvaluationLabel>>,
    /// Annual reduction in tonnes of CO2-equivalent.
    pub impact: Option<FloatRange>,
    /// Cost in one currency.
    pub cost: Option<MoneyRange>,
    /// Practices running at some point in this period.
    pub implemented_between: Option<DateRange>,
    /// Practices changed at or after this time.
    pub updated_since: Option<DateTime>,
}

impl PracticeFilter {
    pub fn parse(self) -> AppResult<PracticeQuery> {
        if let Some(score) = self.min_score
            && !(1.0..=5.0).contains(&score)
        {
            return Err(AppError::bad_input(
                ["filter", "minScore"],
                "`minScore` must be between 1 and 5",
            ));
        }
        Ok(PracticeQuery {
            themes: parse_list(self.themes, "themes", ThemePath::parse)?,
            regions: parse_list(self.regions, "regions", |code| Ok(code.to_owned()))?,
            cities: parse_list(self.cities, "cities", Slug::parse)?,
            networks: parse_list(self.networks, "networks", Slug::parse)?,
            sdgs: bounded_list(self.sdgs, ["filter", "sdgs"])?
                .into_iter()
                .enumerate()
                .map(|(index, goal)| {
                    Sdg::try_from(i64::from(goal)).map_err(|message| {
                        AppError::bad_input(
                            FieldPath::from(["filter", "sdgs"]).index(index),
                            message,
                        )
                    })
                })
                .collect::<AppResult<_>>()?,
            languages: parse_list(self.languages, "languages", Language::parse)?,
            min_score: self.min_score,
            evaluation_labels: bounded_list(self.evaluation_label, ["filter", "evaluationLabel"])?
                .into_iter()
                .map(EvaluationLabel::domain)
                .collect(),
            impact: check_range(self.impact, "impact")?,
            cost: money(self.cost, "cost")?.map(|(range, currency)| CostRange { range, currency }),
            implemented_between: check_dates(self.implemented_between, "implementedBetween")?,
            updated_since: self
                .updated_since
                .map(|since| since.instant(["filter", "updatedSince"]))
                .transpose()?,
        })
    }
}

/// What practices can be ordered by.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum PracticeOrderField {
    /// Publication time.
    PublishedAt,
    /// Time of the last change.
    UpdatedAt,
    /// Mean evaluation score; unevaluated practices come last when descending.
    Score,
    /// Annual tCO2e reduction; practices without an estimate come last when descending.
    Impact,
    /// Title, alphabetically.
    Title,
}

/// How to order practices; ties are broken by ID.
#[derive(InputObject, Clone, Copy, Debug)]
pub struct PracticeOrder {
    /// What to order by.
    pub field: PracticeOrderField,
    /// Ascending or descending; DESC when omitted.
    #[graphql(default)]
    pub direction: OrderDirection,
}

impl PracticeOrder {
    pub fn parse(order: Option<Self>) -> PracticeOrdering {
        let Some(order) = order else {
            return PracticeOrdering::default();
        };
        PracticeOrdering {
            sort: match order.field {
                PracticeOrderField::PublishedAt => PracticeSort::PublishedAt,
                PracticeOrderField::UpdatedAt => PracticeSort::UpdatedAt,
                PracticeOrderField::Score => PracticeSort::Score,
                PracticeOrderField::Impact => PracticeSort::Impact,
                PracticeOrderField::Title => PracticeSort::Title,
            },
            descending: order.direction == OrderDirection::Desc,
        }
    }
}

/// Which cities to list. Each list holds at most 100 values.
#[derive(InputObject, Default, Debug)]
pub struct CityFilter {
    /// Region codes; each matches its whole subtree.
    pub regions: Option<Vec<String>>,
    /// ISO 3166-1 alpha-2 codes.
    pub countries: Option<Vec<String>>,
    /// Organisation slugs the city is a member of.
    pub networks: Option<Vec<String>>,
    /// Only cities committed to this initiative (its slug, such as `race-to-zero`).
    pub commitment: Option<String>,
    /// Only cities whose commitment to `commitment` misses this criterion today (a
    /// criterion's `code`, such as `annual-reporting`; `initiatives` lists them). Needs
    /// `commitment`.
    pub missing_criterion: Option<String>,
}

impl CityFilter {
    pub fn parse(self) -> AppResult<CityQuery> {
        let commitment = self
            .commitment
            .map(|slug| {
                Slug::parse(&slug)
                    .map_err(|message| AppError::bad_input(["filter", "commitment"], message))
            })
            .transpose()?;
        let missing_criterion = match self.missing_criterion {
            Some(code) if code.chars().count() > 64 => {
                return Err(AppError::bad_input(
                    ["filter", "missingCriterion"],
                    "a criterion code has at most 64 characters",
                ));
            }
            code => code,
        };
        Ok(CityQuery {
            regions: parse_list(self.regions, "regions", |code| Ok(code.to_owned()))?,
            countries: parse_list(self.countries, "countries", CountryCode::parse)?,
            networks: parse_list(self.networks, "networks", Slug::parse)?,
            commitment,
            missing_criterion,
        })
    }
}

macro_rules! mirror_enum {
    ($name:ident => $domain:ident { $($(#[$variant_meta:meta])* $variant:ident),+ $(,)? }, $doc:literal) => {
        #[doc = $doc]
        #[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
        pub enum $name { $($(#[$variant_meta])* $variant),+ }
        impl From<$name> for $domain {
            fn from(value: $name) -> Self {
                match value { $($name::$variant => $domain::$variant),+ }
            }
        }
        impl $name {
            pub fn from_wire(value: &str) -> Option<Self> {
                [$($name::$variant),+].into_iter().find(|candidate| $domain::from(*candidate).as_str() == value)
            }
        }
    };
}

mirror_enum!(Instrument => FundingInstrument {
    /// Money that is not paid back.
    Grant,
    /// Money lent, to be repaid (often at a reduced rate).
    Loan,
    /// A guarantee that covers a lender's risk.
    Guarantee,
    /// An investment in exchange for a share of a company or project.
    Equity,
    /// Experts' work on preparing or carrying out a project (e.g. feasibility studies).
    TechnicalAssistance,
    /// Advice and coaching without money changing hands.
    Advisory,
    /// An award for a result or a competition entry.
    Prize,
    /// Any other kind of support.
    Other,
}, "The kind of support a funding opportunity gives.");
mirror_enum!(ProviderLevel => Level {
    /// An international body or development bank (e.g. the World Bank, a UN programme).
    International,
    /// The European Union and its institutions and banks.
    Eu,
    /// A national government or agency.
    National,
    /// A regional government or agency.
    Regional,
    /// A city government or agency.
    City,
}, "The level of government or body that provides the opportunity.");
mirror_enum!(Direction => FlowDirection {
    /// Within one country: a national, regional or city provider supporting its own cities.
    Domestic,
    /// From the EU to cities outside the EU.
    EuToNonEu,
    /// From a non-EU international provider to cities in the EU.
    InternationalToEu,
    /// From an international provider to cities in many countries.
    International,
    /// From the EU to cities in EU member states.
    EuInternal,
}, "Where support flows: e.g. EU support for non-European cities is EU_TO_NON_EU.");
mirror_enum!(ApplicantKind => Applicant {
    /// A city or municipal government.
    CityGovernment,
    /// A regional government (region, province, state).
    RegionalGovernment,
    /// Another public body (an agency, utility or public company).
    PublicBody,
    /// A non-governmental, non-profit organisation.
    Ngo,
    /// A private company.
    Company,
    /// A university or research institute.
    Research,
}, "Who may apply.");

/// Which funding opportunities to list. Lists match any of their values (at most 100 each); filters combine with AND.
#[derive(InputObject, Default, Debug)]
pub struct FundingFilter {
    /// Opportunities giving any of these kinds of support.
    pub instruments: Option<Vec<Instrument>>,
    /// Opportunities from providers at any of these levels.
    pub provider_levels: Option<Vec<ProviderLevel>>,
    /// Opportunities whose support flows in any of these directions.
    pub directions: Option<Vec<Direction>>,
    /// A region code: opportunities open to that region, i.e. listing it or a region containing
    /// it, or listing no region at all.
    pub eligible_region: Option<String>,
    /// A city slug: as `eligibleRegion`, for the city's region and every region containing it.
    pub eligible_city: Option<String>,
    /// Opportunities open to any of these kinds of applicant.
    pub applicant_kinds: Option<Vec<ApplicantKind>>,
    /// Theme paths; each matches its whole subtree.
    pub themes: Option<Vec<String>>,
    /// Accepting applications on this day.
    pub open_at: Option<Date>,
    /// With a deadline in this period.
    pub deadline_between: Option<DateRange>,
    /// Offering an amount in this range (overlap), in this currency.
    pub amount: Option<MoneyRange>,
    /// Partner sources (`kxc-seed` for the built-in records).
    pub sources: Option<Vec<String>>,
}

impl FundingFilter {
    pub fn parse(self) -> AppResult<FundingQuery> {
        Ok(FundingQuery {
            instruments: bounded_list(self.instruments, ["filter", "instruments"])?
                .into_iter()
                .map(Into::into)
                .collect(),
            provider_levels: bounded_list(self.provider_levels, ["filter", "providerLevels"])?
                .into_iter()
                .map(Into::into)
                .collect(),
            directions: bounded_list(self.directions, ["filter", "directions"])?
                .into_iter()
                .map(Into::into)
                .collect(),
            eligible_region: self.eligible_region,
            eligible_city: self
                .eligible_city
                .map(|slug| {
                    Slug::parse(&slug)
                        .map_err(|message| AppError::bad_input(["filter", "eligibleCity"], message))
                })
                .transpose()?,
            applicant_kinds: bounded_list(self.applicant_kinds, ["filter", "applicantKinds"])?
                .into_iter()
                .map(Into::into)
                .collect(),
            themes: parse_list(self.themes, "themes", ThemePath::parse)?,
            open_at: optional_day(self.open_at, "openAt")?,
            deadline_between: check_dates(self.deadline_between, "deadlineBetween")?,
            amount: money(self.amount, "amount")?,
            sources: parse_list(self.sources, "sources", Slug::parse)?,
        })
    }
}
