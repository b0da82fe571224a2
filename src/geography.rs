//! The in-memory geography: département, territories, EPCI and communes with their
//! outlines, figures and memberships, plus the point index.
//!
//! Built once at start-up and shared read-only. Two ways in, one shape:
//! 1. cold start: [`build_records`] dissolves the communes of the validated geodata
//!    into EPCI and territory outlines and measures every area (pure, CPU-bound);
//! 2. warm start: the same [`GeographyRecords`] are read back from the database cache;
//!
//! then [`Geography::assemble`] derives memberships, populations, bounding boxes and
//! label points. Populations of EPCI and territories are always the sum of their
//! communes, so they follow the mapping.

use geo::{BoundingRect, InteriorPoint, MultiPolygon};
use serde::Serialize;

use crate::spatial::assign::PolygonIndex;
use crate::spatial::boundaries::{DepartmentInput, GeodataInput};
use crate::spatial::dissolve::dissolve;
use crate::spatial::projection::area_km2;

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, serde::Deserialize, utoipa::ToSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    Department,
    Territory,
    Epci,
    Commune,
}

/// An outline with its name and area, as stored in the database cache.
#[derive(Debug, Clone)]
pub struct OutlineRecord {
    pub code: String,
    pub name: String,
    /// WGS84 lon/lat.
    pub geometry: MultiPolygon<f64>,
    /// On EPSG:3035.
    pub area_km2: f64,
}

#[derive(Debug, Clone)]
pub struct EpciRecord {
    pub outline: OutlineRecord,
    pub short_name: String,
    pub kind: String,
}

#[derive(Debug, Clone)]
pub struct CommuneRecord {
    pub outline: OutlineRecord,
    pub population: u64,
    pub epci: String,
    pub territory: String,
}

/// Everything the database caches about the geography; each list sorted by code.
#[derive(Debug, Clone)]
pub struct GeographyRecords {
    pub department: DepartmentInput,
    pub territories: Vec<OutlineRecord>,
    pub epci: Vec<EpciRecord>,
    pub communes: Vec<CommuneRecord>,
    pub fingerprint: String,
}

/// Dissolves and measures the validated geodata. CPU-bound: call it off the async
/// runtime (`spawn_blocking`).
#[must_use]
pub fn build_records(input: GeodataInput) -> GeographyRecords {
    let communes: Vec<CommuneRecord> = input
        .communes
        .into_iter()
        .map(|c| CommuneRecord {
            outline: OutlineRecord {
                area_km2: area_km2(&c.geometry),
                code: c.code,
                name: c.name,
                geometry: c.geometry,
            },
            population: c.population,
            epci: c.epci,
            territory: c.territory,
        })
        .collect();

    // One job per group; two workers are enough for 29 unions on this hardware.
    let mut jobs: Vec<(bool, usize)> = (0..input.territories.len())
        .map(|i| (true, i))
        .chain((0..input.epci.len()).map(|i| (false, i)))
        .collect();
    // Big groups first so the workers finish together.
    jobs.sort_by_key(|&(is_territory, _)| std::cmp::Reverse(is_territory));
    let group_code = |&(is_territory, i): &(bool, usize)| -> &str {
        if is_territory {
            &input.territories[i].code
        } else {
            &input.epci[i].siren
        }
    };
    let outlines: Vec<((bool, usize), MultiPolygon<f64>)> = {
        let workers = std::thread::available_parallelism().map_or(2, std::num::NonZero::get);
        let next = std::sync::atomic::AtomicUsize::new(0);
        let results = std::sync::Mutex::new(Vec::with_capacity(jobs.len()));
        std::thread::scope(|scope| {
            for _ in 0..workers {
                scope.spawn(|| {
                    loop {
                        let j = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        let Some(job) = jobs.get(j) else { break };
                        let code = group_code(job);
                        let members = communes.iter().filter_map(|c| {
                            let key = if job.0 { &c.territory } else { &c.epci };
                            (key == code).then_some(&c.outline.geometry)
                        });
                        let outline = dissolve(members);
                        results
                            .lock()
                            .unwrap_or_else(std::sync::PoisonError::into_inner)
                            .push((*job, outline));
                    }
                });
            }
        });
        results
            .into_inner()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    };

    let mut territories: Vec<OutlineRecord> = Vec::new();
    let mut epci: Vec<EpciRecord> = Vec::new();
    for ((is_territory, i), geometry) in outlines {
        let area = area_km2(&geometry);
        if is_territory {
            let t = &input.territories[i];
            territories.push(OutlineRecord {
                code: t.code.clone(),
                name: t.name.clone(),
                geometry,
                area_km2: area,
            });
        } else {
            let e = &input.epci[i];
            epci.push(EpciRecord {
                outline: OutlineRecord {
                    code: e.siren.clone(),
                    name: e.name.clone(),
                    geometry,
                    area_km2: area,
                },
                short_name: e.short_name.clone(),
                kind: e.kind.clone(),
            });
        }
    }
    territories.sort_by(|a, b| a.code.cmp(&b.code));
    epci.sort_by(|a, b| a.outline.code.cmp(&b.outline.code));

    GeographyRecords {
        department: input.department,
        territories,
        epci,
        communes,
        fingerprint: input.fingerprint,
    }
}

