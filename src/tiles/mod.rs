//! Vector tiles (Mapbox Vector Tile 2.1) of the map's layers, their cache, and the
//! documents that describe them (TileJSON, MapLibre style, `PMTiles` export).
//!
//! Layers: `territories`, `epci`, `communes` (polygons, simplified per zoom on a
//! shared topology, see [`topology`]) and `organisations` (points of an edition,
//! aggregated at low zooms, see [`points`]). Tiles are 4 096 units wide with a 64-unit
//! buffer, Web Mercator, XYZ scheme, zooms 0–22 (geometry is refined up to the
//! source's precision; TileJSON announces `maxzoom` 14 so that clients overzoom).
//!
//! **Indicator values are not in the tiles.** The map joins them client-side by the
//! `code` property (`promoteId`) with a `match` expression or feature-state. Tiles
//! then depend only on the geography, never on the edition, the indicator, the
//! family filter or the reader's role, so one cached tile serves every view; the
//! figures come from the indicators API, which applies the secret statistique in one
//! place. Baking values in would multiply the tile cache by indicators × editions ×
//! audiences and put masked figures at risk in a format no test reads back.
//!
//! Cache: encoded tiles (and their gzip form, made on first request that accepts it)
//! live in a size-bounded in-memory cache. Boundaries change only with the geodata,
//! i.e. at start-up. Organisations change with imports, which may run in another
//! process: [`TileService::refresh`] compares the editions' `imported_at` stamps
//! (polled every second by the server) and drops every organisations tile and point
//! set when they change.

pub mod clip;
pub mod geojson;
pub mod mvt;
pub mod pmtiles;
pub mod points;
pub mod prepared;
pub mod style;
pub mod topology;

use std::collections::HashMap;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, OnceLock, RwLock};

use axum::body::Bytes;
use sha2::{Digest, Sha256};

use crate::db::{Db, DbError};
use crate::ess::perimeter::Family;
use crate::geography::Geography;
use mvt::{LayerBuilder, Value};
use points::{OrgPoint, PointSet};
use topology::{Topology, ZoomRings, area2};

/// Tile width in units.
pub const EXTENT: u32 = 4096;
/// Geometry kept beyond each side of the tile, in units, so that lines and fills join
/// seamlessly across tile edges.
pub const BUFFER: i64 = 64;
/// Highest zoom served.
pub const MAX_ZOOM: u8 = 22;
/// Highest zoom announced in TileJSON: beyond it the source adds no detail.
pub const TILEJSON_MAX_ZOOM: u8 = 14;
/// Douglas–Peucker tolerance, in tile units (1/8 of a pixel on a 512-pixel tile).
pub const TOLERANCE: f64 = 1.0;

/// A tile address in the XYZ scheme.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct TileId {
    pub z: u8,
    pub x: u32,
    pub y: u32,
}

impl TileId {
    /// Validates `z/x/y`: `z ≤ 22`, `x` and `y` below `2^z`.
    pub fn new(z: u64, x: u64, y: u64) -> Result<Self, TileError> {
        if z > u64::from(MAX_ZOOM) {
            return Err(TileError::OutOfRange(format!(
                "zoom {z} is above {MAX_ZOOM}"
            )));
        }
        let n = 1u64 << z;
        if x >= n || y >= n {
            return Err(TileError::OutOfRange(format!(
                "tile {z}/{x}/{y} does not exist: x and y must be below {n} at zoom {z}"
            )));
        }
        Ok(Self {
            z: z as u8,
            x: x as u32,
            y: y as u32,
        })
    }

    /// `[west, south, east, north]` in degrees.
    #[must_use]
    pub fn bounds(self) -> [f64; 4] {
        let n = f64::from(1u32 << self.z);
        let lon = |x: f64| x / n * 360.0 - 180.0;
        let lat = |y: f64| {
            (std::f64::consts::PI * (1.0 - 2.0 * y / n))
                .sinh()
                .atan()
                .to_degrees()
        };
        [
            lon(f64::from(self.x)),
            lat(f64::from(self.y + 1)),
            lon(f64::from(self.x + 1)),
            lat(f64::from(self.y)),
        ]
    }
}

