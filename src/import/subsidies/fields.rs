//! Reading the fields of an SCDL row: amounts, shares, dates and identifiers. Each
//! parser accepts what real files carry when it can be read one way only, and refuses
//! the rest with a reason (the module docs of [`super`] list the rules).

use crate::import::french::quoted;
use crate::records::subsidies::BeneficiaryId;
use crate::time::is_iso_date;

/// Whether `int` is digits grouped by three with `sep` (`1.234.567`, `12,345`).
fn grouped(int: &str, sep: char) -> bool {
    let mut groups = int.split(sep);
    let first = groups.next().unwrap_or_default();
    let digits = |g: &str| g.bytes().all(|b| b.is_ascii_digit());
    (1..=3).contains(&first.len()) && digits(first) && groups.all(|g| g.len() == 3 && digits(g))
}

/// Reads an amount: decimal comma or point, thousands spaces, optional `€`.
///
/// With one kind of separator, one occurrence is the decimal separator (a comma in
/// French usage, a point in the format's); several must group digits by three
/// (`1.234.567`) and are thousands separators. With both, the last one is the decimal
/// separator and the other must group digits by three (`1.234,56`, `1,234.56`).
/// Anything else is refused rather than guessed.
pub fn parse_amount(text: &str) -> std::result::Result<f64, String> {
    let t = text.trim();
    if t.is_empty() {
        return Err("montant absent".into());
    }
    let s: String = t
        .trim_end_matches('€')
        .trim_end_matches("EUR")
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '\u{202f}' && *c != '\u{a0}' && *c != '\'')
        .collect();
    let ambiguous = || {
        format!(
            "{} n’est pas un montant lisible : séparateurs ambigus (écrivez par exemple \
             12500,50 ou 12 500,50)",
            quoted(t)
        )
    };
    let (commas, points) = (s.matches(',').count(), s.matches('.').count());
    let normal = match (commas, points) {
        (0, 0 | 1) => s.clone(),
        (1, 0) => s.replace(',', "."),
        (0, _) if grouped(&s, '.') => s.replace('.', ""),
        (_, 0) if grouped(&s, ',') => s.replace(',', ""),
        (0, _) | (_, 0) => return Err(ambiguous()),
        _ => {
            let (thousands, decimal) = if s.rfind(',') > s.rfind('.') {
                ('.', ',')
            } else {
                (',', '.')
            };
            let (int, frac) = s.rsplit_once(decimal).unwrap_or((&s, ""));
            if !grouped(int, thousands) || frac.contains([',', '.']) {
                return Err(ambiguous());
            }
            format!("{}.{frac}", int.replace(thousands, ""))
        }
    };
    let v: f64 = normal
        .parse()
        .map_err(|_| format!("{} n’est pas un montant en euros", quoted(t)))?;
    if !v.is_finite() {
        return Err(format!("{} n’est pas un montant en euros", quoted(t)));
    }
    if v < 0.0 {
        return Err(format!("{} est un montant négatif", quoted(t)));
    }
    Ok(v)
}

/// How a share was read.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Share {
    /// A fraction in ]0, 1], as the format says.
    Fraction(f64),
    /// Written as a percentage (`60 %`, or a number in ]1, 100]).
    Percent(f64),
}

/// Reads `pourcentageSubvention`; `Ok(None)` when empty.
pub fn parse_share(text: &str) -> std::result::Result<Option<Share>, String> {
    let t = text.trim();
    if t.is_empty() {
        return Ok(None);
    }
    let (number, percent) = match t.strip_suffix('%') {
        Some(n) => (n.trim(), true),
        None => (t, false),
    };
    let v = parse_amount(number).map_err(|_| {
        format!(
            "{} n’est pas une part (un nombre entre 0 et 1, ou un pourcentage)",
            quoted(t)
        )
    })?;
    // A number above 1 can only be a percentage.
    let share = if percent || v > 1.0 {
        Share::Percent(v / 100.0)
    } else {
        Share::Fraction(v)
    };
    let value = match share {
        Share::Fraction(x) | Share::Percent(x) => x,
    };
    if value <= 0.0 || value > 1.0 {
        return Err(format!(
            "{} n’est pas une part comprise entre 0 (exclu) et 1, ou entre 0 et 100\u{a0}%",
            quoted(t)
        ));
    }
    Ok(Some(share))
}

/// Reads a date `AAAA-MM-JJ` or `JJ/MM/AAAA` (an ISO date-time keeps its date).
pub fn parse_date(text: &str) -> std::result::Result<Option<String>, String> {
    let t = text.trim();
    if t.is_empty() {
        return Ok(None);
    }
    let iso = if t.len() >= 10 && t.as_bytes().get(4) == Some(&b'-') {
        t.get(..10).map(str::to_owned)
    } else if let [d, m, y] = t.split('/').collect::<Vec<_>>()[..] {
        (d.len() <= 2 && m.len() <= 2 && y.len() == 4).then(|| format!("{y}-{m:0>2}-{d:0>2}"))
    } else {
        None
    };
    let Some(iso) = iso.filter(|s| {
        s.bytes().enumerate().all(|(i, b)| {
            if i == 4 || i == 7 {
                b == b'-'
            } else {
                b.is_ascii_digit()
            }
        })
    }) else {
        return Err(format!(
            "{} n’est pas une date (AAAA-MM-JJ ou JJ/MM/AAAA attendu)",
            quoted(t)
        ));
    };
    if !is_iso_date(&iso) {
        return Err(format!(
            "{} est une date impossible : corrigez le jour ou le mois",
            quoted(t)
        ));
    }
    Ok(Some(iso))
}

