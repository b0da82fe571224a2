//! Geometry of the reference geography: loading, dissolving, projecting, locating.
//!
//! Nothing here does network or database I/O or knows about HTTP; only
//! [`boundaries`] and [`batch`] read (and `batch` writes) files.

pub mod assign;
pub mod batch;
pub mod boundaries;
pub mod dissolve;
pub mod projection;
