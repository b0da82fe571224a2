//! Import of the regional ESS observatory's aggregates (CRESS "volet 1") for an
//! edition, in our documented CSV format (README, `reference/observatoire-exemple.csv`):
//!
//! `niveau,code,famille,secteur,etablissements,effectif,etp,masse_salariale`
//!
//! - `niveau`: `commune`, `epci`, `territoire` or `departement`; `code` the zone's code
//!   (INSEE code, SIREN, territory code, département code);
//! - `famille`: `ess` (the four families), a family id, or `economy` (all salaried
//!   employment of the zone, the denominator of the ESS share, from the same source);
//! - `secteur`: empty for all sectors, or a NAF section `A`–`U` (for `famille` `ess`);
//! - figures: employer establishments, jobs, FTE, payroll in euros; decimal point or
//!   comma; `s` (or `[s]`) where the observatory masked them.
//!
//! Every row is checked (width, zone known at its level, family and sector valid,
//! numbers readable and within the bounds of their column — [`MAX_ESTABLISHMENTS`],
//! [`MAX_JOBS`], [`MAX_PAYROLL`], [`PAYROLL_PER_JOB`] —, no duplicate); bad rows are
//! rejected with line, field and reason. The file must end with a line break: one
//! without was cut (a last line `…,4300,17` is not a payroll of 17 €).

use std::collections::HashMap;
use std::path::Path;
use std::time::Instant;

use super::Result;
use super::french::{euros, number as fr_number, quoted};
use super::source::{CsvOptions, with_csv};
use crate::ess::Family;
use crate::ess::category::Category;
use crate::geography::{Geography, Level};
use crate::records::observatory::{ObservatoryEdition, ObservatoryRow};
use crate::records::report::{FileReport, ImportReport};

fn parse_level(s: &str) -> Option<Level> {
    match s {
        "commune" => Some(Level::Commune),
        "epci" => Some(Level::Epci),
        "territoire" => Some(Level::Territory),
        "departement" | "département" => Some(Level::Department),
        _ => None,
    }
}

fn zone_exists(g: &Geography, level: Level, code: &str) -> bool {
    match level {
        Level::Commune => g.commune(code).is_some(),
        Level::Epci => g.epci_by_siren(code).is_some(),
        Level::Territory => g.territory(code).is_some(),
        Level::Department => g.department.code == code,
    }
}

/// A figure: `None` when empty or masked; an error for anything else unreadable.
fn number(text: &str) -> std::result::Result<Option<f64>, String> {
    let t = text.trim();
    if t.is_empty() || t.eq_ignore_ascii_case("s") || t == "[s]" {
        return Ok(None);
    }
    let cleaned: String = t
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '\u{202f}')
        .collect();
    cleaned
        .replace(',', ".")
        .parse::<f64>()
        .ok()
        .filter(|v| v.is_finite() && *v >= 0.0)
        .map(Some)
        .ok_or_else(|| {
            format!(
                "{} n’est pas un nombre positif ou nul (chiffres, virgule décimale ; « s » \
                 pour un chiffre masqué)",
                quoted(t)
            )
        })
}

/// Upper bounds per column, far above any French zone (the largest département has
/// some 150,000 employer establishments and 2 million jobs): a figure above is a typing
/// or export error.
pub const MAX_ESTABLISHMENTS: f64 = 1_000_000.0;
/// See [`MAX_ESTABLISHMENTS`]; also for `etp`.
pub const MAX_JOBS: f64 = 10_000_000.0;
/// See [`MAX_ESTABLISHMENTS`]: 500 billion euros.
pub const MAX_PAYROLL: f64 = 500e9;
/// Payroll per job and year, in euros, outside which a row is rejected (a payroll of
/// 17 € for 4,300 jobs is a cut number, not a figure).
pub const PAYROLL_PER_JOB: std::ops::RangeInclusive<f64> = 1_000.0..=1_000_000.0;

