use serde::{Deserialize, Serialize};

/// The seven evaluation criteria, in the order they are stored and reported.
pub const CRITERIA: [&str; 7] = [
    "relevance",
    "impact",
    "evidence_quality",
    "replicability",
    "cost_effectiveness",
    "co_benefits",
    "participation",
];

/// One criterion score, 1 (weak) to 5 (excellent).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "i64", into = "i64")]
pub struct Score(u8);

impl Score {
    pub fn get(self) -> u8 {
        self.0
    }
}

impl TryFrom<i64> for Score {
    type Error = String;
    fn try_from(value: i64) -> Result<Self, String> {
        match u8::try_from(value) {
            Ok(score @ 1..=5) => Ok(Self(score)),
            _ => Err(format!("score {value} is outside 1..5")),
        }
    }
}

impl From<Score> for i64 {
    fn from(value: Score) -> i64 {
        value.0.into()
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scores {
    pub relevance: Score,
    pub impact: Score,
    pub evidence_quality: Score,
    pub replicability: Score,
    pub cost_effectiveness: Score,
    pub co_benefits: Score,
    pub participation: Score,
}

impl Scores {
    /// Scores in the order of [`CRITERIA`].
    pub fn as_array(&self) -> [Score; 7] {
        [
            self.relevance,
            self.impact,
            self.evidence_quality,
            self.replicability,
            self.cost_effectiveness,
            self.co_benefits,
            self.participation,
        ]
    }

    pub fn mean(&self) -> f64 {
        mean_score(self.as_array().map(|score| i16::from(score.get())))
    }
}

/// The mean of one evaluation's seven criterion scores, in the order of [`CRITERIA`].
pub fn mean_score(scores: [i16; 7]) -> f64 {
    scores.iter().map(|score| f64::from(*score)).sum::<f64>() / CRITERIA.len() as f64
}

/// A practice's score: the mean of its evaluations' means; `None` without evaluations.
pub fn practice_score(evaluation_means: &[f64]) -> Option<f64> {
    (!evaluation_means.is_empty())
        .then(|| evaluation_means.iter().sum::<f64>() / evaluation_means.len() as f64)
}

/// The label a practice earns from the mean of its evaluations' scores.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EvaluationLabel {
    /// Mean of 4.25 or more.
    Exemplary,
    /// Mean of 3.5 up to 4.25.
    Proven,
    /// Mean of 2.5 up to 3.5.
    Promising,
    /// Below 2.5.
    Emerging,
}

impl EvaluationLabel {
    pub fn from_score(score: f64) -> Self {
        if score >= 4.25 {
            Self::Exemplary
        } else if score >= 3.5 {
            Self::Proven
        } else if score >= 2.5 {
            Self::Promising
        } else {
            Self::Emerging
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Exemplary => "exemplary",
            Self::Proven => "proven",
            Self::Promising => "promising",
            Self::Emerging => "emerging",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        [
            Self::Exemplary,
            Self::Proven,
            Self::Promising,
            Self::Emerging,
        ]
        .into_iter()
        .find(|label| label.as_str() == value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scores(values: [i64; 7]) -> Scores {
        let [a, b, c, d, e, f, g] = values.map(|value| Score::try_from(value).unwrap());
        Scores {
            relevance: a,
            impact: b,
            evidence_quality: c,
            replicability: d,
            cost_effectiveness: e,
            co_benefits: f,
            participation: g,
        }
    }

    #[test]
    fn scores_outside_one_to_five_are_rejected() {
        assert!(Score::try_from(0).is_err());
        assert!(Score::try_from(6).is_err());
    }

    #[test]
    fn the_label_follows_the_mean_score() {
        assert_eq!(scores([5, 5, 4, 4, 4, 5, 4]).mean(), 31.0 / 7.0);
        assert_eq!(
            EvaluationLabel::from_score(4.25),
            EvaluationLabel::Exemplary
        );
        assert_eq!(EvaluationLabel::from_score(4.0), EvaluationLabel::Proven);
        assert_eq!(EvaluationLabel::from_score(3.0), EvaluationLabel::Promising);
        assert_eq!(EvaluationLabel::from_score(1.0), EvaluationLabel::Emerging);
        assert_eq!(
            EvaluationLabel::parse("proven"),
            Some(EvaluationLabel::Proven)
        );
    }
}
