//! The kept public answers of `/api/indicators` and the profiles: each serialised
//! and compressed once per query and state of the editions ([`PublicAnswers`]),
//! bounded in bytes; and that state, read once for many requests at once
//! ([`PublicAnswers::editions_stamp`]).

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use crate::db::{Db, DbError};
use crate::tiles::prepared::PreparedBody;

/// Public answers of `/api/indicators` and the profiles, serialised and compressed
/// once per query and state of the editions, with a strong ETag (as the tiles and
/// layers are). Staff answers (unmasked) are never kept. Bounded: past
/// [`PublicAnswers::BYTES`] the cache starts again empty.
#[derive(Default)]
pub struct PublicAnswers {
    entries: std::sync::Mutex<(HashMap<String, Arc<PreparedBody>>, usize)>,
    stamps: StampReads,
}

/// Reads of the editions' stamp shared by the requests that wait for them.
#[derive(Default)]
struct StampReads {
    /// Tickets, in order: a request takes one when it arrives, a read when it starts.
    clock: AtomicU64,
    /// The last read: the ticket it started at, and the stamp it read. Held across
    /// a read, so that one read at a time goes to the database.
    last: tokio::sync::Mutex<Option<(u64, String)>>,
}

impl PublicAnswers {
    /// Bytes kept (raw and gzip bodies) before the cache is emptied.
    pub const BYTES: usize = 128 * 1024 * 1024;

    fn lock(&self) -> std::sync::MutexGuard<'_, (HashMap<String, Arc<PreparedBody>>, usize)> {
        self.entries
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    pub(super) fn get(&self, key: &str) -> Option<Arc<PreparedBody>> {
        self.lock().0.get(key).cloned()
    }

    pub(super) fn insert(&self, key: String, body: PreparedBody) -> Arc<PreparedBody> {
        let body = Arc::new(body);
        let size = key.len() + body.raw.len() + body.gzip.len();
        let mut entries = self.lock();
        if entries.1 + size > Self::BYTES {
            entries.0.clear();
            entries.1 = 0;
        }
        if size <= Self::BYTES && entries.0.insert(key, Arc::clone(&body)).is_none() {
            entries.1 += size;
        }
        body
    }

    /// The editions' stamp (`Db::editions_stamp`) as of this call: what a kept answer
    /// is keyed on. It must be read after the request arrived — an import through
    /// another instance is then served at once — but it need not be read *for* each
    /// request: requests that arrive while a read is under way share the next one,
    /// which starts after them (as a group commit does). One read at a time per
    /// instance, each serving every request queued behind the previous: under load,
    /// a fraction of a query per answer instead of one (on PostgreSQL, the query is
    /// a network round trip and most of a cached answer's cost).
    pub(super) async fn editions_stamp(&self, db: &Db) -> Result<String, DbError> {
        let arrived = self.stamps.clock.fetch_add(1, Ordering::SeqCst);
        let mut last = self.stamps.last.lock().await;
        if let Some((started, stamp)) = last.as_ref()
            && *started > arrived
        {
            return Ok(stamp.clone());
        }
        let started = self.stamps.clock.fetch_add(1, Ordering::SeqCst);
        let stamp = db.editions_stamp().await?;
        *last = Some((started, stamp.clone()));
        Ok(stamp)
    }
}
