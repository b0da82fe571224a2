//! Who publishes the documents: the Département's name, an optional logo (PNG or JPEG)
//! and a contact line, set at start-up (`serve --publisher-name`, `--publisher-logo`,
//! `--publisher-contact`), and what a fiche prints of it with its production date.
//!
//! Owns reading and checking the logo file; the templates only place what they get.

use std::path::Path;
use std::sync::Arc;

use serde::Serialize;

use crate::config::DEFAULT_PUBLISHER_NAME;

/// The logo's image format, told by its first bytes (not by its name).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogoFormat {
    Png,
    Jpeg,
}

impl LogoFormat {
    /// The format of `bytes`, from their signature.
    #[must_use]
    pub fn sniff(bytes: &[u8]) -> Option<Self> {
        if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
            Some(Self::Png)
        } else if bytes.starts_with(&[0xff, 0xd8, 0xff]) {
            Some(Self::Jpeg)
        } else {
            None
        }
    }

    /// The name the PDF templates read the logo under (and the ODT package holds it
    /// under, in `Pictures/`).
    #[must_use]
    pub fn file_name(self) -> &'static str {
        match self {
            Self::Png => "logo.png",
            Self::Jpeg => "logo.jpg",
        }
    }

    #[must_use]
    pub fn media_type(self) -> &'static str {
        match self {
            Self::Png => "image/png",
            Self::Jpeg => "image/jpeg",
        }
    }
}

/// A logo read at start-up.
#[derive(Debug, Clone)]
pub struct Logo {
    pub format: LogoFormat,
    pub bytes: Arc<[u8]>,
}

impl Logo {
    /// Width and height in pixels, from the PNG header or the JPEG frame header;
    /// `None` when they cannot be found (the documents then draw it square).
    #[must_use]
    pub fn pixel_size(&self) -> Option<(u32, u32)> {
        let b = &self.bytes;
        let be16 = |i: usize| Some(u32::from(u16::from_be_bytes([*b.get(i)?, *b.get(i + 1)?])));
        match self.format {
            // Signature (8), IHDR length and type (8), then width and height.
            LogoFormat::Png => {
                let w = u32::from_be_bytes(b.get(16..20)?.try_into().ok()?);
                let h = u32::from_be_bytes(b.get(20..24)?.try_into().ok()?);
                (w > 0 && h > 0).then_some((w, h))
            }
            // Markers after SOI: each `FF xx` with a 16-bit length, until a start of
            // frame (SOF0–SOF15 but DHT C4, JPG C8, DAC CC), which holds height, width.
            LogoFormat::Jpeg => {
                let mut i = 2;
                while i + 9 < b.len() {
                    if b[i] != 0xff {
                        return None;
                    }
                    let marker = b[i + 1];
                    if (0xc0..=0xcf).contains(&marker) && ![0xc4, 0xc8, 0xcc].contains(&marker) {
                        let (h, w) = (be16(i + 5)?, be16(i + 7)?);
                        return (w > 0 && h > 0).then_some((w, h));
                    }
                    i += 2 + usize::try_from(be16(i + 2)?).ok()?;
                }
                None
            }
        }
    }

    /// The logo as a `data:` URI, for the HTML fiche (no route to serve it from).
    #[must_use]
    pub fn data_uri(&self) -> String {
        const ALPHABET: &[u8; 64] =
            b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        let mut out = format!("data:{};base64,", self.format.media_type());
        out.reserve(self.bytes.len().div_ceil(3) * 4);
        for chunk in self.bytes.chunks(3) {
            let n = chunk
                .iter()
                .enumerate()
                .fold(0u32, |n, (i, &b)| n | u32::from(b) << (16 - 8 * i));
            for i in 0..4 {
                if i <= chunk.len() {
                    out.push(char::from(ALPHABET[(n >> (18 - 6 * i) & 63) as usize]));
                } else {
                    out.push('=');
                }
            }
        }
        out
    }
}

/// The publisher of the documents.
#[derive(Debug, Clone)]
pub struct Publisher {
    pub name: String,
    /// « Direction du développement ESS — ess@pasdecalais.example »; empty: no line.
    pub contact: String,
    pub logo: Option<Logo>,
}

impl Default for Publisher {
    fn default() -> Self {
        Self {
            name: DEFAULT_PUBLISHER_NAME.to_owned(),
            contact: String::new(),
            logo: None,
        }
    }
}

/// Why the publisher cannot be set up (the server refuses to start).
#[derive(Debug, thiserror::Error)]
pub enum PublisherError {
    #[error("--publisher-logo {path}: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error("--publisher-logo {0}: not a PNG or JPEG image")]
    NotAnImage(String),
    #[error("--publisher-logo {0}: larger than 2 MB")]
    TooLarge(String),
    #[error("--publisher-name is empty")]
    EmptyName,
}

