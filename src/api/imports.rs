//! Imports from the browser (`/espace`): the Département's ESS team uploads the small
//! files — the SCDL subsidies file, the observatory's aggregates — sees what the import
//! would do, then confirms it. The SIRENE stock files (gigabytes) stay on the command
//! line.
//!
//! Two steps, one code path:
//! 1. `POST /api/editions/{year}/imports/{kind}/preview?file=NAME` (the file as the
//!    request body) runs the importer of the command line up to the write
//!    ([`crate::operations::dry_run_subsidies`], [`crate::operations::dry_run_observatory`]):
//!    the same reading, matching and plausibility checks, and nothing is written. It
//!    answers the report as the import would store it, why it would be refused, and the
//!    file's SHA-256.
//! 2. `POST /api/editions/{year}/imports/{kind}?file=NAME&sha256=HEX` sends the same
//!    file again and imports it ([`crate::operations::import_subsidies_with`], …): all or
//!    nothing, refused as on the command line when implausible (`accept_drop=true` is
//!    `--accept-drop`). The hash must be the preview's: staff confirm what they saw.
//!
//! The browser sends the file twice rather than the server keeping it between the
//! steps: nothing to expire or clean up, and any instance behind a load balancer can
//! answer either step. Each request writes the body to a private temporary directory
//! (the importers read files, as on the command line), removed when it ends.
//!
//! Only roles that may import ([`crate::auth::StaffUser::can_import`]: chargé de
//! mission, admin); bodies above [`MAX_UPLOAD_BYTES`] answer 413. A damaged file answers
//! 422 `import_aborted`, an implausible confirmed import 422 `import_refused`, both with
//! the importer's French sentence.

#[allow(unused_imports)]
use super::openapi::ErrorBody;
use std::path::PathBuf;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{DefaultBodyLimit, State};
use axum::response::Response;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::error::{ApiError, Path, Query};
use super::json;
use super::session::Staff;
use crate::api::AppState;
use crate::auth::StaffUser;
use crate::import::plausibility::{Mode, Refusal};
use crate::operations::{self, DryRun};
use crate::records::subsidies::{MatchMethod, MatchedLine};

/// Largest file accepted from the browser (50 Mio): a département's subsidies or
/// observatory file is a few hundred kilobytes.
pub const MAX_UPLOAD_BYTES: usize = 50 * 1024 * 1024;

/// Lines not counted as ESS listed in a preview (all are counted).
const MAX_PREVIEW_LINES: usize = 500;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(preview))
        .routes(routes!(confirm))
        .layer(DefaultBodyLimit::max(MAX_UPLOAD_BYTES))
}

/// The files the browser may import, by the report's `kind`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Subsidies,
    Observatory,
}

impl Kind {
    fn parse(text: &str) -> Result<Self, ApiError> {
        match text {
            "subventions" => Ok(Self::Subsidies),
            "observatoire" => Ok(Self::Observatory),
            other => Err(ApiError::BadRequest(format!(
                "type d’import «\u{a0}{other}\u{a0}» inconnu : « subventions » ou « observatoire » \
                 (les fichiers SIRENE s’importent en ligne de commande)"
            ))),
        }
    }

    fn id(self) -> &'static str {
        match self {
            Self::Subsidies => "subventions",
            Self::Observatory => "observatoire",
        }
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct UploadParams {
    /// The file's name on the user's computer (its extension says CSV or ZIP).
    file: Option<String>,
    /// Confirmation only: the SHA-256 the preview answered.
    sha256: Option<String>,
    /// Import even when the plausibility checks object (`--accept-drop`).
    accept_drop: Option<bool>,
}

/// An uploaded file, written where the importers read it.
struct Upload {
    year: i64,
    kind: Kind,
    name: String,
    bytes: usize,
    sha256: String,
    file: TempFile,
    mode: Mode,
}

/// A private temporary directory holding one uploaded file, removed on drop.
struct TempFile {
    dir: PathBuf,
    path: PathBuf,
}

impl TempFile {
    async fn write(name: &str, body: &Bytes) -> Result<Self, ApiError> {
        let token = crate::auth::session::new_token().map_err(|e| ApiError::Internal(e.into()))?;
        let dir = std::env::temp_dir().join(format!("ess-atlas-import-{}", &token[..24]));
        let mut builder = tokio::fs::DirBuilder::new();
        #[cfg(unix)]
        builder.mode(0o700);
        builder
            .create(&dir)
            .await
            .map_err(|e| ApiError::Internal(e.into()))?;
        // From here the directory is removed whatever happens.
        let file = Self {
            path: dir.join(name),
            dir,
        };
        tokio::fs::write(&file.path, body)
            .await
            .map_err(|e| ApiError::Internal(e.into()))?;
        Ok(file)
    }

