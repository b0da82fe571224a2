//! Logging: a `tracing` subscriber writing to an injectable writer (stderr by default),
//! filtered by `RUST_LOG` (default `info`, quieter for sqlx).

use tracing_subscriber::EnvFilter;
use tracing_subscriber::fmt::MakeWriter;

/// Installs the global subscriber. Calling it twice is harmless (the second call is
/// ignored), which lets tests call it freely.
pub fn init<W>(writer: W)
where
    W: for<'a> MakeWriter<'a> + Send + Sync + 'static,
{
    let filter = EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn,tower_http=info"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(writer)
        .try_init();
}
