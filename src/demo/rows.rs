//! Writes one edition of the population as the two INSEE stock files, exactly in their
//! published layout (column names and order from `reference/sirene-sample-format.md`).
//!
//! What a row says depends on the edition's reference date: establishments not yet
//! created are left out; those closed by then read `F` with `dateDebut` = closure
//! date; units whose establishments are all closed read `C`; half of the units ceased
//! more than six years before have been purged and are left out with their
//! establishments. Per-edition details (last processing time, effectifs year) are
//! derived from each row's key, so editions agree with each other.

use std::io::Write;

use anyhow::Context;

use super::calendar::Day;
use super::model::{Defect, Etab, Place, Population, Unit};
use super::places::{OUTSIDE, Places};
use super::profiles::band_of;
use super::rng::{derive, derive_unit};
use super::{DemoDefect, DemoFile};
use crate::ess::size::is_employer;

/// `StockUniteLegale` columns; the last one only in files published since December 2025.
pub const UNITE_LEGALE_COLUMNS: [&str; 35] = [
    "siren",
    "statutDiffusionUniteLegale",
    "unitePurgeeUniteLegale",
    "dateCreationUniteLegale",
    "sigleUniteLegale",
    "sexeUniteLegale",
    "prenom1UniteLegale",
    "prenom2UniteLegale",
    "prenom3UniteLegale",
    "prenom4UniteLegale",
    "prenomUsuelUniteLegale",
    "pseudonymeUniteLegale",
    "identifiantAssociationUniteLegale",
    "trancheEffectifsUniteLegale",
    "anneeEffectifsUniteLegale",
    "dateDernierTraitementUniteLegale",
    "nombrePeriodesUniteLegale",
    "categorieEntreprise",
    "anneeCategorieEntreprise",
    "dateDebut",
    "etatAdministratifUniteLegale",
    "nomUniteLegale",
    "nomUsageUniteLegale",
    "denominationUniteLegale",
    "denominationUsuelle1UniteLegale",
    "denominationUsuelle2UniteLegale",
    "denominationUsuelle3UniteLegale",
    "categorieJuridiqueUniteLegale",
    "activitePrincipaleUniteLegale",
    "nomenclatureActivitePrincipaleUniteLegale",
    "nicSiegeUniteLegale",
    "economieSocialeSolidaireUniteLegale",
    "societeMissionUniteLegale",
    "caractereEmployeurUniteLegale",
    "activitePrincipaleNAF25UniteLegale",
];

/// `StockEtablissement` columns; the last one only in files published since December 2025.
pub const ETABLISSEMENT_COLUMNS: [&str; 54] = [
    "siren",
    "nic",
    "siret",
    "statutDiffusionEtablissement",
    "dateCreationEtablissement",
    "trancheEffectifsEtablissement",
    "anneeEffectifsEtablissement",
    "activitePrincipaleRegistreMetiersEtablissement",
    "dateDernierTraitementEtablissement",
    "etablissementSiege",
    "nombrePeriodesEtablissement",
    "complementAdresseEtablissement",
    "numeroVoieEtablissement",
    "indiceRepetitionEtablissement",
    "dernierNumeroVoieEtablissement",
    "indiceRepetitionDernierNumeroVoieEtablissement",
    "typeVoieEtablissement",
    "libelleVoieEtablissement",
    "codePostalEtablissement",
    "libelleCommuneEtablissement",
    "libelleCommuneEtrangerEtablissement",
    "distributionSpecialeEtablissement",
    "codeCommuneEtablissement",
    "codeCedexEtablissement",
    "libelleCedexEtablissement",
    "codePaysEtrangerEtablissement",
    "libellePaysEtrangerEtablissement",
    "identifiantAdresseEtablissement",
    "coordonneeLambertAbscisseEtablissement",
    "coordonneeLambertOrdonneeEtablissement",
    "complementAdresse2Etablissement",
    "numeroVoie2Etablissement",
    "indiceRepetition2Etablissement",
    "typeVoie2Etablissement",
    "libelleVoie2Etablissement",
    "codePostal2Etablissement",
    "libelleCommune2Etablissement",
    "libelleCommuneEtranger2Etablissement",
    "distributionSpeciale2Etablissement",
    "codeCommune2Etablissement",
    "codeCedex2Etablissement",
    "libelleCedex2Etablissement",
    "codePaysEtranger2Etablissement",
    "libellePaysEtranger2Etablissement",
    "dateDebut",
    "etatAdministratifEtablissement",
    "enseigne1Etablissement",
    "enseigne2Etablissement",
    "enseigne3Etablissement",
    "denominationUsuelleEtablissement",
    "activitePrincipaleEtablissement",
    "nomenclatureActivitePrincipaleEtablissement",
    "caractereEmployeurEtablissement",
    "activitePrincipaleNAF25Etablissement",
];

