//! The SIRENE stock import started from `/espace` (issue 19, item 3). INSEE's files
//! are gigabytes: they are not uploaded but put by the operator in the directory of
//! `serve --import-dir` ([`crate::import::import_dir`]); a chargé de mission picks
//! them by name, starts the import and follows it.
//!
//! - `GET /api/imports/sirene`: the directory's importable files, and the running (or
//!   last) job;
//! - `POST /api/imports/sirene` `{"edition", "etablissements", "unites_legales",
//!   "geolocalisation"?, "reference_date"?, "accept_drop"?}`: starts the import of
//!   the command line ([`crate::operations::import_sirene_with`]: all or nothing, the
//!   same plausibility checks) in the background; 202 with the job, 409 while one
//!   runs;
//! - `GET /api/imports/sirene/{id}`: the job's progress (step, file, rows and bytes
//!   read of the file's size), then its report, or why it failed in French (a
//!   refusal or a damaged file: nothing was changed).
//!
//! Only roles that may import ([`crate::auth::StaffUser::can_import`]).

#[allow(unused_imports)]
use super::openapi::ErrorBody;
use std::sync::Arc;

use axum::extract::State;
use axum::http::StatusCode;
use axum::http::header::LOCATION;
use axum::response::Response;
use serde::Deserialize;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::error::{ApiError, Json, Path};
use super::json;
use super::session::Staff;
use crate::api::AppState;
use crate::auth::StaffUser;
use crate::import::import_dir::{ImportDir, ImportDirError};
use crate::import::plausibility::Mode;
use crate::import::progress::Watch;
use crate::operations::jobs::{ImportJobs, Job, JobRequest, Outcome};

/// The import directory (if configured) and the import slot.
#[derive(Debug)]
pub struct SireneImports {
    pub dir: Option<ImportDir>,
    pub jobs: ImportJobs,
}

impl SireneImports {
    #[must_use]
    pub fn new(dir: Option<ImportDir>) -> Self {
        Self {
            dir,
            jobs: ImportJobs::default(),
        }
    }
}

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(files, start))
        .routes(routes!(status))
}

fn require_import(user: &StaffUser) -> Result<(), ApiError> {
    if user.can_import() {
        Ok(())
    } else {
        Err(ApiError::Forbidden(
            "l’import de fichiers est réservé aux chargés de mission et aux administrateurs".into(),
        ))
    }
}

impl From<ImportDirError> for ApiError {
    fn from(e: ImportDirError) -> Self {
        match e {
            ImportDirError::NotListed(_) => ApiError::BadRequest(e.to_string()),
            other => ApiError::Internal(other.into()),
        }
    }
}

/// A job as staff follow it (documented by `schemas::SireneJob`).
fn job_status(dir: Option<&ImportDir>, job: &Job) -> serde_json::Value {
    let files: serde_json::Map<String, serde_json::Value> = job
        .request
        .files
        .iter()
        .map(|(role, name)| ((*role).to_owned(), name.clone().into()))
        .collect();
    let mut value = serde_json::json!({
        "id": job.id,
        "edition": job.request.edition,
        "files": files,
        "started_by": job.request.started_by,
        "started_at": job.started_at,
        "progress": job.progress.snapshot(),
        "status_url": format!("/api/imports/sirene/{}", job.id),
    });
    job.with_outcome(|outcome| {
        let state = match outcome {
            None => "running",
            Some((at, Outcome::Done(report))) => {
                value["finished_at"] = at.into();
                value["report"] = serde_json::to_value(report).unwrap_or_default();
                "done"
            }
            Some((at, Outcome::Failed(error))) => {
                value["finished_at"] = at.into();
                let scrub = |text: &str| dir.map_or_else(|| text.to_owned(), |d| d.scrub(text));
                let (kind, message) =
                    super::imports::client_failure(error, scrub).unwrap_or_else(|| {
                        (
                            "internal",
                            "l’import n’a pas abouti (erreur interne, le détail est dans le \
                             journal du serveur) ; rien n’a été modifié"
                                .to_owned(),
                        )
                    });
                value["error"] = serde_json::json!({"error": kind, "message": message});
                "failed"
            }
        };
        value["state"] = state.into();
    });
    value
}

