//! Import of INSEE's SIRENE stock files into one edition of the ESS registry.
//!
//! Steps (each file streams; memory is bounded by the département's share of the
//! register, not by the national file):
//! 1. `StockEtablissement`: keep the establishments located in a commune of the
//!    geography and active at the edition's reference date; reject malformed rows
//!    (with line, field and reason); add every kept one to the economy's aggregates
//!    (commune × NAF section × size band), the denominator of employment shares.
//! 2. `StockUniteLegale`: read the units of those establishments only, and apply the
//!    ESS perimeter rule ([`crate::ess::perimeter`]).
//! 3. Optional geolocation file (`;`-separated): better coordinates by SIRET.
//! 4. Locate: the commune code decides the commune; a Lambert-93 point is converted
//!    for display and kept if within [`MAX_OUTSIDE_M`] of its commune; otherwise (or
//!    with no point) a deterministic point inside the commune, flagged approximate.
//!
//! The result ([`SireneEdition`]) is written by the database layer in one transaction.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Instant;

use geo::{Contains, Distance, Euclidean, MapCoords, Point};
use serde::Serialize;

use super::report::{FileReport, ImportReport};
use super::source::{CsvSource, with_csv};
use super::{ImportError, Result};
use crate::ess::identifiers::siret_key_ok;
use crate::ess::perimeter::{Classification, Exclusion, Family, classify};
use crate::ess::reference::division_of;
use crate::ess::size;
use crate::geography::{Geography, fold_for_search};
use crate::spatial::projection::lambert93_to_lonlat;

/// A point farther than this from its commune is not trusted (BRIEF: 2 km).
pub const MAX_OUTSIDE_M: f64 = 2_000.0;

/// The literal INSEE writes in place of a value that is not diffusible.
const MASKED: &str = "[ND]";

#[derive(Debug, Clone)]
pub struct SireneFiles {
    pub unites_legales: PathBuf,
    pub etablissements: PathBuf,
    pub geolocalisation: Option<PathBuf>,
}

/// One ESS establishment as the edition keeps it.
#[derive(Debug, Clone, Serialize)]
pub struct EstablishmentRow {
    pub siret: String,
    pub siren: String,
    pub name: String,
    pub enseigne: Option<String>,
    pub family: Family,
    pub categorie_juridique: String,
    pub naf: Option<String>,
    pub naf_section: Option<String>,
    pub ess_group: Option<String>,
    pub size_band: Option<String>,
    pub jobs_estimate: f64,
    pub employer: bool,
    pub siege: bool,
    pub creation_date: Option<String>,
    pub code_insee: String,
    pub rna: Option<String>,
    /// `O` when both unit and establishment are diffusible, else their status.
    pub diffusion: String,
    pub protected: bool,
    pub address: Option<String>,
    pub lon: Option<f64>,
    pub lat: Option<f64>,
    pub location_approximate: bool,
    pub search_key: String,
}

/// Every active establishment of the geography, aggregated (ESS or not).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct EconomyCell {
    pub establishments: u64,
    pub employers: u64,
    pub jobs_estimate: f64,
}

/// `(code_insee, naf_section, size_band)`; empty strings for unknown.
pub type EconomyKey = (String, String, String);

/// A SIRET held inline: 14 ASCII digits, no allocation. A national import holds
/// some 25 million of them at once.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Siret([u8; 14]);

impl Siret {
    /// `None` unless `s` is 14 ASCII digits.
    #[must_use]
    pub fn parse(s: &str) -> Option<Self> {
        let bytes: [u8; 14] = s.as_bytes().try_into().ok()?;
        bytes.iter().all(u8::is_ascii_digit).then_some(Self(bytes))
    }

    #[must_use]
    pub fn as_str(&self) -> &str {
        // Digits only (see `parse`), so always UTF-8.
        std::str::from_utf8(&self.0).unwrap_or_default()
    }

    /// The SIREN: the SIRET's first nine digits.
    #[must_use]
    pub fn siren(&self) -> &str {
        &self.as_str()[..9]
    }