/// INSEE's mark for a masked value.
const ND: &str = "[ND]";

/// How the two files of an edition are laid out.
#[derive(Debug, Clone, Copy)]
pub(super) struct Layout {
    /// Trailing `activitePrincipaleNAF25…` columns (files since December 2025).
    pub naf25: bool,
    /// CRLF line endings instead of LF.
    pub crlf: bool,
    /// A UTF-8 byte order mark before the header.
    pub bom: bool,
}

fn writer<W: Write>(mut out: W, layout: Layout) -> std::io::Result<csv::Writer<W>> {
    if layout.bom {
        out.write_all(b"\xEF\xBB\xBF")?;
    }
    Ok(csv::WriterBuilder::new()
        .terminator(if layout.crlf {
            csv::Terminator::CRLF
        } else {
            csv::Terminator::Any(b'\n')
        })
        .from_writer(out))
}

/// Writes one row field by field, dropping the columns beyond the layout's count.
struct Out<W: Write> {
    w: csv::Writer<W>,
    columns: usize,
    written: usize,
    scratch: String,
}

impl<W: Write> Out<W> {
    fn field(&mut self, value: &str) -> csv::Result<()> {
        if self.written < self.columns {
            self.w.write_field(value)?;
        }
        self.written += 1;
        Ok(())
    }

    fn empty(&mut self, n: usize) -> csv::Result<()> {
        for _ in 0..n {
            self.field("")?;
        }
        Ok(())
    }

    /// A field from anything displayable, through a reused buffer.
    fn show(&mut self, value: impl std::fmt::Display) -> csv::Result<()> {
        use std::fmt::Write as _;
        let mut s = std::mem::take(&mut self.scratch);
        s.clear();
        let _ = write!(s, "{value}");
        let r = self.field(&s);
        self.scratch = s;
        r
    }

    /// `value`, or `[ND]` when it is not empty and the row is protected.
    fn masked(&mut self, protected: bool, value: &str) -> csv::Result<()> {
        self.field(if protected && !value.is_empty() {
            ND
        } else {
            value
        })
    }

    fn end(&mut self) -> csv::Result<()> {
        debug_assert!(self.written >= self.columns);
        self.written = 0;
        self.w.write_record(None::<&[u8]>)
    }
}

/// A processing timestamp `AAAA-MM-JJTHH:MM:SS` between `last_event` and `date`.
struct Processed {
    day: Day,
    time: u64,
}

impl Processed {
    /// Between the last event (or 15 years before the date, when older: INSEE
    /// reprocesses its stock) and the date; a third of the rows in the last 90 days.
    fn new(key: u64, year: i32, last_event: Day, date: Day) -> Self {
        let floor = last_event.max(date.plus(-15 * 365));
        let span = i64::from((date.0 - floor.0).max(0));
        let salt = year as u64;
        let r = derive(key, salt);
        let back = if derive_unit(key, salt ^ 0x55) < 0.3 {
            (r % 90) as i64
        } else {
            span - (r % (span.min(730) as u64 + 1)) as i64
        };
        Self {
            day: Day(date.0 - back.clamp(0, span) as i32),
            time: derive(key, salt ^ 0xAA),
        }
    }
}

impl std::fmt::Display for Processed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let t = self.time;
        write!(
            f,
            "{}T{:02}:{:02}:{:02}",
            self.day,
            6 + t % 13,
            (t >> 8) % 60,
            (t >> 16) % 60
        )
    }
}

/// What an establishment looks like at a date.
struct EtabState {
    active: bool,
    band: &'static str,
    /// `anneeEffectifsEtablissement`.
    staff_year: Option<i32>,
    period_start: Day,
    periods: usize,
    last_event: Day,
}