/// Largest logo accepted: it is embedded in every fiche.
const MAX_LOGO_BYTES: usize = 2 * 1024 * 1024;

impl Publisher {
    /// The publisher `name`, `contact` and the logo read from `logo` (PNG or JPEG).
    pub fn load(name: &str, contact: &str, logo: Option<&Path>) -> Result<Self, PublisherError> {
        let name = name.trim();
        if name.is_empty() {
            return Err(PublisherError::EmptyName);
        }
        let logo = match logo {
            None => None,
            Some(path) => {
                let shown = path.display().to_string();
                let bytes = std::fs::read(path).map_err(|source| PublisherError::Read {
                    path: shown.clone(),
                    source,
                })?;
                if bytes.len() > MAX_LOGO_BYTES {
                    return Err(PublisherError::TooLarge(shown));
                }
                let format = LogoFormat::sniff(&bytes).ok_or(PublisherError::NotAnImage(shown))?;
                Some(Logo {
                    format,
                    bytes: bytes.into(),
                })
            }
        };
        Ok(Self {
            name: name.to_owned(),
            contact: contact.trim().to_owned(),
            logo,
        })
    }

    /// What a document made on `today` (`AAAA-MM-JJ`) prints of its publisher.
    #[must_use]
    pub fn publication(&self, today: &str) -> Publication {
        Publication {
            name: self.name.clone(),
            contact: self.contact.clone(),
            date: super::format::fr_date(today),
            logo: self.logo.as_ref().map(|l| l.format.file_name()),
            image: self.logo.clone(),
        }
    }

    /// The files the PDF templates may read: the logo under its name.
    #[must_use]
    pub fn files(&self) -> Vec<(&'static str, Arc<[u8]>)> {
        self.logo
            .iter()
            .map(|l| (l.format.file_name(), Arc::clone(&l.bytes)))
            .collect()
    }
}

/// The publisher block of a document: name, contact, production date (« 5 décembre
/// 2026 ») and the logo's file name when there is one.
#[derive(Debug, Clone, Serialize)]
pub struct Publication {
    pub name: String,
    pub contact: String,
    pub date: String,
    pub logo: Option<&'static str>,
    /// The logo itself, for the documents that embed it (HTML, ODT).
    #[serde(skip)]
    pub image: Option<Logo>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_logo_is_told_by_its_bytes_and_refused_otherwise() {
        let dir = tempfile::tempdir().unwrap();
        let png = dir.path().join("logo.png");
        std::fs::write(&png, b"\x89PNG\r\n\x1a\nrest").unwrap();
        let p = Publisher::load(" Département du Nord ", "", Some(&png)).unwrap();
        assert_eq!(p.name, "Département du Nord");
        assert_eq!(p.logo.as_ref().map(|l| l.format), Some(LogoFormat::Png));
        assert_eq!(p.publication("2026-12-05").logo, Some("logo.png"));
        assert_eq!(p.publication("2026-12-05").date, "5\u{a0}décembre 2026");

        // 16 × 9 pixels, read from the header; the HTML's data URI.
        let logo = Logo {
            format: LogoFormat::Png,
            bytes: Arc::from(&b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x10\0\0\0\x09rest"[..]),
        };
        assert_eq!(logo.pixel_size(), Some((16, 9)));
        assert!(
            logo.data_uri()
                .starts_with("data:image/png;base64,iVBORw0KGgo")
        );
        let jpeg = Logo {
            format: LogoFormat::Jpeg,
            bytes: Arc::from(
                &[
                    0xff, 0xd8, 0xff, 0xe0, 0, 4, 0, 0, 0xff, 0xc0, 0, 11, 8, 0, 30, 0, 40, 1, 0,
                    0, 0,
                ][..],
            ),
        };
        assert_eq!(jpeg.pixel_size(), Some((40, 30)));
        let three = Logo {
            format: LogoFormat::Png,
            bytes: Arc::from(&b"Man"[..]),
        };
        assert_eq!(three.data_uri(), "data:image/png;base64,TWFu");
        let one = Logo {
            format: LogoFormat::Png,
            bytes: Arc::from(&b"M"[..]),
        };
        assert_eq!(one.data_uri(), "data:image/png;base64,TQ==");

        let fake = dir.path().join("logo.jpg");
        std::fs::write(&fake, b"GIF89a").unwrap();
        let err = Publisher::load("D", "", Some(&fake)).unwrap_err();
        assert!(err.to_string().contains("not a PNG or JPEG"), "{err}");
        assert!(Publisher::load("D", "", Some(&dir.path().join("none.png"))).is_err());
        assert!(matches!(
            Publisher::load("  ", "", None),
            Err(PublisherError::EmptyName)
        ));
    }
}
