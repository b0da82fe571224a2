//! Response bodies prepared in advance: serialised once, kept with their gzip form
//! and a strong content ETag, so that serving one costs a memory copy. Used for the
//! GeoJSON layers and the tiles alike. Pure: no I/O.

use std::io::Write;

use sha2::{Digest, Sha256};

/// A response body prepared in advance.
#[derive(Debug, Clone)]
pub struct PreparedBody {
    pub raw: axum::body::Bytes,
    pub gzip: axum::body::Bytes,
    /// Strong ETag, quoted.
    pub etag: String,
}

impl PreparedBody {
    #[must_use]
    pub fn new(raw: Vec<u8>) -> Self {
        Self {
            etag: etag_of(&raw),
            gzip: gzip(&raw).into(),
            raw: raw.into(),
        }
    }
}

/// A strong, quoted ETag for `content`: the first 64 bits of its SHA-256.
#[must_use]
pub fn etag_of(content: &[u8]) -> String {
    let hex = format!("{:x}", Sha256::digest(content));
    format!("\"{}\"", &hex[..16])
}

/// gzip at level 6 (writing into a `Vec` cannot fail).
#[must_use]
pub fn gzip(data: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(
        Vec::with_capacity(data.len() / 2 + 64),
        flate2::Compression::new(6),
    );
    encoder
        .write_all(data)
        .and_then(|()| encoder.finish())
        .unwrap_or_default()
}
