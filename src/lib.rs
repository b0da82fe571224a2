//! ess-atlas: a map server for the social and solidarity economy (ESS) of a French
//! département.
//!
//! The crate root is a table of contents. Modules form layers; a module may use the
//! layers below it, never one above, and no two modules use each other:
//!
//! ```text
//! cli                       the command line (main.rs parses it and runs it)
//!  └ server                 app assembly, lifecycle, background tasks
//!     └ api                 HTTP routes, AppState, the one conversion of errors to HTTP
//!        └ summary, operations       documents (PDF, XLSX, CSV, HTML); imports, demo loading
//!           └ tiles, portraits       vector layers; portraits, plans and their workflow
//!              └ indicators          figures, the cube per edition, the secret statistique
//!                 └ db | import | demo   all SQL (both backends) | file readers | the
//!                                        demonstration registry: siblings, none uses another
//!                    └ records       plain rows, cells and reports the three and
//!                                    indicators share: db names no reader nor figure
//!                      mail          outgoing e-mail (SMTP or the outbox folder);
//!                                    a sibling of records
//! ```
//!
//! Anyone may use the foundations: [`geography`] and [`spatial`] (the zones and their
//! shapes), [`ess`] (families, categories, size classes, identifiers, reference tables),
//! [`auth`] (roles, passwords, sessions: no HTTP, no SQL), [`time`], [`csv_lines`],
//! [`config`] and [`telemetry`]. They are layered too: `geography` and `config` over
//! `ess`, `spatial` and `auth`, over `time`, `csv_lines` and `telemetry`.
//! `src/layering.rs` checks the rule on every `crate::…` path in code (unit tests
//! excepted) and fails on any use that breaks it.

#![forbid(unsafe_code)]

pub mod api;
pub mod auth;
pub mod cli;
pub mod config;
pub mod csv_lines;
pub mod db;
pub mod demo;
pub mod ess;
pub mod geography;
pub mod import;
pub mod indicators;
pub mod mail;
pub mod operations;
pub mod portraits;
pub mod records;
pub mod server;
pub mod spatial;
pub mod summary;
pub mod telemetry;
pub mod tiles;
pub mod time;

#[cfg(test)]
mod layering;

pub use server::{App, build_app};