/// The SIRENE stock files on the server, and the running or last import.
#[utoipa::path(get, path = "/api/imports/sirene", tag = "imports", security(("session" = [])),
    responses((status = 200, description = "Les fichiers du dossier d'import du serveur (`configured`: un dossier est configuré avec --import-dir) et l'import en cours ou le dernier (`job`)", body = super::schemas::SireneImports),
        (status = 401, description = "Connexion requise", body = ErrorBody), (status = 403, description = "Rôle non autorisé", body = ErrorBody)))]
async fn files(State(state): State<AppState>, Staff(user): Staff) -> Result<Response, ApiError> {
    require_import(&user)?;
    let sirene = Arc::clone(&state.sirene);
    let listed =
        tokio::task::spawn_blocking(move || sirene.dir.as_ref().map(ImportDir::list).transpose())
            .await
            .map_err(|e| ApiError::Internal(e.into()))??;
    let job = state
        .sirene
        .jobs
        .current()
        .map(|j| job_status(state.sirene.dir.as_ref(), &j));
    // As `schemas::SireneImports`.
    json(&serde_json::json!({
        "configured": listed.is_some(),
        "files": listed.unwrap_or_default(),
        "job": job,
    }))
}

/// Which files of the import directory to import into which edition.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
struct StartRequest {
    /// Between 1900 and 2200.
    #[schema(example = 2026)]
    edition: i64,
    /// `AAAA-MM-JJ`; default: the edition's, else 31 December of its year.
    #[schema(example = "2025-12-31")]
    reference_date: Option<String>,
    /// Names from the directory's listing (`GET /api/imports/sirene`).
    #[schema(example = "StockEtablissement_utf8.zip")]
    etablissements: String,
    #[schema(example = "StockUniteLegale_utf8.zip")]
    unites_legales: String,
    #[schema(example = "GeolocalisationEtablissement_Sirene_pour_etudes_statistiques_utf8.zip")]
    geolocalisation: Option<String>,
    /// Import even when the plausibility checks refuse the files (the edition shrinks
    /// too much, too many rejected rows); the report says so.
    #[serde(default)]
    accept_drop: bool,
}

/// `(role, name)` of each file of a start: `("etablissements", "StockEtablissement_utf8.zip")`.
type Named = Vec<(&'static str, String)>;

/// The request's reference date and the files it names, checked.
fn checked(body: &StartRequest) -> Result<(Option<String>, Named), ApiError> {
    if !(1900..=2200).contains(&body.edition) {
        return Err(ApiError::BadRequest(format!(
            "édition {} : une année entre 1900 et 2200 est attendue",
            body.edition
        )));
    }
    let reference_date = body
        .reference_date
        .as_deref()
        .map(str::trim)
        .filter(|d| !d.is_empty())
        .map(str::to_owned);
    if let Some(d) = &reference_date
        && !crate::time::is_iso_date(d)
    {
        return Err(ApiError::BadRequest(format!(
            "date de référence {d:?} : une date AAAA-MM-JJ est attendue"
        )));
    }
    let mut names = vec![
        ("etablissements", body.etablissements.clone()),
        ("unites_legales", body.unites_legales.clone()),
    ];
    if let Some(g) = body
        .geolocalisation
        .as_ref()
        .filter(|g| !g.trim().is_empty())
    {
        names.push(("geolocalisation", g.clone()));
    }
    for (i, (_, a)) in names.iter().enumerate() {
        if names[..i].iter().any(|(_, b)| b == a) {
            return Err(ApiError::BadRequest(format!(
                "«\u{a0}{a}\u{a0}» est choisi deux fois : un fichier par rôle"
            )));
        }
    }
    Ok((reference_date, names))
}

/// Starts the import of SIRENE files of the server's import directory into an edition.
#[utoipa::path(post, path = "/api/imports/sirene", tag = "imports", security(("session" = [])),
    request_body(content = StartRequest, example = json!({"edition": 2026, "etablissements": "StockEtablissement_utf8.zip", "unites_legales": "StockUniteLegale_utf8.zip"})),
    responses((status = 202, description = "Import lancé : son état (suivre `status_url`)", body = super::schemas::SireneJob),
        (status = 400, description = "Paramètre invalide, ou fichier absent du dossier d'import", body = ErrorBody), (status = 401, description = "Connexion requise", body = ErrorBody),
        (status = 403, description = "Rôle non autorisé, jeton anti-CSRF ou origine invalide", body = ErrorBody),
        (status = 409, description = "Un import SIRENE est déjà en cours", body = ErrorBody)))]
