//! The integration tests: one binary that drives the application over HTTP as a user
//! (or a client program) would. One module per area.

#![allow(clippy::unwrap_used, reason = "a failed unwrap is a failed test")]
#![allow(
    clippy::float_cmp,
    reason = "counts and x.5 estimates are exact in f64"
)]

/// Runs `$body` with `$p` bound to the test app's concrete pool, for the few tests
/// that check in SQL what is stored; the body is compiled for each backend.
macro_rules! on_test_pool {
    ($app:expr, $p:ident => $body:expr) => {
        match $app.db.pool() {
            ess_atlas::db::Pool::Sqlite($p) => $body,
            ess_atlas::db::Pool::Postgres($p) => $body,
        }
    };
}

mod accounts;
mod coconstruction;
mod concurrency;
mod consultations;
mod damaged_files;
mod data_life;
mod declarations;
mod demo;
mod embed;
mod errors;
mod geodata;
mod helpers;
mod imports;
mod indicators;
mod instances;
mod layers;
mod openapi;
mod openapi_answers;
mod opendata;
mod palettes;
mod portraits;
mod proposals;
mod publisher;
mod ratelimit;
mod registry;
mod schema;
mod secret;
mod sirene_files;
mod sirene_imports;
mod subsidies;
mod summaries;
mod tiles;
mod zones;