fn etab_state(e: &Etab, date: Day) -> EtabState {
    let year = date.year();
    let mut periods = 1;
    let mut last_change = None;
    for &c in &e.changes {
        if c <= date {
            periods += 1;
            last_change = Some(c);
        }
    }
    match e.closed {
        Some(closed) if closed <= date => {
            // A recent closure keeps its last known band; older ones have none.
            let (band, staff_year) = if closed.year() >= year - 1 {
                let band = if e.h2023 > 0.0 {
                    band_of(e.headcount(closed.year()))
                } else {
                    e.idle_band
                };
                (band, effectifs_year(band, e.key, closed.year()))
            } else {
                ("", None)
            };
            EtabState {
                active: false,
                band,
                staff_year,
                period_start: closed,
                periods: periods + 1,
                last_event: closed,
            }
        }
        _ => {
            let start = last_change.unwrap_or(e.created).max(e.created);
            let band = if e.h2023 > 0.0 {
                band_of(e.headcount(year))
            } else {
                e.idle_band
            };
            EtabState {
                active: true,
                band,
                staff_year: effectifs_year(band, e.key, year),
                period_start: start,
                periods,
                last_event: start,
            }
        }
    }
}

/// The effectifs year of a band: the year before the edition (two years for some).
fn effectifs_year(band: &str, key: u64, year: i32) -> Option<i32> {
    if band.is_empty() || band == "NN" {
        None
    } else if derive_unit(key, 0x0EFF) < 0.2 {
        Some(year - 2)
    } else {
        Some(year - 1)
    }
}

fn show_opt<W: Write>(out: &mut Out<W>, value: Option<i32>) -> csv::Result<()> {
    match value {
        Some(v) => out.show(v),
        None => out.field(""),
    }
}

/// Writes the units and establishments files of the edition dated `date` to two
/// sinks; returns the defective rows with their line numbers.
pub(super) fn write_edition<U: Write, E: Write>(
    population: &Population,
    places: &Places<'_>,
    date: Day,
    layout: Layout,
    unites: U,
    etablissements: E,
) -> anyhow::Result<Vec<DemoDefect>> {
    let Population { units, etabs } = population;
    let mut defects = Vec::new();

    // Units present at the date, in SIREN order.
    let mut order: Vec<usize> = (0..units.len())
        .filter(|&u| present(&units[u], etabs, date))
        .collect();
    order.sort_by(|&a, &b| units[a].siren.cmp(&units[b].siren));

    let columns = if layout.naf25 { 35 } else { 34 };
    let mut out = Out {
        w: writer(unites, layout).context("cannot write the units file")?,
        columns,
        written: 0,
        scratch: String::new(),
    };
    out.w.write_record(&UNITE_LEGALE_COLUMNS[..columns])?;
    let mut line = 1u64;
    for &u in &order {
        let unit = &units[u];
        if unit.defect == Some(Defect::OrphanSiren) {
            continue;
        }
        line += 1;
        if unit.defect == Some(Defect::UnknownCategory) {
            defects.push(DemoDefect {
                file: DemoFile::UnitesLegales,
                line,
                identifier: unit.siren.clone(),
                column: "categorieJuridiqueUniteLegale",
                value: unit.category.to_owned(),
                problem: "unknown catégorie juridique: not in the reference table",
            });
        }
        unit_row(&mut out, unit, etabs, date)?;
    }
    out.w.flush().context("cannot write the units file")?;

    // Establishments of those units, by SIREN then NIC.
    let mut list: Vec<(&str, &str, usize)> = order
        .iter()
        .flat_map(|&u| units[u].etabs.iter().copied())
        .filter(|&e| etabs[e].created <= date)
        .map(|e| {
            (
                units[etabs[e].unit].siren.as_str(),
                etabs[e].nic.as_str(),
                e,
            )
        })
        .collect();
    list.sort_unstable();
    let columns = if layout.naf25 { 54 } else { 53 };
    let mut out = Out {
        w: writer(etablissements, layout).context("cannot write the establishments file")?,
        columns,
        written: 0,
        scratch: String::new(),
    };
    out.w.write_record(&ETABLISSEMENT_COLUMNS[..columns])?;
    // Line 1 is the header.
    for (line, &(_, _, e)) in (2u64..).zip(&list) {
        let unit = &units[etabs[e].unit];
        let ids = Identifiers::of(&etabs[e], unit);
        if let Some(defect) = etabs[e].defect {
            let (column, value, problem) = match defect {
                Defect::ShortSiret => ("siret", ids.siret.clone(), "siret must have 14 digits"),
                Defect::BadLuhn => ("siret", ids.siret.clone(), "siret fails the Luhn check"),
                Defect::BadDate => (
                    "dateCreationEtablissement",
                    BAD_DATE.to_owned(),
                    "invalid date (month 13, day 45)",
                ),
                Defect::UnknownCommune => (
                    "codeCommuneEtablissement",
                    UNKNOWN_COMMUNE.to_owned(),
                    "commune 62999 does not exist",
                ),
                Defect::OrphanSiren => (
                    "siren",
                    unit.siren.clone(),
                    "no legal unit with this SIREN in the units file",
                ),
                Defect::UnknownCategory => ("", String::new(), ""),
            };
            defects.push(DemoDefect {
                file: DemoFile::Etablissements,
                line,
                identifier: ids.siret.clone(),
                column,
                value,
                problem,
            });
        }
        etab_row(&mut out, e, etabs, unit, &ids, places, date)?;
    }
    out.w
        .flush()
        .context("cannot write the establishments file")?;
    Ok(defects)
}

