//! The demo read back with the csv crate and the product's own rules (BRIEF §4),
//! never with the generator's counters.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::Path;
use std::sync::LazyLock;

use geo::{Intersects, Point};

use super::calendar::Day;
use super::ids::luhn_ok;
use super::*;
use crate::ess::reference::division_of;
use crate::ess::size::{estimated_jobs, is_employer, is_known};
use crate::ess::{Classification, Family, classify};
use crate::spatial::projection::lambert93_to_lonlat;

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

#[test]
fn the_2023_edition_matches_the_published_orders_of_magnitude() {
    let f = measure(edition(2023));
    report(2023, &f);
    assert!(
        (3_000..=3_500).contains(&f.ess_employers),
        "{}",
        f.ess_employers
    );
    assert!(
        (48_000.0..=52_500.0).contains(&f.ess_jobs),
        "{}",
        f.ess_jobs
    );
    assert!((0.11..=0.13).contains(&f.share()), "{}", f.share());
    assert!((14_000..=16_000).contains(&f.ess), "{}", f.ess);
    for (family, target) in [
        (Family::Association, 0.85),
        (Family::Cooperative, 0.08),
        (Family::Mutuelle, 0.04),
        (Family::Fondation, 0.01),
    ] {
        let share = f.family_share(family);
        assert!((share - target).abs() <= 0.03, "{family:?}: {share}");
    }
    assert!((20..=100).contains(&f.commercial), "{}", f.commercial);
    let q = f.ess_jobs_q / f.ess_jobs;
    assert!((0.45..=0.55).contains(&q), "{q}");
    assert!(
        (0.72..=0.80).contains(&f.small_share()),
        "{}",
        f.small_share()
    );
    assert_eq!(f.by_territory.len(), GEOGRAPHY.territories.len());
    // Every territory holds at least 1 % of the ESS establishments.
    assert!(
        f.by_territory.values().all(|&n| n * 100 >= f.ess),
        "{:?}",
        f.by_territory
    );
    assert!(f.protected > 0);
}

#[test]
fn a_scale_multiplies_the_organisations_and_keeps_their_proportions() {
    let scaled = render_demo(&GEOGRAPHY, DEFAULT_SEED, 2).expect("demo renders");
    let base = measure(edition(2023));
    let double = measure(
        scaled
            .iter()
            .find(|r| r.year == 2023)
            .expect("edition exists"),
    );
    report(2023, &double);
    let ratio = |a: usize, b: usize| a as f64 / b as f64;
    for (what, a, b) in [
        ("ESS establishments", double.ess, base.ess),
        ("ESS employers", double.ess_employers, base.ess_employers),
        ("active establishments", double.active, base.active),
    ] {
        let r = ratio(a, b);
        assert!((1.95..=2.05).contains(&r), "{what}: {a} vs {b}");
    }
    // ESS jobs double too; public bodies follow the communes, not the scale, so the
    // ESS share of all jobs rises a little and is not compared.
    let jobs = double.ess_jobs / base.ess_jobs;
    assert!((1.9..=2.1).contains(&jobs), "ESS jobs ×{jobs}");
    for family in [Family::Association, Family::Cooperative, Family::Mutuelle] {
        let (a, b) = (double.family_share(family), base.family_share(family));
        assert!((a - b).abs() < 0.01, "{family:?}: {a} vs {b}");
    }
}

#[test]
fn ess_jobs_grow_about_one_percent_a_year_from_2014() {
    let all: Vec<Figures> = DEMO.iter().map(measure).collect();
    for (r, f) in DEMO.iter().zip(&all) {
        report(r.year, f);
    }
    let jobs: Vec<f64> = all.iter().map(|f| f.ess_jobs).collect();
    assert!(jobs.windows(2).all(|w| w[0] < w[1]), "{jobs:?}");
    let yearly = (jobs[3] / jobs[0]).powf(1.0 / 9.0) - 1.0;
    assert!((0.005..=0.015).contains(&yearly), "{yearly}");
    let counts: Vec<usize> = all.iter().map(|f| f.ess).collect();
    assert!(counts.windows(2).all(|w| w[0] < w[1]), "{counts:?}");
}

