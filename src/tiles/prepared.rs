//! Response bodies prepared in advance: serialised once, kept with their gzip form
//! and a strong content ETag, so that serving one costs a memory copy. Used for the
//! GeoJSON layers and the tiles alike. Pure: no I/O.

use std::io::Write;

use sha2::{Digest, Sha256};

/// A response body prepared in advance.
#[derive(Debug, Clone)]
pub struct PreparedBody {
    /// The body itself; `None` once [`Self::compressed_only`] dropped it.
    raw: Option<axum::body::Bytes>,
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
            raw: Some(raw.into()),
        }
    }

    /// The same body kept in its gzip form alone (a large JSON answer is 4–12 times
    /// smaller so): browsers ask for gzip; a client that does not gets it
    /// decompressed per request ([`Self::raw`]).
    #[must_use]
    pub fn compressed_only(self) -> Self {
        Self { raw: None, ..self }
    }

    /// The uncompressed body (decompressed when only the gzip form is kept).
    #[must_use]
    pub fn raw(&self) -> axum::body::Bytes {
        match &self.raw {
            Some(raw) => raw.clone(),
            None => gunzip(&self.gzip).into(),
        }
    }

    /// The uncompressed body's length when it is kept.
    #[must_use]
    pub fn raw_len(&self) -> Option<usize> {
        self.raw.as_ref().map(axum::body::Bytes::len)
    }

    /// The bytes this body holds in memory.
    #[must_use]
    pub fn kept_bytes(&self) -> usize {
        self.raw_len().unwrap_or(0) + self.gzip.len() + self.etag.len()
    }
}

/// The data `compressed` was made from by [`gzip`]. Our own gzip cannot be corrupt;
/// should it be, what was decoded is returned and the error logged.
fn gunzip(compressed: &[u8]) -> Vec<u8> {
    use std::io::Read;
    let mut raw = Vec::with_capacity(compressed.len() * 4);
    if let Err(e) = flate2::read::GzDecoder::new(compressed).read_to_end(&mut raw) {
        tracing::error!("a prepared body's gzip form cannot be read: {e}");
    }
    raw
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
