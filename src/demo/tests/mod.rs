//! The demo read back with the csv crate and the product's own rules (BRIEF §4),
//! never with the generator's counters.
//!
//! Here, what the tests share: the geography, the four editions rendered once with
//! the default seed, a whole-file reader, and `measure`, which computes from an
//! edition what the product would. The tests themselves, by concern:
//! `calibration.rs` (the figures of each edition and their evolution), `format.rs`
//! (what an importer meets: headers, identifiers, fields, names, coordinates),
//! `files.rs` (determinism and the files written).

mod calibration;
mod files;
mod format;

use std::collections::{BTreeMap, HashMap};
use std::path::Path;
use std::sync::LazyLock;

use super::calendar::Day;
use super::ids::luhn_ok;
use super::*;
use crate::ess::reference::division_of;
use crate::ess::size::{estimated_jobs, is_employer};
use crate::ess::{Classification, Family, classify};

static GEOGRAPHY: LazyLock<Geography> = LazyLock::new(|| {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("geodata");
    let input = crate::spatial::boundaries::load_geodata(&dir).expect("geodata loads");
    Geography::assemble(crate::geography::build_records(input)).expect("geography assembles")
});

/// The four editions with the default seed, in memory, shared by the tests.
static DEMO: LazyLock<Vec<Rendered>> =
    LazyLock::new(|| render_demo(&GEOGRAPHY, DEFAULT_SEED, 1).expect("demo renders"));

fn edition(year: u16) -> &'static Rendered {
    DEMO.iter()
        .find(|r| r.year == year)
        .expect("edition exists")
}

fn reader(bytes: &[u8]) -> csv::Reader<&[u8]> {
    csv::Reader::from_reader(bytes)
}

/// A file read whole: header names (BOM removed) and records.
struct Table {
    headers: Vec<String>,
    records: Vec<csv::StringRecord>,
}

impl Table {
    fn read(bytes: &[u8]) -> Self {
        let mut r = reader(bytes);
        let headers = r
            .headers()
            .expect("header reads")
            .iter()
            .map(|h| h.trim_start_matches('\u{feff}').to_owned())
            .collect();
        let records = r.records().collect::<Result<_, _>>().expect("records read");
        Self { headers, records }
    }

    fn col(&self, name: &str) -> usize {
        self.headers
            .iter()
            .position(|h| h == name)
            .unwrap_or_else(|| panic!("no column {name}"))
    }
}

/// What the product would compute from one edition.
#[derive(Debug, Default)]
struct Figures {
    rows: usize,
    rejected: usize,
    outside: usize,
    closed: usize,
    active: usize,
    all_jobs: f64,
    ess: usize,
    ess_employers: usize,
    ess_small_employers: usize,
    ess_jobs: f64,
    ess_jobs_q: f64,
    commercial: usize,
    /// Establishments and employers by family.
    by_family: BTreeMap<&'static str, (usize, usize)>,
    by_territory: BTreeMap<String, usize>,
    protected: usize,
}

impl Figures {
    fn share(&self) -> f64 {
        self.ess_jobs / self.all_jobs
    }

    fn family_share(&self, family: Family) -> f64 {
        self.by_family.get(family.id()).map_or(0, |c| c.0) as f64 / self.ess as f64
    }

    fn small_share(&self) -> f64 {
        self.ess_small_employers as f64 / self.ess_employers as f64
    }
}

type UnitFacts = (String, String, Option<bool>);

fn units_of(r: &Rendered) -> HashMap<String, UnitFacts> {
    let t = Table::read(&r.unites_legales);
    let (siren, cat, naf, flag) = (
        t.col("siren"),
        t.col("categorieJuridiqueUniteLegale"),
        t.col("activitePrincipaleUniteLegale"),
        t.col("economieSocialeSolidaireUniteLegale"),
    );
    t.records
        .iter()
        .map(|rec| {
            let ess_flag = match &rec[flag] {
                "O" => Some(true),
                "N" => Some(false),
                _ => None,
            };
            (
                rec[siren].to_owned(),
                (rec[cat].to_owned(), rec[naf].to_owned(), ess_flag),
            )
        })
        .collect()
}

/// Reads an edition as a strict importer would (rejecting bad identifiers, dates and
/// unknown communes of the département), then applies BRIEF §4.
fn measure(r: &Rendered) -> Figures {
    let geo = &*GEOGRAPHY;
    let units = units_of(r);
    let t = Table::read(&r.etablissements);
    let c = |name| t.col(name);
    let (siren, nic, siret, created, band, commune, etat, naf, statut) = (
        c("siren"),
        c("nic"),
        c("siret"),
        c("dateCreationEtablissement"),
        c("trancheEffectifsEtablissement"),
        c("codeCommuneEtablissement"),
        c("etatAdministratifEtablissement"),
        c("activitePrincipaleEtablissement"),
        c("statutDiffusionEtablissement"),
    );
    let mut f = Figures::default();
    for rec in &t.records {
        f.rows += 1;
        let valid = rec[siret].len() == 14
            && luhn_ok(&rec[siret])
            && rec[siret] == format!("{}{}", &rec[siren], &rec[nic])
            && Day::parse(&rec[created]).is_some()
            && units.contains_key(&rec[siren])
            && (geo.commune(&rec[commune]).is_some() || !rec[commune].starts_with("62"));
        if !valid {
            f.rejected += 1;
            continue;
        }
        let Some(place) = geo.commune(&rec[commune]) else {
            f.outside += 1;
            continue;
        };
        if &rec[etat] != "A" {
            f.closed += 1;
            continue;
        }
        f.active += 1;
        let jobs = estimated_jobs(&rec[band]);
        f.all_jobs += jobs;
        f.protected += usize::from(&rec[statut] == "P");
        let (cat, unit_naf, ess_flag) = &units[&rec[siren]];
        let Classification::Ess(family) = classify(cat, unit_naf, *ess_flag).classification else {
            continue;
        };
        if !family.in_statistical_totals() {
            f.commercial += 1;
            continue;
        }
        let employer = is_employer(&rec[band]);
        f.ess += 1;
        let entry = f.by_family.entry(family.id()).or_default();
        entry.0 += 1;
        if employer {
            entry.1 += 1;
            f.ess_employers += 1;
            f.ess_small_employers += usize::from(matches!(&rec[band], "01" | "02" | "03"));
        }
        f.ess_jobs += jobs;
        if division_of(&rec[naf]).is_some_and(|d| d.section == "Q") {
            f.ess_jobs_q += jobs;
        }
        *f.by_territory
            .entry(geo.territories[place.territory].zone.code.clone())
            .or_default() += 1;
    }
    f
}

fn report(year: u16, f: &Figures) {
    let pct = |x: f64| 100.0 * x;
    eprintln!(
        "{year}: {} rows, {} rejected, {} outside, {} closed, {} active ({} protected); \
         ESS: {} establishments, {} employers ({:.1} % under 10), {:.0} estimated jobs \
         = {:.2} % of {:.0}, section Q {:.1} %; families (establishments, employers) {:?}; \
         + {} ESS commercial companies; by territory {:?}",
        f.rows,
        f.rejected,
        f.outside,
        f.closed,
        f.active,
        f.protected,
        f.ess,
        f.ess_employers,
        pct(f.small_share()),
        f.ess_jobs,
        pct(f.share()),
        f.all_jobs,
        pct(f.ess_jobs_q / f.ess_jobs),
        f.by_family,
        f.commercial,
        f.by_territory,
    );
}
