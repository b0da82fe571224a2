//! Shared application state handed to every request handler.

use std::sync::Arc;

use crate::db::Db;
use crate::geography::Geography;
use crate::indicators::cache::CubeCache;
use crate::tiles::TileService;
use crate::tiles::geojson::Layers;

#[derive(Clone)]
pub struct AppState {
    pub db: Db,
    /// Read-only after start-up.
    pub geography: Arc<Geography>,
    /// GeoJSON layers, serialised and compressed once at start-up.
    pub layers: Arc<Layers>,
    /// Indicator cubes per edition.
    pub cubes: Arc<CubeCache>,
    /// Vector tiles and their cache.
    pub tiles: Arc<TileService>,
    /// Compendium generations started by staff.
    /// Mark the session cookie `Secure` on every response.
    pub secure_cookies: bool,
    /// Take the client's address from `X-Forwarded-For` (see [`crate::config::Config::behind_proxy`]).
    pub behind_proxy: bool,
}
