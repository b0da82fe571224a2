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
    /// Password checks running at once (argon2: ~10 MB each): as many as cores.
    pub hashing: Arc<tokio::sync::Semaphore>,
    /// Rows in one organisations export ([`crate::config::Config::export_limit`]).
    pub export_limit: i64,
    /// Rendered fiches and the bound on renders.
    pub documents: Arc<crate::summary::cache::DocumentCache>,
    /// Public indicator and profile answers, prepared once.
    pub answers: Arc<super::answers::PublicAnswers>,
    /// `Content-Security-Policy` of the embeddable map (`frame-ancestors …`).
    pub embed_frame_ancestors: axum::http::HeaderValue,
    /// Per-address budgets of the public API and the documents.
    pub rate_limits: Arc<super::ratelimit::RateLimits>,
    /// Who publishes the fiches (name, contact, logo).
    pub publisher: Arc<crate::summary::publisher::Publisher>,
    /// Outgoing e-mail (SMTP or the outbox folder).
    pub mailer: Arc<crate::mail::Mailer>,
    /// The public address of the atlas, without a trailing `/`: e-mails' links.
    pub public_url: Arc<str>,
    /// Addresses told when a contribution awaits moderation.
    pub moderators: Arc<[String]>,
    /// The SIRENE files on the server and their import, started from `/espace`.
    pub sirene: Arc<super::sirene_imports::SireneImports>,
}

impl AppState {
    /// Permits for [`Self::hashing`]: the cores this process may use.
    #[must_use]
    pub fn hashing_permits() -> usize {
        std::thread::available_parallelism().map_or(2, std::num::NonZero::get)
    }
}