    /// The SIREN as a number (nine digits fit a `u32`), the key of the units map.
    fn siren_key(self) -> u32 {
        digits_value(&self.0[..9])
    }
}

/// A SIREN as a number: `None` unless nine ASCII digits.
fn siren_key(s: &str) -> Option<u32> {
    is_digits(s, 9).then(|| digits_value(s.as_bytes()))
}

/// The number written by ASCII digits (checked by the callers).
fn digits_value(digits: &[u8]) -> u32 {
    digits.iter().fold(0, |n, d| n * 10 + u32::from(d - b'0'))
}

/// An active establishment of the geography whose unit is not ESS: kept (compactly:
/// a national file has ~23 million) only so that a subsidy to it is recognised as
/// going outside the ESS.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OtherEstablishmentRow {
    pub siret: Siret,
    pub rna: Option<Box<str>>,
    pub siege: bool,
    /// Shared by every row of the commune.
    pub code_insee: Arc<str>,
    /// `not_ess`, `excluded_activity_public_administration`, …
    pub reason: &'static str,
}

pub struct SireneEdition {
    pub establishments: Vec<EstablishmentRow>,
    /// Non-ESS establishments of the geography (for matching subsidies).
    pub others: Vec<OtherEstablishmentRow>,
    pub economy: BTreeMap<EconomyKey, EconomyCell>,
    pub report: ImportReport,
}

/// What an establishment row gives before its unit is known. Every active
/// establishment of the geography waits as one of these until the units file has been
/// read — some 25 million for all of France — so it is kept small: identifiers inline,
/// text fields in one allocation ([`Details`]).
struct Candidate {
    line: u64,
    siret: Siret,
    commune: u32,
    siege: bool,
    /// Lambert-93 point from the stock file.
    xy: Option<(f64, f64)>,
    /// WGS84 point from the geolocation file, which takes precedence.
    lonlat: Option<(f64, f64)>,
    details: Details,
}

/// The text fields of a [`Candidate`], in one string separated by U+001F (unit
/// separator; any in a value becomes a space). Seven `Option<String>`s would cost
/// seven allocations and 168 bytes of headers per establishment.
struct Details(Box<str>);

impl Details {
    const ENSEIGNE: usize = 0;
    const USUAL_NAME: usize = 1;
    const NAF: usize = 2;
    const SIZE_BAND: usize = 3;
    const CREATION_DATE: usize = 4;
    const DIFFUSION: usize = 5;
    const ADDRESS: usize = 6;
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

    fn get(&self, field: usize) -> Option<&str> {
        self.0
            .split(Self::SEPARATOR)
            .nth(field)
            .filter(|v| !v.is_empty())
    }

    fn owned(&self, field: usize) -> Option<String> {
        self.get(field).map(str::to_owned)
    }
}

/// What the units file says of an ESS unit.
struct EssUnit {
    family: Family,
    categorie_juridique: String,
    name: Option<String>,
    rna: Option<String>,
    diffusion: String,
}

/// What the units file says of a unit the edition needs; small (24 bytes), as a
/// national import keeps ~20 million of them.
enum UnitVerdict {
    Ess(Box<EssUnit>),
    Excluded(Exclusion, Option<Box<str>>),
    /// Not ESS; the unit's RNA number when it has one.
    NotEss(Option<Box<str>>),
}

/// A value, or `None` when empty or masked.
fn value(record: &csv::StringRecord, column: Option<usize>) -> Option<&str> {
    let v = record.get(column?)?.trim();
    (!v.is_empty() && v != MASKED).then_some(v)
}

