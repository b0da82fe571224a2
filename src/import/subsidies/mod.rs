//! Reading a collectivité's subsidies file in the national SCDL « subventions » format
//! (one row per beneficiary; what the beneficiary receives is `montant` ×
//! `pourcentageSubvention`). Matching the beneficiaries to the registry is
//! [`super::beneficiaries`]' concern, not this module's.
//!
//! Tolerant of what real files carry, strict where guessing would mislead:
//! - encoding: UTF-8 with or without BOM; anything else is read as Windows-1252
//!   (the superset of Latin-1 that spreadsheets write), with a warning;
//! - separator: `,` or `;` (or tab), from the header line; headers match ignoring
//!   case and surrounding spaces;
//! - amounts: decimal comma or point, thousands spaces (also non-breaking), a
//!   trailing `€`; a row whose `montant` cannot be read, or is negative, is rejected;
//! - `pourcentageSubvention`: a share in ]0, 1]; `60 %` or `60` is read as 0.60 with a
//!   warning; missing means the whole amount (warning); anything else rejects the row;
//! - `dateConvention`: `AAAA-MM-JJ` or `JJ/MM/AAAA`; missing is accepted with a
//!   warning, an impossible or unreadable date rejects the row;
//! - `idBeneficiaire`: spaces and dots removed; 14 digits is a SIRET, 9 a SIREN;
//!   anything else is reported and ignored (the RNA number may still match);
//!   `rnaBeneficiaire`: `W` and nine characters, spaces removed, else ignored.
//!
//! - a row of another width than the header (a cut line, an unquoted separator) and an
//!   amount above [`MAX_AMOUNT`] are rejected.
//!
//! Every data row is either imported or rejected (with line, field and reason): rows
//! read = imported + rejected. The file (CSV, or ZIP holding one) streams through
//! [`super::source`], with its structural checks; a plain file larger than
//! [`MAX_FILE_BYTES`] is refused.

use std::path::Path;

use super::french::{count, euros, number, quoted};
use super::source::{CsvOptions, CsvSource, with_bytes, with_csv};
use super::{ImportError, Result};
use crate::records::report::{FileReport, ImportReport};
use crate::records::subsidies::SubsidyLine;
mod fields;

pub use fields::{Share, parse_amount, parse_beneficiary_id, parse_date, parse_rna, parse_share};

/// Amounts above this (100 M€, more than the Département's whole yearly ESS budget)
/// are rejected: an amount in cents read as euros, or digits run together.
pub const MAX_AMOUNT: f64 = 100_000_000.0;

/// Refuse files larger than this (a national file of every collectivité is not one
/// département's subsidies).
pub const MAX_FILE_BYTES: u64 = 256 * 1024 * 1024;

/// The rows of a file and the report of reading it.
pub struct SubsidyFile {
    pub lines: Vec<SubsidyLine>,
    pub report: ImportReport,
    /// The file's name, for the report.
    pub name: String,
}

/// How an SCDL file is read: separator from its header, no final newline required
/// (spreadsheets often leave it out; a cut last row is rejected by its width).
const OPTIONS: CsvOptions<'static> = CsvOptions {
    delimiter: None,
    expected_name: "",
    final_newline: false,
};

/// Reads an SCDL subsidies file (CSV, or ZIP holding one) for `edition`.
pub fn read_subsidies(edition: i64, path: &Path) -> Result<SubsidyFile> {
    let size = std::fs::metadata(path)
        .map_err(|source| ImportError::Read {
            path: path.to_owned(),
            source,
        })?
        .len();
    if size > MAX_FILE_BYTES {
        return Err(ImportError::Invalid(format!(
            "{} : {} octets, plus qu’un fichier de subventions d’un département n’en contient \
             (au plus {} Mio) : est-ce le fichier national de toutes les collectivités ? \
             Extrayez-en les lignes du Département",
            path.display(),
            count(size),
            count(MAX_FILE_BYTES >> 20)
        )));
    }
    with_csv(path, &OPTIONS, |source| read_source(edition, source))
}

/// Column positions, by SCDL name.
struct Columns {
    attribuant_name: Option<usize>,
    attribuant_id: Option<usize>,
    date: Option<usize>,
    decision: Option<usize>,
    name: usize,
    id: Option<usize>,
    rna: Option<usize>,
    object: Option<usize>,
    amount: usize,
    nature: Option<usize>,
    share: Option<usize>,
}