    /// `text` without this directory's path: messages name the file as staff sent it.
    fn scrub(&self, text: &str) -> String {
        let dir = self.dir.display().to_string();
        text.replace(&format!("{dir}/"), "").replace(&dir, "")
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        if let Err(e) = std::fs::remove_dir_all(&self.dir) {
            tracing::warn!(dir = %self.dir.display(), "uploaded file not removed: {e}");
        }
    }
}

/// The name an uploaded file is stored and reported under: its last path component,
/// letters, digits, `.`, `-`, `_` only (others become `_`), at most 100 characters;
/// `fichier.csv` when nothing is left.
fn safe_name(name: Option<&str>) -> String {
    let last = name
        .unwrap_or_default()
        .rsplit(['/', '\\'])
        .next()
        .unwrap_or_default();
    let cleaned: String = last
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || matches!(c, '.' | '-' | '_') {
                c
            } else {
                '_'
            }
        })
        .take(100)
        .collect();
    let cleaned = cleaned.trim_start_matches('.').to_owned();
    if cleaned.is_empty() {
        "fichier.csv".to_owned()
    } else {
        cleaned
    }
}

fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    bytes.iter().fold(String::new(), |mut out, b| {
        let _ = write!(out, "{b:02x}");
        out
    })
}

/// Checks who asks, what and for which edition, then writes the body to a file.
async fn accept(
    state: &AppState,
    user: &StaffUser,
    (year, kind): (&str, &str),
    params: &UploadParams,
    body: Result<Bytes, BytesRejection>,
) -> Result<Upload, ApiError> {
    if !user.can_import() {
        return Err(ApiError::Forbidden(
            "l’import de fichiers est réservé aux chargés de mission et aux administrateurs".into(),
        ));
    }
    let kind = Kind::parse(kind.trim())?;
    let year = super::portraits::parse_edition(year.trim())?;
    let body = body.map_err(|e| {
        if e.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
            ApiError::FileTooLarge(format!(
                "fichier de plus de {} Mo : l’import depuis le navigateur est fait pour les \
                 fichiers de subventions et de l’observatoire ; un fichier plus gros \
                 s’importe en ligne de commande (ess-atlas import)",
                MAX_UPLOAD_BYTES >> 20
            ))
        } else {
            ApiError::BadRequest(format!("fichier illisible : {}", e.body_text()))
        }
    })?;
    super::portraits::require_edition(state, year).await?;
    if body.is_empty() {
        return Err(ApiError::BadRequest(
            "fichier vide : choisissez un fichier CSV (ou ZIP) à importer".into(),
        ));
    }
    let name = safe_name(params.file.as_deref());
    let sha256 = hex(&Sha256::digest(&body));
    let file = TempFile::write(&name, &body).await?;
    Ok(Upload {
        year,
        kind,
        name,
        bytes: body.len(),
        sha256,
        file,
        mode: if params.accept_drop == Some(true) {
            Mode::AcceptDrop
        } else {
            Mode::Check
        },
    })
}

