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

    /// The name the PDF templates read the logo under.
    #[must_use]
    pub fn file_name(self) -> &'static str {
        match self {
            Self::Png => "logo.png",
            Self::Jpeg => "logo.jpg",
        }
    }
}

/// A logo read at start-up.
#[derive(Debug, Clone)]
pub struct Logo {
    pub format: LogoFormat,
    pub bytes: Arc<[u8]>,
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
