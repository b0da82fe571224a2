//! Step 1 of the SIRENE import (see the module docs of [`super`]): the establishments
//! file. Each row goes through named steps: find its commune (cheap, and most rows of a
//! national file are elsewhere), check its fields, keep it only if active at the
//! reference date, count it in the economy, and keep it as a [`Candidate`] until its
//! unit is known.

use std::collections::BTreeMap;

use super::reading::{Progress, has_width, next_record, value};
use crate::ess::identifiers::{Siret, siret_key_ok};
use crate::ess::reference::division_of;
use crate::ess::size;
use crate::geography::Geography;
use crate::import::Result;
use crate::import::french::quoted;
use crate::import::progress::{Step, Watch};
use crate::import::source::CsvSource;
use crate::records::report::{FileReport, ImportReport};
use crate::records::sirene::{EconomyCell, EconomyKey};
use crate::time::is_iso_date;

/// What an establishment row gives before its unit is known. Every active
/// establishment of the geography waits as one of these until the units file has been
/// read — some 25 million for all of France — so it is kept small: identifiers inline,
/// text fields in one allocation ([`Details`]).
pub(super) struct Candidate {
    pub(super) line: u64,
    pub(super) siret: Siret,
    pub(super) commune: u32,
    pub(super) siege: bool,
    /// Lambert-93 point from the stock file.
    pub(super) xy: Option<(f64, f64)>,
    /// WGS84 point from the geolocation file, which takes precedence.
    pub(super) lonlat: Option<(f64, f64)>,
    pub(super) details: Details,
}

/// The text fields of a [`Candidate`], in one string separated by U+001F (unit
/// separator; any in a value becomes a space). Seven `Option<String>`s would cost
/// seven allocations and 168 bytes of headers per establishment.
pub(super) struct Details(Box<str>);

impl Details {
    pub(super) const ENSEIGNE: usize = 0;
    pub(super) const USUAL_NAME: usize = 1;
    pub(super) const NAF: usize = 2;
    pub(super) const SIZE_BAND: usize = 3;
    pub(super) const CREATION_DATE: usize = 4;
    pub(super) const DIFFUSION: usize = 5;
    pub(super) const ADDRESS: usize = 6;
    const SEPARATOR: char = '\u{1f}';

    /// Fields in the order of the constants above; `None` and empty are the same.
    fn new(fields: [Option<&str>; 7]) -> Self {
        let mut s = String::with_capacity(fields.iter().flatten().map(|f| f.len() + 1).sum());
        for (i, field) in fields.iter().enumerate() {
            if i > 0 {
                s.push(Self::SEPARATOR);
            }
            if let Some(f) = field {
                s.extend(
                    f.chars()
                        .map(|c| if c == Self::SEPARATOR { ' ' } else { c }),
                );
            }
        }
        Self(s.into_boxed_str())
    }

    pub(super) fn get(&self, field: usize) -> Option<&str> {
        self.0
            .split(Self::SEPARATOR)
            .nth(field)
            .filter(|v| !v.is_empty())
    }

    pub(super) fn owned(&self, field: usize) -> Option<String> {
        self.get(field).map(str::to_owned)
    }
}

/// Column positions in `StockEtablissement`.
struct Columns {
    siret: usize,
    siren: usize,
    commune: usize,
    etat: usize,
    debut: usize,
    creation: usize,
    band: usize,
    naf: usize,
    siege: usize,
    diffusion: usize,
    x: Option<usize>,
    y: Option<usize>,
    enseigne: Option<usize>,
    usual_name: Option<usize>,
    street: [Option<usize>; 4],
    postcode: Option<usize>,
    city: Option<usize>,
}

impl Columns {
    fn bind(source: &CsvSource<'_>) -> Result<Self> {
        let col = |name: &'static str| source.column(name);
        let opt = |name: &str| source.optional_column(name);
        Ok(Self {
            siret: col("siret")?,
            siren: col("siren")?,
            commune: col("codeCommuneEtablissement")?,
            etat: col("etatAdministratifEtablissement")?,
            debut: col("dateDebut")?,
            creation: col("dateCreationEtablissement")?,
            band: col("trancheEffectifsEtablissement")?,
            naf: col("activitePrincipaleEtablissement")?,
            siege: col("etablissementSiege")?,
            diffusion: col("statutDiffusionEtablissement")?,
            x: opt("coordonneeLambertAbscisseEtablissement"),
            y: opt("coordonneeLambertOrdonneeEtablissement"),
            enseigne: opt("enseigne1Etablissement"),
            usual_name: opt("denominationUsuelleEtablissement"),
            street: [
                opt("numeroVoieEtablissement"),
                opt("indiceRepetitionEtablissement"),
                opt("typeVoieEtablissement"),
                opt("libelleVoieEtablissement"),
            ],
            postcode: opt("codePostalEtablissement"),
            city: opt("libelleCommuneEtablissement"),
        })
    }
}

