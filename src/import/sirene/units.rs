//! Step 2 of the SIRENE import (see the module docs of [`super`]): the units file,
//! read for the units of the kept establishments only, each classified by the ESS
//! perimeter rule ([`crate::ess::perimeter`]).

use std::collections::{HashMap, HashSet};

use super::reading::{Progress, has_width, next_record, value};
use crate::ess::identifiers::siren_key;
use crate::ess::perimeter::{Classification, Exclusion, Family, classify};
use crate::import::french::quoted;
use crate::import::progress::{Step, Watch};
use crate::import::source::CsvSource;
use crate::import::{ImportError, Result};
use crate::records::report::{FileReport, ImportReport};

/// What the units file says of an ESS unit.
pub(super) struct EssUnit {
    pub(super) family: Family,
    pub(super) categorie_juridique: String,
    pub(super) name: Option<String>,
    pub(super) rna: Option<String>,
    pub(super) diffusion: String,
}

/// What the units file says of a unit the edition needs; small (24 bytes), as a
/// national import keeps ~20 million of them. `bool`: the unit is protected
/// (statutDiffusionUniteLegale not `O`).
pub(super) enum UnitVerdict {
    Ess(Box<EssUnit>),
    Excluded(Exclusion, Option<Box<str>>, bool),
    /// Not ESS; the unit's RNA number when it has one.
    NotEss(Option<Box<str>>, bool),
}

/// Step 2: see the module docs.
pub(super) fn read_units(
    source: &mut CsvSource<'_>,
    needed: &HashSet<u32>,
    report: &mut ImportReport,
    progress: &Watch,
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
    let bar = Progress::new(progress, Step::UnitesLegales, source);
    let mut record = csv::StringRecord::new();
    let mut units = HashMap::with_capacity(needed.len());
    let mut duplicates = Vec::new();
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
                    "catégorie juridique {} inconnue : unité classée hors ESS, sauf si elle \
                     est déclarée ESS (economieSocialeSolidaireUniteLegale = O)",
                    quoted(cj)
                ),
            );
        }
        file.rows_kept += 1;
        let rna = || value(&record, rna_c).map(Box::from);
        let diffusion = match record.get(diffusion_c).unwrap_or_default().trim() {
            "" => "O",
            s => s,
        };
        let protected = diffusion != "O";
        let verdict = match classified.classification {
            Classification::Ess(family) => UnitVerdict::Ess(Box::new(EssUnit {
                family,
                categorie_juridique: cj.to_owned(),
                name: value(&record, Some(denomination_c))
                    .or_else(|| value(&record, usual_c))
                    .or_else(|| value(&record, sigle_c))
                    .map(str::to_owned),
                rna: value(&record, rna_c).map(str::to_owned),
                diffusion: diffusion.to_owned(),
            })),
            Classification::Excluded(e) => UnitVerdict::Excluded(e, rna(), protected),
            Classification::NotEss => UnitVerdict::NotEss(rna(), protected),
        };
        if units.insert(key, verdict).is_some() && duplicates.len() < 10 {
            duplicates.push(format!("SIREN {siren} de nouveau à la ligne {line}"));
        }
    }
    if file.rows_read == 0 {
        return Err(source.no_rows());
    }
    if !duplicates.is_empty() {
        return Err(ImportError::Duplicates {
            path: source.path.clone(),
            what: "le même SIREN",
            lines: duplicates,
        });
    }
    report.files.push(file);
    Ok(units)
}