#[derive(Debug, thiserror::Error)]
pub enum TileError {
    #[error("{0}")]
    OutOfRange(String),
    #[error("unknown tile layer {0}: expected territories, epci, communes or organisations")]
    UnknownLayer(String),
    #[error("edition {0} does not exist")]
    UnknownEdition(i64),
    #[error("no edition has been imported yet")]
    NoEdition,
    #[error(transparent)]
    Db(#[from] DbError),
    #[error("tile computation failed: {0}")]
    Task(String),
}

/// A layer of tiles.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TileLayer {
    Territories,
    Epci,
    Communes,
    Organisations,
}

impl TileLayer {
    pub const ALL: [TileLayer; 4] = [
        TileLayer::Territories,
        TileLayer::Epci,
        TileLayer::Communes,
        TileLayer::Organisations,
    ];

    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Self::Territories => "territories",
            Self::Epci => "epci",
            Self::Communes => "communes",
            Self::Organisations => "organisations",
        }
    }

    pub fn parse(name: &str) -> Result<Self, TileError> {
        Self::ALL
            .into_iter()
            .find(|l| l.name() == name)
            .ok_or_else(|| TileError::UnknownLayer(name.to_owned()))
    }

    /// Position among the polygon layers, `None` for organisations.
    fn polygon_index(self) -> Option<usize> {
        match self {
            Self::Territories => Some(0),
            Self::Epci => Some(1),
            Self::Communes => Some(2),
            Self::Organisations => None,
        }
    }
}

