//! The clock and dates as the product writes them: ISO 8601 dates and times in UTC
//! (`AAAA-MM-JJ`), checked on the calendar.
//!
//! Owns reading the system clock and formatting it; no date crate for so few
//! conversions. Knows nothing about editions or the database.

/// Today's date, `AAAA-MM-JJ`, in UTC.
#[must_use]
pub fn today() -> String {
    now_utc()[..10].to_owned()
}

/// Seconds since the Unix epoch (0 if the clock is before it).
#[must_use]
pub fn unix_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

/// The current time as ISO 8601 in UTC, `AAAA-MM-JJTHH:MM:SSZ`.
#[must_use]
pub fn now_utc() -> String {
    iso_from_unix(unix_now())
}

/// `secs` since the Unix epoch as ISO 8601 in UTC (civil-from-days, Howard Hinnant's
/// algorithm: no date crate needed for one conversion).
#[must_use]
pub fn iso_from_unix(secs: i64) -> String {
    let z = secs.div_euclid(86_400) + 719_468;
    let rem = secs.rem_euclid(86_400);
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

/// Checks an ISO date `AAAA-MM-JJ` (calendar-valid).
#[must_use]
pub fn is_iso_date(s: &str) -> bool {
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return false;
    }
    let num = |r: std::ops::Range<usize>| s.get(r).and_then(|x| x.parse::<u32>().ok());
    let (Some(y), Some(m), Some(d)) = (num(0..4), num(5..7), num(8..10)) else {
        return false;
    };
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let days = match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return false,
    };
    (1..=days).contains(&d)
}

/// An ISO date as French text reads it: `2023-12-31` → « 31 décembre 2023 », the
/// first of a month « 1er ». Anything that is not a date comes back as it was.
#[must_use]
pub fn french_date(iso: &str) -> String {
    const MONTHS: [&str; 12] = [
        "janvier",
        "février",
        "mars",
        "avril",
        "mai",
        "juin",
        "juillet",
        "août",
        "septembre",
        "octobre",
        "novembre",
        "décembre",
    ];
    if !is_iso_date(iso) {
        return iso.to_owned();
    }
    let (year, month, day) = (&iso[..4], &iso[5..7], &iso[8..10]);
    let month = month.parse::<usize>().unwrap_or(1).clamp(1, 12);
    let day = match day.trim_start_matches('0') {
        "1" => "1er".to_owned(),
        d => d.to_owned(),
    };
    format!("{day} {} {year}", MONTHS[month - 1])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iso_dates_are_checked_on_the_calendar() {
        assert!(is_iso_date("2024-02-29"));
        assert!(!is_iso_date("2023-02-29"));
        assert!(!is_iso_date("2019-13-45"));
        assert!(!is_iso_date("2019-1-05"));
        assert!(!is_iso_date("20190105"));
    }

    #[test]
    fn french_dates_read_as_in_a_french_text() {
        assert_eq!(french_date("2023-12-31"), "31 décembre 2023");
        assert_eq!(french_date("2026-08-01"), "1er août 2026");
        assert_eq!(french_date("2023-02-30"), "2023-02-30");
        assert_eq!(french_date("hier"), "hier");
    }
}