/// Parses the bytes of an SCDL subsidies file named `name`.
pub fn parse_subsidies(edition: i64, name: &str, bytes: &[u8]) -> Result<SubsidyFile> {
    with_bytes(name, bytes, &OPTIONS, |source| read_source(edition, source))
}

/// A record as text: UTF-8, else each field decoded as Windows-1252 (the superset of
/// Latin-1 that spreadsheets write); `true` in the second place when it was not UTF-8.
fn decode(bytes: &csv::ByteRecord, out: &mut csv::StringRecord) -> bool {
    out.clear();
    if bytes.iter().all(|f| std::str::from_utf8(f).is_ok()) {
        for f in bytes {
            out.push_field(std::str::from_utf8(f).unwrap_or_default());
        }
        false
    } else {
        for f in bytes {
            out.push_field(&encoding_rs::WINDOWS_1252.decode_without_bom_handling(f).0);
        }
        true
    }
}

#[allow(clippy::too_many_lines)] // the import loop reads one row in one place (columns, amounts, report)
fn read_source(edition: i64, source: &mut CsvSource<'_>) -> Result<SubsidyFile> {
    let started = std::time::Instant::now();
    let name = source.name.clone();
    let name = name.as_str();
    let mut report = ImportReport::new("subventions", edition);
    let mut file = FileReport::new(name);
    let headers: Vec<String> = source.headers.iter().map(str::to_lowercase).collect();
    let find = |column: &str| headers.iter().position(|h| *h == column.to_lowercase());
    let missing = |column: &'static str| ImportError::MissingColumn {
        path: source.path.clone(),
        column,
    };
    let cols = Columns {
        attribuant_name: find("nomAttribuant"),
        attribuant_id: find("idAttribuant"),
        date: find("dateConvention"),
        decision: find("referenceDecision"),
        name: find("nomBeneficiaire").ok_or_else(|| missing("nomBeneficiaire"))?,
        id: find("idBeneficiaire"),
        rna: find("rnaBeneficiaire"),
        object: find("objet"),
        amount: find("montant").ok_or_else(|| missing("montant"))?,
        nature: find("nature"),
        share: find("pourcentageSubvention"),
    };
    if cols.id.is_none() && cols.rna.is_none() {
        return Err(missing("idBeneficiaire"));
    }
    let width = headers.len();
    let mut lines = Vec::new();
    let mut bytes = csv::ByteRecord::new();
    let mut record = csv::StringRecord::new();
    let mut latin1_warned = false;
    loop {
        match source.reader.read_byte_record(&mut bytes) {
            Ok(false) => break,
            Ok(true) => file.rows_read += 1,
            Err(e) if e.is_io_error() => return Err(source.error(&e)),
            Err(e) => {
                file.rows_read += 1;
                let line = source.lines.line(e.position());
                let (field, reason) = source.row_error(&e);
                report.reject(&mut file, line, &field, reason);
                continue;
            }
        }
        let line = source.lines.line(bytes.position());
        if decode(&bytes, &mut record) && !latin1_warned {
            latin1_warned = true;
            report.warn(
                name,
                0,
                "",
                "le fichier n’est pas en UTF-8 : il a été lu comme du Latin-1 \
                 (Windows-1252) ; vérifiez les noms accentués, ou enregistrez-le en UTF-8"
                    .into(),
            );
        }
        if record.len() != width {
            let hint = if record.len() > width {
                "un séparateur dans une valeur, sans guillemets ?"
            } else {
                "une ligne coupée ou incomplète ?"
            };
            report.reject(
                &mut file,
                line,
                "",
                format!(
                    "{} champs alors que l’en-tête en a {width} : {hint}",
                    record.len()
                ),
            );
            continue;
        }
        if record.iter().all(|f| f.trim().is_empty()) {
            report.reject(
                &mut file,
                line,
                "",
                "ligne vide : supprimez-la du fichier".into(),
            );
            continue;
        }
        let get = |c: Option<usize>| {
            c.and_then(|i| record.get(i))
                .map(str::trim)
                .filter(|v| !v.is_empty())
        };
        let text = |c: Option<usize>| get(c).map(str::to_owned);
        let amount = match parse_amount(get(Some(cols.amount)).unwrap_or_default()) {
            Ok(v) if v > MAX_AMOUNT => {
                let reason = format!(
                    "{}, soit {}, dépasse le plafond de {} par ligne : une erreur de saisie \
                     ou d’export (un montant en centimes ?)",
                    quoted(get(Some(cols.amount)).unwrap_or_default()),
                    euros(v),
                    euros(MAX_AMOUNT)
                );
                report.reject(&mut file, line, "montant", reason);
                continue;
            }
            Ok(v) => v,
            Err(reason) => {
                report.reject(&mut file, line, "montant", reason);
                continue;
            }
        };
        let share = match parse_share(get(cols.share).unwrap_or_default()) {
            Ok(Some(Share::Fraction(v))) => v,
            Ok(Some(Share::Percent(v))) => {
                report.warn(
                    name,
                    line,
                    "pourcentageSubvention",
                    format!(
                        "{} lu comme un pourcentage, soit une part de {} : le format SCDL \
                         attend une part entre 0 et 1",
                        quoted(get(cols.share).unwrap_or_default()),
                        number(v)
                    ),
                );
                v
            }
            Ok(None) => {
                report.warn(
                    name,
                    line,
                    "pourcentageSubvention",
                    "absent : le bénéficiaire est réputé recevoir la totalité du montant".into(),
                );
                1.0
            }
            Err(reason) => {
                report.reject(&mut file, line, "pourcentageSubvention", reason);
                continue;
            }
        };
        let convention_date = match parse_date(get(cols.date).unwrap_or_default()) {
            Ok(Some(d)) => Some(d),
            Ok(None) => {
                report.warn(
                    name,
                    line,
                    "dateConvention",
                    "date de la convention absente".into(),
                );
                None
            }
            Err(reason) => {
                report.reject(&mut file, line, "dateConvention", reason);
                continue;
            }
        };
        let beneficiary_id =
            parse_beneficiary_id(get(cols.id).unwrap_or_default()).unwrap_or_else(|reason| {
                report.warn(
                    name,
                    line,
                    "idBeneficiaire",
                    format!(
                        "{reason} : ignoré ; le bénéficiaire n’est rapproché que par son \
                         numéro RNA, s’il en a un"
                    ),
                );
                None
            });
        let rna = parse_rna(get(cols.rna).unwrap_or_default()).unwrap_or_else(|reason| {
            report.warn(name, line, "rnaBeneficiaire", format!("{reason} : ignoré"));
            None
        });
        if amount == 0.0 {
            report.warn(name, line, "montant", "montant de 0\u{a0}€".into());
        }
        let beneficiary_name = text(Some(cols.name)).unwrap_or_else(|| {
            report.warn(
                name,
                line,
                "nomBeneficiaire",
                "nom du bénéficiaire absent".into(),
            );
            String::new()
        });
        file.rows_kept += 1;
        lines.push(SubsidyLine {
            line,
            attribuant_name: text(cols.attribuant_name),
            attribuant_id: text(cols.attribuant_id),
            beneficiary_name,
            beneficiary_id,
            rna,
            convention_date,
            decision_reference: text(cols.decision),
            object: text(cols.object),
            nature: text(cols.nature),
            amount,
            share,
        });
    }
    report.files.push(file);
    report.seconds = started.elapsed().as_secs_f64();
    Ok(SubsidyFile {
        lines,
        report,
        name: name.to_owned(),
    })
}