/// One row being read: the record, its line, and where its problems go.
struct Row<'a> {
    record: &'a csv::StringRecord,
    line: u64,
    file: &'a mut FileReport,
    report: &'a mut ImportReport,
}

impl Row<'_> {
    fn get(&self, column: usize) -> &str {
        self.record.get(column).unwrap_or_default().trim()
    }

    fn reject(&mut self, field: &str, reason: String) {
        self.report.reject(self.file, self.line, field, reason);
    }
}

/// The fields of a row that passed [`check_fields`].
struct Checked<'r> {
    siret: Siret,
    creation: Option<&'r str>,
    band: Option<&'r str>,
}

/// Step 1: see the module docs.
pub(super) fn read_establishments(
    geography: &Geography,
    reference_date: &str,
    source: &mut CsvSource<'_>,
    report: &mut ImportReport,
    progress: &Watch,
) -> Result<Vec<Candidate>> {
    let cols = Columns::bind(source)?;
    let width = source.headers.len();
    let department = geography.department.code.clone();
    let mut file = FileReport::new(&source.name);
    let bar = Progress::new(progress, Step::Etablissements, source);
    let mut record = csv::StringRecord::new();
    let mut candidates = Vec::new();
    loop {
        match next_record(source, &mut record, &mut file, report, &bar)? {
            Some(true) => {}
            Some(false) => continue,
            None => break,
        }
        let line = source.lines.line(record.position());
        if !has_width(&record, width, line, &mut file, report) {
            continue;
        }
        let mut row = Row {
            record: &record,
            line,
            file: &mut file,
            report,
        };
        let Some(commune) = find_commune(geography, &department, &cols, &mut row) else {
            continue;
        };
        let Some(checked) = check_fields(&cols, &mut row) else {
            continue;
        };
        match in_edition(&cols, &mut row, &checked, reference_date) {
            Some(Ok(())) => {}
            Some(Err(reason)) => {
                row.file.exclude(reason);
                continue;
            }
            None => continue,
        }
        candidates.push(candidate(&cols, &row, commune, &checked));
    }
    if file.rows_read == 0 {
        return Err(source.no_rows());
    }
    // Candidates are counted as kept or excluded when joined with their unit.
    report.files.push(file);
    Ok(candidates)
}

/// The row's commune in the geography; `None` when the row is elsewhere (excluded) or
/// names a commune of the département that does not exist (rejected).
fn find_commune(
    geography: &Geography,
    department: &str,
    cols: &Columns,
    row: &mut Row<'_>,
) -> Option<usize> {
    let code = row.get(cols.commune);
    if let Some(commune) = geography.commune_position(code) {
        return Some(commune);
    }
    if code.starts_with(department) {
        let reason = format!(
            "la commune {} n’existe pas dans la géographie du département (code INSEE erroné, \
             ou commune fusionnée depuis ?)",
            quoted(code)
        );
        row.reject("codeCommuneEtablissement", reason);
    } else {
        row.file.exclude("outside_departement");
    }
    None
}

/// Checks the identifiers, creation date and size band; rejects the row (`None`) when
/// one is malformed.
fn check_fields<'r>(cols: &Columns, row: &mut Row<'r>) -> Option<Checked<'r>> {
    let record = row.record;
    let siret = record.get(cols.siret).unwrap_or_default().trim();
    let siren = record.get(cols.siren).unwrap_or_default().trim();
    let Some(number) = Siret::parse(siret) else {
        row.reject(
            "siret",
            format!("SIRET {} : 14 chiffres attendus", quoted(siret)),
        );
        return None;
    };
    if siren != number.siren() {
        row.reject(
            "siren",
            format!(
                "le SIREN {} n’est pas le début du SIRET {siret}",
                quoted(siren)
            ),
        );
        return None;
    }
    if !siret_key_ok(siret) {
        // Kept: INSEE's register is the reference, but the number deserves a look.
        let name = row.file.file.clone();
        row.report.warn(
            &name,
            row.line,
            "siret",
            format!(
                "SIRET {siret} : la clé de contrôle (Luhn) est fausse ; établissement \
                 conservé tel que l’INSEE le publie"
            ),
        );
    }
    let creation = value(record, Some(cols.creation));
    if let Some(d) = creation
        && !is_iso_date(d)
    {
        row.reject(
            "dateCreationEtablissement",
            format!("{} n’est pas une date AAAA-MM-JJ", quoted(d)),
        );
        return None;
    }
    let band = value(record, Some(cols.band));
    if let Some(b) = band
        && !size::is_known(b)
    {
        row.reject(
            "trancheEffectifsEtablissement",
            format!("tranche d’effectif {} inconnue", quoted(b)),
        );
        return None;
    }
    Some(Checked {
        siret: number,
        creation,
        band,
    })
}

