//! Rendered fiches kept by what they show, and the bound on renders running at once.
//!
//! A fiche (any format) is keyed by zone, edition, format and the *data stamp*: every
//! edition's `imported_at` (an import of the registry, the observatory or the
//! subsidies changes it, see `db::registry`) and the newest entry of the plans'
//! history (`Db::last_change`: a portrait, a workflow step such as publication, an
//! orientation, an action). A request whose stamp is the cached one is a lookup; a
//! new stamp empties the cache, whose entries all showed an older state. The cache is
//! bounded in bytes, least recently used first out.
//!
//! Renders are CPU-heavy (a PDF takes seconds on a loaded machine, tens of MB): at
//! most [`DocumentCache::new`]'s `renders` run at once, the others wait a bounded time
//! and then are told to come back (the API answers 503 with `Retry-After`). A waiting
//! request looks in the cache again once it may render: the fiche it waits for is
//! often the one another request has just rendered.
//!
//! Owns no HTTP and no rendering: `api::summaries` does both.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use axum::body::Bytes;

use crate::db::{Db, DbError};

/// One rendered document, ready to send.
#[derive(Debug)]
pub struct Rendered {
    pub body: Bytes,
    /// Strong, quoted.
    pub etag: String,
    pub content_type: &'static str,
    pub disposition: Option<String>,
}

impl Rendered {
    #[must_use]
    pub fn new(body: Vec<u8>, content_type: &'static str, disposition: Option<String>) -> Self {
        Self {
            etag: crate::tiles::prepared::etag_of(&body),
            body: body.into(),
            content_type,
            disposition,
        }
    }
}

#[derive(Default)]
struct Entries {
    /// The data stamp every entry was rendered at.
    stamp: String,
    /// Key → (document, last use).
    map: HashMap<String, (Arc<Rendered>, u64)>,
    bytes: usize,
    clock: u64,
}

pub struct DocumentCache {
    entries: std::sync::Mutex<Entries>,
    capacity: usize,
    renders: tokio::sync::Semaphore,
    render_wait: Duration,
    hits: AtomicU64,
}

impl DocumentCache {
    /// A cache of at most `capacity` bytes; at most `renders` renders at once, a
    /// request waiting at most `render_wait` for its turn.
    #[must_use]
    pub fn new(capacity: usize, renders: usize, render_wait: Duration) -> Self {
        Self {
            entries: std::sync::Mutex::default(),
            capacity,
            renders: tokio::sync::Semaphore::new(renders.max(1)),
            render_wait,
            hits: AtomicU64::new(0),
        }
    }

    /// The data stamp of the fiches now: what changes whenever a fiche may.
    pub async fn stamp(db: &Db) -> Result<String, DbError> {
        let editions = db.editions().await?;
        let last_change = db.last_change().await?;
        let mut stamp = format!("h{last_change}");
        for e in editions {
            let _ = write!(
                stamp,
                ";{}:{}",
                e.year,
                e.imported_at.as_deref().unwrap_or("-")
            );
        }
        Ok(stamp)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Entries> {
        // A panic while holding the lock leaves a consistent map: keep using it.
        self.entries
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// The document of `key` rendered at `stamp`, if kept.
    pub fn get(&self, stamp: &str, key: &str) -> Option<Arc<Rendered>> {
        let mut entries = self.lock();
        if entries.stamp != stamp {
            return None;
        }
        entries.clock += 1;
        let now = entries.clock;
        let (doc, used) = entries.map.get_mut(key)?;
        *used = now;
        self.hits.fetch_add(1, Ordering::Relaxed);
        Some(Arc::clone(doc))
    }

    /// Keeps `doc` as the document of `key` at `stamp` (unless larger than the whole
    /// cache), evicting the least recently used beyond the bound.
    pub fn insert(&self, stamp: &str, key: String, doc: Rendered) -> Arc<Rendered> {
        let doc = Arc::new(doc);
        let key_len = key.len();
        let size = doc.body.len() + key_len;
        if size > self.capacity {
            return doc;
        }
        let mut entries = self.lock();
        if entries.stamp != stamp {
            entries.map.clear();
            entries.bytes = 0;
            stamp.clone_into(&mut entries.stamp);
        }
        entries.clock += 1;
        let now = entries.clock;
        if let Some((old, _)) = entries.map.insert(key, (Arc::clone(&doc), now)) {
            entries.bytes -= old.body.len() + key_len;
        }
        entries.bytes += size;
        while entries.bytes > self.capacity {
            let Some(oldest) = entries
                .map
                .iter()
                .min_by_key(|(_, (_, used))| *used)
                .map(|(k, _)| k.clone())
            else {
                break;
            };
            if let Some((old, _)) = entries.map.remove(&oldest) {
                entries.bytes -= old.body.len() + oldest.len();
            }
        }
        doc
    }

    /// A permit to render, waiting at most the cache's `render_wait`; `None` when
    /// none came in time.
    pub async fn render_permit(&self) -> Option<tokio::sync::SemaphorePermit<'_>> {
        tokio::time::timeout(self.render_wait, self.renders.acquire())
            .await
            .ok()?
            .ok()
    }

    /// Requests answered from the cache since start-up.
    #[must_use]
    pub fn hits(&self) -> u64 {
        self.hits.load(Ordering::Relaxed)
    }

    /// Bytes kept.
    #[must_use]
    pub fn bytes(&self) -> usize {
        self.lock().bytes
    }
}

#[cfg(test)]
mod tests {
    use super::{DocumentCache, Rendered};

    fn doc(n: usize) -> Rendered {
        Rendered::new(vec![b'x'; n], "text/csv", None)
    }

    #[test]
    fn a_new_stamp_empties_the_cache_and_the_bound_evicts_the_least_recent() {
        let cache = DocumentCache::new(250, 1, std::time::Duration::from_secs(1));
        cache.insert("s1", "a".into(), doc(99));
        cache.insert("s1", "b".into(), doc(99));
        assert!(cache.get("s1", "a").is_some(), "a is now the most recent");
        cache.insert("s1", "c".into(), doc(99));
        assert!(cache.get("s1", "b").is_none(), "b was the least recent");
        assert!(cache.get("s1", "a").is_some() && cache.get("s1", "c").is_some());
        assert!(cache.bytes() <= 250);
        assert!(cache.get("s2", "a").is_none(), "another stamp");
        cache.insert("s2", "d".into(), doc(10));
        assert!(cache.get("s2", "a").is_none() && cache.get("s1", "a").is_none());
        assert_eq!(cache.bytes(), 11);
        cache.insert("s2", "big".into(), doc(1000));
        assert!(cache.get("s2", "big").is_none(), "larger than the cache");
    }
}