fn is_digits(s: &str, len: usize) -> bool {
    s.len() == len && s.bytes().all(|b| b.is_ascii_digit())
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

/// Progress on a terminal; nothing otherwise (the caller logs one summary line).
struct Progress(Option<indicatif::ProgressBar>);

impl Progress {
    fn new(enabled: bool, source: &CsvSource<'_>) -> Self {
        if !enabled || !std::io::stderr().is_terminal() {
            return Self(None);
        }
        let bar = indicatif::ProgressBar::new(source.total.unwrap_or(0));
        bar.set_style(
            indicatif::ProgressStyle::with_template(
                "{msg:30} [{bar:40}] {bytes}/{total_bytes} ({eta})",
            )
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
        );
        bar.set_message(source.name.clone());
        Self(Some(bar))
    }

    fn tick(&self, source: &CsvSource<'_>) {
        if let Some(bar) = &self.0 {
            bar.set_position(source.consumed.load(Ordering::Relaxed));
        }
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        if let Some(bar) = &self.0 {
            bar.finish_and_clear();
        }
    }
}

/// Reads the next record into `record`, counting it: `Some(true)` for a record to
/// process, `Some(false)` for an unreadable row (rejected and reported), `None` at the
/// end. An I/O error aborts the import.
fn next_record(
    source: &mut CsvSource<'_>,
    record: &mut csv::StringRecord,
    file: &mut FileReport,
    report: &mut ImportReport,
    bar: &Progress,
) -> Result<Option<bool>> {
    match source.reader.read_record(record) {
        Ok(false) => Ok(None),
        Ok(true) => {
            file.rows_read += 1;
            if file.rows_read.is_multiple_of(65_536) {
                bar.tick(source);
            }
            Ok(Some(true))
        }
        Err(e) => {
            let line = source.lines.line(e.position());
            if e.is_io_error() {
                return Err(ImportError::Unreadable {
                    path: source.path.clone(),
                    line,
                    message: e.to_string(),
                });
            }
            // Invalid UTF-8 in a row: reject it and go on.
            file.rows_read += 1;
            report.reject(file, line, "", format!("unreadable row: {e}"));
            Ok(Some(false))
        }
    }
}

/// Rejects a row whose field count differs from the header's (a truncated or
/// malformed line); `true` when the row is whole.
fn has_width(
    record: &csv::StringRecord,
    width: usize,
    line: u64,
    file: &mut FileReport,
    report: &mut ImportReport,
) -> bool {
    if record.len() == width {
        return true;
    }
    report.reject(
        file,
        line,
        "",
        format!(
            "expected {width} fields, found {} (truncated or malformed line)",
            record.len()
        ),
    );
    false
}

/// Reads the SIRENE files of one edition. Blocking and CPU-bound.
///
/// `reference_date` (`AAAA-MM-JJ`) decides which establishments were active.
pub fn read_sirene(
    geography: &Geography,
    edition: i64,
    reference_date: &str,
    files: &SireneFiles,
    progress: bool,
) -> Result<SireneEdition> {
    if !is_iso_date(reference_date) {
        return Err(ImportError::Invalid(format!(
            "reference date {reference_date:?} is not a date AAAA-MM-JJ"
        )));
    }
    let started = Instant::now();
    let mut report = ImportReport::new("sirene", edition);
    let mut economy: BTreeMap<EconomyKey, EconomyCell> = BTreeMap::new();

    let candidates = with_csv(&files.etablissements, b',', |source| {
        read_establishments(
            geography,
            reference_date,
            source,
            &mut report,
            &mut economy,
            progress,
        )
    })?;
    let needed: HashSet<u32> = candidates.iter().map(|c| c.siret.siren_key()).collect();
    let units = with_csv(&files.unites_legales, b',', |source| {
        read_units(source, &needed, &mut report, progress)
    })?;
    let mut candidates = candidates;
    if let Some(path) = &files.geolocalisation {
        with_csv(path, b';', |source| {
            read_geolocation(source, &mut candidates, &mut report, progress)
        })?;
    }

    // Join, classify, locate.
    let et_file = report
        .files
        .iter()
        .position(|f| f.file == file_name(&files.etablissements))
        .unwrap_or(0);
    let codes: Vec<Arc<str>> = geography
        .communes
        .iter()
        .map(|c| Arc::from(c.zone.code.as_str()))
        .collect();
    let mut establishments = Vec::new();
    let mut others = Vec::new();
    for c in candidates {
        let verdict = units.get(&c.siret.siren_key());
        match verdict {
            Some(UnitVerdict::Ess(unit)) => {
                report.files[et_file].rows_kept += 1;
                let file = report.files[et_file].file.clone();
                let row = build_row(geography, &c, unit, &file, &mut report);
                establishments.push(row);
            }
            Some(UnitVerdict::Excluded(exclusion, rna)) => {
                let reason = match exclusion {
                    Exclusion::PublicAdministration => "excluded_activity_public_administration",
                    Exclusion::ExcludedOrganisation => "excluded_activity_organisation",
                };
                report.files[et_file].exclude(reason);
                others.push(other_row(&codes, &c, rna.clone(), reason));
            }
            Some(UnitVerdict::NotEss(rna)) => {
                report.files[et_file].exclude("not_ess");
                others.push(other_row(&codes, &c, rna.clone(), "not_ess"));
            }
            None => {
                report.files[et_file].exclude("unit_not_found");
                let name = report.files[et_file].file.clone();
                report.warn(
                    &name,
                    c.line,
                    "siren",
                    format!("unit {} is not in the units file", c.siret.siren()),
                );
            }
        }
    }
    establishments.sort_by(|a, b| a.siret.cmp(&b.siret));
    others.sort_unstable_by_key(|r| r.siret);

    summarise(&mut report, &establishments);
    report.seconds = started.elapsed().as_secs_f64();
    Ok(SireneEdition {
        establishments,
        others,
        economy,
        report,
    })
}

fn other_row(
    codes: &[Arc<str>],
    c: &Candidate,
    rna: Option<Box<str>>,
    reason: &'static str,
) -> OtherEstablishmentRow {
    OtherEstablishmentRow {
        siret: c.siret,
        rna,
        siege: c.siege,
        code_insee: Arc::clone(&codes[c.commune as usize]),
        reason,
    }
}

fn file_name(path: &Path) -> String {
    path.file_name().map_or_else(
        || path.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    )
}

/// Step 1: see the module docs.
fn read_establishments(
    geography: &Geography,
    reference_date: &str,
    source: &mut CsvSource<'_>,
    report: &mut ImportReport,
    economy: &mut BTreeMap<EconomyKey, EconomyCell>,
    progress: bool,
) -> Result<Vec<Candidate>> {
    let col = |name: &'static str| source.column(name);
    let siret_c = col("siret")?;
    let siren_c = col("siren")?;
    let commune_c = col("codeCommuneEtablissement")?;
    let etat_c = col("etatAdministratifEtablissement")?;
    let debut_c = col("dateDebut")?;
    let creation_c = col("dateCreationEtablissement")?;
    let band_c = col("trancheEffectifsEtablissement")?;
    let naf_c = col("activitePrincipaleEtablissement")?;
    let siege_c = col("etablissementSiege")?;
    let diffusion_c = col("statutDiffusionEtablissement")?;
    let opt = |name: &str| source.optional_column(name);
    let (x_c, y_c) = (
        opt("coordonneeLambertAbscisseEtablissement"),
        opt("coordonneeLambertOrdonneeEtablissement"),
    );
    let (enseigne_c, usual_c) = (
        opt("enseigne1Etablissement"),
        opt("denominationUsuelleEtablissement"),
    );
    let address_cs: Vec<Option<usize>> = [
        "numeroVoieEtablissement",
        "indiceRepetitionEtablissement",
        "typeVoieEtablissement",
        "libelleVoieEtablissement",
    ]
    .iter()
    .map(|n| opt(n))
    .collect();
    let (cp_c, city_c) = (
        opt("codePostalEtablissement"),
        opt("libelleCommuneEtablissement"),
    );

    let width = source.headers.len();
    let department = geography.department.code.clone();
    let mut file = FileReport::new(&source.name);
    let bar = Progress::new(progress, source);
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
        // Cheap test first: most rows of a national file are elsewhere.
        let commune_code = record.get(commune_c).unwrap_or_default().trim();
        let Some(commune) = geography.commune_position(commune_code) else {
            if commune_code.starts_with(&department) {
                report.reject(
                    &mut file,
                    line,
                    "codeCommuneEtablissement",
                    format!("commune {commune_code} does not exist in the geography"),
                );
            } else {
                file.exclude("outside_departement");
            }
            continue;
        };
        let siret = record.get(siret_c).unwrap_or_default().trim();
        let siren = record.get(siren_c).unwrap_or_default().trim();
        let Some(siret_number) = Siret::parse(siret) else {
            report.reject(
                &mut file,
                line,
                "siret",
                format!("SIRET {siret:?} is not 14 digits"),
            );
            continue;
        };
        if siren != &siret[..9] {
            report.reject(
                &mut file,
                line,
                "siren",
                format!("SIREN {siren:?} does not start SIRET {siret}"),
            );
            continue;
        }
        if !siret_key_ok(siret) {
            // Kept: INSEE's register is the reference, but the number deserves a look.
            let name = file.file.clone();
            report.warn(
                &name,
                line,
                "siret",
                format!("SIRET {siret} fails the Luhn check"),
            );
        }
        let creation = value(&record, Some(creation_c));
        if let Some(d) = creation
            && !is_iso_date(d)
        {
            report.reject(
                &mut file,
                line,
                "dateCreationEtablissement",
                format!("{d:?} is not a date AAAA-MM-JJ"),
            );
            continue;
        }
        let band = value(&record, Some(band_c));
        if let Some(b) = band
            && !size::is_known(b)
        {
            report.reject(
                &mut file,
                line,
                "trancheEffectifsEtablissement",
                format!("unknown size band {b:?}"),
            );
            continue;
        }
        let etat = record.get(etat_c).unwrap_or_default().trim();
        let debut = value(&record, Some(debut_c)).unwrap_or_default();
        // Active at the reference date: open now, or closed after it.
        let active = match etat {
            "A" => true,
            "F" => is_iso_date(debut) && debut > reference_date,
            other => {
                report.reject(
                    &mut file,
                    line,
                    "etatAdministratifEtablissement",
                    format!("unknown state {other:?}"),
                );
                continue;
            }
        };
        if !active {
            file.exclude("closed");
            continue;
        }
        if creation.is_some_and(|d| d > reference_date) {
            file.exclude("created_after_reference_date");
            continue;
        }
        let naf = value(&record, Some(naf_c));
        let division = naf.and_then(division_of);
        let section = division.map(|d| d.section.clone()).unwrap_or_default();
        let band_code = band.unwrap_or_default().to_owned();
        let cell = economy
            .entry((commune_code.to_owned(), section, band_code))
            .or_default();
        cell.establishments += 1;
        let jobs = band.map_or(0.0, size::estimated_jobs);
        cell.jobs_estimate += jobs;
        cell.employers += u64::from(band.is_some_and(size::is_employer));

        let xy = match (value(&record, x_c), value(&record, y_c)) {
            (Some(x), Some(y)) => x.parse::<f64>().ok().zip(y.parse::<f64>().ok()),
            _ => None,
        };
        let address_parts: Vec<&str> = address_cs
            .iter()
            .filter_map(|c| value(&record, *c))
            .collect();
        let street = address_parts.join(" ");
        let city = [value(&record, cp_c), value(&record, city_c)]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(" ");
        let address = match (street.is_empty(), city.is_empty()) {
            (true, true) => None,
            (false, true) => Some(street),
            (true, false) => Some(city),
            (false, false) => Some(format!("{street}, {city}")),
        };
        let raw_diffusion = record.get(diffusion_c).unwrap_or_default().trim();
        candidates.push(Candidate {
            line,
            siret: siret_number,
            // Fewer than 4 billion communes.
            commune: commune as u32,
            siege: record.get(siege_c).unwrap_or_default().trim() == "true",
            xy,
            lonlat: None,
            details: Details::new([
                value(&record, enseigne_c),
                value(&record, usual_c),
                naf,
                band,
                creation,
                Some(if raw_diffusion.is_empty() {
                    "O"
                } else {
                    raw_diffusion
                }),
                address.as_deref(),
            ]),
        });
    }
    // Candidates are counted as kept or excluded when joined with their unit.
    report.files.push(file);
    Ok(candidates)
}