/// The first figure of a row that cannot be right: above its column's bound, fewer
/// jobs than employer establishments, or a payroll per job outside [`PAYROLL_PER_JOB`].
fn implausible(values: &[Option<f64>; 4]) -> Option<(&'static str, String)> {
    let [establishments, jobs, fte, payroll] = *values;
    let above = |v: Option<f64>, max: f64| v.filter(|v| *v > max);
    if let Some(v) = above(establishments, MAX_ESTABLISHMENTS) {
        return Some(("etablissements", above_bound(v, MAX_ESTABLISHMENTS)));
    }
    if establishments.is_some_and(|e| e.fract() != 0.0) {
        return Some((
            "etablissements",
            format!(
                "{} : un nombre d’établissements est un nombre entier",
                fr_number(establishments.unwrap_or_default())
            ),
        ));
    }
    if let Some(v) = above(jobs, MAX_JOBS) {
        return Some(("effectif", above_bound(v, MAX_JOBS)));
    }
    if let Some(v) = above(fte, MAX_JOBS) {
        return Some(("etp", above_bound(v, MAX_JOBS)));
    }
    if let Some(v) = above(payroll, MAX_PAYROLL) {
        return Some(("masse_salariale", above_bound(v, MAX_PAYROLL)));
    }
    if let (Some(e), Some(j)) = (establishments, jobs)
        && j < e
    {
        return Some((
            "effectif",
            format!(
                "{} emplois pour {} établissements employeurs, alors que chacun emploie au \
                 moins une personne : vérifiez les colonnes effectif et etablissements",
                fr_number(j),
                fr_number(e)
            ),
        ));
    }
    if let (Some(j), Some(p)) = (jobs, payroll)
        && j > 0.0
        && !PAYROLL_PER_JOB.contains(&(p / j))
    {
        return Some((
            "masse_salariale",
            format!(
                "{} pour {} emplois, soit {} par emploi et par an, hors de l’intervalle de \
                 {} à {} : un chiffre coupé ou dans une autre unité (k€) ?",
                euros(p),
                fr_number(j),
                euros((p / j).round()),
                euros(*PAYROLL_PER_JOB.start()),
                euros(*PAYROLL_PER_JOB.end())
            ),
        ));
    }
    None
}

/// The reason for a figure above its column's bound.
fn above_bound(v: f64, max: f64) -> String {
    format!(
        "{} dépasse le maximum de {} pour cette colonne : une erreur de saisie ou d’export ?",
        fr_number(v),
        fr_number(max)
    )
}

