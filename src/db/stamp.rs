//! The editions' stamp (`2020:…;2023:…;`, every edition's year and import time): the
//! key of every kept public answer, so that an import through any instance or command
//! is served without waiting for a poll.
//!
//! SQLite reads it on every call: one in-process query on a tiny table. On PostgreSQL
//! that read is a round trip per cached answer, paid by the PostgreSQL server on the
//! same cores, and it was what kept the cached indicators from the wire's pace. So
//! there a trigger (migration 0015) announces every change of `editions` on the channel
//! [`CHANNEL`], and while this process hears that channel the stamp is kept in memory:
//!
//! - a notification, or the commit of any write transaction of this process, drops the
//!   kept stamp (a write of this process is thus served at once, as before; another
//!   instance's, once the notification is delivered);
//! - a read of the stamp that started before such a drop is not kept (a generation
//!   counter), so a stale stamp cannot be stored after the change that made it stale;
//! - while the channel is not heard (not yet, or its connection lost), nothing is kept
//!   and every call reads the table, as SQLite does: a lost notification can never
//!   leave a stale answer served.

use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use super::{Db, Pool, Result};

/// The channel migration 0015's trigger notifies on every change of `editions`.
pub const CHANNEL: &str = "ess_atlas_editions";

/// Waits between attempts to hear the channel again, doubled up to [`RELISTEN_MAX`].
const RELISTEN_FIRST: Duration = Duration::from_millis(200);
const RELISTEN_MAX: Duration = Duration::from_secs(30);

/// The stamp kept in memory while the channel is heard (PostgreSQL).
#[derive(Debug, Default)]
pub(crate) struct KeptStamp {
    state: Mutex<KeptState>,
}

#[derive(Debug, Default)]
struct KeptState {
    listening: bool,
    /// Bumped by every change: a read started under an older one is not kept.
    generation: u64,
    stamp: Option<String>,
}

impl KeptStamp {
    fn state(&self) -> std::sync::MutexGuard<'_, KeptState> {
        // The state stays consistent under a panic (each change is one assignment).
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The kept stamp, or the generation a fresh read must be offered under.
    pub(crate) fn kept(&self) -> std::result::Result<String, u64> {
        // A stamp is only kept while the channel is heard (see `offer`,
        // `set_listening`).
        let state = self.state();
        match &state.stamp {
            Some(stamp) => Ok(stamp.clone()),
            None => Err(state.generation),
        }
    }

    /// Keeps `stamp`, read after [`Self::kept`] answered `generation`, unless
    /// something changed since or the channel is not heard.
    pub(crate) fn offer(&self, generation: u64, stamp: &str) {
        let mut state = self.state();
        if state.listening && state.generation == generation {
            state.stamp = Some(stamp.to_owned());
        }
    }

    /// The editions may have changed: drop the kept stamp.
    pub(crate) fn changed(&self) {
        let mut state = self.state();
        state.generation += 1;
        state.stamp = None;
    }

    /// The channel is heard (`true`) or no longer (`false`): either way, what was
    /// kept before is not trusted.
    fn set_listening(&self, listening: bool) {
        let mut state = self.state();
        state.generation += 1;
        state.stamp = None;
        state.listening = listening;
    }
}

impl Db {
    /// Every edition's year and import stamp, `2020:…;2023:…;`: what the kept public
    /// answers are keyed on, so that an import through any instance is served at once
    /// (on PostgreSQL, within the delivery of its notification). A light query (no
    /// report subquery, no columns decoded that the key does not use), or none at all
    /// while PostgreSQL's notifications are heard (see the module's documentation).
    pub async fn editions_stamp(&self) -> Result<String> {
        let generation = match self.kept_stamp.as_deref().map(KeptStamp::kept) {
            Some(Ok(stamp)) => return Ok(stamp),
            Some(Err(generation)) => Some(generation),
            None => None,
        };
        let rows: Vec<(i64, Option<String>)> = on_pool!(self, p => sqlx::query_as(
            "SELECT year, imported_at FROM editions ORDER BY year",
        )
        .fetch_all(p)
        .await)?;
        let mut stamp = String::with_capacity(rows.len() * 40);
        for (year, imported_at) in rows {
            stamp.push_str(&year.to_string());
            stamp.push(':');
            stamp.push_str(imported_at.as_deref().unwrap_or_default());
            stamp.push(';');
        }
        if let (Some(kept), Some(generation)) = (&self.kept_stamp, generation) {
            kept.offer(generation, &stamp);
        }
        Ok(stamp)
    }