const BAD_DATE: &str = "2019-13-45";
const UNKNOWN_COMMUNE: &str = "62999";

/// Whether a unit appears in the edition: created by then and not purged.
fn present(unit: &Unit, etabs: &[Etab], date: Day) -> bool {
    let mut any = false;
    let mut last_closure: Option<Day> = None;
    for &e in &unit.etabs {
        let e = &etabs[e];
        if e.created > date {
            continue;
        }
        any = true;
        match e.closed {
            Some(c) if c <= date => last_closure = last_closure.max(Some(c)),
            _ => return true,
        }
    }
    // Every establishment closed: purged when ceased long ago, one unit in two.
    any && last_closure
        .is_none_or(|c| c.plus(6 * 365) > date || derive(unit.key, 0xBEEF).is_multiple_of(2))
}

fn unit_row<W: Write>(out: &mut Out<W>, unit: &Unit, etabs: &[Etab], date: Day) -> csv::Result<()> {
    let year = date.year();
    let head = &etabs[unit.etabs[0]];
    let head_state = etab_state(head, date);
    let mut total = 0.0;
    let mut any_active = false;
    let mut any_band = false;
    let mut last_closure = Day(i32::MIN);
    for &e in &unit.etabs {
        let e = &etabs[e];
        if e.created > date {
            continue;
        }
        if e.is_open_on(date) {
            any_active = true;
            total += e.headcount(year);
            any_band |= e.h2023 > 0.0;
        } else if let Some(c) = e.closed {
            last_closure = last_closure.max(c);
        }
    }
    let band: &str = if !any_active {
        ""
    } else if total >= 1.0 {
        band_of(total)
    } else if any_band {
        "00"
    } else {
        head.idle_band
    };
    let (etat, debut, periods) = if any_active {
        ("A", head_state.period_start, head_state.periods)
    } else {
        ("C", last_closure, head_state.periods + 1)
    };
    let categorie = if !any_active {
        ""
    } else if total < 250.0 {
        "PME"
    } else if total < 5_000.0 {
        "ETI"
    } else {
        "GE"
    };
    let p = unit.protected;
    let person = unit.person.as_ref();
    let mission = if unit.company && year >= 2020 {
        if derive_unit(unit.key, 0x3155) < 0.02 {
            "O"
        } else {
            "N"
        }
    } else {
        ""
    };
    out.field(&unit.siren)?;
    out.field(if p { "P" } else { "O" })?;
    out.field("")?; // unitePurgee
    out.show(head.created)?;
    out.masked(p, &unit.sigle)?;
    out.masked(p, person.map_or("", |x| x.sexe))?;
    out.masked(p, person.map_or("", |x| x.prenom))?;
    out.empty(3)?; // prenom2..4
    out.masked(p, person.map_or("", |x| x.prenom))?;
    out.field("")?; // pseudonyme
    out.field(&unit.rna)?;
    out.field(band)?;
    show_opt(out, effectifs_year(band, unit.key, year))?;
    out.show(Processed::new(
        unit.key,
        year,
        head_state.last_event.max(debut),
        date,
    ))?;
    out.show(periods)?;
    out.field(categorie)?;
    show_opt(out, (!categorie.is_empty()).then_some(year - 1))?;
    out.show(debut)?;
    out.field(etat)?;
    out.masked(p, person.map_or("", |x| x.nom.as_str()))?;
    out.field("")?; // nomUsage
    out.masked(p, &unit.denomination)?;
    out.empty(3)?; // denominationUsuelle1..3
    out.field(unit.category)?;
    out.field(unit.naf)?;
    out.field("NAFRev2")?;
    out.field(&head.nic)?;
    out.field(unit.flag)?;
    out.field(mission)?;
    out.field(if is_employer(band) { "O" } else { "N" })?;
    out.field("")?; // activitePrincipaleNAF25
    out.end()
}

