//! Civil dates as day numbers, enough for the generator: no time zones, no crate.
//!
//! Conversions follow Howard Hinnant's `days_from_civil` / `civil_from_days`
//! (proleptic Gregorian calendar, day 0 = 1970-01-01).

use std::fmt;

/// A date, counted in days since 1970-01-01.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(super) struct Day(pub i32);

impl Day {
    #[must_use]
    pub(super) fn from_ymd(y: i32, m: u32, d: u32) -> Self {
        let y = if m <= 2 { y - 1 } else { y };
        let era = y.div_euclid(400);
        let yoe = y - era * 400;
        let m = m as i32;
        let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + d as i32 - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        Self(era * 146_097 + doe - 719_468)
    }

    /// Parses `AAAA-MM-JJ`.
    #[must_use]
    pub(super) fn parse(s: &str) -> Option<Self> {
        let b = s.as_bytes();
        if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
            return None;
        }
        let y: i32 = s.get(0..4)?.parse().ok()?;
        let m: u32 = s.get(5..7)?.parse().ok()?;
        let d: u32 = s.get(8..10)?.parse().ok()?;
        let day = Self::from_ymd(y, m, d);
        (day.ymd() == (y, m, d)).then_some(day)
    }

    #[must_use]
    pub(super) fn ymd(self) -> (i32, u32, u32) {
        let z = self.0 + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z - era * 146_097;
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
        let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
        let y = yoe + era * 400 + i32::from(m <= 2);
        (y, m, d)
    }

    #[must_use]
    pub(super) fn year(self) -> i32 {
        self.ymd().0
    }

    #[must_use]
    pub(super) fn plus(self, days: i32) -> Self {
        Self(self.0 + days)
    }
}

impl fmt::Display for Day {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (y, m, d) = self.ymd();
        write!(f, "{y:04}-{m:02}-{d:02}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_round_trip_through_civil_dates() {
        assert_eq!(Day::from_ymd(1970, 1, 1), Day(0));
        assert_eq!(Day::from_ymd(2000, 3, 1).to_string(), "2000-03-01");
        assert_eq!(Day::from_ymd(2024, 2, 29).plus(1).to_string(), "2024-03-01");
        for n in (-30_000..30_000).step_by(37) {
            let (y, m, d) = Day(n).ymd();
            assert_eq!(Day::from_ymd(y, m, d), Day(n));
        }
        assert_eq!(Day::parse("2023-12-31"), Some(Day::from_ymd(2023, 12, 31)));
        assert_eq!(Day::parse("2019-13-45"), None);
        assert_eq!(Day::parse("2023-02-29"), None);
    }
}