#[test]
fn organisations_persist_across_editions_and_close_as_insee_records_it() {
    let sirets = |r: &Rendered, state: &str| -> HashSet<String> {
        let t = Table::read(&r.etablissements);
        let (siret, etat) = (t.col("siret"), t.col("etatAdministratifEtablissement"));
        t.records
            .iter()
            .filter(|rec| &rec[etat] == state)
            .map(|rec| rec[siret].to_owned())
            .collect()
    };
    let active_2014 = sirets(edition(2014), "A");
    let active_2023 = sirets(edition(2023), "A");
    let closed_2023 = sirets(edition(2023), "F");
    let kept = active_2014.intersection(&active_2023).count();
    let closed_since = active_2014.intersection(&closed_2023).count();
    assert!(
        kept * 10 >= active_2014.len() * 7,
        "{kept} of {}",
        active_2014.len()
    );
    assert!(closed_since > 1_000, "{closed_since}");
    assert!(active_2023.len() > active_2014.len());

    // A closed establishment's period starts on its closure, after its creation; a
    // ceased unit has no active establishment.
    let r = edition(2023);
    let t = Table::read(&r.etablissements);
    let (siren, created, debut, etat) = (
        t.col("siren"),
        t.col("dateCreationEtablissement"),
        t.col("dateDebut"),
        t.col("etatAdministratifEtablissement"),
    );
    let reference = Day::from_ymd(2023, 12, 31);
    let mut active_units = HashSet::new();
    for rec in &t.records {
        if &rec[etat] == "A" {
            active_units.insert(rec[siren].to_owned());
        }
        // (The row with the deliberately invalid creation date is skipped.)
        if let (Some(c), Some(d)) = (Day::parse(&rec[created]), Day::parse(&rec[debut])) {
            assert!(c <= d && d <= reference, "{rec:?}");
        }
    }
    let u = Table::read(&r.unites_legales);
    let (siren, etat) = (u.col("siren"), u.col("etatAdministratifUniteLegale"));
    let mut ceased = 0;
    for rec in &u.records {
        let active = active_units.contains(&rec[siren]);
        assert_eq!(&rec[etat] == "A", active, "{rec:?}");
        ceased += usize::from(!active);
    }
    assert!(ceased > 500, "{ceased}");
}

/// The header lines of `reference/sirene-sample-format.md`.
fn doc_headers() -> (String, String) {
    let doc = include_str!("../../reference/sirene-sample-format.md");
    let line = |prefix: &str| {
        doc.lines()
            .find(|l| l.starts_with(prefix))
            .unwrap_or_else(|| panic!("no header line {prefix}"))
            .to_owned()
    };
    (
        line("siren,statutDiffusionUniteLegale,"),
        line("siren,nic,siret,"),
    )
}

fn first_line(bytes: &[u8]) -> &str {
    let text = std::str::from_utf8(bytes).expect("UTF-8");
    text.split('\n').next().unwrap_or_default()
}

#[test]
fn headers_are_insee_s_with_or_without_the_naf_2025_column() {
    let (units_doc, etabs_doc) = doc_headers();
    assert_eq!(UNITE_LEGALE_COLUMNS.join(","), units_doc);
    assert_eq!(ETABLISSEMENT_COLUMNS.join(","), etabs_doc);
    for r in DEMO.iter() {
        let naf25 = r.year >= 2020;
        let bom = r.year == 2020;
        let crlf = r.year == 2017;
        for (bytes, doc, columns) in [
            (&r.unites_legales, &units_doc, 35),
            (&r.etablissements, &etabs_doc, 54),
        ] {
            assert_eq!(bytes.starts_with(b"\xEF\xBB\xBF"), bom, "{}", r.year);
            let body = if bom { &bytes[3..] } else { &bytes[..] };
            let header = first_line(body);
            let expected = if naf25 {
                doc.clone()
            } else {
                doc.rsplit_once(',')
                    .map(|(h, _)| h.to_owned())
                    .unwrap_or_default()
            };
            assert_eq!(header.trim_end_matches('\r'), expected, "{}", r.year);
            assert_eq!(header.ends_with('\r'), crlf, "{}", r.year);
            let lf = bytes.split(|&b| b == b'\n').count() - 1;
            let crlf_count = bytes.windows(2).filter(|w| w == b"\r\n").count();
            assert_eq!(crlf_count == lf, crlf, "{}", r.year);
            // Every record has the header's width (the reader is not flexible).
            let t = Table::read(bytes);
            assert_eq!(t.headers.len(), if naf25 { columns } else { columns - 1 });
            assert!(t.records.iter().all(|rec| rec.len() == t.headers.len()));
        }
    }
}

