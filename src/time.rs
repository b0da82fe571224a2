//! Dates as the product writes them: ISO 8601 text (`AAAA-MM-JJ`), checked on the
//! calendar. No date crate: the few conversions the product needs are written here.

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
}
