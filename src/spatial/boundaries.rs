//! Loads and validates the reference geography of `geodata/`.
//!
//! Four files, read whole (they are small and shipped with the product):
//! - `departement.json`: code, name and the attribution text of the data;
//! - `communes.geojson`: one Polygon/MultiPolygon feature per commune, properties
//!   `code`, `nom`, `population`, `epci_siren`;
//! - `epci.csv`: `siren,nom,nom_court,type` (other columns are ignored);
//! - `territoires.csv`: `code_commune,territoire_code,territoire_nom`, the commune →
//!   territory mapping that the Département may change without touching code.
//!
//! Everything is checked before anything is returned, so a caller never sees a
//! half-valid geography: every commune has a valid outline, one EPCI and one
//! territory; every territory groups whole EPCI. Errors name the file and the line or
//! feature at fault. This module computes nothing spatial beyond validation: outlines
//! are dissolved in [`super::dissolve`].

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use geo::{MultiPolygon, Validation};
use serde::Deserialize;
use sha2::{Digest, Sha256};

use crate::csv_lines::LineNumbers;

pub const DEPARTMENT_FILE: &str = "departement.json";
pub const COMMUNES_FILE: &str = "communes.geojson";
pub const EPCI_FILE: &str = "epci.csv";
pub const TERRITORIES_FILE: &str = "territoires.csv";

/// Bumped whenever the way outlines or areas are derived changes, so that a database
/// built by an older version recomputes its cache even if the files did not change.
const DERIVATION_VERSION: &str = "geography-v1";

#[derive(Debug, thiserror::Error)]
pub enum GeodataError {
    #[error("{}: cannot read the file", path.display())]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{}: {message}", path.display())]
    File { path: PathBuf, message: String },
    #[error("{}: feature {index} (commune {code}): {message}", path.display())]
    Feature {
        path: PathBuf,
        index: usize,
        code: String,
        message: String,
    },
    #[error("{}: line {line}: {message}", path.display())]
    Row {
        path: PathBuf,
        line: u64,
        message: String,
    },
}

pub type Result<T, E = GeodataError> = std::result::Result<T, E>;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DepartmentInput {
    pub code: String,
    pub name: String,
    pub attribution: String,
}

#[derive(Debug, Clone)]
pub struct CommuneInput {
    pub code: String,
    pub name: String,
    pub population: u64,
    pub epci: String,
    pub territory: String,
    /// WGS84 lon/lat.
    pub geometry: MultiPolygon<f64>,
}

#[derive(Debug, Clone)]
pub struct EpciInput {
    pub siren: String,
    pub name: String,
    pub short_name: String,
    /// `CA`, `CC`, `CU` or `ME`.
    pub kind: String,
}

#[derive(Debug, Clone)]
pub struct TerritoryInput {
    pub code: String,
    pub name: String,
}

/// The validated content of a geodata directory. Lists are sorted by code.
#[derive(Debug, Clone)]
pub struct GeodataInput {
    pub department: DepartmentInput,
    pub communes: Vec<CommuneInput>,
    pub epci: Vec<EpciInput>,
    pub territories: Vec<TerritoryInput>,
    /// SHA-256 of the files and of the derivation version: equal fingerprints mean the
    /// derived outlines cached in the database are still right.
    pub fingerprint: String,
}

/// The four files of a geodata directory, read whole.
struct Files {
    department: (PathBuf, Vec<u8>),
    communes: (PathBuf, Vec<u8>),
    epci: (PathBuf, Vec<u8>),
    territories: (PathBuf, Vec<u8>),
}

impl Files {
    fn read(dir: &Path) -> Result<Self> {
        let file = |name: &str| {
            let path = dir.join(name);
            read(&path).map(|bytes| (path, bytes))
        };
        Ok(Self {
            department: file(DEPARTMENT_FILE)?,
            communes: file(COMMUNES_FILE)?,
            epci: file(EPCI_FILE)?,
            territories: file(TERRITORIES_FILE)?,
        })
    }