#[test]
fn identifiers_pass_luhn_except_the_listed_defects() {
    for r in DEMO.iter() {
        let units = Table::read(&r.unites_legales);
        let siren = units.col("siren");
        let mut sirens = HashSet::new();
        for rec in &units.records {
            assert!(rec[siren].len() == 9 && luhn_ok(&rec[siren]), "{rec:?}");
            assert!(
                sirens.insert(rec[siren].to_owned()),
                "duplicate {}",
                &rec[siren]
            );
        }
        let listed: HashMap<u64, &DemoDefect> = r
            .defects
            .iter()
            .filter(|d| d.file == DemoFile::Etablissements)
            .map(|d| (d.line, d))
            .collect();
        let t = Table::read(&r.etablissements);
        let (siren, nic, siret, created, commune) = (
            t.col("siren"),
            t.col("nic"),
            t.col("siret"),
            t.col("dateCreationEtablissement"),
            t.col("codeCommuneEtablissement"),
        );
        let mut found = BTreeMap::new();
        let mut sirets = HashSet::new();
        for (i, rec) in t.records.iter().enumerate() {
            let line = i as u64 + 2;
            let problem = if rec[siret].len() != 14 {
                Some("siret")
            } else if !luhn_ok(&rec[siret]) || rec[siret] != format!("{}{}", &rec[siren], &rec[nic])
            {
                Some("luhn")
            } else if Day::parse(&rec[created]).is_none() {
                Some("date")
            } else if rec[commune].starts_with("62") && GEOGRAPHY.commune(&rec[commune]).is_none() {
                Some("commune")
            } else if !sirens.contains(&rec[siren]) {
                Some("orphan")
            } else {
                None
            };
            assert_eq!(rec[nic].len(), 5, "{rec:?}");
            assert!(
                sirets.insert(rec[siret].to_owned()),
                "duplicate {}",
                &rec[siret]
            );
            match (problem, listed.get(&line)) {
                (None, None) => {}
                (Some(p), Some(d)) => {
                    assert_eq!(d.identifier, rec[siret], "{p}");
                    assert_eq!(d.value, rec[t.col(d.column)], "{p}");
                    found.insert(p, line);
                }
                (p, d) => panic!("{} line {line}: found {p:?}, listed {d:?}", r.year),
            }
        }
        assert_eq!(found.len(), 5, "{}: {found:?}", r.year);
        let unit_defects: Vec<&DemoDefect> = r
            .defects
            .iter()
            .filter(|d| d.file == DemoFile::UnitesLegales)
            .collect();
        assert_eq!(unit_defects.len(), 1);
        let d = unit_defects[0];
        let rec = &units.records[d.line as usize - 2];
        assert_eq!(rec[siren], d.identifier);
        let category = &rec[units.col("categorieJuridiqueUniteLegale")];
        assert_eq!(category, "9999");
        assert!(classify(category, "94.99Z", None).unknown_category);
    }
}

