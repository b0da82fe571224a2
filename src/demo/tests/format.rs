//! What an importer meets in the files: INSEE headers and line endings, identifiers
//! and the listed defects, field formats, DEMO names and `[ND]`, coordinates.

use std::collections::{BTreeMap, HashMap, HashSet};

use geo::{Intersects, Point};

use super::*;
use crate::ess::size::is_known;
use crate::spatial::projection::lambert93_to_lonlat;

/// The header lines of `reference/sirene-sample-format.md`.
fn doc_headers() -> (String, String) {
    let doc = include_str!("../../../reference/sirene-sample-format.md");
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
