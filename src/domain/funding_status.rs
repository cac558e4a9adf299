use chrono::NaiveDate;

/// Where a funding opportunity stands on a given day, derived from its dates and never stored.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FundingStatus {
    Forthcoming,
    Open,
    Closed,
    Rolling,
}

impl FundingStatus {
    /// `rolling` opportunities accept applications continuously once open; otherwise an
    /// opportunity is open from `opens_at` until its last deadline (inclusive).
    pub fn on(
        today: NaiveDate,
        opens_at: Option<NaiveDate>,
        deadlines: &[NaiveDate],
        rolling: bool,
    ) -> Self {
        if opens_at.is_some_and(|opens| today < opens) {
            return Self::Forthcoming;
        }
        if rolling {
            return Self::Rolling;
        }
        match deadlines.iter().max() {
            Some(last) if today <= *last => Self::Open,
            Some(_) => Self::Closed,
            None => Self::Open,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Forthcoming => "forthcoming",
            Self::Open => "open",
            Self::Closed => "closed",
            Self::Rolling => "rolling",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(value: &str) -> NaiveDate {
        value.parse().unwrap()
    }

    #[test]
    fn status_follows_the_dates() {
        let today = day("2026-11-22");
        let deadlines = [day("2026-06-01"), day("2027-01-31")];
        assert_eq!(
            FundingStatus::on(today, Some(day("2027-02-01")), &[], false),
            FundingStatus::Forthcoming
        );
        assert_eq!(
            FundingStatus::on(today, Some(day("2026-01-01")), &deadlines, false),
            FundingStatus::Open
        );
        assert_eq!(
            FundingStatus::on(today, None, &[day("2026-11-21")], false),
            FundingStatus::Closed
        );
        assert_eq!(
            FundingStatus::on(today, None, &[day("2026-11-22")], false),
            FundingStatus::Open
        );
        assert_eq!(
            FundingStatus::on(today, Some(day("2020-01-01")), &[], true),
            FundingStatus::Rolling
        );
    }
}
