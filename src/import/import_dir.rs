//! The operator's import directory (`serve --import-dir DIR`): where INSEE's SIRENE
//! stock files (gigabytes, too big to upload from a browser) are put on the server, so
//! that staff can start their import from `/espace`.
//!
//! Staff never give a path: they pick a **name** from [`ImportDir::list`], and
//! [`ImportDir::resolve`] accepts only a name the listing holds at that moment. The
//! listing keeps the directory's own entries whose name ends in `.csv` or `.zip` and
//! does not start with `.`, that are regular files (or named pipes: a file still
//! arriving from another process), and whose real path — symbolic links followed —
//! is inside the directory. So `../etc/passwd`, `sub/x.csv` or a symbolic link to a
//! file elsewhere are never read, whatever the request says.
//!
//! Owns the directory only: reading the files is [`super::sirene`]'s.

use std::path::{Path, PathBuf};

use serde::Serialize;

/// Which SIRENE file a name looks like (INSEE's names), to preselect it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum FileKind {
    Etablissements,
    UnitesLegales,
    Geolocalisation,
}

impl FileKind {
    /// The kind INSEE's name says: `StockEtablissement_utf8.zip` → establishments. The
    /// history and succession files (`StockEtablissementHistorique…`,
    /// `StockEtablissementLiensSuccession…`) are not stock files.
    #[must_use]
    pub fn of_name(name: &str) -> Option<Self> {
        let lower = name.to_ascii_lowercase();
        let not_history =
            |rest: &str| !rest.starts_with("historique") && !rest.starts_with("liens");
        if let Some(rest) = lower.strip_prefix("stocketablissement") {
            return not_history(rest).then_some(Self::Etablissements);
        }
        if let Some(rest) = lower.strip_prefix("stockunitelegale") {
            return not_history(rest).then_some(Self::UnitesLegales);
        }
        lower
            .starts_with("geolocalisationetablissement")
            .then_some(Self::Geolocalisation)
    }

    /// French label.
    #[must_use]
    pub fn label(self) -> &'static str {
        match self {
            Self::Etablissements => "établissements (StockEtablissement)",
            Self::UnitesLegales => "unités légales (StockUniteLegale)",
            Self::Geolocalisation => "géolocalisation des établissements",
        }
    }
}

/// One importable file of the directory.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ServerFile {
    /// Its name in the directory, what staff pick.
    #[schema(example = "StockEtablissement_utf8.zip")]
    pub name: String,
    pub bytes: u64,
    /// Last modification, `AAAA-MM-JJTHH:MM:SSZ`.
    pub modified: Option<String>,
    /// The SIRENE file its name looks like, if any.
    pub kind: Option<FileKind>,
    #[schema(example = "établissements (StockEtablissement)")]
    pub kind_label: Option<&'static str>,
    /// Real path, never shown.
    #[serde(skip)]
    pub path: PathBuf,
}

/// The directory, by its real path.
#[derive(Debug, Clone)]
pub struct ImportDir {
    root: PathBuf,
}

/// Why a name cannot be imported.
#[derive(Debug, thiserror::Error)]
pub enum ImportDirError {
    #[error("le dossier d’import {} est illisible : {source}", path.display())]
    Unreadable {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{} n’est pas un dossier", path.display())]
    NotADirectory { path: PathBuf },
    #[error(
        "«\u{a0}{0}\u{a0}» n’est pas un fichier du dossier d’import du serveur : choisissez \
         un des fichiers listés"
    )]
    NotListed(String),
}

impl ImportDir {
    /// The directory at `path`, which must exist.
    pub fn open(path: &Path) -> Result<Self, ImportDirError> {
        let root = path
            .canonicalize()
            .map_err(|source| ImportDirError::Unreadable {
                path: path.to_owned(),
                source,
            })?;
        if !root.is_dir() {
            return Err(ImportDirError::NotADirectory { path: root });
        }
        Ok(Self { root })
    }

    /// The real path of the directory (to remove from messages shown to staff).
    #[must_use]
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The importable files, by name; see the module docs for what is kept.
    pub fn list(&self) -> Result<Vec<ServerFile>, ImportDirError> {
        let unreadable = |source| ImportDirError::Unreadable {
            path: self.root.clone(),
            source,
        };
        let mut files = Vec::new();
        for entry in std::fs::read_dir(&self.root).map_err(unreadable)? {
            let Ok(entry) = entry else { continue };
            let Ok(name) = entry.file_name().into_string() else {
                continue;
            };
            if let Some(file) = self.importable(&name) {
                files.push(file);
            }
        }
        files.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(files)
    }