    fn fingerprint(&self) -> String {
        let mut hasher = Sha256::new();
        hasher.update(DERIVATION_VERSION);
        for (_, bytes) in [
            &self.department,
            &self.communes,
            &self.epci,
            &self.territories,
        ] {
            hasher.update((bytes.len() as u64).to_le_bytes());
            hasher.update(bytes);
        }
        format!("{:x}", hasher.finalize())
    }
}

/// The fingerprint [`load_geodata`] would give, without parsing: a cheap way to know
/// whether a cached geography is still current.
pub fn fingerprint(dir: &Path) -> Result<String> {
    Ok(Files::read(dir)?.fingerprint())
}

/// Reads and validates the four files of `dir`.
pub fn load_geodata(dir: &Path) -> Result<GeodataInput> {
    let files = Files::read(dir)?;
    let fingerprint = files.fingerprint();

    let (path, bytes) = &files.department;
    let department: DepartmentInput =
        serde_json::from_slice(bytes).map_err(|e| GeodataError::File {
            path: path.clone(),
            message: format!("invalid department description: {e}"),
        })?;
    let (path, bytes) = &files.communes;
    let mut communes = parse_communes(path, bytes)?;
    let (path, bytes) = &files.epci;
    let epci = parse_epci(path, bytes)?;
    let (path, bytes) = &files.territories;
    let territories = apply_mapping(path, bytes, &mut communes)?;
    check_epci_membership(dir, &communes, &epci)?;

    Ok(GeodataInput {
        department,
        communes,
        epci,
        territories,
        fingerprint,
    })
}

fn read(path: &Path) -> Result<Vec<u8>> {
    std::fs::read(path).map_err(|source| GeodataError::Read {
        path: path.to_owned(),
        source,
    })
}

/// A commune code is 5 characters: digits, or `2A`/`2B` followed by digits (Corsica).
fn is_code_insee(code: &str) -> bool {
    code.len() == 5
        && (code.bytes().all(|b| b.is_ascii_digit())
            || ((code.starts_with("2A") || code.starts_with("2B"))
                && code[2..].bytes().all(|b| b.is_ascii_digit())))
}

fn is_siren(code: &str) -> bool {
    code.len() == 9 && code.bytes().all(|b| b.is_ascii_digit())
}

fn parse_communes(path: &Path, bytes: &[u8]) -> Result<Vec<CommuneInput>> {
    let file_error = |message: String| GeodataError::File {
        path: path.to_owned(),
        message,
    };
    let text = std::str::from_utf8(bytes).map_err(|e| file_error(format!("not UTF-8: {e}")))?;
    let collection: geojson::FeatureCollection = text
        .parse::<geojson::GeoJson>()
        .map_err(|e| file_error(format!("not valid GeoJSON: {e}")))?
        .try_into()
        .map_err(|e| file_error(format!("not a FeatureCollection: {e}")))?;
    if collection.features.is_empty() {
        return Err(file_error("no commune feature".into()));
    }

    let mut communes = Vec::with_capacity(collection.features.len());
    let mut seen = HashMap::new();
    for (index, feature) in collection.features.into_iter().enumerate() {
        let code = feature
            .property("code")
            .and_then(|v| v.as_str())
            .unwrap_or_default()
            .to_owned();
        let fail = |message: String| GeodataError::Feature {
            path: path.to_owned(),
            index,
            code: if code.is_empty() {
                "?".into()
            } else {
                code.clone()
            },
            message,
        };
        if !is_code_insee(&code) {
            return Err(fail(
                "property \"code\" must be a 5-character INSEE code".into(),
            ));
        }
        if let Some(first) = seen.insert(code.clone(), index) {
            return Err(fail(format!(
                "duplicate code, already used by feature {first}"
            )));
        }
        let name = feature
            .property("nom")
            .and_then(|v| v.as_str())
            .filter(|s| !s.trim().is_empty())
            .ok_or_else(|| fail("missing property \"nom\"".into()))?
            .to_owned();
        let population = feature
            .property("population")
            .and_then(serde_json::Value::as_u64)
            .ok_or_else(|| fail("property \"population\" must be a non-negative integer".into()))?;
        let epci = feature
            .property("epci_siren")
            .and_then(|v| v.as_str())
            .filter(|s| is_siren(s))
            .ok_or_else(|| fail("property \"epci_siren\" must be a 9-digit SIREN".into()))?
            .to_owned();
        let geometry = feature.geometry.ok_or_else(|| fail("no geometry".into()))?;
        let geometry = match geo::Geometry::<f64>::try_from(geometry.value) {
            Ok(geo::Geometry::Polygon(p)) => MultiPolygon::new(vec![p]),
            Ok(geo::Geometry::MultiPolygon(mp)) => mp,
            Ok(_) => return Err(fail("geometry must be a Polygon or MultiPolygon".into())),
            Err(e) => return Err(fail(format!("unreadable geometry: {e}"))),
        };
        check_outline(&geometry).map_err(fail)?;
        communes.push(CommuneInput {
            code,
            name,
            population,
            epci,
            territory: String::new(),
            geometry,
        });
    }
    communes.sort_by(|a, b| a.code.cmp(&b.code));
    Ok(communes)
}