/// Step 2: see the module docs.
fn read_units(
    source: &mut CsvSource<'_>,
    needed: &HashSet<u32>,
    report: &mut ImportReport,
    progress: bool,
) -> Result<HashMap<u32, UnitVerdict>> {
    let siren_c = source.column("siren")?;
    let cj_c = source.column("categorieJuridiqueUniteLegale")?;
    let naf_c = source.column("activitePrincipaleUniteLegale")?;
    let diffusion_c = source.column("statutDiffusionUniteLegale")?;
    let denomination_c = source.column("denominationUniteLegale")?;
    let ess_c = source.column("economieSocialeSolidaireUniteLegale")?;
    let rna_c = source.optional_column("identifiantAssociationUniteLegale");
    let sigle_c = source.optional_column("sigleUniteLegale");
    let usual_c = source.optional_column("denominationUsuelle1UniteLegale");
    let width = source.headers.len();
    let mut file = FileReport::new(&source.name);
    let bar = Progress::new(progress, source);
    let mut record = csv::StringRecord::new();
    let mut units = HashMap::with_capacity(needed.len());
    loop {
        match next_record(source, &mut record, &mut file, report, &bar)? {
            Some(true) => {}
            Some(false) => continue,
            None => break,
        }
        let siren = record.get(siren_c).unwrap_or_default().trim();
        let Some(key) = siren_key(siren).filter(|k| needed.contains(k)) else {
            file.exclude("no_establishment_in_scope");
            continue;
        };
        let line = source.lines.line(record.position());
        if !has_width(&record, width, line, &mut file, report) {
            continue;
        }
        let cj = record.get(cj_c).unwrap_or_default().trim();
        let naf = record.get(naf_c).unwrap_or_default().trim();
        let ess_flag = match record.get(ess_c).unwrap_or_default().trim() {
            "O" => Some(true),
            "N" => Some(false),
            _ => None,
        };
        let classified = classify(cj, naf, ess_flag);
        if classified.unknown_category {
            let name = file.file.clone();
            report.warn(
                &name,
                line,
                "categorieJuridiqueUniteLegale",
                format!(
                    "unknown catégorie juridique {cj:?}: classified as not ESS unless flagged ESS"
                ),
            );
        }
        file.rows_kept += 1;
        let rna = || value(&record, rna_c).map(Box::from);
        let verdict = match classified.classification {
            Classification::Ess(family) => UnitVerdict::Ess(Box::new(EssUnit {
                family,
                categorie_juridique: cj.to_owned(),
                name: value(&record, Some(denomination_c))
                    .or_else(|| value(&record, usual_c))
                    .or_else(|| value(&record, sigle_c))
                    .map(str::to_owned),
                rna: value(&record, rna_c).map(str::to_owned),
                diffusion: match record.get(diffusion_c).unwrap_or_default().trim() {
                    "" => "O".to_owned(),
                    s => s.to_owned(),
                },
            })),
            Classification::Excluded(e) => UnitVerdict::Excluded(e, rna()),
            Classification::NotEss => UnitVerdict::NotEss(rna()),
        };
        units.insert(key, verdict);
    }
    report.files.push(file);
    Ok(units)
}