/// The polygon layers, on one topology, with their properties.
pub struct BoundaryTiles {
    topology: Topology,
    zooms: [OnceLock<ZoomRings>; MAX_ZOOM as usize + 1],
    /// Per polygon layer, per feature.
    properties: [Vec<Vec<(&'static str, Value)>>; 3],
    /// Per polygon layer, the lowest zoom it is drawn at (see [`min_zoom`]).
    min_zooms: [u8; 3],
}

/// At most this many features of one polygon layer in one tile: below the zoom where
/// this holds, the layer's tiles are empty (the map shows EPCI or territories there).
/// One département's 887 communes fit in a z0 tile; France's 34,871 do not.
pub const MAX_FEATURES_PER_TILE: usize = 4_000;

/// The lowest zoom at which no tile intersects more than `limit` of `bboxes`
/// (`[west, south, east, north]` in degrees).
#[must_use]
pub fn min_zoom(bboxes: &[[f64; 4]], limit: usize) -> u8 {
    if bboxes.len() <= limit {
        return 0;
    }
    for z in 1..=MAX_ZOOM {
        let mut counts: HashMap<(u32, u32), usize> = HashMap::new();
        let crowded = bboxes.iter().any(|&b| {
            pmtiles::tiles_over(b, z).into_iter().any(|t| {
                let n = counts.entry((t.x, t.y)).or_default();
                *n += 1;
                *n > limit
            })
        });
        if !crowded {
            return z;
        }
    }
    MAX_ZOOM
}

fn text(s: &str) -> Value {
    Value::Str(s.to_owned())
}

impl BoundaryTiles {
    /// Builds the topology of the three polygon layers. CPU-bound (tens of ms here).
    #[must_use]
    pub fn new(g: &Geography) -> Self {
        let topology = Topology::build(&[
            g.territories.iter().map(|t| &t.zone.geometry).collect(),
            g.epci.iter().map(|e| &e.zone.geometry).collect(),
            g.communes.iter().map(|c| &c.zone.geometry).collect(),
        ]);
        let population = |p: u64| Value::Int(i64::try_from(p).unwrap_or(i64::MAX));
        let territories = g
            .territories
            .iter()
            .map(|t| {
                vec![
                    ("code", text(&t.zone.code)),
                    ("name", text(&t.zone.name)),
                    ("population", population(t.zone.population)),
                ]
            })
            .collect();
        let epci = g
            .epci
            .iter()
            .map(|e| {
                vec![
                    ("code", text(&e.zone.code)),
                    ("name", text(&e.zone.name)),
                    ("short_name", text(&e.short_name)),
                    ("kind", text(&e.kind)),
                    ("territory", text(&g.territories[e.territory].zone.code)),
                    ("population", population(e.zone.population)),
                ]
            })
            .collect();
        let communes = g
            .communes
            .iter()
            .map(|c| {
                vec![
                    ("code", text(&c.zone.code)),
                    ("name", text(&c.zone.name)),
                    ("epci", text(&g.epci[c.epci].zone.code)),
                    ("territory", text(&g.territories[c.territory].zone.code)),
                    ("population", population(c.zone.population)),
                ]
            })
            .collect();
        let min_zooms = std::array::from_fn(|i| {
            let bboxes: Vec<[f64; 4]> = topology.layers[i].iter().map(|f| f.bbox).collect();
            min_zoom(&bboxes, MAX_FEATURES_PER_TILE)
        });
        Self {
            topology,
            zooms: std::array::from_fn(|_| OnceLock::new()),
            properties: [territories, epci, communes],
            min_zooms,
        }
    }

    /// The lowest zoom polygon layer `index` is drawn at.
    #[must_use]
    pub fn min_zoom(&self, index: usize) -> u8 {
        self.min_zooms[index]
    }

    fn rings(&self, z: u8) -> &ZoomRings {
        self.zooms[usize::from(z)].get_or_init(|| self.topology.at_zoom(z, TOLERANCE))
    }

    /// Appends polygon layer `index` (0 territories, 1 EPCI, 2 communes) of tile `t`.
    pub fn encode(&self, index: usize, name: &'static str, t: TileId, out: &mut Vec<u8>) {
        if t.z < self.min_zooms[index] {
            return;
        }
        let rings = self.rings(t.z);
        let [west, south, east, north] = t.bounds();
        // The buffer, in degrees (generous: latitude spans shrink northwards).
        let margin = (east - west) * (BUFFER as f64 / f64::from(EXTENT)) * 1.5;
        let ox = i64::from(t.x) * i64::from(EXTENT);
        let oy = i64::from(t.y) * i64::from(EXTENT);
        let (lo, hi) = (-BUFFER, i64::from(EXTENT) + BUFFER);
        let mut layer = LayerBuilder::new(name, EXTENT);
        let mut out_rings: Vec<Vec<[i64; 2]>> = Vec::new();
        for (f, feature) in self.topology.layers[index].iter().enumerate() {
            let b = feature.bbox;
            if b[0] > east + margin
                || b[2] < west - margin
                || b[1] > north + margin
                || b[3] < south - margin
            {
                continue;
            }
            out_rings.clear();
            for polygon in &feature.polygons {
                for (k, &r) in polygon.iter().enumerate() {
                    let ring = &rings.rings[r as usize];
                    let mut local: Vec<[i64; 2]> =
                        ring.iter().map(|p| [p[0] - ox, p[1] - oy]).collect();
                    let inside = local
                        .iter()
                        .all(|p| p[0] >= lo && p[0] <= hi && p[1] >= lo && p[1] <= hi);
                    if !inside {
                        local = clip::clip_ring(&local, lo, hi);
                    }
                    let area = if local.len() >= 3 { area2(&local) } else { 0 };
                    if area == 0 {
                        if k == 0 {
                            // No exterior here: its holes are not either.
                            break;
                        }
                        continue;
                    }
                    // MVT: exteriors positive (clockwise on screen), holes negative.
                    if (area > 0) != (k == 0) {
                        local.reverse();
                    }
                    out_rings.push(local);
                }
            }
            if !out_rings.is_empty() {
                layer.add_polygon(&self.properties[index][f], &out_rings);
            }
        }
        layer.finish(out);
    }
}

/// An encoded tile, as the cache keeps it.
#[derive(Debug)]
pub struct TileBody {
    /// Empty for a tile without features.
    pub raw: Bytes,
    gzip: OnceLock<Bytes>,
    /// Strong ETag, quoted.
    pub etag: String,
    /// The same, ready for the response header.
    pub etag_header: axum::http::HeaderValue,
}

impl TileBody {
    fn new(raw: Vec<u8>) -> Self {
        let etag = crate::tiles::prepared::etag_of(&raw);
        Self {
            // Hex digits and quotes are always a valid header value.
            etag_header: axum::http::HeaderValue::from_str(&etag)
                .unwrap_or(axum::http::HeaderValue::from_static("\"\"")),
            etag,
            raw: raw.into(),
            gzip: OnceLock::new(),
        }
    }

    /// The gzip form, compressed once on first use and kept.
    pub fn gzip(&self) -> &Bytes {
        self.gzip
            .get_or_init(|| crate::tiles::prepared::gzip(&self.raw).into())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
struct TileKey {
    layer: TileLayer,
    /// Organisations: edition and the data generation it was built from; else 0.
    edition: i64,
    generation: u32,
    family: Option<Family>,
    tile: TileId,
}

#[derive(Clone)]
struct Weigher;

impl quick_cache::Weighter<TileKey, Arc<TileBody>> for Weigher {
    fn weight(&self, _key: &TileKey, body: &Arc<TileBody>) -> u64 {
        // Raw bytes, the gzip form that will likely join them, and bookkeeping.
        (body.raw.len() + body.raw.len() / 2 + 128) as u64
    }
}

/// What the server knows of the editions, for the organisations layer.
#[derive(Debug, Clone, Default)]
struct DataState {
    stamp: String,
    years: Vec<i64>,
    /// Short hash of `stamp`: the data version in tile URLs.
    version: String,
}

/// Tiles of every layer, cached.
pub struct TileService {
    boundaries: Arc<BoundaryTiles>,
    /// Short hash of the geography's fingerprint: the boundary version in tile URLs.
    boundary_version: String,
    points: tokio::sync::Mutex<HashMap<i64, Arc<PointSet>>>,
    cache: quick_cache::sync::Cache<TileKey, Arc<TileBody>, Weigher>,
    data: RwLock<DataState>,
    generation: AtomicU32,
}

impl TileService {
    /// Builds the boundary topology of `geography`; `cache_bytes` bounds the cache.
    #[must_use]
    pub fn new(geography: &Geography, cache_bytes: u64) -> Self {
        let hex = format!("{:x}", Sha256::digest(geography.fingerprint.as_bytes()));
        // Estimated item count: tiles average a few KiB.
        let items = (cache_bytes / 4096).max(64) as usize;
        Self {
            boundaries: Arc::new(BoundaryTiles::new(geography)),
            boundary_version: hex[..12].to_owned(),
            points: tokio::sync::Mutex::default(),
            cache: quick_cache::sync::Cache::with_weighter(items, cache_bytes, Weigher),
            data: RwLock::default(),
            generation: AtomicU32::new(0),
        }
    }

    /// Re-reads the editions; when any was created, deleted or re-imported since the
    /// last call, forgets the organisations tiles. Returns whether anything changed.
    pub async fn refresh(&self, db: &Db) -> Result<bool, DbError> {
        let editions = db.editions().await?;
        let stamp = editions
            .iter()
            .map(|e| format!("{}:{}", e.year, e.imported_at.as_deref().unwrap_or("")))
            .collect::<Vec<_>>()
            .join(",");
        {
            let data = self
                .data
                .read()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            if data.stamp == stamp && !data.version.is_empty() {
                return Ok(false);
            }
        }
        let hex = format!("{:x}", Sha256::digest(stamp.as_bytes()));
        let mut years: Vec<i64> = editions.iter().map(|e| e.year).collect();
        years.sort_unstable();
        *self
            .data
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = DataState {
            stamp,
            years,
            version: hex[..12].to_owned(),
        };
        self.generation.fetch_add(1, Ordering::SeqCst);
        self.points.lock().await.clear();
        // Boundary tiles stay valid; organisations tiles of older generations are
        // unreachable (their key holds the generation) and age out, but free the
        // memory now.
        self.cache
            .retain(|k, _| k.layer != TileLayer::Organisations);
        Ok(true)
    }

    /// Whether `token` is the current version token of `layer` (no allocation: this
    /// runs on every tile request).
    #[must_use]
    pub fn is_current(&self, layer: TileLayer, token: &str) -> bool {
        if layer == TileLayer::Organisations {
            self.data
                .read()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .version
                == token
        } else {
            self.boundary_version == token
        }
    }

    /// The version token of `layer`'s tiles, for cache-busting URLs.
    #[must_use]
    pub fn version(&self, layer: TileLayer) -> String {
        if layer == TileLayer::Organisations {
            self.data
                .read()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .version
                .clone()
        } else {
            self.boundary_version.clone()
        }
    }

    /// The lowest zoom `layer` has features at (0 for organisations, aggregated instead).
    #[must_use]
    pub fn min_zoom(&self, layer: TileLayer) -> u8 {
        layer
            .polygon_index()
            .map_or(0, |i| self.boundaries.min_zoom(i))
    }

    /// The edition an organisations request means: the given one if it exists, else
    /// the latest. An edition the server does not know yet makes it re-read the
    /// editions at once rather than wait for the next poll.
    pub async fn resolve_edition(&self, db: &Db, edition: Option<i64>) -> Result<i64, TileError> {
        if let Ok(y) = self.known_edition(edition) {
            return Ok(y);
        }
        self.refresh(db).await?;
        self.known_edition(edition)
    }

    fn known_edition(&self, edition: Option<i64>) -> Result<i64, TileError> {
        let data = self
            .data
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        match edition {
            Some(y) if data.years.contains(&y) => Ok(y),
            Some(y) => Err(TileError::UnknownEdition(y)),
            None => data.years.last().copied().ok_or(TileError::NoEdition),
        }
    }

    /// The tile `t` of `layer`; for organisations, of `edition` (resolved with
    /// [`Self::resolve_edition`]) and `family` when given.
    pub async fn tile(
        &self,
        db: &Db,
        layer: TileLayer,
        edition: i64,
        family: Option<Family>,
        t: TileId,
    ) -> Result<Arc<TileBody>, TileError> {
        let key = match layer {
            TileLayer::Organisations => TileKey {
                layer,
                edition,
                generation: self.generation.load(Ordering::SeqCst),
                family,
                tile: t,
            },
            _ => TileKey {
                layer,
                edition: 0,
                generation: 0,
                family: None,
                tile: t,
            },
        };
        // Hits take the plain lookup; a miss takes a guard so that concurrent
        // requests for the same tile wait for one computation.
        if let Some(body) = self.cache.get(&key) {
            return Ok(body);
        }
        let guard = match self.cache.get_value_or_guard_async(&key).await {
            Ok(body) => return Ok(body),
            Err(guard) => guard,
        };
        let raw = if let Some(index) = layer.polygon_index() {
            let boundaries = Arc::clone(&self.boundaries);
            tokio::task::spawn_blocking(move || {
                let mut out = Vec::new();
                boundaries.encode(index, layer.name(), t, &mut out);
                out
            })
            .await
            .map_err(|e| TileError::Task(e.to_string()))?
        } else {
            let set = self.point_set(db, edition).await?;
            tokio::task::spawn_blocking(move || {
                let mut out = Vec::new();
                set.encode(t, family, &mut out);
                out
            })
            .await
            .map_err(|e| TileError::Task(e.to_string()))?
        };
        let body = Arc::new(TileBody::new(raw));
        let _ = guard.insert(Arc::clone(&body));
        Ok(body)
    }

    /// The cached tile `t` of a boundary layer, if any (no computation: the fast path).
    #[must_use]
    pub fn cached_boundary(&self, layer: TileLayer, t: TileId) -> Option<Arc<TileBody>> {
        if layer == TileLayer::Organisations {
            return None;
        }
        self.cache.get(&TileKey {
            layer,
            edition: 0,
            generation: 0,
            family: None,
            tile: t,
        })
    }

    /// Encodes a tile without the cache (export).
    pub async fn encode_uncached(
        &self,
        db: &Db,
        layer: TileLayer,
        edition: i64,
        t: TileId,
        out: &mut Vec<u8>,
    ) -> Result<(), TileError> {
        match layer.polygon_index() {
            Some(index) => self.boundaries.encode(index, layer.name(), t, out),
            None => self.point_set(db, edition).await?.encode(t, None, out),
        }
        Ok(())
    }

    /// Loads the organisations of the latest edition, so that the first visitor does
    /// not wait for them (1.5 M points for all of France: seconds).
    pub async fn warm(&self, db: &Db) -> Result<(), TileError> {
        let latest = db.editions().await?.iter().map(|e| e.year).max();
        if let Some(edition) = latest {
            self.point_set(db, edition).await?;
        }
        Ok(())
    }

    async fn point_set(&self, db: &Db, edition: i64) -> Result<Arc<PointSet>, TileError> {
        let mut sets = self.points.lock().await;
        if let Some(set) = sets.get(&edition) {
            return Ok(Arc::clone(set));
        }
        let rows = db.organisation_points(edition).await?;
        let set = tokio::task::spawn_blocking(move || {
            PointSet::new(
                rows.into_iter()
                    .filter_map(|r| {
                        Some(OrgPoint {
                            family: Family::from_id(&r.family)?,
                            siret: r.siret,
                            name: r.name,
                            naf: r.naf,
                            employer: r.employer,
                            approximate: r.location_approximate,
                            lon: r.lon,
                            lat: r.lat,
                        })
                    })
                    .collect(),
            )
        })
        .await
        .map_err(|e| TileError::Task(e.to_string()))?;
        let set = Arc::new(set);
        sets.insert(edition, Arc::clone(&set));
        Ok(set)
    }

    /// Number of tiles in the cache and their weight in bytes.
    #[must_use]
    pub fn cache_usage(&self) -> (usize, u64) {
        (self.cache.len(), self.cache.weight())
    }
}

#[cfg(test)]
mod tests;