/// A commune outline must be a valid, non-empty lon/lat multipolygon.
fn check_outline(geometry: &MultiPolygon<f64>) -> std::result::Result<(), String> {
    if geometry.0.is_empty() {
        return Err("empty geometry".into());
    }
    for c in geometry.0.iter().flat_map(|p| {
        p.exterior()
            .coords()
            .chain(p.interiors().iter().flat_map(geo::LineString::coords))
    }) {
        if !(c.x.is_finite()
            && c.y.is_finite()
            && (-180.0..=180.0).contains(&c.x)
            && (-90.0..=90.0).contains(&c.y))
        {
            return Err(format!(
                "coordinate ({}, {}) is not a WGS84 longitude/latitude",
                c.x, c.y
            ));
        }
    }
    geometry
        .check_validation()
        .map_err(|e| format!("invalid polygon: {e}"))
}

#[derive(Deserialize)]
struct EpciRow {
    siren: String,
    nom: String,
    nom_court: String,
    #[serde(rename = "type")]
    kind: String,
}

fn parse_epci(path: &Path, bytes: &[u8]) -> Result<Vec<EpciInput>> {
    let mut reader = csv::Reader::from_reader(bytes);
    let headers = reader.headers().map_err(|e| csv_error(path, &e))?.clone();
    let lines = LineNumbers::after_headers(&reader);
    let mut record = csv::StringRecord::new();
    let mut epci = Vec::new();
    let mut seen = HashMap::new();
    while reader
        .read_record(&mut record)
        .map_err(|e| csv_error(path, &e))?
    {
        let line = lines.line(record.position());
        let fail = |message: String| GeodataError::Row {
            path: path.to_owned(),
            line,
            message,
        };
        let row: EpciRow = record
            .deserialize(Some(&headers))
            .map_err(|e| fail(e.to_string()))?;
        if !is_siren(&row.siren) {
            return Err(fail(format!("siren {:?} is not 9 digits", row.siren)));
        }
        if row.nom.trim().is_empty() {
            return Err(fail(format!("EPCI {} has no name", row.siren)));
        }
        if let Some(first) = seen.insert(row.siren.clone(), line) {
            return Err(fail(format!(
                "EPCI {} already listed on line {first}",
                row.siren
            )));
        }
        epci.push(EpciInput {
            short_name: if row.nom_court.trim().is_empty() {
                row.nom.clone()
            } else {
                row.nom_court
            },
            siren: row.siren,
            name: row.nom,
            kind: row.kind,
        });
    }
    epci.sort_by(|a, b| a.siren.cmp(&b.siren));
    Ok(epci)
}

fn csv_error(path: &Path, e: &csv::Error) -> GeodataError {
    match e.position() {
        Some(pos) => GeodataError::Row {
            path: path.to_owned(),
            line: pos.line(),
            message: e.to_string(),
        },
        None => GeodataError::File {
            path: path.to_owned(),
            message: e.to_string(),
        },
    }
}

#[derive(Deserialize)]
struct MappingRow {
    code_commune: String,
    territoire_code: String,
    territoire_nom: String,
}