/// Whether the establishment belongs to the edition: `Some(Ok(()))` when active at
/// the reference date, `Some(Err(reason))` when excluded, `None` when its state is
/// unknown (rejected).
fn in_edition(
    cols: &Columns,
    row: &mut Row<'_>,
    checked: &Checked<'_>,
    reference_date: &str,
) -> Option<std::result::Result<(), &'static str>> {
    let etat = row.get(cols.etat).to_owned();
    let debut = value(row.record, Some(cols.debut)).unwrap_or_default();
    // Active at the reference date: open now, or closed after it.
    let active = match etat.as_str() {
        "A" => true,
        "F" => is_iso_date(debut) && debut > reference_date,
        other => {
            let reason = format!(
                "état administratif {} inconnu : A (actif) ou F (fermé) attendu",
                quoted(other)
            );
            row.reject("etatAdministratifEtablissement", reason);
            return None;
        }
    };
    Some(if !active {
        Err("closed")
    } else if checked.creation.is_some_and(|d| d > reference_date) {
        Err("created_after_reference_date")
    } else {
        Ok(())
    })
}

/// Adds an active establishment to the economy's aggregates (ESS or not), apart
/// when it is protected (see [`EconomyKey`]).
pub(super) fn count_in_economy(
    economy: &mut BTreeMap<EconomyKey, EconomyCell>,
    code_insee: &str,
    candidate: &Candidate,
    protected: bool,
) {
    let details = &candidate.details;
    let section = details
        .get(Details::NAF)
        .and_then(division_of)
        .map(|d| d.section.clone())
        .unwrap_or_default();
    let band = details.get(Details::SIZE_BAND);
    let cell = economy
        .entry(EconomyKey {
            code_insee: code_insee.to_owned(),
            naf_section: section,
            size_band: band.unwrap_or_default().to_owned(),
            protected,
        })
        .or_default();
    cell.establishments += 1;
    cell.jobs_estimate += band.map_or(0.0, size::estimated_jobs);
    cell.employers += u64::from(band.is_some_and(size::is_employer));
}

/// The row as it waits for its unit.
fn candidate(cols: &Columns, row: &Row<'_>, commune: usize, checked: &Checked<'_>) -> Candidate {
    let record = row.record;
    let xy = match (value(record, cols.x), value(record, cols.y)) {
        (Some(x), Some(y)) => x.parse::<f64>().ok().zip(y.parse::<f64>().ok()),
        _ => None,
    };
    let raw_diffusion = row.get(cols.diffusion);
    Candidate {
        line: row.line,
        siret: checked.siret,
        // Fewer than 4 billion communes.
        commune: commune as u32,
        siege: row.get(cols.siege) == "true",
        xy,
        lonlat: None,
        details: Details::new([
            value(record, cols.enseigne),
            value(record, cols.usual_name),
            value(record, Some(cols.naf)),
            checked.band,
            checked.creation,
            Some(if raw_diffusion.is_empty() {
                "O"
            } else {
                raw_diffusion
            }),
            address(cols, record).as_deref(),
        ]),
    }
}

/// Street, then postcode and city, as one line.
fn address(cols: &Columns, record: &csv::StringRecord) -> Option<String> {
    let street = cols
        .street
        .iter()
        .filter_map(|c| value(record, *c))
        .collect::<Vec<_>>()
        .join(" ");
    let city = [value(record, cols.postcode), value(record, cols.city)]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" ");
    match (street.is_empty(), city.is_empty()) {
        (true, true) => None,
        (false, true) => Some(street),
        (true, false) => Some(city),
        (false, false) => Some(format!("{street}, {city}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn details_give_back_each_field_and_none_for_missing_ones() {
        let d = Details::new([
            Some("LES AMIS"),
            None,
            Some("88.99B"),
            Some("11"),
            None,
            Some("P"),
            Some("12 RUE DES\u{1f}FLEURS, 62000 ARRAS"),
        ]);
        assert_eq!(d.get(Details::ENSEIGNE), Some("LES AMIS"));
        assert_eq!(d.get(Details::USUAL_NAME), None);
        assert_eq!(d.get(Details::NAF), Some("88.99B"));
        assert_eq!(d.get(Details::SIZE_BAND), Some("11"));
        assert_eq!(d.get(Details::CREATION_DATE), None);
        assert_eq!(d.get(Details::DIFFUSION), Some("P"));
        // A separator inside a value cannot shift the fields after it.
        assert_eq!(
            d.get(Details::ADDRESS),
            Some("12 RUE DES FLEURS, 62000 ARRAS")
        );
        let empty = Details::new([None; 7]);
        assert!((0..7).all(|i| empty.get(i).is_none()));
    }
}