/// Reads `idBeneficiaire`: `Ok(None)` when empty, an error when it is neither a SIRET
/// nor a SIREN.
pub fn parse_beneficiary_id(text: &str) -> std::result::Result<Option<BeneficiaryId>, String> {
    let digits: String = text
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '.' && *c != '\u{a0}' && *c != '\u{202f}')
        .collect();
    if digits.is_empty() {
        return Ok(None);
    }
    if !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!(
            "{} n’est ni un SIRET ni un SIREN (des chiffres seulement)",
            quoted(text.trim())
        ));
    }
    match digits.len() {
        14 => Ok(Some(BeneficiaryId::Siret(digits))),
        9 => Ok(Some(BeneficiaryId::Siren(digits))),
        n => Err(format!(
            "{} a {n} chiffres : ni un SIRET (14 chiffres) ni un SIREN (9)",
            quoted(text.trim())
        )),
    }
}

/// Reads `rnaBeneficiaire` (`W` and nine characters).
pub fn parse_rna(text: &str) -> std::result::Result<Option<String>, String> {
    let rna: String = text
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .to_uppercase();
    if rna.is_empty() {
        return Ok(None);
    }
    if rna.len() == 10 && rna.starts_with('W') && rna.bytes().all(|b| b.is_ascii_alphanumeric()) {
        Ok(Some(rna))
    } else {
        Err(format!(
            "{} n’est pas un numéro RNA (W suivi de 9 caractères)",
            quoted(text.trim())
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_accept_decimal_commas_and_thousands_spaces() {
        assert_eq!(parse_amount("48500.00"), Ok(48_500.0));
        assert_eq!(parse_amount("48500,50"), Ok(48_500.5));
        assert_eq!(parse_amount("48 500,50"), Ok(48_500.5));
        assert_eq!(parse_amount("48\u{a0}500,50 €"), Ok(48_500.5));
        assert_eq!(parse_amount("48\u{202f}500"), Ok(48_500.0));
        assert_eq!(parse_amount("1.234.567,89"), Ok(1_234_567.89));
        assert_eq!(parse_amount("1.234.567"), Ok(1_234_567.0));
        assert_eq!(parse_amount("1,234,567.5"), Ok(1_234_567.5));
        assert!(parse_amount("12,5.3").is_err());
        assert!(parse_amount("1.23.4").is_err());
        assert_eq!(parse_amount("1.234,5"), Ok(1_234.5));
        assert_eq!(parse_amount("1,234.5"), Ok(1_234.5));
        assert!(parse_amount("").is_err());
        assert!(parse_amount("n.c.").is_err());
        assert!(parse_amount("-5").is_err());
        assert!(parse_amount("12,5,3").is_err());
    }

    #[test]
    fn shares_accept_fractions_and_percentages() {
        assert_eq!(parse_share("0.6"), Ok(Some(Share::Fraction(0.6))));
        assert_eq!(parse_share("0,6"), Ok(Some(Share::Fraction(0.6))));
        assert_eq!(parse_share("60 %"), Ok(Some(Share::Percent(0.6))));
        assert_eq!(parse_share("60"), Ok(Some(Share::Percent(0.6))));
        assert_eq!(parse_share(""), Ok(None));
        assert!(parse_share("0").is_err());
        assert!(parse_share("150").is_err());
        assert!(parse_share("beaucoup").is_err());
    }

    #[test]
    fn dates_must_be_possible() {
        assert_eq!(parse_date("2023-03-17"), Ok(Some("2023-03-17".into())));
        assert_eq!(parse_date("17/03/2023"), Ok(Some("2023-03-17".into())));
        assert_eq!(
            parse_date("2023-03-17T00:00:00"),
            Ok(Some("2023-03-17".into()))
        );
        assert_eq!(parse_date(" "), Ok(None));
        assert!(parse_date("2023-02-30").unwrap_err().contains("impossible"));
        assert!(parse_date("31/04/2023").unwrap_err().contains("impossible"));
        assert!(parse_date("mars 2023").is_err());
    }

    #[test]
    fn identifiers_are_cleaned_and_classified() {
        assert_eq!(
            parse_beneficiary_id("779 584 127 00012"),
            Ok(Some(BeneficiaryId::Siret("77958412700012".into())))
        );
        assert_eq!(
            parse_beneficiary_id("779584127"),
            Ok(Some(BeneficiaryId::Siren("779584127".into())))
        );
        assert!(parse_beneficiary_id("7795841270001").is_err());
        assert_eq!(parse_beneficiary_id(""), Ok(None));
        assert_eq!(parse_rna("w623 000123"), Ok(Some("W623000123".into())));
        assert!(parse_rna("623000123").is_err());
    }
}