/// Reads the commune → territory mapping into `communes` and returns the territories.
fn apply_mapping(
    path: &Path,
    bytes: &[u8],
    communes: &mut [CommuneInput],
) -> Result<Vec<TerritoryInput>> {
    let mut reader = csv::Reader::from_reader(bytes);
    let mut territories: BTreeMap<String, (String, u64)> = BTreeMap::new();
    let mut line_of: HashMap<String, u64> = HashMap::new();
    let mut record = csv::StringRecord::new();
    let headers = reader.headers().map_err(|e| csv_error(path, &e))?.clone();
    let lines = LineNumbers::after_headers(&reader);
    while reader
        .read_record(&mut record)
        .map_err(|e| csv_error(path, &e))?
    {
        let line = lines.line(record.position());
        let fail = |message: String| GeodataError::Row {
            path: path.to_owned(),
            line,
            message,
        };
        let row: MappingRow = record
            .deserialize(Some(&headers))
            .map_err(|e| fail(e.to_string()))?;
        let (code, territory, name) = (
            row.code_commune.trim(),
            row.territoire_code.trim(),
            row.territoire_nom.trim(),
        );
        if territory.is_empty() || name.is_empty() {
            return Err(fail(format!(
                "commune {code} has no territory code or name"
            )));
        }
        let Ok(i) = communes.binary_search_by(|c| c.code.as_str().cmp(code)) else {
            return Err(fail(format!(
                "unknown commune {code:?}: it is not in {COMMUNES_FILE}"
            )));
        };
        if let Some(first) = line_of.insert(code.to_owned(), line) {
            return Err(fail(format!(
                "commune {code} is already mapped on line {first}"
            )));
        }
        match territories.get(territory) {
            Some((known, first)) if known != name => {
                return Err(fail(format!(
                    "territory {territory} is named {name:?} here but {known:?} on line {first}"
                )));
            }
            Some(_) => {}
            None => {
                territories.insert(territory.to_owned(), (name.to_owned(), line));
            }
        }
        territory.clone_into(&mut communes[i].territory);
    }
    if let Some(c) = communes.iter().find(|c| c.territory.is_empty()) {
        return Err(GeodataError::File {
            path: path.to_owned(),
            message: format!(
                "commune {} ({}) is in no territory: every commune needs one line",
                c.code, c.name
            ),
        });
    }
    Ok(territories
        .into_iter()
        .map(|(code, (name, _))| TerritoryInput { code, name })
        .collect())
}

/// Every commune's EPCI must be listed, every EPCI must have communes, and an EPCI
/// must lie in one territory (a territory groups whole EPCI, BRIEF §3).
fn check_epci_membership(dir: &Path, communes: &[CommuneInput], epci: &[EpciInput]) -> Result<()> {
    let mut territory_of: HashMap<&str, &CommuneInput> = HashMap::new();
    for c in communes {
        if epci.binary_search_by(|e| e.siren.cmp(&c.epci)).is_err() {
            return Err(GeodataError::File {
                path: dir.join(EPCI_FILE),
                message: format!(
                    "EPCI {} of commune {} ({}) is not listed",
                    c.epci, c.code, c.name
                ),
            });
        }
        if let Some(other) = territory_of.insert(&c.epci, c)
            && other.territory != c.territory
        {
            return Err(GeodataError::File {
                path: dir.join(TERRITORIES_FILE),
                message: format!(
                    "EPCI {} is split between territories {} (commune {}) and {} (commune {}): \
                     a territory must group whole EPCI",
                    c.epci, other.territory, other.code, c.territory, c.code
                ),
            });
        }
    }
    if let Some(e) = epci
        .iter()
        .find(|e| !territory_of.contains_key(e.siren.as_str()))
    {
        return Err(GeodataError::File {
            path: dir.join(EPCI_FILE),
            message: format!("EPCI {} ({}) has no commune", e.siren, e.name),
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_insee_accept_corsica_and_reject_garbage() {
        assert!(is_code_insee("62041"));
        assert!(is_code_insee("2A004"));
        assert!(!is_code_insee("6204"));
        assert!(!is_code_insee("62O41"));
        assert!(!is_code_insee("2C004"));
    }
}
