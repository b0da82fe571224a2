//! The OpenAPI 3.1 document of the HTTP API, generated from the code: every route is
//! added with `utoipa_axum::routes!` from a handler carrying `#[utoipa::path]`, so the
//! router and the document come from the same calls. This module owns the shared
//! pieces (the error body, the figure under the secret statistique, the session
//! cookie), the document's header, and the two routes that serve it:
//! `/api/openapi.json` and the reference page `/api/docs` (Swagger UI from npm,
//! `web/node_modules/swagger-ui-dist`, served under `/vendor/swagger-ui/`).

use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE};
use axum::response::{Html, IntoResponse, Response};
use utoipa::openapi::security::{ApiKey, ApiKeyValue, SecurityScheme};
use utoipa::{Modify, OpenApi, ToSchema};
use utoipa_axum::router::OpenApiRouter;

use super::AppState;

/// The body of every error of the API (see [`super::error`]).
#[derive(ToSchema)]
#[schema(example = json!({"error": "not_found", "message": "commune 62999 not found"}))]
#[allow(dead_code)]
pub struct ErrorBody {
    /// The kind of error: `bad_request`, `not_found`, `unauthorized`, `forbidden`,
    /// `conflict`, `too_many_requests`, `payload_too_large`, `import_aborted`,
    /// `import_refused`, `busy`, `overloaded`, `internal`…
    error: String,
    /// What went wrong, for a person (often in French).
    message: String,
}

/// The staff session cookie (`POST /api/login` sets it).
struct SessionCookie;

impl Modify for SessionCookie {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "session",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::with_description(
                crate::auth::session::COOKIE_NAME,
                "Session d'un membre de l'équipe (POST /api/login). Les requêtes qui \
                 modifient (POST, PUT, PATCH, DELETE) envoient aussi l'en-tête \
                 X-CSRF-Token (donné par GET /api/session) et une origine de l'atlas.",
            ))),
        );
    }
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "ess-atlas",
        description = "API de l'atlas de l'économie sociale et solidaire (ESS) du \
            Pas-de-Calais : zones (communes, EPCI, territoires), organisations, \
            indicateurs sous secret statistique, portraits et plans d'action, documents, \
            tuiles. La lecture est publique ; les routes marquées `session` demandent \
            une session de l'équipe. Toute erreur répond `{\"error\", \"message\"}`."
    ),
    modifiers(&SessionCookie),
    components(schemas(ErrorBody, crate::indicators::Figure)),
    tags(
        (name = "zones", description = "Le département, ses territoires, EPCI et communes"),
        (name = "indicateurs", description = "Indicateurs sous secret statistique"),
        (name = "organisations", description = "Le registre des organisations de l'ESS"),
        (name = "éditions", description = "Les éditions (millésimes) importées"),
        (name = "portraits", description = "Portraits, orientations et actions"),
        (name = "session", description = "Connexion de l'équipe"),
        (name = "documents", description = "Fiches, recueils, données ouvertes, carte intégrable"),
        (name = "cartes", description = "Couches GeoJSON, tuiles vectorielles, style"),
        (name = "imports", description = "Imports de fichiers par l'équipe"),
        (name = "consultations", description = "Consultations publiques sur les plans d'action"),
        (name = "propositions", description = "Propositions des partenaires (CRESS, APES, réseaux) et leur décision ; propositions du CDESS pour le plan du département"),
        (name = "documentation", description = "Ce document"),
    )
)]
struct ApiDoc;

/// The document's header: info, tags, shared components.
#[must_use]
pub fn base() -> utoipa::openapi::OpenApi {
    ApiDoc::openapi()
}

/// `GET /api/openapi.json`: this document.
#[utoipa::path(get, path = "/api/openapi.json", tag = "documentation",
    responses((status = 200, description = "Le document OpenAPI 3.1 de l'API", content_type = "application/json", body = super::schemas::OpenApiDocument)))]
async fn document() -> Response {
    static TEXT: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    let text = TEXT.get_or_init(|| {
        super::openapi_document()
            .to_json()
            .unwrap_or_else(|_| "{}".to_owned())
    });
    (
        [
            (CONTENT_TYPE, "application/json"),
            (CACHE_CONTROL, "no-cache"),
        ],
        text.as_str(),
    )
        .into_response()
}

/// `GET /api/docs`: the reference page, Swagger UI reading `/api/openapi.json`.
#[utoipa::path(get, path = "/api/docs", tag = "documentation",
    responses((status = 200, description = "La page de référence de l'API (HTML)", content_type = "text/html", body = String)))]
async fn docs_page() -> Html<&'static str> {
    Html(DOCS_PAGE)
}

const DOCS_PAGE: &str = r#"<!doctype html>
<html lang="fr">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>API de l'atlas de l'ESS — référence</title>
<link rel="stylesheet" href="/vendor/swagger-ui/swagger-ui.css">
</head>
<body>
<div id="reference"></div>
<script src="/vendor/swagger-ui/swagger-ui-bundle.js"></script>
<script>
window.ui = SwaggerUIBundle({
  url: '/api/openapi.json',
  dom_id: '#reference',
  deepLinking: true,
  supportedSubmitMethods: ['get'],
});
</script>
</body>
</html>
"#;

/// The routes serving the document.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(utoipa_axum::routes!(document))
        .routes(utoipa_axum::routes!(docs_page))
}

/// The answers every operation may give besides its own: 503 when the database is
/// busy beyond the wait allowed (`Retry-After`), 429 when the client's address has
/// spent its budget ([`super::ratelimit`], `Retry-After`), and 400 for a malformed query or
/// body on operations that take parameters or a body (the extractors' rejections).
pub(crate) fn add_common_responses(doc: &mut utoipa::openapi::OpenApi) {
    use utoipa::openapi::{ContentBuilder, Ref, RefOr, ResponseBuilder};
    let error = |description: &str| -> RefOr<utoipa::openapi::Response> {
        RefOr::T(
            ResponseBuilder::new()
                .description(description)
                .content(
                    "application/json",
                    ContentBuilder::new()
                        .schema(Some(Ref::from_schema_name("ErrorBody")))
                        .build(),
                )
                .build(),
        )
    };
    for item in doc.paths.paths.values_mut() {
        for operation in [
            item.get.as_mut(),
            item.post.as_mut(),
            item.put.as_mut(),
            item.patch.as_mut(),
            item.delete.as_mut(),
        ]
        .into_iter()
        .flatten()
        {
            let takes_input = operation.request_body.is_some()
                || operation.parameters.as_ref().is_some_and(|p| !p.is_empty());
            let responses = &mut operation.responses.responses;
            if takes_input {
                responses
                    .entry("400".to_owned())
                    .or_insert_with(|| error("Paramètre ou contenu invalide"));
            }
            responses.entry("429".to_owned()).or_insert_with(|| {
                error(
                    "Trop de requêtes depuis cette adresse : réessayer après Retry-After secondes",
                )
            });
            responses.entry("503".to_owned()).or_insert_with(|| {
                error("Base de données occupée : réessayer après Retry-After secondes")
            });
        }
    }
}