/// The identifier columns of an establishment row, defects applied.
struct Identifiers {
    nic: String,
    siret: String,
}

impl Identifiers {
    fn of(e: &Etab, unit: &Unit) -> Self {
        let mut siret = format!("{}{}", unit.siren, e.nic);
        let mut nic = e.nic.clone();
        match e.defect {
            Some(Defect::ShortSiret) => {
                siret.pop();
            }
            Some(Defect::BadLuhn) => {
                // Another last digit: the SIRET still equals siren + nic but fails Luhn.
                let last = siret.pop().and_then(|c| c.to_digit(10)).unwrap_or(0);
                siret.push(char::from(b'0' + ((last + 1) % 10) as u8));
                siret[9..].clone_into(&mut nic);
            }
            _ => {}
        }
        Self { nic, siret }
    }
}

fn etab_row<W: Write>(
    out: &mut Out<W>,
    index: usize,
    etabs: &[Etab],
    unit: &Unit,
    ids: &Identifiers,
    places: &Places<'_>,
    date: Day,
) -> csv::Result<()> {
    let e = &etabs[index];
    let year = date.year();
    let state = etab_state(e, date);
    let p = unit.protected;
    let (code, postcode, label): (&str, &str, &str) = match e.place {
        Place::Commune(i) => (
            &places.geo.communes[i].zone.code,
            &places.info[i].postcode,
            &places.info[i].label,
        ),
        Place::Outside(i) => (OUTSIDE[i].code, OUTSIDE[i].postcode, OUTSIDE[i].label),
        Place::Unknown => (UNKNOWN_COMMUNE, UNKNOWN_COMMUNE, "INCONNUE"),
    };
    out.field(&unit.siren)?;
    out.field(&ids.nic)?;
    out.field(&ids.siret)?;
    out.field(if p { "P" } else { "O" })?;
    if e.defect == Some(Defect::BadDate) {
        out.field(BAD_DATE)?;
    } else {
        out.show(e.created)?;
    }
    out.field(state.band)?;
    show_opt(out, state.staff_year)?;
    out.field("")?; // activitePrincipaleRegistreMetiers
    out.show(Processed::new(e.key, year, state.last_event, date))?;
    out.field(if unit.etabs.first() == Some(&index) {
        "true"
    } else {
        "false"
    })?;
    out.show(state.periods)?;
    out.masked(p, e.address.complement)?;
    out.masked(p, &e.address.numero)?;
    out.field(if p { "" } else { e.address.indice })?;
    out.empty(2)?; // dernierNumeroVoie, indiceRepetitionDernierNumeroVoie
    out.masked(p, e.address.type_voie)?;
    out.masked(p, e.address.libelle)?;
    out.masked(p, postcode)?;
    out.field(label)?;
    out.field("")?; // libelleCommuneEtranger
    out.field(if p { "" } else { &e.address.distribution })?;
    out.field(code)?;
    out.empty(4)?; // codeCedex, libelleCedex, codePaysEtranger, libellePaysEtranger
    out.field(if p { ND } else { "" })?; // identifiantAdresse
    match e.xy {
        _ if p => {
            out.field(ND)?;
            out.field(ND)?;
        }
        Some((x, y)) => {
            out.show(format_args!("{x:.1}"))?;
            out.show(format_args!("{y:.1}"))?;
        }
        None => out.empty(2)?,
    }
    out.empty(14)?; // the second address
    out.show(state.period_start)?;
    out.field(if state.active { "A" } else { "F" })?;
    out.masked(p, &e.enseigne)?;
    out.empty(2)?; // enseigne2, enseigne3
    out.masked(p, &e.denomination_usuelle)?;
    out.field(e.naf)?;
    out.field("NAFRev2")?;
    out.field(if state.active && is_employer(state.band) {
        "O"
    } else {
        "N"
    })?;
    out.field("")?; // activitePrincipaleNAF25
    out.end()
}