/// A zone of any level, with what every level shares.
#[derive(Debug, Clone)]
pub struct Zone {
    pub level: Level,
    pub code: String,
    pub name: String,
    pub population: u64,
    pub area_km2: f64,
    /// `[min_lon, min_lat, max_lon, max_lat]`.
    pub bbox: [f64; 4],
    /// A point inside the zone where its label goes, `[lon, lat]`.
    pub label_point: [f64; 2],
    pub geometry: MultiPolygon<f64>,
}

#[derive(Debug, Clone)]
pub struct Territory {
    pub zone: Zone,
    /// Positions in [`Geography::epci`], by SIREN.
    pub epci: Vec<usize>,
    /// Positions in [`Geography::communes`], by code.
    pub communes: Vec<usize>,
}

#[derive(Debug, Clone)]
pub struct Epci {
    pub zone: Zone,
    pub short_name: String,
    pub kind: String,
    pub territory: usize,
    pub communes: Vec<usize>,
}

#[derive(Debug, Clone)]
pub struct Commune {
    pub zone: Zone,
    pub epci: usize,
    pub territory: usize,
    /// Lower-case, accent-free name for search.
    search_key: String,
}

#[derive(Debug, Clone)]
pub struct Department {
    pub code: String,
    pub name: String,
    pub attribution: String,
    pub population: u64,
    pub area_km2: f64,
    pub bbox: [f64; 4],
}

pub struct Geography {
    pub department: Department,
    pub territories: Vec<Territory>,
    pub epci: Vec<Epci>,
    pub communes: Vec<Commune>,
    pub fingerprint: String,
    index: PolygonIndex,
}

/// The commune, EPCI and territory a point falls in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Location {
    pub commune: usize,
    pub epci: usize,
    pub territory: usize,
}

fn zone(level: Level, o: OutlineRecord, population: u64) -> Zone {
    let bbox = o
        .geometry
        .bounding_rect()
        .map_or([0.0; 4], |r| [r.min().x, r.min().y, r.max().x, r.max().y]);
    let label_point = o
        .geometry
        .interior_point()
        .map_or([bbox[0], bbox[1]], |p| [p.x(), p.y()]);
    Zone {
        level,
        code: o.code,
        name: o.name,
        population,
        area_km2: o.area_km2,
        bbox,
        label_point,
        geometry: o.geometry,
    }
}

fn union_bbox(a: [f64; 4], b: [f64; 4]) -> [f64; 4] {
    [
        a[0].min(b[0]),
        a[1].min(b[1]),
        a[2].max(b[2]),
        a[3].max(b[3]),
    ]
}

impl Geography {
    /// Derives memberships and figures. Fails when a commune names an EPCI or a
    /// territory that the records do not hold (a corrupt cache).
    pub fn assemble(records: GeographyRecords) -> Result<Self, String> {
        let GeographyRecords {
            department,
            territories,
            epci,
            communes,
            fingerprint,
        } = records;
        let mut territories: Vec<Territory> = territories
            .into_iter()
            .map(|o| Territory {
                zone: zone(Level::Territory, o, 0),
                epci: Vec::new(),
                communes: Vec::new(),
            })
            .collect();
        let mut epci: Vec<Epci> = epci
            .into_iter()
            .map(|e| Epci {
                zone: zone(Level::Epci, e.outline, 0),
                short_name: e.short_name,
                kind: e.kind,
                territory: usize::MAX,
                communes: Vec::new(),
            })
            .collect();
        let mut out_communes = Vec::with_capacity(communes.len());
        for (i, c) in communes.into_iter().enumerate() {
            let e = epci
                .binary_search_by(|x| x.zone.code.cmp(&c.epci))
                .map_err(|_| format!("commune {} names unknown EPCI {}", c.outline.code, c.epci))?;
            let t = territories
                .binary_search_by(|x| x.zone.code.cmp(&c.territory))
                .map_err(|_| {
                    format!(
                        "commune {} names unknown territory {}",
                        c.outline.code, c.territory
                    )
                })?;
            epci[e].communes.push(i);
            epci[e].zone.population += c.population;
            epci[e].territory = t;
            territories[t].communes.push(i);
            territories[t].zone.population += c.population;
            if !territories[t].epci.contains(&e) {
                territories[t].epci.push(e);
            }
            let search_key = fold_for_search(&c.outline.name);
            out_communes.push(Commune {
                zone: zone(Level::Commune, c.outline, c.population),
                epci: e,
                territory: t,
                search_key,
            });
        }
        for t in &mut territories {
            t.epci.sort_unstable();
        }
        if let Some(e) = epci.iter().find(|e| e.communes.is_empty()) {
            return Err(format!("EPCI {} has no commune", e.zone.code));
        }
        if let Some(t) = territories.iter().find(|t| t.communes.is_empty()) {
            return Err(format!("territory {} has no commune", t.zone.code));
        }
        let bbox = out_communes
            .iter()
            .map(|c: &Commune| c.zone.bbox)
            .reduce(union_bbox)
            .ok_or("the geography has no commune")?;
        let department = Department {
            code: department.code,
            name: department.name,
            attribution: department.attribution,
            population: out_communes.iter().map(|c| c.zone.population).sum(),
            area_km2: out_communes.iter().map(|c| c.zone.area_km2).sum(),
            bbox,
        };
        let index = PolygonIndex::new(
            out_communes
                .iter()
                .map(|c| c.zone.geometry.clone())
                .collect(),
        );
        Ok(Self {
            department,
            territories,
            epci,
            communes: out_communes,
            fingerprint,
            index,
        })
    }