    /// The file `name` of the listing, with its real path.
    pub fn resolve(&self, name: &str) -> Result<ServerFile, ImportDirError> {
        self.list()?
            .into_iter()
            .find(|f| f.name == name)
            .ok_or_else(|| ImportDirError::NotListed(name.chars().take(200).collect()))
    }

    /// `name` (an entry of the directory) when it may be imported.
    fn importable(&self, name: &str) -> Option<ServerFile> {
        let data = Path::new(name)
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("csv") || e.eq_ignore_ascii_case("zip"));
        if name.starts_with('.') || !data {
            return None;
        }
        // Symbolic links followed: the file itself must be inside the directory.
        let path = self.root.join(name).canonicalize().ok()?;
        if !path.starts_with(&self.root) {
            return None;
        }
        let meta = std::fs::metadata(&path).ok()?;
        #[cfg(unix)]
        let pipe = std::os::unix::fs::FileTypeExt::is_fifo(&meta.file_type());
        #[cfg(not(unix))]
        let pipe = false;
        if !meta.is_file() && !pipe {
            return None;
        }
        let modified = meta
            .modified()
            .ok()
            .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
            .and_then(|d| i64::try_from(d.as_secs()).ok())
            .map(crate::time::iso_from_unix);
        let kind = FileKind::of_name(name);
        Some(ServerFile {
            name: name.to_owned(),
            bytes: meta.len(),
            modified,
            kind,
            kind_label: kind.map(FileKind::label),
            path,
        })
    }

    /// `text` without the directory's real path: messages name the file only.
    #[must_use]
    pub fn scrub(&self, text: &str) -> String {
        let dir = self.root.display().to_string();
        text.replace(&format!("{dir}/"), "").replace(&dir, "")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn insee_names_say_the_kind_and_history_files_are_not_stock_files() {
        use FileKind::{Etablissements, Geolocalisation, UnitesLegales};
        let cases = [
            ("StockEtablissement_utf8.zip", Some(Etablissements)),
            ("stockunitelegale_utf8.csv", Some(UnitesLegales)),
            (
                "GeolocalisationEtablissement_Sirene_pour_etudes_statistiques_utf8.zip",
                Some(Geolocalisation),
            ),
            ("StockEtablissementHistorique_utf8.zip", None),
            ("StockEtablissementLiensSuccession_utf8.zip", None),
            ("extrait.csv", None),
        ];
        for (name, kind) in cases {
            assert_eq!(FileKind::of_name(name), kind, "{name}");
        }
    }

    #[test]
    fn only_the_directorys_own_csv_and_zip_files_are_listed() {
        let outside = tempfile::tempdir().unwrap();
        std::fs::write(outside.path().join("secret.csv"), "a\n1\n").unwrap();
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::write(root.join("StockEtablissement_utf8.csv"), "a\n1\n").unwrap();
        std::fs::write(root.join("notes.txt"), "x").unwrap();
        std::fs::write(root.join(".cache.csv"), "x").unwrap();
        std::fs::create_dir(root.join("sub.csv")).unwrap();
        std::fs::write(root.join("sub.csv").join("inner.csv"), "x").unwrap();
        #[cfg(unix)]
        {
            std::os::unix::fs::symlink(outside.path().join("secret.csv"), root.join("lien.csv"))
                .unwrap();
            std::os::unix::fs::symlink(
                root.join("StockEtablissement_utf8.csv"),
                root.join("copie.csv"),
            )
            .unwrap();
        }
        let import = ImportDir::open(root).unwrap();
        let names: Vec<String> = import.list().unwrap().into_iter().map(|f| f.name).collect();
        #[cfg(unix)]
        assert_eq!(names, ["StockEtablissement_utf8.csv", "copie.csv"]);
        for bad in [
            "lien.csv",
            "../secret.csv",
            "sub.csv/inner.csv",
            ".cache.csv",
            "notes.txt",
        ] {
            assert!(
                matches!(import.resolve(bad), Err(ImportDirError::NotListed(_))),
                "{bad}"
            );
        }
        let file = import.resolve("StockEtablissement_utf8.csv").unwrap();
        assert_eq!(file.bytes, 4);
        assert_eq!(file.kind, Some(FileKind::Etablissements));
        assert!(file.path.starts_with(import.root()));
    }
}