#[test]
fn fields_have_insee_formats() {
    let is_timestamp = |s: &str| {
        s.len() == 19
            && Day::parse(&s[..10]).is_some()
            && s.as_bytes()[10] == b'T'
            && s[11..]
                .split(':')
                .all(|p| p.len() == 2 && p.parse::<u8>().is_ok_and(|v| v < 60))
    };
    for r in DEMO.iter() {
        let bad_dates: HashSet<u64> = r
            .defects
            .iter()
            .filter(|d| d.column == "dateCreationEtablissement")
            .map(|d| d.line)
            .collect();
        let t = Table::read(&r.etablissements);
        let c = |n| t.col(n);
        let mut heads: HashMap<&str, usize> = HashMap::new();
        for (i, rec) in t.records.iter().enumerate() {
            if !bad_dates.contains(&(i as u64 + 2)) {
                assert!(
                    Day::parse(&rec[c("dateCreationEtablissement")]).is_some(),
                    "{rec:?}"
                );
            }
            assert!(Day::parse(&rec[c("dateDebut")]).is_some(), "{rec:?}");
            assert!(
                is_timestamp(&rec[c("dateDernierTraitementEtablissement")]),
                "{rec:?}"
            );
            let band = &rec[c("trancheEffectifsEtablissement")];
            assert!(band.is_empty() || is_known(band), "{rec:?}");
            assert!(matches!(&rec[c("etablissementSiege")], "true" | "false"));
            assert!(matches!(
                &rec[c("etatAdministratifEtablissement")],
                "A" | "F"
            ));
            assert_eq!(rec[c("codeCommuneEtablissement")].len(), 5);
            let naf = &rec[c("activitePrincipaleEtablissement")];
            assert!(division_of(naf).is_some() && naf.len() == 6, "{naf}");
            if &rec[c("etablissementSiege")] == "true" {
                *heads.entry(&rec[c("siren")]).or_default() += 1;
            }
        }
        assert!(heads.values().all(|&n| n == 1));
        let u = Table::read(&r.unites_legales);
        let c = |n| u.col(n);
        for rec in &u.records {
            assert!(
                is_timestamp(&rec[c("dateDernierTraitementUniteLegale")]),
                "{rec:?}"
            );
            assert!(Day::parse(&rec[c("dateCreationUniteLegale")]).is_some());
            assert!(matches!(&rec[c("etatAdministratifUniteLegale")], "A" | "C"));
            assert_eq!(heads.get(&rec[c("siren")]), Some(&1), "{rec:?}");
            let rna = &rec[c("identifiantAssociationUniteLegale")];
            assert!(
                rna.is_empty() || (rna.len() == 10 && rna.starts_with("W62")),
                "{rna}"
            );
        }
    }
}

#[test]
fn every_name_says_demo_and_protected_rows_say_nd() {
    let r = edition(2023);
    let u = Table::read(&r.unites_legales);
    let (statut, denomination, nom, rna, cat) = (
        u.col("statutDiffusionUniteLegale"),
        u.col("denominationUniteLegale"),
        u.col("nomUniteLegale"),
        u.col("identifiantAssociationUniteLegale"),
        u.col("categorieJuridiqueUniteLegale"),
    );
    let (mut protected, mut associations, mut with_rna) = (0, 0, 0);
    for rec in &u.records {
        let p = &rec[statut] == "P";
        protected += usize::from(p);
        for name in [&rec[denomination], &rec[nom]] {
            if p {
                assert!(name.is_empty() || name == "[ND]", "{rec:?}");
            } else if !name.is_empty() {
                assert!(name.contains("DEMO"), "{rec:?}");
            }
        }
        if &rec[cat] == "9220" {
            associations += 1;
            with_rna += usize::from(!rec[rna].is_empty());
        }
    }
    assert!(protected > 100, "{protected}");
    assert!(
        with_rna * 10 >= associations * 8,
        "{with_rna} of {associations}"
    );

    let t = Table::read(&r.etablissements);
    let c = |n| t.col(n);
    let mut protected = 0;
    for rec in &t.records {
        let p = &rec[c("statutDiffusionEtablissement")] == "P";
        protected += usize::from(p);
        if p {
            assert_eq!(&rec[c("coordonneeLambertAbscisseEtablissement")], "[ND]");
            assert_eq!(&rec[c("libelleVoieEtablissement")], "[ND]");
        } else {
            assert!(rec.iter().all(|v| v != "[ND]"), "{rec:?}");
            for name in [
                &rec[c("enseigne1Etablissement")],
                &rec[c("denominationUsuelleEtablissement")],
            ] {
                assert!(name.is_empty() || name.contains("DEMO"), "{rec:?}");
            }
        }
    }
    assert!(protected > 100, "{protected}");
}