/// The error of an import as the API answers it: a damaged file or an implausible
/// result is the client's (422, the importer's French sentence), the rest is ours.
fn import_error(upload: &Upload, error: anyhow::Error) -> ApiError {
    if let Some((kind, message)) = client_failure(&error, |text| upload.file.scrub(text)) {
        return ApiError::Unprocessable { kind, message };
    }
    for cause in error.chain() {
        if let Some(db) = cause.downcast_ref::<crate::db::DbError>()
            && db.is_busy()
        {
            return ApiError::Busy {
                retry_after: super::error::BUSY_RETRY_AFTER,
            };
        }
    }
    ApiError::Internal(error)
}

/// What an import's error means to staff, when it is theirs to act on: a refusal by
/// the plausibility checks (`import_refused`) or a damaged file (`import_aborted`),
/// with the importer's French sentence, server paths removed by `scrub`; `None` for
/// the rest (ours).
pub(super) fn client_failure(
    error: &anyhow::Error,
    scrub: impl Fn(&str) -> String,
) -> Option<(&'static str, String)> {
    for cause in error.chain() {
        if let Some(refusal) = cause.downcast_ref::<Refusal>() {
            return Some(("import_refused", refusal_message(refusal)));
        }
        if cause.is::<crate::import::ImportError>() {
            // The chain joined the French way (`anyhow`'s `{:#}` writes « a: b »).
            let text = error
                .chain()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(" : ");
            return Some(("import_aborted", scrub(&text)));
        }
    }
    None
}

/// A refusal as staff read it in the browser (the command line's says `--accept-drop`).
pub(super) fn refusal_message(refusal: &Refusal) -> String {
    format!(
        "{} de l’édition {} refusé, rien n’a été modifié : {}. Vérifiez le fichier ; si ce \
         changement est attendu, cochez « Importer malgré ces écarts » et confirmez de nouveau",
        crate::import::report::kind_label(&refusal.kind),
        refusal.edition,
        refusal.reasons.join(" ; ")
    )
}

/// A subsidy line not counted as ESS, as a preview lists it.
#[derive(Serialize, utoipa::ToSchema)]
pub(super) struct NotCounted<'a> {
    line: u64,
    beneficiary_name: &'a str,
    beneficiary_id: Option<&'a str>,
    rna: Option<&'a str>,
    granted: f64,
    status: &'static str,
    status_label: &'static str,
    match_method: Option<&'static str>,
    reason: String,
}

/// The French label of a subsidy line's status (`ess`, `non_ess`, `unmatched`).
#[must_use]
pub fn status_label(status: &str) -> &'static str {
    match status {
        "ess" => "ESS",
        "non_ess" => "hors ESS",
        "unmatched" => "non rapproché",
        _ => "inconnu",
    }
}

/// Why a line is not counted as ESS, in French: the matching's note, else what its
/// status means.
#[must_use]
pub fn not_counted_reason(status: &str, note: Option<&str>) -> String {
    let meaning = match status {
        "non_ess" => {
            "rapproché d’un établissement dont l’unité légale n’est pas de l’ESS (ou dont \
             l’activité est exclue du périmètre : administration publique, syndicat…)"
        }
        "unmatched" => "aucun établissement du département ne correspond à ses identifiants",
        _ => "",
    };
    match note.map(str::trim).filter(|n| !n.is_empty()) {
        Some(note) if meaning.is_empty() => note.to_owned(),
        Some(note) if status == "non_ess" => format!("{meaning} ; {note}"),
        Some(note) => note.to_owned(),
        None => meaning.to_owned(),
    }
}

fn not_counted(m: &MatchedLine) -> NotCounted<'_> {
    let status = m.status.id();
    NotCounted {
        line: m.line.line,
        beneficiary_name: &m.line.beneficiary_name,
        beneficiary_id: m
            .line
            .beneficiary_id
            .as_ref()
            .map(crate::records::subsidies::BeneficiaryId::as_str),
        rna: m.line.rna.as_deref(),
        granted: m.line.granted(),
        status,
        status_label: status_label(status),
        match_method: m.method.map(MatchMethod::id),
        reason: not_counted_reason(status, m.note.as_deref()),
    }
}

