//! The demonstration subsidies file of one edition, in the national SCDL
//! « subventions » format the Département publishes (same columns as
//! `reference/scdl-subventions-example.csv`).
//!
//! Beneficiaries are drawn from the edition's ESS registry as imported (the caller
//! passes them in; nothing here reads the database), so that the file matches the
//! demo organisations the way a real file matches real ones. Deterministic: the same
//! seed, edition and registry give the same file.
//!
//! Calibration: the lines matched to ESS establishments of the four families add up
//! exactly to [`ess_target_euros`] (1.4 M€ in 2023, the order of magnitude of the
//! Département's ESS operating budget published for 2024; less in earlier editions).
//! The file carries the defects of real ones, each once: a decimal comma, a SIREN
//! without establishment number, an association known by its RNA number only, a
//! subsidy shared between two beneficiaries (60 % / 40 %), a beneficiary outside the
//! registry (unmatched), a public body (matched, not ESS), and one row with an
//! impossible date, which the importer rejects.

use std::path::Path;

use anyhow::Context;

use super::rng::Rng;
use crate::ess::Family;
use crate::ess::identifiers::luhn_digit;
use crate::records::subsidies::Beneficiary;

/// What the written file holds, for logs and tests.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScdlDemo {
    /// Data rows written (the rejected one included).
    pub rows: u64,
    /// Sum of montant × pourcentage over the lines matched to the ESS, in cents.
    pub ess_total_cents: i64,
    /// Line of the row with an impossible date.
    pub rejected_line: u64,
    /// Line of the beneficiary the registry does not know.
    pub unmatched_line: u64,
    /// Line of the public body's subsidy.
    pub public_body_line: u64,
}

/// The Département's ESS subsidies of a demo edition, euros.
#[must_use]
pub fn ess_target_euros(year: u16) -> i64 {
    match year {
        ..=2014 => 1_150_000,
        2015..=2017 => 1_240_000,
        2018..=2020 => 1_320_000,
        _ => 1_400_000,
    }
}

const HEADER: [&str; 16] = [
    "nomAttribuant",
    "idAttribuant",
    "dateConvention",
    "referenceDecision",
    "nomBeneficiaire",
    "idBeneficiaire",
    "rnaBeneficiaire",
    "objet",
    "montant",
    "nature",
    "conditionsVersement",
    "datesPeriodeVersement",
    "idRAE",
    "notificationUE",
    "pourcentageSubvention",
    "dispositifAide",
];

const ATTRIBUANT: &str = "Département du Pas-de-Calais";
const ATTRIBUANT_ID: &str = "22620000400019";

fn object(section: Option<&str>, year: u16) -> String {
    match section.unwrap_or_default() {
        "Q" => format!("Fonctionnement {year} du service d'accompagnement et d'aide à domicile"),
        "P" => format!("Actions éducatives et de formation {year}"),
        "R" => format!("Saison culturelle et sportive {year}"),
        "I" => format!("Chantier d'insertion hôtellerie-restauration {year}"),
        "K" | "M" => format!("Accompagnement des structures de l'ESS {year}"),
        _ => format!("Fonctionnement {year} du projet associatif"),
    }
}

/// `12345.50` → `12345.50`, the format's decimal point.
fn euros(cents: i64) -> String {
    format!("{}.{:02}", cents / 100, cents % 100)
}

/// `1234550` cents → `12 345,50`: a spreadsheet's French export.
fn euros_french(cents: i64) -> String {
    let units = (cents / 100).to_string();
    let mut grouped = String::new();
    for (i, c) in units.chars().enumerate() {
        if i > 0 && (units.len() - i).is_multiple_of(3) {
            grouped.push(' ');
        }
        grouped.push(c);
    }
    format!("{grouped},{:02}", cents % 100)
}

/// A SIRET and SIREN no demo unit has (SIREN 999 0xx xxx): an association of
/// another département.
fn outside_siret(year: u16) -> String {
    let body = format!("99900{year:04}");
    let siren = format!("{}{}", &body[..8], luhn_digit(&body[..8]));
    let nic = format!("{siren}0001");
    format!("{nic}{}", luhn_digit(&nic))
}

