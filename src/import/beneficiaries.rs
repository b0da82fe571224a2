//! Matching the beneficiaries of a subsidies file to an edition's registry (BRIEF §4
//! rule 11). Pure: the registry comes in as [`RegistryEntry`] rows.
//!
//! Rules, in order:
//! 1. `idBeneficiaire` is a SIRET of the registry: that establishment (`siret`).
//! 2. The SIREN (given alone, or the first 9 digits of a SIRET the registry does not
//!    hold — closed, moved, mistyped key): the unit's siège when it is in the
//!    département (`siren_siege`); else the unit's largest establishment in the
//!    département by estimated jobs, lowest SIRET on a tie (`siren_establishment`,
//!    noted): the money is placed where the unit works locally, and the note says so.
//! 3. `rnaBeneficiaire` equal to a unit's `identifiantAssociationUniteLegale`: the
//!    same choice among that unit's establishments (`rna`).
//! 4. Otherwise unmatched, with the reason.
//!
//! A match to an establishment whose unit is not ESS (or excluded by its activity)
//! is `non_ess`: listed for staff, never counted in ESS indicators.

use std::collections::{BTreeMap, HashMap};

use crate::ess::Family;
use crate::records::ImportReport;
use crate::records::sirene::SireneEdition;
use crate::records::subsidies::{
    BeneficiaryId, MatchMethod, MatchedLine, RegistryEntry, Status, SubsidyLine, cents,
};

/// The outcome for one line.
#[derive(Debug, Clone, PartialEq)]
pub struct Match<'a> {
    pub status: Status,
    pub method: Option<MatchMethod>,
    pub entry: Option<&'a RegistryEntry>,
    /// Why unmatched, or what the match assumed.
    pub note: Option<String>,
}

/// Every establishment of a SIRENE edition as matching needs it: what
/// [`crate::db::Db::beneficiary_entries`] reads once the edition is stored, taken from
/// the edition about to be stored (to re-match its subsidies in the same
/// transaction).
#[must_use]
pub fn registry_entries(edition: &SireneEdition) -> Vec<RegistryEntry> {
    let ess = edition.establishments.iter().map(|r| RegistryEntry {
        siret: r.siret.clone(),
        siren: r.siren.clone(),
        rna: r.rna.clone(),
        siege: r.siege,
        jobs: r.jobs_estimate,
        code_insee: r.code_insee.clone(),
        family: Some(r.family),
        naf_section: r.naf_section.clone(),
        size_band: r.size_band.clone(),
    });
    let others = edition.others.iter().map(|r| RegistryEntry {
        siret: r.siret.as_str().to_owned(),
        siren: r.siret.siren().to_owned(),
        rna: r.rna.as_deref().map(str::to_owned),
        siege: r.siege,
        jobs: 0.0,
        code_insee: r.code_insee.to_string(),
        family: None,
        naf_section: None,
        size_band: None,
    });
    ess.chain(others).collect()
}

/// Matches every line of a file.
#[must_use]
pub fn match_lines(index: &BeneficiaryIndex, lines: Vec<SubsidyLine>) -> Vec<MatchedLine> {
    lines
        .into_iter()
        .map(|line| {
            let m = index.find(&line);
            let (status, method, entry, note) = (m.status, m.method, m.entry.cloned(), m.note);
            MatchedLine {
                line,
                status,
                method,
                entry,
                note,
            }
        })
        .collect()
}

/// Whether a matched line counts in the ESS totals comparable with INSEE/CRESS (the
/// four families; ESS commercial companies are shown in their family only).
#[must_use]
pub fn in_ess_totals(m: &MatchedLine) -> bool {
    m.status == Status::Ess
        && m.entry
            .as_ref()
            .and_then(|e| e.family)
            .is_some_and(Family::in_statistical_totals)
}