    #[must_use]
    pub fn territory(&self, code: &str) -> Option<&Territory> {
        self.territories
            .binary_search_by(|t| t.zone.code.as_str().cmp(code))
            .ok()
            .map(|i| &self.territories[i])
    }

    #[must_use]
    pub fn epci_by_siren(&self, siren: &str) -> Option<&Epci> {
        self.epci
            .binary_search_by(|e| e.zone.code.as_str().cmp(siren))
            .ok()
            .map(|i| &self.epci[i])
    }

    #[must_use]
    pub fn commune(&self, code: &str) -> Option<&Commune> {
        self.commune_position(code).map(|i| &self.communes[i])
    }

    #[must_use]
    pub fn commune_position(&self, code: &str) -> Option<usize> {
        self.communes
            .binary_search_by(|c| c.zone.code.as_str().cmp(code))
            .ok()
    }

    /// Where `(lon, lat)` (WGS84) falls; see [`crate::spatial::assign`] for edges.
    #[must_use]
    pub fn locate(&self, lon: f64, lat: f64) -> Option<Location> {
        let commune = self.index.locate(lon, lat)?;
        let c = &self.communes[commune];
        Some(Location {
            commune,
            epci: c.epci,
            territory: c.territory,
        })
    }

    #[must_use]
    pub fn index(&self) -> &PolygonIndex {
        &self.index
    }

    /// Communes whose name or code matches `query`, best matches first: exact name,
    /// then name prefix (by population), then any word prefix or substring.
    /// Case, accents, hyphens and apostrophes are ignored ("st omer" does not match
    /// "Saint-Omer", but "saint omer" does).
    #[must_use]
    pub fn search_communes(&self, query: &str) -> Vec<usize> {
        let q = fold_for_search(query);
        if q.is_empty() {
            return (0..self.communes.len()).collect();
        }
        let mut hits: Vec<(u8, std::cmp::Reverse<u64>, usize)> = self
            .communes
            .iter()
            .enumerate()
            .filter_map(|(i, c)| {
                let rank = if c.search_key == q || c.zone.code == q {
                    0
                } else if c.search_key.starts_with(&q) || c.zone.code.starts_with(&q) {
                    1
                } else if c.search_key.split(' ').any(|w| w.starts_with(&q)) {
                    2
                } else if c.search_key.contains(&q) {
                    3
                } else {
                    return None;
                };
                Some((rank, std::cmp::Reverse(c.zone.population), i))
            })
            .collect();
        hits.sort_unstable();
        hits.into_iter().map(|(_, _, i)| i).collect()
    }
}

/// Folds a French place name for matching: lower case, accents removed, every run of
/// non-alphanumeric characters turned into one space.
///
/// Hand-written rather than a Unicode normalisation crate: place names of France use a
/// small closed set of Latin letters with diacritics, listed here.
#[must_use]
pub fn fold_for_search(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut pending_space = false;
    for ch in s.chars().flat_map(char::to_lowercase) {
        let folded: &str = match ch {
            'à' | 'â' | 'ä' | 'á' | 'ã' => "a",
            'ç' => "c",
            'é' | 'è' | 'ê' | 'ë' => "e",
            'î' | 'ï' | 'í' => "i",
            'ô' | 'ö' | 'ó' => "o",
            'ù' | 'û' | 'ü' | 'ú' => "u",
            'ÿ' => "y",
            'œ' => "oe",
            'æ' => "ae",
            c if c.is_alphanumeric() => {
                if pending_space && !out.is_empty() {
                    out.push(' ');
                }
                pending_space = false;
                out.push(c);
                continue;
            }
            _ => {
                pending_space = true;
                continue;
            }
        };
        if pending_space && !out.is_empty() {
            out.push(' ');
        }
        pending_space = false;
        out.push_str(folded);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::fold_for_search;

    #[test]
    fn search_folding_ignores_case_accents_and_punctuation() {
        assert_eq!(fold_for_search("Saint-Omer"), "saint omer");
        assert_eq!(fold_for_search("  Hénin--Beaumont "), "henin beaumont");
        assert_eq!(fold_for_search("Mœuvres"), "moeuvres");
        assert_eq!(fold_for_search("L'Écluse"), "l ecluse");
    }
}
