//! The kept public answers of `/api/indicators` and the profiles: each serialised
//! and compressed once per query and state of the editions ([`PublicAnswers`]),
//! bounded in bytes.

use std::collections::HashMap;
use std::sync::Arc;

use crate::tiles::prepared::PreparedBody;

/// Public answers of `/api/indicators` and the profiles, serialised and compressed
/// once per query and state of the editions, with a strong ETag (as the tiles and
/// layers are). Staff answers (unmasked) are never kept. Bounded: past
/// [`PublicAnswers::BYTES`] the cache starts again empty. A large answer is kept in
/// its gzip form alone (France's commune level: 7.4 MB of JSON, 0.6 MB gzipped), so
/// that every indicator of a level that size fits: with both forms, 77 of them
/// overflowed the bound, and a map cycling through indicators computed each again.
#[derive(Default)]
pub struct PublicAnswers {
    entries: std::sync::Mutex<(HashMap<String, Arc<PreparedBody>>, usize)>,
}

impl PublicAnswers {
    /// Bytes kept (raw and gzip bodies) before the cache is emptied.
    pub const BYTES: usize = 128 * 1024 * 1024;

    /// Answers larger than this are kept compressed only.
    pub const RAW_KEPT_UP_TO: usize = 256 * 1024;

    fn lock(&self) -> std::sync::MutexGuard<'_, (HashMap<String, Arc<PreparedBody>>, usize)> {
        self.entries
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    pub(super) fn get(&self, key: &str) -> Option<Arc<PreparedBody>> {
        self.lock().0.get(key).cloned()
    }

    pub(super) fn insert(&self, key: String, body: PreparedBody) -> Arc<PreparedBody> {
        let body = if body.raw_len().unwrap_or(0) > Self::RAW_KEPT_UP_TO {
            body.compressed_only()
        } else {
            body
        };
        let body = Arc::new(body);
        let size = key.len() + body.kept_bytes();
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

#[cfg(test)]
mod tests {
    use super::*;

    /// A JSON answer shaped like France's compact commune level: 34,871 rows of
    /// codes, names and figures (1.8 MB, 0.56 MB gzipped: both forms of
    /// 77 of them, 171 MB, overflow the bound), different for each `seed`.
    fn commune_level_answer(seed: u64) -> Vec<u8> {
        let mut x = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
        let mut rows = Vec::with_capacity(34_871);
        for commune in 0..34_871_u64 {
            x = x
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            rows.push(format!(
                "[\"{commune:05}\",\"Commune {commune}\",{},{:.1},{},{},{:.1},{}]",
                (x >> 40) % 500,
                ((x >> 20) % 1000) as f64 / 10.0,
                (x >> 30) % 1259,
                (x >> 10) % 20_000,
                ((x >> 50) % 1000) as f64 / 10.0,
                x >> 63
            ));
        }
        format!("{{\"rows\":[{}]}}", rows.join(",")).into_bytes()
    }

    #[test]
    fn every_indicator_of_a_level_as_large_as_france_stays_kept() {
        let answers = PublicAnswers::default();
        let raw = commune_level_answer(0);
        assert!(
            raw.len() > PublicAnswers::RAW_KEPT_UP_TO,
            "{} bytes",
            raw.len()
        );
        // Every indicator × family of the catalogue (77 queries in the national bench).
        for i in 0..77 {
            answers.insert(format!("q{i}"), PreparedBody::new(commune_level_answer(i)));
        }
        let dropped: Vec<u64> = (0..77)
            .filter(|i| answers.get(&format!("q{i}")).is_none())
            .collect();
        assert!(dropped.is_empty(), "answers dropped: {dropped:?}");
        for i in 0..77 {
            let kept = answers.get(&format!("q{i}")).expect("kept");
            assert_eq!(kept.raw_len(), None, "kept uncompressed too");
            assert_eq!(kept.raw(), commune_level_answer(i), "answer {i} altered");
        }
    }

    #[test]
    fn small_answers_keep_their_uncompressed_form() {
        let answers = PublicAnswers::default();
        let raw = br#"{"department":{"value":30.0}}"#.to_vec();
        let kept = answers.insert("q".into(), PreparedBody::new(raw.clone()));
        assert_eq!(kept.raw_len(), Some(raw.len()));
        assert_eq!(kept.raw(), raw);
    }
}