/// `POST /api/editions/{year}/imports/{kind}/preview`: the import's report, nothing written.
/// Dry run of an import: what it would change, and the file's SHA-256.
#[utoipa::path(post, path = "/api/editions/{year}/imports/{kind}/preview", tag = "imports", security(("session" = [])),
    params(("year" = String, Path, description = "Année de l'édition", example = "2023"),
        ("kind" = String, Path, description = "`subventions` (SCDL) ou `observatoire`", example = "subventions"),
        ("file" = Option<String>, Query, description = "Nom du fichier (son extension dit CSV ou ZIP)", example = "subventions-2023.csv")),
    request_body(content = Vec<u8>, content_type = "application/octet-stream", description = "Le fichier"),
    responses((status = 200, description = "Le rapport de l'import à blanc", body = super::schemas::ImportPreview), (status = 400, description = "Paramètre ou contenu invalide", body = ErrorBody), (status = 401, description = "Connexion requise", body = ErrorBody), (status = 403, description = "Rôle non autorisé, jeton anti-CSRF ou origine invalide", body = ErrorBody),
        (status = 404, description = "Édition ou type d'import inconnus", body = ErrorBody), (status = 413, description = "Fichier trop volumineux", body = ErrorBody),
        (status = 422, description = "Fichier endommagé (`import_aborted`) ou refusé par les contrôles de vraisemblance (`import_refused`)", body = ErrorBody)))]
async fn preview(
    State(state): State<AppState>,
    Staff(user): Staff,
    Path(path): Path<(String, String)>,
    Query(params): Query<UploadParams>,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    let upload = accept(&state, &user, (&path.0, &path.1), &params, body).await?;
    let path = upload.file.path.clone();
    let run = match upload.kind {
        Kind::Subsidies => {
            operations::dry_run_subsidies(&state.db, upload.year, path, upload.mode).await
        }
        Kind::Observatory => {
            operations::dry_run_observatory(
                &state.db,
                state.geography.clone(),
                upload.year,
                path,
                upload.mode,
            )
            .await
        }
    };
    let DryRun {
        report,
        refusal,
        not_counted: lines,
    } = run.map_err(|e| import_error(&upload, e))?;
    let not_granted: f64 = lines.iter().map(|m| m.line.granted()).sum();
    let listed: Vec<NotCounted<'_>> = lines
        .iter()
        .take(MAX_PREVIEW_LINES)
        .map(not_counted)
        .collect();
    tracing::info!(
        user = %user.username,
        kind = upload.kind.id(),
        edition = upload.year,
        bytes = upload.bytes,
        "import preview: {}",
        report.one_line()
    );
    json(&serde_json::json!({
        "dry_run": true,
        "kind": upload.kind.id(),
        "kind_label": crate::import::report::kind_label(upload.kind.id()),
        "edition": upload.year,
        "file": upload.name,
        "bytes": upload.bytes,
        "sha256": upload.sha256,
        "report": report,
        "refusal": refusal.map(|r| serde_json::json!({
            "message": refusal_message(&r),
            "reasons": r.reasons,
        })),
        "not_counted": listed,
        "not_counted_total": lines.len(),
        "not_counted_granted": crate::records::subsidies::cents(not_granted),
    }))
}

/// `POST /api/editions/{year}/imports/{kind}?sha256=`: the real import of the previewed file.
/// The import itself, of the file previewed (same SHA-256).
#[utoipa::path(post, path = "/api/editions/{year}/imports/{kind}", tag = "imports", security(("session" = [])),
    params(("year" = String, Path, description = "Année de l'édition", example = "2023"),
        ("kind" = String, Path, description = "`subventions` (SCDL) ou `observatoire`", example = "subventions"),
        ("file" = Option<String>, Query, description = "Nom du fichier (son extension dit CSV ou ZIP)", example = "subventions-2023.csv"),
        ("sha256" = Option<String>, Query, description = "Le SHA-256 rendu par l'import à blanc"),
        ("accept_drop" = Option<bool>, Query, description = "Importer malgré les contrôles de vraisemblance")),
    request_body(content = Vec<u8>, content_type = "application/octet-stream", description = "Le fichier"),
    responses((status = 200, description = "Le rapport de l'import", body = super::schemas::ImportDone), (status = 400, description = "Paramètre ou contenu invalide", body = ErrorBody), (status = 401, description = "Connexion requise", body = ErrorBody), (status = 403, description = "Rôle non autorisé, jeton anti-CSRF ou origine invalide", body = ErrorBody),
        (status = 404, description = "Édition ou type d'import inconnus", body = ErrorBody),
        (status = 409, description = "Le fichier diffère de celui de l'import à blanc", body = ErrorBody), (status = 413, description = "Fichier trop volumineux", body = ErrorBody),
        (status = 422, description = "Fichier endommagé (`import_aborted`) ou refusé par les contrôles de vraisemblance (`import_refused`)", body = ErrorBody)))]
