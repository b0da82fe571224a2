//! `ess-atlas audit secret --edition Y [--json]`: the secret statistique audit of an
//! edition ([`crate::indicators::audit`]) from the command line. Prints every cell
//! the reader narrows too much with the relations that pin it, and fails (non-zero
//! exit) on any.

use std::path::Path;
use std::sync::Arc;
use std::time::Instant;

use anyhow::bail;
use clap::Subcommand;

use crate::db::Db;

#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// Play the determined reader on every public figure of an edition (all levels,
    /// every one-breakdown filter, observatory figures included).
    Secret {
        #[arg(long)]
        edition: i64,
        /// JSON instead of text.
        #[arg(long)]
        json: bool,
    },
}

impl AuditCommand {
    pub async fn run(self, database: &str, geodata: &Path) -> anyhow::Result<()> {
        let AuditCommand::Secret { edition, json } = self;
        let db = Db::connect(database).await?;
        let geography = Arc::new(crate::operations::load_geography(&db, geodata).await?);
        if db.edition(edition).await?.is_none() {
            bail!("no edition {edition}");
        }
        let started = Instant::now();
        let (_, report) = crate::indicators::cache::build_audited(&db, &geography, edition).await?;
        let elapsed = started.elapsed();
        if json {
            println!("{}", serde_json::to_string_pretty(&report)?);
        } else {
            print!("{}", report.to_text());
            println!("cube + audit: {:.2} s", elapsed.as_secs_f64());
        }
        if !report.passed() {
            bail!(
                "secret statistique audit failed: {} cells",
                report.failures.len()
            );
        }
        Ok(())
    }
}