#[cfg(test)]
#[expect(clippy::float_cmp, reason = "amounts in the tests are exact in f64")]
mod tests {
    use super::*;
    use crate::records::subsidies::BeneficiaryId;

    const HEADER: &str = "nomAttribuant,idAttribuant,dateConvention,referenceDecision,nomBeneficiaire,idBeneficiaire,rnaBeneficiaire,objet,montant,nature,conditionsVersement,datesPeriodeVersement,idRAE,notificationUE,pourcentageSubvention,dispositifAide";

    fn parse(text: &str) -> SubsidyFile {
        parse_subsidies(2023, "f.csv", text.as_bytes()).unwrap()
    }

    fn row(date: &str, id: &str, rna: &str, amount: &str, share: &str) -> String {
        format!(
            "Département,22620000400019,{date},CP-1,ASSO,{id},{rna},Objet,{amount},aide en numéraire,unique,,,non,{share},"
        )
    }

    fn assert_balanced(f: &SubsidyFile) {
        let r = &f.report.files[0];
        assert_eq!(r.rows_read, r.rows_kept + r.rows_rejected);
        assert_eq!(r.rows_kept as usize, f.lines.len());
    }

    #[test]
    fn the_reference_example_reads_whole() {
        let bytes = std::fs::read(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/reference/scdl-subventions-example.csv"
        ))
        .unwrap();
        let f = parse_subsidies(2025, "x.csv", &bytes).unwrap();
        assert_balanced(&f);
        assert_eq!(f.lines.len(), 4);
        assert_eq!(f.report.files[0].rows_rejected, 0);
        assert_eq!(f.lines[1].granted(), 18_000.0);
        assert_eq!(
            f.lines[1].beneficiary_id,
            Some(BeneficiaryId::Siret("80241377300010".into()))
        );
        assert_eq!(f.lines[2].beneficiary_id, None);
        assert_eq!(f.lines[2].rna.as_deref(), Some("W623004567"));
        assert_eq!(f.lines[0].line, 2);
        assert_eq!(f.lines[3].convention_date.as_deref(), Some("2025-06-02"));
    }

    #[test]
    fn a_semicolon_file_with_bom_and_decimal_commas_reads() {
        let text = format!(
            "\u{feff}{}\n{}\n",
            HEADER.replace(',', ";"),
            "Département;226;2023-03-01;CP-1;ASSO;779 584 127 00012;;Objet;12 500,50;aide en numéraire;unique;;;non;1,00;"
        );
        let f = parse(&text);
        assert_balanced(&f);
        assert_eq!(f.lines.len(), 1);
        assert_eq!(f.lines[0].amount, 12_500.5);
        assert_eq!(
            f.lines[0].beneficiary_id,
            Some(BeneficiaryId::Siret("77958412700012".into()))
        );
    }

    #[test]
    fn a_latin1_file_reads_with_a_warning() {
        let text = format!(
            "{HEADER}\n{}\n",
            row("2023-03-01", "", "W623000123", "100", "1")
        )
        .replace("ASSO", "ASSOCIATION DES FÊTES");
        let (latin1, _, _) = encoding_rs::WINDOWS_1252.encode(&text);
        let f = parse_subsidies(2023, "f.csv", &latin1).unwrap();
        assert_eq!(f.lines[0].beneficiary_name, "ASSOCIATION DES FÊTES");
        assert!(f.report.warnings[0].reason.contains("Latin-1"));
    }

    #[test]
    fn unreadable_amounts_and_impossible_dates_are_rejected_with_their_line() {
        let text = [
            HEADER.to_owned(),
            row("2023-03-01", "77958412700012", "", "1000", "1"),
            row("2023-03-01", "77958412700012", "", "", "1"),
            row("2023-02-30", "77958412700012", "", "1000", "1"),
            row("2023-03-01", "77958412700012", "", "mille", "1"),
            row("", "77958412700012", "", "1000", ""),
            row("2023-03-01", "77958412700012", "", "1000", "250"),
        ]
        .join("\n");
        let f = parse(&text);
        assert_balanced(&f);
        assert_eq!(f.lines.len(), 2);
        let rejected: Vec<(u64, &str)> = f
            .report
            .rejected
            .iter()
            .map(|r| (r.line, r.field.as_str()))
            .collect();
        assert_eq!(
            rejected,
            [
                (3, "montant"),
                (4, "dateConvention"),
                (5, "montant"),
                (7, "pourcentageSubvention")
            ]
        );
        // Missing date and share are accepted, with warnings.
        assert_eq!(f.lines[1].line, 6);
        assert_eq!(f.lines[1].share, 1.0);
        assert_eq!(f.lines[1].convention_date, None);
        assert_eq!(f.report.warnings_total, 2);
    }

    #[test]
    fn missing_optional_columns_are_accepted_and_required_ones_are_not() {
        let f = parse("nomBeneficiaire,idBeneficiaire,montant\nASSO,779584127,1500\n");
        assert_balanced(&f);
        assert_eq!(f.lines[0].share, 1.0);
        assert_eq!(
            f.lines[0].beneficiary_id,
            Some(BeneficiaryId::Siren("779584127".into()))
        );
        let err = parse_subsidies(2023, "f.csv", b"nomBeneficiaire,idBeneficiaire\nA,1\n");
        assert!(matches!(
            err,
            Err(ImportError::MissingColumn {
                column: "montant",
                ..
            })
        ));
    }

    #[test]
    fn a_row_wider_than_the_header_is_rejected_not_guessed() {
        // A decimal comma in a comma-separated file, unquoted.
        let f = parse("nomBeneficiaire,idBeneficiaire,montant\nASSO,779584127,1500,50\n");
        assert_balanced(&f);
        assert_eq!(f.lines.len(), 0);
        assert_eq!(f.report.rejected[0].line, 2);
    }
}