/// Step 3: see the module docs.
fn read_geolocation(
    source: &mut CsvSource<'_>,
    candidates: &mut [Candidate],
    report: &mut ImportReport,
    progress: bool,
) -> Result<()> {
    let siret_c = source.column("siret")?;
    let (x_c, y_c) = (source.optional_column("x"), source.optional_column("y"));
    let epsg_c = source.optional_column("epsg");
    let (lon_c, lat_c) = (
        source.optional_column("x_longitude"),
        source.optional_column("y_latitude"),
    );
    let index: HashMap<Siret, usize> = candidates
        .iter()
        .enumerate()
        .map(|(i, c)| (c.siret, i))
        .collect();
    let mut file = FileReport::new(&source.name);
    let bar = Progress::new(progress, source);
    let mut record = csv::StringRecord::new();
    loop {
        match next_record(source, &mut record, &mut file, report, &bar)? {
            Some(true) => {}
            Some(false) => continue,
            None => break,
        }
        let siret = record.get(siret_c).unwrap_or_default().trim();
        let Some(&i) = Siret::parse(siret).and_then(|s| index.get(&s)) else {
            file.exclude("not_in_scope");
            continue;
        };
        let parse = |c: Option<usize>| {
            value(&record, c).and_then(|v| v.replace(',', ".").parse::<f64>().ok())
        };
        let lonlat = match (parse(lon_c), parse(lat_c)) {
            (Some(lon), Some(lat))
                if (-180.0..=180.0).contains(&lon) && (-90.0..=90.0).contains(&lat) =>
            {
                Some((lon, lat))
            }
            _ => match (parse(x_c), parse(y_c), value(&record, epsg_c)) {
                (Some(x), Some(y), Some("2154") | None) => lambert93_to_lonlat(x, y),
                _ => None,
            },
        };
        if let Some(p) = lonlat {
            candidates[i].lonlat = Some(p);
            file.rows_kept += 1;
        } else {
            file.exclude("no_usable_coordinates");
        }
    }
    report.files.push(file);
    Ok(())
}