/// Adds the matching figures to a subsidies import report: lines and euros by status
/// and by method, the ESS total (four families, what the indicators add up to) and
/// the ESS commercial companies' apart.
pub fn summarise(report: &mut ImportReport, lines: &[MatchedLine]) {
    let mut by_status: BTreeMap<&str, (u64, f64)> = BTreeMap::new();
    let mut by_method: BTreeMap<&str, u64> = BTreeMap::new();
    for m in lines {
        let s = by_status.entry(m.status.id()).or_default();
        s.0 += 1;
        s.1 += m.line.granted();
        *by_method
            .entry(m.method.map_or("unmatched", MatchMethod::id))
            .or_default() += 1;
    }
    let sum = |f: &dyn Fn(&MatchedLine) -> bool| {
        cents(
            lines
                .iter()
                .filter(|m| f(m))
                .map(|m| m.line.granted())
                .sum(),
        )
    };
    let summary = &mut report.summary;
    summary.insert(
        "lines_by_status".into(),
        serde_json::json!(
            by_status
                .iter()
                .map(|(k, v)| (*k, v.0))
                .collect::<BTreeMap<_, _>>()
        ),
    );
    summary.insert(
        "granted_by_status".into(),
        serde_json::json!(
            by_status
                .iter()
                .map(|(k, v)| (*k, cents(v.1)))
                .collect::<BTreeMap<_, _>>()
        ),
    );
    summary.insert("lines_by_method".into(), serde_json::json!(by_method));
    summary.insert("granted_total".into(), serde_json::json!(sum(&|_| true)));
    summary.insert("ess_total".into(), serde_json::json!(sum(&in_ess_totals)));
    summary.insert(
        "ess_commercial_total".into(),
        serde_json::json!(sum(&|m| m.status == Status::Ess && !in_ess_totals(m))),
    );
}

/// The registry indexed for matching.
pub struct BeneficiaryIndex {
    entries: Vec<RegistryEntry>,
    by_siret: HashMap<String, usize>,
    by_siren: HashMap<String, Vec<usize>>,
    by_rna: HashMap<String, Vec<usize>>,
}

impl BeneficiaryIndex {
    #[must_use]
    pub fn new(entries: Vec<RegistryEntry>) -> Self {
        let mut by_siret = HashMap::new();
        let mut by_siren: HashMap<String, Vec<usize>> = HashMap::new();
        let mut by_rna: HashMap<String, Vec<usize>> = HashMap::new();
        for (i, e) in entries.iter().enumerate() {
            by_siret.insert(e.siret.clone(), i);
            by_siren.entry(e.siren.clone()).or_default().push(i);
            if let Some(rna) = &e.rna {
                by_rna.entry(rna.to_uppercase()).or_default().push(i);
            }
        }
        Self {
            entries,
            by_siret,
            by_siren,
            by_rna,
        }
    }

    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The siège among `candidates`, else the largest (jobs, then lowest SIRET).
    fn choose(&self, candidates: &[usize]) -> Option<(&RegistryEntry, bool)> {
        let list = candidates.iter().map(|&i| &self.entries[i]);
        if let Some(siege) = list.clone().find(|e| e.siege) {
            return Some((siege, true));
        }
        list.min_by(|a, b| {
            b.jobs
                .total_cmp(&a.jobs)
                .then_with(|| a.siret.cmp(&b.siret))
        })
        .map(|e| (e, false))
    }