#[test]
fn coordinates_fall_inside_the_establishment_s_commune() {
    let r = edition(2023);
    let t = Table::read(&r.etablissements);
    let (x, y, commune, statut) = (
        t.col("coordonneeLambertAbscisseEtablissement"),
        t.col("coordonneeLambertOrdonneeEtablissement"),
        t.col("codeCommuneEtablissement"),
        t.col("statutDiffusionEtablissement"),
    );
    let (mut placed, mut missing, mut outside) = (0, 0, 0);
    for rec in &t.records {
        if &rec[statut] == "P" {
            continue;
        }
        if rec[x].is_empty() {
            missing += 1;
            continue;
        }
        // One decimal, as INSEE writes them.
        assert_eq!(
            rec[x].split_once('.').map(|(_, d)| d.len()),
            Some(1),
            "{rec:?}"
        );
        let (lon, lat) =
            lambert93_to_lonlat(rec[x].parse().unwrap(), rec[y].parse().unwrap()).unwrap();
        match GEOGRAPHY.commune(&rec[commune]) {
            Some(c) => {
                assert!(c.zone.geometry.intersects(&Point::new(lon, lat)), "{rec:?}");
                placed += 1;
            }
            None => outside += 1,
        }
    }
    let share_missing = f64::from(missing) / f64::from(placed + missing + outside);
    assert!((0.03..=0.07).contains(&share_missing), "{share_missing}");
    assert!(outside > 50, "{outside}");
}

#[test]
fn the_same_seed_gives_the_same_bytes_and_another_seed_other_bytes() {
    let again = render_demo(&GEOGRAPHY, DEFAULT_SEED, 1).unwrap();
    for (a, b) in DEMO.iter().zip(&again) {
        assert!(a.unites_legales == b.unites_legales, "{}", a.year);
        assert!(a.etablissements == b.etablissements, "{}", a.year);
        assert_eq!(a.defects, b.defects);
    }
    drop(again);
    let other = render_demo(&GEOGRAPHY, DEFAULT_SEED + 1, 1).unwrap();
    for (a, b) in DEMO.iter().zip(&other) {
        assert!(a.unites_legales != b.unites_legales, "{}", a.year);
        assert!(a.etablissements != b.etablissements, "{}", a.year);
    }
}

#[test]
fn write_demo_writes_each_edition_in_its_directory() {
    let geography = &*GEOGRAPHY;
    let dir = tempfile::tempdir().unwrap();
    let started = std::time::Instant::now();
    let files = write_demo(geography, DEFAULT_SEED, 1, dir.path()).unwrap();
    eprintln!("write_demo: four editions in {:?}", started.elapsed());
    assert_eq!(files.len(), DEMO_EDITIONS.len());
    for (f, r) in files.iter().zip(DEMO.iter()) {
        assert_eq!(f.year, r.year);
        assert_eq!(
            f.unites_legales,
            dir.path()
                .join(f.year.to_string())
                .join(UNITES_LEGALES_FILE)
        );
        assert_eq!(
            f.etablissements,
            dir.path()
                .join(f.year.to_string())
                .join(ETABLISSEMENTS_FILE)
        );
        let units = std::fs::read(&f.unites_legales).unwrap();
        let etabs = std::fs::read(&f.etablissements).unwrap();
        eprintln!(
            "{}: {:.1} MB",
            f.year,
            (units.len() + etabs.len()) as f64 / 1e6
        );
        assert!(units.len() + etabs.len() < 25_000_000);
        assert!(units == r.unites_legales && etabs == r.etablissements);
        assert_eq!(f.defects, r.defects);
    }
}