/// `SplitMix64`: a fixed, documented sequence, so that approximate points never move
/// between runs or crate upgrades.
fn splitmix(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// A point inside commune `commune`, the same for the same SIRET.
#[must_use]
pub fn approximate_point(geography: &Geography, commune: usize, siret: &str) -> (f64, f64) {
    let zone = &geography.communes[commune].zone;
    let mut state = siret.bytes().fold(0xCBF2_9CE4_8422_2325_u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01B3)
    });
    let [min_lon, min_lat, max_lon, max_lat] = zone.bbox;
    for _ in 0..64 {
        let u = (splitmix(&mut state) >> 11) as f64 / (1u64 << 53) as f64;
        let v = (splitmix(&mut state) >> 11) as f64 / (1u64 << 53) as f64;
        let p = Point::new(
            min_lon + u * (max_lon - min_lon),
            min_lat + v * (max_lat - min_lat),
        );
        if zone.geometry.contains(&p) {
            return (p.x(), p.y());
        }
    }
    (zone.label_point[0], zone.label_point[1])
}

/// Distance in metres from a point to a commune outline (0 inside), on a local
/// equirectangular plane: precise to a few metres at this scale, which is all a
/// 2 km threshold needs.
fn distance_to_commune_m(geography: &Geography, commune: usize, lon: f64, lat: f64) -> f64 {
    let zone = &geography.communes[commune].zone;
    let kx = 111_320.0 * lat.to_radians().cos();
    let ky = 110_574.0;
    let local = zone
        .geometry
        .map_coords(|c| geo::coord! { x: c.x * kx, y: c.y * ky });
    let p = Point::new(lon * kx, lat * ky);
    if local.contains(&p) {
        0.0
    } else {
        Euclidean.distance(&p, &local)
    }
}

