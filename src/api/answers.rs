//! The kept public answers of `/api/indicators` and the profiles: each serialised
//! and compressed once per query and state of the editions ([`PublicAnswers`]),
//! bounded in bytes.

use std::collections::HashMap;
use std::sync::Arc;

use crate::tiles::prepared::PreparedBody;

/// Public answers of `/api/indicators` and the profiles, serialised and compressed
/// once per query and state of the editions, with a strong ETag (as the tiles and
/// layers are). Staff answers (unmasked) are never kept. Bounded: past
/// [`PublicAnswers::BYTES`] the cache starts again empty.
#[derive(Default)]
pub struct PublicAnswers {
    entries: std::sync::Mutex<(HashMap<String, Arc<PreparedBody>>, usize)>,
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
}
