//! `ess-atlas serve` (the default command): configuration from the arguments, then the
//! server until a shutdown signal.

use std::time::Instant;

use super::{GlobalArgs, ServeArgs};
use crate::config::Config;

pub(super) async fn serve(global: &GlobalArgs, args: ServeArgs) -> anyhow::Result<()> {
    let cfg = Config {
        listen: args.listen,
        database_url: global.database.clone(),
        geodata_dir: global.geodata.clone(),
        web_dir: args.web_dir,
        demo: !args.no_demo,
        demo_dir: args.demo_dir,
        tile_cache_mb: args.tile_cache_mb,
        secure_cookies: args.secure_cookies,
        behind_proxy: args.behind_proxy,
        editions_poll: crate::config::DEFAULT_EDITIONS_POLL,
        export_limit: crate::config::DEFAULT_EXPORT_LIMIT,
        document_cache_mb: crate::config::DEFAULT_DOCUMENT_CACHE_MB,
        document_render_wait: crate::config::DEFAULT_DOCUMENT_RENDER_WAIT,
        embed_frame_ancestors: args.embed_frame_ancestors,
        rate_limit_api: args.rate_limit_api,
        rate_limit_documents: args.rate_limit_documents,
        publisher_name: args.publisher_name,
        publisher_contact: args.publisher_contact,
        publisher_logo: args.publisher_logo,
        public_url: args.public_url,
        mail: crate::config::MailConfig {
            smtp_url: args.smtp_url,
            from: args.mail_from,
            outbox_dir: args.outbox_dir,
            moderators: args.moderators_email,
        },
        retention_days: args.retention_days,
        import_dir: args.import_dir,
        backups: args.backup_dir.map(|dir| crate::config::BackupSchedule {
            dir,
            every: args.backup_every,
            keep: args.backup_keep as usize,
        }),
    };
    let started = Instant::now();
    let app = crate::server::build_app(cfg).await?;
    tracing::info!(
        startup_ms = started.elapsed().as_millis(),
        "ess-atlas ready: http://{}",
        app.local_addr()?
    );
    app.serve().await
}