fn build_row(
    geography: &Geography,
    c: &Candidate,
    unit: &EssUnit,
    file: &str,
    report: &mut ImportReport,
) -> EstablishmentRow {
    let d = &c.details;
    let diffusion = if unit.diffusion == "O" {
        d.get(Details::DIFFUSION).unwrap_or("O").to_owned()
    } else {
        unit.diffusion.clone()
    };
    let protected = diffusion != "O";
    let enseigne = d.owned(Details::ENSEIGNE);
    let name = unit
        .name
        .clone()
        .or_else(|| enseigne.clone())
        .or_else(|| d.owned(Details::USUAL_NAME))
        .unwrap_or_else(|| "(sans nom)".to_owned());
    let commune = c.commune as usize;
    let siret = c.siret.as_str();
    let commune_code = geography.communes[commune].zone.code.clone();
    // Protected establishments are never placed (BRIEF rule 5).
    let (lon, lat, approximate) = if protected {
        (None, None, false)
    } else {
        let given = c
            .lonlat
            .or_else(|| c.xy.and_then(|(x, y)| lambert93_to_lonlat(x, y)));
        if let Some((lon, lat)) = given {
            let distance = distance_to_commune_m(geography, commune, lon, lat);
            if distance > MAX_OUTSIDE_M {
                report.warn(
                    file,
                    c.line,
                    "coordonneeLambertAbscisseEtablissement",
                    format!(
                        "SIRET {siret}: point {:.1} km outside its commune {commune_code}; \
                         placed inside the commune instead",
                        distance / 1000.0
                    ),
                );
                let (lon, lat) = approximate_point(geography, commune, siret);
                (Some(lon), Some(lat), true)
            } else {
                (Some(lon), Some(lat), false)
            }
        } else {
            let (lon, lat) = approximate_point(geography, commune, siret);
            (Some(lon), Some(lat), true)
        }
    };
    let naf = d.owned(Details::NAF);
    let division = naf.as_deref().and_then(division_of);
    let band = d.owned(Details::SIZE_BAND);
    let search_key = fold_for_search(&format!(
        "{name} {} {siret}",
        enseigne.as_deref().unwrap_or_default(),
    ));
    EstablishmentRow {
        jobs_estimate: band.as_deref().map_or(0.0, size::estimated_jobs),
        employer: band.as_deref().is_some_and(size::is_employer),
        naf_section: division.map(|d| d.section.clone()),
        ess_group: division.map(|d| d.regroupement_ess_propose.clone()),
        siret: siret.to_owned(),
        siren: c.siret.siren().to_owned(),
        name,
        enseigne,
        family: unit.family,
        categorie_juridique: unit.categorie_juridique.clone(),
        naf,
        size_band: band,
        siege: c.siege,
        creation_date: d.owned(Details::CREATION_DATE),
        code_insee: commune_code,
        rna: unit.rna.clone(),
        diffusion,
        protected,
        address: if protected {
            None
        } else {
            d.owned(Details::ADDRESS)
        },
        lon,
        lat,
        location_approximate: approximate,
        search_key,
    }
}