async fn start(
    State(state): State<AppState>,
    Staff(user): Staff,
    Json(body): Json<StartRequest>,
) -> Result<Response, ApiError> {
    require_import(&user)?;
    let (reference_date, names) = checked(&body)?;
    let Some(dir) = state.sirene.dir.clone() else {
        return Err(ApiError::BadRequest(
            "aucun dossier d’import n’est configuré sur ce serveur (serve --import-dir) : \
             importez les fichiers SIRENE en ligne de commande (ess-atlas import sirene)"
                .into(),
        ));
    };
    let resolve_dir = dir.clone();
    let resolve_names = names.clone();
    let paths = tokio::task::spawn_blocking(move || {
        resolve_names
            .iter()
            .map(|(_, n)| resolve_dir.resolve(n).map(|f| f.path))
            .collect::<Result<Vec<_>, _>>()
    })
    .await
    .map_err(|e| ApiError::Internal(e.into()))??;
    let files = crate::import::sirene::SireneFiles {
        etablissements: paths[0].clone(),
        unites_legales: paths[1].clone(),
        geolocalisation: paths.get(2).cloned(),
    };
    let mode = if body.accept_drop {
        Mode::AcceptDrop
    } else {
        Mode::Check
    };
    let request = JobRequest {
        edition: body.edition,
        files: names,
        started_by: user.username.clone(),
    };
    let year = body.edition;
    let run_state = state.clone();
    let started = state
        .sirene
        .jobs
        .start(request, move |progress| async move {
            let report = crate::operations::import_sirene_with(
                &run_state.db,
                Arc::clone(&run_state.geography),
                year,
                reference_date,
                files,
                (false, Watch::Shared(progress)),
                mode,
            )
            .await?;
            // The tiles' data version follows the editions' stamps at once.
            run_state.tiles.refresh(&run_state.db).await?;
            Ok(report)
        });
    let job = started.map_err(|busy| {
        ApiError::Conflict(format!(
            "un import SIRENE est déjà en cours (édition {}, lancé par {} le {}) : attendez \
             qu’il se termine",
            busy.0.request.edition,
            busy.0.request.started_by,
            crate::time::french_date(&busy.0.started_at[..10.min(busy.0.started_at.len())])
        ))
    })?;
    tracing::info!(user = %user.username, edition = year, job = %job.id, "SIRENE import started from the browser");
    let status = job_status(Some(&dir), &job);
    let mut response = json(&status)?;
    *response.status_mut() = StatusCode::ACCEPTED;
    if let Ok(location) =
        axum::http::HeaderValue::from_str(&format!("/api/imports/sirene/{}", job.id))
    {
        response.headers_mut().insert(LOCATION, location);
    }
    Ok(response)
}

/// A SIRENE import's progress, then its report or why it failed.
#[utoipa::path(get, path = "/api/imports/sirene/{id}", tag = "imports", security(("session" = [])),
    params(("id" = String, Path, description = "Identifiant de l'import")),
    responses((status = 200, description = "L'état de l'import : `state` (`running`, `done`, `failed`), `progress`, puis `report` ou `error`", body = super::schemas::SireneJob),
        (status = 401, description = "Connexion requise", body = ErrorBody), (status = 403, description = "Rôle non autorisé", body = ErrorBody),
        (status = 404, description = "Import inconnu (seul le dernier est gardé)", body = ErrorBody)))]
async fn status(
    State(state): State<AppState>,
    Staff(user): Staff,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    require_import(&user)?;
    let job = state
        .sirene
        .jobs
        .get(&id)
        .ok_or_else(|| ApiError::NotFound("SIRENE import", id.clone()))?;
    json(&job_status(state.sirene.dir.as_ref(), &job))
}
