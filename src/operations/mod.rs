//! Operations: what the server, the command line and the tests do with the data as a
//! whole — load the geography, import an edition's files, load the demonstration data,
//! back up and restore the database, copy it to another backend.
//!
//! Each operation composes the pure readers (`import/`, `demo/`, `spatial/`) with the
//! database (`db/`): the readers never see the database and the database never sees a
//! file. Errors are `anyhow` with context, as for the command line that prints them.

mod backup;
mod demo;
mod geography;
mod imports;
pub mod jobs;
mod transfer;

pub use backup::{BackupDone, RestoreDone, backup, backups_to_prune, restore, scheduled_backup};
pub use demo::{DEMO_SEED, load_demo};
pub use geography::load_geography;
pub use imports::{
    DryRun, default_reference_date, dry_run_observatory, dry_run_subsidies, import_observatory,
    import_observatory_with, import_sirene, import_sirene_with, import_subsidies,
    import_subsidies_with,
};
pub use transfer::{MigrateDone, migrate_data};
