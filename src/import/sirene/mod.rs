//! Import of INSEE's SIRENE stock files into one edition of the ESS registry.
//!
//! Steps (each file streams; memory is bounded by the département's share of the
//! register, not by the national file):
//! 1. `StockEtablissement`: keep the establishments located in a commune of the
//!    geography and active at the edition's reference date; reject malformed rows
//!    (with line, field and reason).
//! 2. `StockUniteLegale`: read the units of those establishments only, and apply the
//!    ESS perimeter rule ([`crate::ess::perimeter`]). Every establishment kept in
//!    step 1 goes to the economy's aggregates (commune × NAF section × size band ×
//!    protected), the denominator of employment shares.
//! 3. Optional geolocation file (`;`-separated): better coordinates by SIRET.
//! 4. Locate: the commune code decides the commune; a Lambert-93 point is converted
//!    for display and kept if within [`MAX_OUTSIDE_M`] of its commune; otherwise (or
//!    with no point) a deterministic point inside the commune, flagged approximate.
//!
//! The result ([`SireneEdition`]) is written by the database layer in one transaction.

mod establishments;
mod geolocation;
mod locate;
mod reading;
mod units;

use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

pub use locate::approximate_point;

use super::source::{CsvOptions, with_csv};
use super::{ImportError, Result};
use crate::ess::perimeter::Exclusion;
use crate::geography::Geography;
use crate::records::ImportReport;
use crate::records::sirene::{
    EconomyCell, EconomyKey, EstablishmentRow, OtherEstablishmentRow, SireneEdition,
};
use crate::time::is_iso_date;
use establishments::{Candidate, Details, count_in_economy, read_establishments};
use geolocation::read_geolocation;
use locate::build_row;
use units::{UnitVerdict, read_units};

/// A point farther than this from its commune is not trusted (BRIEF: 2 km).
pub const MAX_OUTSIDE_M: f64 = 2_000.0;

#[derive(Debug, Clone)]
pub struct SireneFiles {
    pub unites_legales: PathBuf,
    pub etablissements: PathBuf,
    pub geolocalisation: Option<PathBuf>,
}

/// Reads the SIRENE files of one edition. Blocking and CPU-bound.
///
/// `reference_date` (`AAAA-MM-JJ`) decides which establishments were active.
pub fn read_sirene(
    geography: &Geography,
    edition: i64,
    reference_date: &str,
    files: &SireneFiles,
    progress: &super::progress::Watch,
) -> Result<SireneEdition> {
    if !is_iso_date(reference_date) {
        return Err(ImportError::Invalid(format!(
            "date de référence {} : une date AAAA-MM-JJ est attendue",
            super::french::quoted(reference_date)
        )));
    }
    let started = Instant::now();
    let mut report = ImportReport::new("sirene", edition);
    let mut economy: BTreeMap<EconomyKey, EconomyCell> = BTreeMap::new();

    let options = |expected_name, delimiter| CsvOptions {
        delimiter: Some(delimiter),
        expected_name,
        final_newline: true,
    };
    let candidates = with_csv(
        &files.etablissements,
        &options("StockEtablissement", b','),
        |source| read_establishments(geography, reference_date, source, &mut report, progress),
    )?;
    check_unique_sirets(&files.etablissements, &candidates)?;
    let needed: HashSet<u32> = candidates.iter().map(|c| c.siret.siren_key()).collect();
    let units = with_csv(
        &files.unites_legales,
        &options("StockUniteLegale", b','),
        |source| read_units(source, &needed, &mut report, progress),
    )?;
    let mut candidates = candidates;
    if let Some(path) = &files.geolocalisation {
        with_csv(
            path,
            &options("GeolocalisationEtablissement", b';'),
            |source| read_geolocation(source, &mut candidates, &mut report, progress),
        )?;
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
        let establishment_protected = c.details.get(Details::DIFFUSION).is_some_and(|d| d != "O");
        let protected = match verdict {
            Some(UnitVerdict::Ess(unit)) => unit.diffusion != "O",
            Some(UnitVerdict::Excluded(_, _, p) | UnitVerdict::NotEss(_, p)) => *p,
            None => false,
        } || establishment_protected;
        count_in_economy(&mut economy, &codes[c.commune as usize], &c, protected);
        match verdict {
            Some(UnitVerdict::Ess(unit)) => {
                report.files[et_file].rows_kept += 1;
                let file = report.files[et_file].file.clone();
                let row = build_row(geography, &c, unit, &file, &mut report);
                debug_assert_eq!(row.protected, protected);
                establishments.push(row);
            }
            Some(UnitVerdict::Excluded(exclusion, rna, _)) => {
                let reason = match exclusion {
                    Exclusion::PublicAdministration => "excluded_activity_public_administration",
                    Exclusion::ExcludedOrganisation => "excluded_activity_organisation",
                };
                report.files[et_file].exclude(reason);
                others.push(other_row(&codes, &c, rna.clone(), reason));
            }
            Some(UnitVerdict::NotEss(rna, _)) => {
                report.files[et_file].exclude("not_ess");
                others.push(other_row(&codes, &c, rna.clone(), "not_ess"));
            }
            None => {
                report.files[et_file].exclude("unit_not_found");
                let name = report.files[et_file].file.clone();
                report.warn(&name, c.line, "siren", unit_not_found(c.siret.siren()));
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

/// The warning for an establishment whose unit is not in the units file.
fn unit_not_found(siren: &str) -> String {
    format!(
        "l’unité légale {siren} est absente du fichier des unités : établissement non \
         retenu ; ce fichier est-il complet et de la même date ?"
    )
}

/// The same SIRET twice in the establishments file cannot be stored: abort, naming
/// the first few lines.
fn check_unique_sirets(path: &Path, candidates: &[Candidate]) -> Result<()> {
    let mut order: Vec<usize> = (0..candidates.len()).collect();
    order.sort_unstable_by_key(|&i| (candidates[i].siret, candidates[i].line));
    let mut lines = Vec::new();
    let mut total = 0usize;
    for pair in order.windows(2) {
        let (a, b) = (&candidates[pair[0]], &candidates[pair[1]]);
        if a.siret == b.siret {
            total += 1;
            if lines.len() < 10 {
                lines.push(format!(
                    "SIRET {} aux lignes {} et {}",
                    a.siret.as_str(),
                    a.line,
                    b.line
                ));
            }
        }
    }
    if total == 0 {
        return Ok(());
    }
    if total > lines.len() {
        lines.push(format!("et {} autres", total - lines.len()));
    }
    Err(ImportError::Duplicates {
        path: path.to_owned(),
        what: "le même SIRET",
        lines,
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
    fn rows_kept_by_the_million_stay_small() {
        assert!(std::mem::size_of::<OtherEstablishmentRow>() <= 64);
        assert!(std::mem::size_of::<UnitVerdict>() <= 24);
    }
}
