//! Builders of SIRENE stock files for tests: the real header lines (read from
//! reference/sirene-sample-format.md) and rows given by column name.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use crate::helpers::repo_path;

/// Header line of a stock file, from the format document: `0` units, `1` establishments.
pub fn header(block: usize) -> Vec<String> {
    let doc = std::fs::read_to_string(repo_path("reference/sirene-sample-format.md")).unwrap();
    let line = doc
        .split("```csv\n")
        .nth(block + 1)
        .unwrap()
        .lines()
        .next()
        .unwrap();
    line.split(',').map(str::to_owned).collect()
}

/// A CSV line with `values` in their columns, empty elsewhere, quoted as RFC 4180.
pub fn row(header: &[String], values: &[(&str, &str)]) -> String {
    let map: HashMap<&str, &str> = values.iter().copied().collect();
    for (k, _) in values {
        assert!(header.iter().any(|h| h == k), "no column {k}");
    }
    header
        .iter()
        .map(|h| {
            let v = map.get(h.as_str()).copied().unwrap_or("");
            if v.contains([',', '"', '\n', '\r']) {
                format!("\"{}\"", v.replace('"', "\"\""))
            } else {
                v.to_owned()
            }
        })
        .collect::<Vec<_>>()
        .join(",")
}

/// A unit of catégorie `cj` with a name.
pub fn unit(siren: &str, cj: &str, naf: &str, name: &str) -> Vec<(&'static str, String)> {
    vec![
        ("siren", siren.into()),
        ("statutDiffusionUniteLegale", "O".into()),
        ("categorieJuridiqueUniteLegale", cj.into()),
        ("activitePrincipaleUniteLegale", naf.into()),
        ("denominationUniteLegale", name.into()),
        ("etatAdministratifUniteLegale", "A".into()),
    ]
}

/// An active establishment in `commune` with size band `band`.
pub fn establishment(
    siret: &str,
    commune: &str,
    band: &str,
    naf: &str,
) -> Vec<(&'static str, String)> {
    vec![
        ("siren", siret[..9].into()),
        ("nic", siret[9..].into()),
        ("siret", siret.into()),
        ("statutDiffusionEtablissement", "O".into()),
        ("dateCreationEtablissement", "2010-01-01".into()),
        ("trancheEffectifsEtablissement", band.into()),
        ("etablissementSiege", "true".into()),
        ("codeCommuneEtablissement", commune.into()),
        ("etatAdministratifEtablissement", "A".into()),
        ("dateDebut", "2010-01-01".into()),
        ("activitePrincipaleEtablissement", naf.into()),
    ]
}

pub fn borrow<'a>(v: &'a [(&'static str, String)]) -> Vec<(&'static str, &'a str)> {
    v.iter().map(|(k, s)| (*k, s.as_str())).collect()
}

/// Writes a file: header then rows, joined by `eol`, with an optional BOM.
pub fn write(
    dir: &Path,
    name: &str,
    header: &[String],
    rows: &[String],
    eol: &str,
    bom: bool,
) -> PathBuf {
    let mut text = String::new();
    if bom {
        text.push('\u{feff}');
    }
    text.push_str(&header.join(","));
    for r in rows {
        text.push_str(eol);
        text.push_str(r);
    }
    text.push_str(eol);
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}
