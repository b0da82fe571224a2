//! The French of the importers' messages, which staff read (the command line, the
//! stored reports): numbers as French writes them (`12 345`, `3,4 %`, `1 000,50 €`,
//! thousands grouped by a no-break space) and values from the file quoted « ainsi ».
//! One place for these, so that every message writes them the same way.

/// A count: `12 345`.
#[must_use]
pub fn count(n: u64) -> String {
    group(&n.to_string())
}

/// A number with at most two decimals, trailing zeros dropped, decimal comma:
/// `1 234,5`, `17`, `-3,25`.
#[must_use]
pub fn number(x: f64) -> String {
    let text = fixed(x, 2);
    match text.split_once(',') {
        Some((int, frac)) if frac.trim_end_matches('0').is_empty() => int.to_owned(),
        Some((int, frac)) => format!("{int},{}", frac.trim_end_matches('0')),
        None => text,
    }
}

/// `x` with `decimals` decimals, thousands grouped, decimal comma.
fn fixed(x: f64, decimals: usize) -> String {
    if !x.is_finite() {
        return x.to_string();
    }
    let text = format!("{:.*}", decimals, x.abs());
    let (int, frac) = text.split_once('.').unwrap_or((&text, ""));
    let sign = if x < 0.0 && text.bytes().any(|b| b.is_ascii_digit() && b != b'0') {
        "-"
    } else {
        ""
    };
    if frac.is_empty() {
        format!("{sign}{}", group(int))
    } else {
        format!("{sign}{},{frac}", group(int))
    }
}

/// A count with its noun, singular for 0 and 1 as French has it: `1 ligne`,
/// `0 rejetée`, `12 345 lignes`.
#[must_use]
pub fn counted(n: u64, singular: &str, plural: &str) -> String {
    format!("{} {}", count(n), if n < 2 { singular } else { plural })
}

/// A share as a percentage with one decimal: `0.034` → `3,4 %`.
#[must_use]
pub fn percent(share: f64) -> String {
    format!("{:.1}\u{a0}%", share * 100.0).replace('.', ",")
}

/// Euros, to the cent when there are cents: `12 345,50 €`, `1 000 €`.
#[must_use]
pub fn euros(x: f64) -> String {
    let cents = (x * 100.0).round() % 100.0 != 0.0;
    format!("{}\u{a0}€", fixed(x, if cents { 2 } else { 0 }))
}

/// Longest value quoted whole in a message; longer ones are cut with `…`.
const MAX_QUOTED: usize = 60;

/// A value read from a file, as a message quotes it: `« 2023-02-30 »`; control
/// characters shown escaped, long values cut, an empty one `(vide)`.
#[must_use]
pub fn quoted(value: &str) -> String {
    if value.is_empty() {
        return "(vide)".into();
    }
    let mut out = String::from("«\u{a0}");
    for (i, c) in value.chars().enumerate() {
        if i == MAX_QUOTED {
            out.push('…');
            break;
        }
        if c.is_control() {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    out.push_str("\u{a0}»");
    out
}

/// Digits grouped by three with a no-break space.
fn group(digits: &str) -> String {
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 * 2);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push('\u{a0}');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_read_as_french_writes_them() {
        assert_eq!(count(0), "0");
        assert_eq!(count(999), "999");
        assert_eq!(count(1_000), "1\u{a0}000");
        assert_eq!(count(68_335), "68\u{a0}335");
        assert_eq!(number(1_234.5), "1\u{a0}234,5");
        assert_eq!(number(100_000_000.0), "100\u{a0}000\u{a0}000");
        assert_eq!(number(17.0), "17");
        assert_eq!(number(-3.25), "-3,25");
        assert_eq!(number(-0.001), "0");
        assert_eq!(percent(0.034), "3,4\u{a0}%");
        assert_eq!(counted(1, "ligne", "lignes"), "1 ligne");
        assert_eq!(counted(0, "rejetée", "rejetées"), "0 rejetée");
        assert_eq!(counted(2_000, "ligne", "lignes"), "2\u{a0}000 lignes");
        assert_eq!(euros(12_500.5), "12\u{a0}500,50\u{a0}€");
        assert_eq!(euros(1_000.0), "1\u{a0}000\u{a0}€");
    }

    #[test]
    fn values_are_quoted_escaped_and_cut() {
        assert_eq!(quoted("2023-02-30"), "«\u{a0}2023-02-30\u{a0}»");
        assert_eq!(quoted(""), "(vide)");
        assert_eq!(quoted("a\tb"), "«\u{a0}a\\tb\u{a0}»");
        let long = quoted(&"x".repeat(200));
        assert!(
            long.ends_with("…\u{a0}»") && long.chars().count() < 70,
            "{long}"
        );
    }
}