/// Reads an observatory file for `edition`.
#[allow(clippy::too_many_lines)] // the import loop reads one row in one place (columns, bounds, report)
pub fn read_observatory(
    geography: &Geography,
    edition: i64,
    path: &Path,
) -> Result<ObservatoryEdition> {
    let started = Instant::now();
    let mut report = ImportReport::new("observatoire", edition);
    let options = CsvOptions {
        delimiter: Some(b','),
        expected_name: "",
        final_newline: true,
    };
    let rows = with_csv(path, &options, |source| {
        let col = |name: &'static str| source.column(name);
        let cols = [
            col("niveau")?,
            col("code")?,
            col("famille")?,
            col("secteur")?,
            col("etablissements")?,
            col("effectif")?,
            col("etp")?,
            col("masse_salariale")?,
        ];
        let mut file = FileReport::new(&source.name);
        let mut rows = Vec::new();
        let mut seen = HashMap::new();
        let mut record = csv::StringRecord::new();
        loop {
            match source.reader.read_record(&mut record) {
                Ok(false) => break,
                Ok(true) => file.rows_read += 1,
                Err(e) => {
                    file.rows_read += 1;
                    let line = source.lines.line(e.position());
                    if e.is_io_error() {
                        return Err(source.error(&e));
                    }
                    let (field, reason) = source.row_error(&e);
                    report.reject(&mut file, line, &field, reason);
                    continue;
                }
            }
            let line = source.lines.line(record.position());
            if record.len() != source.headers.len() {
                let reason = format!(
                    "{} champs alors que l’en-tête en a {} : une ligne coupée, ou une valeur \
                     contenant une virgule sans guillemets ?",
                    record.len(),
                    source.headers.len()
                );
                report.reject(&mut file, line, "", reason);
                continue;
            }
            let field = |i: usize| record.get(cols[i]).unwrap_or_default().trim();
            let Some(level) = parse_level(field(0)) else {
                report.reject(
                    &mut file,
                    line,
                    "niveau",
                    format!(
                        "{} n’est pas un niveau : commune, epci, territoire ou departement \
                         attendu",
                        quoted(field(0))
                    ),
                );
                continue;
            };
            let code = field(1).to_owned();
            if !zone_exists(geography, level, &code) {
                report.reject(
                    &mut file,
                    line,
                    "code",
                    format!(
                        "aucune zone de niveau {} n’a le code {} dans la géographie du \
                         département : code erroné, ou d’un autre niveau ?",
                        field(0),
                        quoted(&code)
                    ),
                );
                continue;
            }
            let family = field(2).to_owned();
            if !(family == "ess" || family == "economy" || Family::from_id(&family).is_some()) {
                report.reject(
                    &mut file,
                    line,
                    "famille",
                    format!(
                        "{} n’est pas une famille : ess, economy ou l’une de {} attendue",
                        quoted(&family),
                        Family::ALL.map(Family::id).join(", ")
                    ),
                );
                continue;
            }
            let sector = field(3).to_uppercase();
            if !sector.is_empty() && Category::sector(&sector).is_none() {
                report.reject(
                    &mut file,
                    line,
                    "secteur",
                    format!(
                        "{} n’est pas une section NAF (une lettre de A à U)",
                        quoted(&sector)
                    ),
                );
                continue;
            }
            if family != "ess" && !sector.is_empty() {
                report.reject(
                    &mut file,
                    line,
                    "secteur",
                    format!(
                        "seul le total de l’ESS (famille ess) est détaillé par secteur : \
                         laissez la colonne secteur vide pour la famille {}",
                        quoted(&family)
                    ),
                );
                continue;
            }
            let mut values = [None; 4];
            let mut bad = None;
            for (k, (name, i)) in [
                ("etablissements", 4),
                ("effectif", 5),
                ("etp", 6),
                ("masse_salariale", 7),
            ]
            .into_iter()
            .enumerate()
            {
                match number(field(i)) {
                    Ok(v) => values[k] = v,
                    Err(reason) => {
                        bad = Some((name, reason));
                        break;
                    }
                }
            }
            if bad.is_none() {
                bad = implausible(&values);
            }
            if let Some((name, reason)) = bad {
                report.reject(&mut file, line, name, reason);
                continue;
            }
            let key = (level, code.clone(), family.clone(), sector.clone());
            if let Some(&first) = seen.get(&key) {
                let sector = if sector.is_empty() {
                    "tous"
                } else {
                    sector.as_str()
                };
                report.reject(
                    &mut file,
                    line,
                    "",
                    format!(
                        "ligne en double : {} {code}, famille {family}, secteur {sector} déjà \
                         donnés ligne {} ; supprimez l’une des deux",
                        field(0),
                        first
                    ),
                );
                continue;
            }
            seen.insert(key, line);
            let masked = values.iter().all(Option::is_none);
            file.rows_kept += 1;
            rows.push(ObservatoryRow {
                level,
                code,
                family,
                sector,
                establishments: values[0].map(|v| v.round() as u64),
                jobs: values[1],
                fte: values[2],
                payroll: values[3],
                masked,
            });
        }
        if file.rows_read == 0 {
            return Err(source.no_rows());
        }
        report.files.push(file);
        Ok(rows)
    })?;
    report.seconds = started.elapsed().as_secs_f64();
    report
        .summary
        .insert("rows".into(), serde_json::json!(rows.len()));
    Ok(ObservatoryEdition { rows, report })
}