    /// This process wrote the editions outside a write transaction (whose commit
    /// says so by itself): drop the kept stamp.
    pub(super) fn editions_written(&self) {
        if let Some(kept) = &self.kept_stamp {
            kept.changed();
        }
    }

    /// Hears the channel `ess_atlas_editions` for as long as the process runs, so
    /// that the editions' stamp is kept in memory between changes (PostgreSQL;
    /// returns at once on SQLite). On a lost connection it stops keeping the stamp
    /// and listens again, waiting longer after each failure (up to 30 s). A
    /// connection of its own, beside the pool.
    pub async fn follow_editions(&self) {
        let (Pool::Postgres(pool), Some(kept)) = (&self.pool, self.kept_stamp.as_deref()) else {
            return;
        };
        let options = (*pool.connect_options()).clone();
        let own = sqlx::postgres::PgPoolOptions::new()
            .max_connections(1)
            .connect_lazy_with(options);
        let mut wait = RELISTEN_FIRST;
        loop {
            match listen(&own).await {
                Ok(mut listener) => {
                    kept.set_listening(true);
                    wait = RELISTEN_FIRST;
                    loop {
                        match listener.try_recv().await {
                            Ok(Some(_)) => kept.changed(),
                            Ok(None) => {
                                tracing::warn!("lost the editions' notifications: listening again");
                                break;
                            }
                            Err(e) => {
                                tracing::warn!(
                                    "lost the editions' notifications ({e}): listening again"
                                );
                                break;
                            }
                        }
                    }
                    kept.set_listening(false);
                }
                Err(e) => tracing::warn!(
                    "cannot hear the editions' notifications ({e}): their stamp is read per request"
                ),
            }
            tokio::time::sleep(wait).await;
            wait = (wait * 2).min(RELISTEN_MAX);
        }
    }
}

async fn listen(pool: &sqlx::PgPool) -> Result<sqlx::postgres::PgListener> {
    let mut listener = sqlx::postgres::PgListener::connect_with(pool).await?;
    listener.listen(CHANNEL).await?;
    Ok(listener)
}

#[cfg(test)]
mod tests {
    use super::KeptStamp;

    /// A stamp heard and kept: `stamp`, offered by a read while listening.
    fn heard_and_kept(stamp: &str) -> KeptStamp {
        let kept = KeptStamp::default();
        kept.set_listening(true);
        let generation = kept.kept().unwrap_err();
        kept.offer(generation, stamp);
        assert_eq!(kept.kept().as_deref(), Ok(stamp));
        kept
    }

    #[test]
    fn nothing_is_kept_while_the_channel_is_not_heard() {
        let kept = KeptStamp::default();
        let generation = kept.kept().unwrap_err();
        kept.offer(generation, "2023:a;");
        assert_eq!(kept.kept(), Err(generation));
    }

    #[test]
    fn a_stamp_read_before_a_change_is_not_kept() {
        let kept = heard_and_kept("2023:a;");

        // A read starts, the editions change, the read ends with the old stamp.
        kept.changed();
        let generation = kept.kept().unwrap_err();
        kept.changed();
        kept.offer(generation, "2023:a;");
        assert!(kept.kept().is_err(), "a stale stamp was kept");

        // A read after the change is kept.
        let generation = kept.kept().unwrap_err();
        kept.offer(generation, "2023:b;");
        assert_eq!(kept.kept().as_deref(), Ok("2023:b;"));
    }

    #[test]
    fn losing_the_channel_drops_the_kept_stamp() {
        let kept = heard_and_kept("2023:a;");
        kept.set_listening(false);
        assert!(kept.kept().is_err());
        // A read started while heard and offered after the loss is not kept either.
        kept.set_listening(true);
        let generation = kept.kept().unwrap_err();
        kept.set_listening(false);
        kept.set_listening(true);
        kept.offer(generation, "2023:a;");
        assert!(kept.kept().is_err());
    }
}