fn summarise(report: &mut ImportReport, rows: &[EstablishmentRow]) {
    let mut by_family: BTreeMap<&str, u64> = BTreeMap::new();
    for r in rows {
        *by_family.entry(r.family.id()).or_default() += 1;
    }
    let stat = rows.iter().filter(|r| r.family.in_statistical_totals());
    let employers = stat.clone().filter(|r| r.employer).count();
    let jobs: f64 = stat.clone().map(|r| r.jobs_estimate).sum();
    report.summary.insert(
        "establishments_by_family".into(),
        serde_json::json!(by_family),
    );
    report
        .summary
        .insert("ess_employers".into(), serde_json::json!(employers));
    report
        .summary
        .insert("ess_jobs_estimate".into(), serde_json::json!(jobs));
    report.summary.insert(
        "protected".into(),
        serde_json::json!(rows.iter().filter(|r| r.protected).count()),
    );
    report.summary.insert(
        "approximate_locations".into(),
        serde_json::json!(rows.iter().filter(|r| r.location_approximate).count()),
    );
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

    #[test]
    fn sirets_are_fourteen_digits_and_carry_their_siren() {
        let s = Siret::parse("77567227200017").expect("valid");
        assert_eq!(s.as_str(), "77567227200017");
        assert_eq!(s.siren(), "775672272");
        assert_eq!(s.siren_key(), 775_672_272);
        assert_eq!(siren_key("775672272"), Some(775_672_272));
        assert_eq!(siren_key("000000001"), Some(1));
        for bad in [
            "7756722720001",
            "775672272000170",
            "7756722720001A",
            "７7567227200017",
        ] {
            assert_eq!(Siret::parse(bad), None, "{bad}");
        }
        assert_eq!(siren_key("77567227"), None);
        assert_eq!(siren_key("77567227X"), None);
        assert!(std::mem::size_of::<OtherEstablishmentRow>() <= 64);
        assert!(std::mem::size_of::<UnitVerdict>() <= 24);
    }

    #[test]
    fn iso_dates_are_checked_on_the_calendar() {
        assert!(is_iso_date("2024-02-29"));
        assert!(!is_iso_date("2023-02-29"));
        assert!(!is_iso_date("2019-13-45"));
        assert!(!is_iso_date("2019-1-05"));
        assert!(!is_iso_date("20190105"));
    }
}
