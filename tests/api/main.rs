//! The integration tests: one binary that drives the application over HTTP as a user
//! (or a client program) would. One module per area.

#![allow(clippy::unwrap_used, reason = "a failed unwrap is a failed test")]
#![allow(
    clippy::float_cmp,
    reason = "counts and x.5 estimates are exact in f64"
)]

mod accounts;
mod demo;
mod errors;
mod geodata;
mod helpers;
mod indicators;
mod layers;
mod portraits;
mod registry;
mod sirene_files;
mod subsidies;
mod summaries;
mod tiles;
mod zones;
