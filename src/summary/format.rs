//! French number formats of the documents: `12 345`, `3,4 %`, `1 400 000 €`, « s » for a
//! masked figure. Pure; machine-readable outputs (CSV standard, XLSX) do not use it.

/// What a masked cell reads, in every format.
pub const SECRET: &str = "s";
/// What a figure that cannot be computed (no population, division by zero) reads.
pub const MISSING: &str = "–";

/// Groups thousands with a no-break space and uses the decimal comma:
/// `fr_number(12345.5, 1) == "12\u{a0}345,5"`.
#[must_use]
pub fn fr_number(v: f64, decimals: u8) -> String {
    let text = format!("{:.*}", usize::from(decimals), v.abs());
    let (int, frac) = text.split_once('.').unwrap_or((&text, ""));
    let mut grouped = String::with_capacity(int.len() + int.len() / 3 * 2 + 4);
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            grouped.push('\u{a0}');
        }
        grouped.push(c);
    }
    // "-0" is not a value anyone wants to read.
    let negative = v < 0.0 && text.chars().any(|c| c.is_ascii_digit() && c != '0');
    let sign = if negative { "-" } else { "" };
    if frac.is_empty() {
        format!("{sign}{grouped}")
    } else {
        format!("{sign}{grouped},{frac}")
    }
}

/// A value with its unit as a reader expects it: percentages `3,4 %`, euros whole
/// (`1 400 000 €`).
#[must_use]
pub fn fr_value(v: f64, decimals: u8, unit: &str) -> String {
    match unit {
        "%" => format!("{}\u{a0}%", fr_number(v, decimals)),
        "€" => fr_euros(v),
        _ => fr_number(v, decimals),
    }
}

/// Euros, whole and grouped: `1 400 000 €`, `12 345 €`. One unit for every amount of
/// a document (issue 19: `70 320 € | 189 k€ | 1,4 M€` in one row, and the same
/// amount as `189 k€` and `188 820 €` in one PDF).
#[must_use]
pub fn fr_euros(v: f64) -> String {
    format!("{}\u{a0}€", fr_number(v, 0))
}

/// An ISO date (`2023-12-31`) the French way (`31 décembre 2023`, `1er janvier 2024`);
/// anything else is returned as it is.
#[must_use]
pub fn fr_date(iso: &str) -> String {
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
    let mut parts = iso.splitn(3, '-');
    let (Some(y), Some(m), Some(d)) = (parts.next(), parts.next(), parts.next()) else {
        return iso.to_owned();
    };
    let (Ok(m), Ok(d)) = (m.parse::<usize>(), d.parse::<u32>()) else {
        return iso.to_owned();
    };
    match MONTHS.get(m.wrapping_sub(1)) {
        Some(month) if y.len() == 4 && (1..=31).contains(&d) => {
            let day = if d == 1 {
                "1er".to_owned()
            } else {
                d.to_string()
            };
            format!("{day}\u{a0}{month} {y}")
        }
        _ => iso.to_owned(),
    }
}

/// A number for French Excel: decimal comma, no grouping (Excel reads it as a number).
#[must_use]
pub fn excel_number(v: f64, decimals: u8) -> String {
    format!("{:.*}", usize::from(decimals), v).replace('.', ",")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thousands_are_grouped_with_a_no_break_space() {
        assert_eq!(fr_number(12_345.0, 0), "12\u{a0}345");
        assert_eq!(fr_number(1_234_567.25, 2), "1\u{a0}234\u{a0}567,25");
        assert_eq!(fr_number(999.0, 0), "999");
        assert_eq!(fr_number(-1_500.5, 1), "-1\u{a0}500,5");
        assert_eq!(fr_number(-0.01, 1), "0,0");
    }

    #[test]
    fn units_read_the_french_way() {
        assert_eq!(fr_value(3.4, 1, "%"), "3,4\u{a0}%");
        assert_eq!(fr_value(1_400_000.0, 2, "€"), "1\u{a0}400\u{a0}000\u{a0}€");
        assert_eq!(fr_value(250_400.0, 2, "€"), "250\u{a0}400\u{a0}€");
        assert_eq!(fr_value(12_345.4, 2, "€"), "12\u{a0}345\u{a0}€");
        assert_eq!(fr_value(34.5, 1, "salariés"), "34,5");
    }

    #[test]
    fn dates_read_the_french_way() {
        assert_eq!(fr_date("2023-12-31"), "31\u{a0}décembre 2023");
        assert_eq!(fr_date("2024-01-01"), "1er\u{a0}janvier 2024");
        assert_eq!(fr_date("2024-13-01"), "2024-13-01");
        assert_eq!(fr_date("demain"), "demain");
    }

    #[test]
    fn excel_numbers_have_a_decimal_comma_and_no_grouping() {
        assert_eq!(excel_number(12_345.5, 1), "12345,5");
        assert_eq!(excel_number(7.0, 0), "7");
    }
}