async fn confirm(
    State(state): State<AppState>,
    Staff(user): Staff,
    Path(path): Path<(String, String)>,
    Query(params): Query<UploadParams>,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    let upload = accept(&state, &user, (&path.0, &path.1), &params, body).await?;
    let expected = params.sha256.as_deref().map(str::trim).unwrap_or_default();
    if !expected.eq_ignore_ascii_case(&upload.sha256) {
        return Err(ApiError::Conflict(
            "le fichier envoyé n’est pas celui de l’aperçu : refaites l’aperçu, puis confirmez"
                .into(),
        ));
    }
    let path = upload.file.path.clone();
    let run = match upload.kind {
        Kind::Subsidies => {
            operations::import_subsidies_with(&state.db, upload.year, path, upload.mode).await
        }
        Kind::Observatory => {
            operations::import_observatory_with(
                &state.db,
                state.geography.clone(),
                upload.year,
                path,
                upload.mode,
            )
            .await
        }
    };
    let report = run.map_err(|e| import_error(&upload, e))?;
    tracing::info!(
        user = %user.username,
        kind = upload.kind.id(),
        edition = upload.year,
        "import from the browser: {}",
        report.one_line()
    );
    // The tiles' data version follows the editions' stamps at once, not at the next poll.
    state.tiles.refresh(&state.db).await?;
    json(&serde_json::json!({
        "imported": true,
        "kind": upload.kind.id(),
        "kind_label": crate::import::report::kind_label(upload.kind.id()),
        "edition": upload.year,
        "file": upload.name,
        "bytes": upload.bytes,
        "sha256": upload.sha256,
        "report": report,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uploaded_names_keep_their_extension_and_lose_their_path() {
        assert_eq!(
            safe_name(Some("C:\\Users\\claire\\subventions 2023.csv")),
            "subventions_2023.csv"
        );
        assert_eq!(safe_name(Some("../../etc/passwd")), "passwd");
        assert_eq!(safe_name(Some("..")), "fichier.csv");
        assert_eq!(safe_name(None), "fichier.csv");
        assert_eq!(safe_name(Some("données.ZIP")), "données.ZIP");
        assert_eq!(safe_name(Some(&"a".repeat(300))).len(), 100);
    }

    #[test]
    fn every_line_not_counted_says_why_in_french() {
        assert!(not_counted_reason("non_ess", None).contains("pas de l’ESS"));
        assert_eq!(
            not_counted_reason("unmatched", Some("aucun établissement actif du SIREN 1")),
            "aucun établissement actif du SIREN 1"
        );
        assert!(not_counted_reason("unmatched", None).contains("aucun établissement"));
        assert_eq!(status_label("non_ess"), "hors ESS");
    }

    #[test]
    fn a_scrubbed_message_names_the_file_not_the_server_path() {
        let file = TempFile {
            dir: PathBuf::from("/tmp/ess-atlas-import-x"),
            path: PathBuf::from("/tmp/ess-atlas-import-x/f.csv"),
        };
        assert_eq!(
            file.scrub("/tmp/ess-atlas-import-x/f.csv, ligne 3 : …"),
            "f.csv, ligne 3 : …"
        );
        // Do not remove a directory that was never made.
        std::mem::forget(file);
    }
}