/// Writes the SCDL file of edition `year` to `path`. `candidates` are the edition's
/// ESS establishments (four families, not protected), `public_body` the SIREN of a
/// public body of the geography (an EPCI).
#[allow(clippy::too_many_lines)] // the SCDL file's columns and deliberate defects, written row by row in one place
pub fn write_subsidies(
    path: &Path,
    year: u16,
    seed: u64,
    candidates: &[Beneficiary],
    public_body: (&str, &str),
) -> anyhow::Result<ScdlDemo> {
    let mut rng = Rng::fork(seed ^ u64::from(year), "scdl");
    let mut employers: Vec<&Beneficiary> = candidates
        .iter()
        .filter(|b| b.jobs > 0.0 && b.family.in_statistical_totals())
        .collect();
    let mut others: Vec<&Beneficiary> = candidates
        .iter()
        .filter(|b| b.jobs <= 0.0 && b.family.in_statistical_totals())
        .collect();
    employers.sort_by(|a, b| a.siret.cmp(&b.siret));
    others.sort_by(|a, b| a.siret.cmp(&b.siret));
    rng.shuffle(&mut employers);
    rng.shuffle(&mut others);
    let count = 80 + usize::from(year.saturating_sub(2014)) * 3;
    let mut chosen: Vec<&Beneficiary> = employers.into_iter().take(count - 10).collect();
    chosen.extend(others.into_iter().take(10));
    anyhow::ensure!(
        chosen.len() >= 12,
        "the {year} demo registry has too few ESS establishments for a subsidies file"
    );
    // The SIREN-only and RNA-only lines need a siège (so that the match lands on the
    // same establishment); put them in positions 3 and 4.
    if let Some(i) = (3..chosen.len()).find(|&i| chosen[i].siege) {
        chosen.swap(3, i);
    }
    if let Some(i) = (4..chosen.len()).find(|&i| {
        chosen[i].siege && chosen[i].rna.is_some() && chosen[i].family == Family::Association
    }) {
        chosen.swap(4, i);
    }

    // Amounts in cents: weights by size (capped: the largest employers are not funded
    // in proportion) and by sector (the Département funds social action first,
    // insurance hardly), rounded to 50 €, the last absorbing the rest so that the ESS
    // total is exact.
    let target = ess_target_euros(year) * 100;
    let weights: Vec<f64> = chosen
        .iter()
        .map(|b| {
            let base = if b.jobs > 0.0 {
                b.jobs.sqrt().min(8.0) + 1.0
            } else {
                0.4
            };
            let sector = match b.naf_section.as_deref().unwrap_or_default() {
                "Q" => 1.5,
                "P" | "R" | "S" | "N" | "I" => 1.0,
                "K" => 0.2,
                _ => 0.6,
            };
            base * sector * rng.uniform(0.5, 1.5)
        })
        .collect();
    let sum: f64 = weights.iter().sum();
    let mut cents: Vec<i64> = weights
        .iter()
        .map(|w| ((target as f64 * w / sum / 5_000.0).round() as i64).max(1) * 5_000)
        .collect();
    // The shared subsidy: one convention of M €, 60 % and 40 %.
    let shared = ((cents[0] + cents[1]) / 10_000).max(1) * 10_000;
    cents[0] = shared / 10 * 6;
    cents[1] = shared / 10 * 4;
    // The decimal comma carries cents.
    cents[2] += 50;
    let last = cents.len() - 1;
    cents[last] = 0;
    cents[last] = target - cents.iter().sum::<i64>();
    anyhow::ensure!(
        cents[last] > 0,
        "demo subsidies of {year} do not add up to the target"
    );

    let file =
        std::fs::File::create(path).with_context(|| format!("cannot create {}", path.display()))?;
    let mut out = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(std::io::BufWriter::new(file));
    out.write_record(HEADER)?;
    let mut rows = 0u64;
    let mut write = |out: &mut csv::Writer<_>, record: [String; 16]| -> anyhow::Result<u64> {
        out.write_record(&record)?;
        rows += 1;
        Ok(rows + 1)
    };
    let date =
        |rng: &mut Rng| format!("{year}-{:02}-{:02}", rng.between(1, 11), rng.between(1, 28));
    let record = |date: &str,
                  number: usize,
                  name: &str,
                  id: &str,
                  rna: &str,
                  object: &str,
                  amount: String,
                  share: &str| {
        [
            ATTRIBUANT.to_owned(),
            ATTRIBUANT_ID.to_owned(),
            date.to_owned(),
            format!("CP-{date}-{number:03}"),
            name.to_owned(),
            id.to_owned(),
            rna.to_owned(),
            object.to_owned(),
            amount,
            "aide en numéraire".to_owned(),
            if number.is_multiple_of(3) {
                "échelonné"
            } else {
                "unique"
            }
            .to_owned(),
            format!("{date}/{year}-12-31"),
            String::new(),
            "non".to_owned(),
            share.to_owned(),
            "Soutien à l'économie sociale et solidaire".to_owned(),
        ]
    };
    let shared_date = date(&mut rng);
    let mut rejected_line = 0;
    let mut unmatched_line = 0;
    let mut public_body_line = 0;
    for (i, b) in chosen.iter().enumerate() {
        let text = object(b.naf_section.as_deref(), year);
        match i {
            0 | 1 => write(
                &mut out,
                record(
                    &shared_date,
                    1,
                    &b.name,
                    &b.siret,
                    "",
                    &format!("Projet commun d'insertion {year} (convention partagée)"),
                    euros(shared),
                    if i == 0 { "0.60" } else { "0.40" },
                ),
            )?,
            2 => write(
                &mut out,
                record(
                    &date(&mut rng),
                    i,
                    &b.name,
                    &b.siret,
                    "",
                    &text,
                    euros_french(cents[i]),
                    "1.00",
                ),
            )?,
            3 => write(
                &mut out,
                record(
                    &date(&mut rng),
                    i,
                    &b.name,
                    &b.siren,
                    "",
                    &text,
                    euros(cents[i]),
                    "1.00",
                ),
            )?,
            4 if b.rna.is_some() => write(
                &mut out,
                record(
                    &date(&mut rng),
                    i,
                    &b.name,
                    "",
                    b.rna.as_deref().unwrap_or_default(),
                    &text,
                    euros(cents[i]),
                    "1.00",
                ),
            )?,
            _ => write(
                &mut out,
                record(
                    &date(&mut rng),
                    i,
                    &b.name,
                    &b.siret,
                    "",
                    &text,
                    euros(cents[i]),
                    "1.00",
                ),
            )?,
        };
        // The beneficiaries outside the ESS and the rejected row, among the others.
        if i == chosen.len() / 4 {
            unmatched_line = write(
                &mut out,
                record(
                    &date(&mut rng),
                    900,
                    "ASSOCIATION REGIONALE DES SOLIDARITES (DEMO 99900)",
                    &outside_siret(year),
                    "",
                    "Coordination régionale des acteurs de l'ESS",
                    euros(1_200_000),
                    "1.00",
                ),
            )?;
        } else if i == chosen.len() / 2 {
            public_body_line = write(
                &mut out,
                record(
                    &date(&mut rng),
                    901,
                    public_body.1,
                    public_body.0,
                    "",
                    "Mois de l'ESS : animation intercommunale",
                    euros(800_000),
                    "1.00",
                ),
            )?;
        } else if i == chosen.len() * 3 / 4 {
            rejected_line = write(
                &mut out,
                record(
                    &format!("{year}-02-30"),
                    902,
                    &b.name,
                    &b.siret,
                    "",
                    &text,
                    euros(250_000),
                    "1.00",
                ),
            )?;
        }
    }
    out.flush()
        .with_context(|| format!("cannot write {}", path.display()))?;
    Ok(ScdlDemo {
        rows,
        ess_total_cents: target,
        rejected_line,
        unmatched_line,
        public_body_line,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::subsidies::parse_subsidies;

    fn candidates() -> Vec<Beneficiary> {
        (0..300)
            .map(|i| {
                let siren = format!("{:09}", 100_000_000 + i * 7);
                Beneficiary {
                    siret: format!("{siren}00011"),
                    siren,
                    rna: (i % 2 == 0).then(|| format!("W62{i:07}")),
                    name: format!("ASSO {i} (DEMO {i:05})"),
                    family: if i % 10 == 0 {
                        Family::Cooperative
                    } else {
                        Family::Association
                    },
                    naf_section: Some(["Q", "P", "R", "S"][i % 4].into()),
                    jobs: if i % 5 == 0 {
                        0.0
                    } else {
                        (i % 40) as f64 * 1.5
                    },
                    siege: i % 3 != 1,
                }
            })
            .collect()
    }

    #[test]
    fn the_demo_file_reads_back_with_its_defects_and_its_total() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.csv");
        let written =
            write_subsidies(&path, 2023, 62, &candidates(), ("200033579", "CU d'Arras")).unwrap();
        let bytes = std::fs::read(&path).unwrap();
        let again = dir.path().join("t.csv");
        write_subsidies(&again, 2023, 62, &candidates(), ("200033579", "CU d'Arras")).unwrap();
        assert_eq!(bytes, std::fs::read(&again).unwrap(), "deterministic");

        let f = parse_subsidies(2023, "s.csv", &bytes).unwrap();
        let r = &f.report.files[0];
        assert_eq!(r.rows_read, written.rows);
        assert_eq!(r.rows_read, r.rows_kept + r.rows_rejected);
        assert_eq!(r.rows_rejected, 1);
        assert_eq!(f.report.rejected[0].line, written.rejected_line);
        assert_eq!(f.report.rejected[0].field, "dateConvention");
        // Every line but the unmatched one and the public body's goes to the ESS.
        let outside = [written.unmatched_line, written.public_body_line];
        let ess: i64 = f
            .lines
            .iter()
            .filter(|l| !outside.contains(&l.line))
            .map(|l| (l.granted() * 100.0).round() as i64)
            .sum();
        assert_eq!(ess, written.ess_total_cents);
        assert_eq!(written.ess_total_cents, 140_000_000);
        let text = String::from_utf8(bytes).unwrap();
        assert!(text.contains(",50\","), "a decimal comma, quoted");
        assert!(f.lines.iter().any(|l| matches!(
            &l.beneficiary_id,
            Some(crate::records::subsidies::BeneficiaryId::Siren(_))
        )));
        assert!(
            f.lines
                .iter()
                .any(|l| l.beneficiary_id.is_none() && l.rna.is_some())
        );
        assert!(f.lines.iter().any(|l| (l.share - 0.6).abs() < 1e-9));
    }
}