    /// Matches one line; see the module docs for the rules.
    #[must_use]
    pub fn find(&self, line: &SubsidyLine) -> Match<'_> {
        let status_of = |e: &RegistryEntry| {
            if e.family.is_some() {
                Status::Ess
            } else {
                Status::NonEss
            }
        };
        let mut notes = Vec::new();
        if let Some(id) = &line.beneficiary_id {
            if let BeneficiaryId::Siret(siret) = id {
                if let Some(&i) = self.by_siret.get(siret) {
                    let e = &self.entries[i];
                    return Match {
                        status: status_of(e),
                        method: Some(MatchMethod::Siret),
                        entry: Some(e),
                        note: None,
                    };
                }
                notes.push(format!(
                    "le SIRET {siret} n’est pas un établissement actif du département dans cette édition"
                ));
            }
            if let Some((e, siege)) = self.by_siren.get(id.siren()).and_then(|c| self.choose(c)) {
                let method = if siege {
                    MatchMethod::SirenSiege
                } else {
                    notes.push(format!(
                        "siège du SIREN {} hors du département : attribué à son plus grand établissement du département",
                        id.siren()
                    ));
                    MatchMethod::SirenEstablishment
                };
                return Match {
                    status: status_of(e),
                    method: Some(method),
                    entry: Some(e),
                    note: (!notes.is_empty()).then(|| notes.join(" ; ")),
                };
            }
            notes.push(format!(
                "aucun établissement actif du SIREN {} dans le département",
                id.siren()
            ));
        }
        if let Some(rna) = &line.rna {
            if let Some((e, siege)) = self.by_rna.get(rna).and_then(|c| self.choose(c)) {
                if !siege {
                    notes.push(format!(
                        "siège de l’association {rna} hors du département : attribué à son plus grand établissement du département"
                    ));
                }
                return Match {
                    status: status_of(e),
                    method: Some(MatchMethod::Rna),
                    entry: Some(e),
                    note: (!notes.is_empty()).then(|| notes.join(" ; ")),
                };
            }
            notes.push(format!(
                "aucune unité de numéro RNA {rna} dans le département"
            ));
        }
        if notes.is_empty() {
            notes.push("ni SIRET, ni SIREN, ni numéro RNA utilisable".into());
        }
        Match {
            status: Status::Unmatched,
            method: None,
            entry: None,
            note: Some(notes.join(" ; ")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(siret: &str, siege: bool, jobs: f64, family: Option<Family>) -> RegistryEntry {
        RegistryEntry {
            siret: siret.into(),
            siren: siret[..9].into(),
            rna: None,
            siege,
            jobs,
            code_insee: "62041".into(),
            family,
            naf_section: Some("Q".into()),
            size_band: None,
        }
    }

    fn line(id: Option<BeneficiaryId>, rna: Option<&str>) -> SubsidyLine {
        SubsidyLine {
            line: 2,
            attribuant_name: None,
            attribuant_id: None,
            beneficiary_name: "X".into(),
            beneficiary_id: id,
            rna: rna.map(str::to_owned),
            convention_date: None,
            decision_reference: None,
            object: None,
            nature: None,
            amount: 100.0,
            share: 1.0,
        }
    }

    fn index() -> BeneficiaryIndex {
        let assoc = Some(Family::Association);
        let mut with_rna = entry("11111111100020", false, 34.5, assoc);
        with_rna.rna = Some("W623000123".into());
        BeneficiaryIndex::new(vec![
            entry("11111111100012", true, 1.5, assoc),
            with_rna,
            // A unit whose siège is elsewhere: two establishments here.
            entry("22222222200030", false, 4.0, assoc),
            entry("22222222200048", false, 15.0, assoc),
            entry("33333333300011", true, 4.0, None),
        ])
    }

    #[test]
    fn a_known_siret_matches_its_establishment() {
        let idx = index();
        let m = idx.find(&line(
            Some(BeneficiaryId::Siret("11111111100020".into())),
            None,
        ));
        assert_eq!(m.method, Some(MatchMethod::Siret));
        assert_eq!(m.status, Status::Ess);
        assert_eq!(m.entry.unwrap().siret, "11111111100020");
    }

    #[test]
    fn a_siren_goes_to_the_siege_or_else_the_largest_establishment() {
        let idx = index();
        let m = idx.find(&line(Some(BeneficiaryId::Siren("111111111".into())), None));
        assert_eq!(m.method, Some(MatchMethod::SirenSiege));
        assert_eq!(m.entry.unwrap().siret, "11111111100012");
        let m = idx.find(&line(Some(BeneficiaryId::Siren("222222222".into())), None));
        assert_eq!(m.method, Some(MatchMethod::SirenEstablishment));
        assert_eq!(m.entry.unwrap().siret, "22222222200048");
        assert!(m.note.unwrap().contains("hors du département"));
    }

    #[test]
    fn an_unknown_siret_falls_back_to_its_siren() {
        let idx = index();
        let m = idx.find(&line(
            Some(BeneficiaryId::Siret("11111111199999".into())),
            None,
        ));
        assert_eq!(m.method, Some(MatchMethod::SirenSiege));
        assert!(m.note.unwrap().contains("11111111199999"));
    }

    #[test]
    fn the_rna_number_matches_when_no_identifier_does() {
        let idx = index();
        let m = idx.find(&line(None, Some("W623000123")));
        assert_eq!(m.method, Some(MatchMethod::Rna));
        assert_eq!(m.entry.unwrap().siren, "111111111");
        let m = idx.find(&line(
            Some(BeneficiaryId::Siren("999999999".into())),
            Some("W623000123"),
        ));
        assert_eq!(m.method, Some(MatchMethod::Rna));
    }

    #[test]
    fn non_ess_and_unknown_beneficiaries_are_told_apart() {
        let idx = index();
        let m = idx.find(&line(
            Some(BeneficiaryId::Siret("33333333300011".into())),
            None,
        ));
        assert_eq!(m.status, Status::NonEss);
        let m = idx.find(&line(
            Some(BeneficiaryId::Siren("999999999".into())),
            Some("W629999999"),
        ));
        assert_eq!(m.status, Status::Unmatched);
        assert_eq!(m.entry, None);
        let note = m.note.unwrap();
        assert!(
            note.contains("999999999") && note.contains("W629999999"),
            "{note}"
        );
        let m = idx.find(&line(None, None));
        assert_eq!(
            m.note.as_deref(),
            Some("ni SIRET, ni SIREN, ni numéro RNA utilisable")
        );
    }
}
