//! The embeddable map (issue 21): `/embed` may sit in any site's iframe (a
//! configurable `frame-ancestors`, other pages unchanged), draws the zone's sub-zones
//! with the API's public figures — a masked one hatched, never coloured by its value —
//! and answers a French page with 404 for an unknown zone or indicator.

use crate::helpers::{repo_path, spawn_app_with};
use crate::indicators::app_with_registry;

const EMBED: &str = "/embed?zone=epci/200033579&indicator=ess_establishments&edition=2023";

fn csp(response: &reqwest::Response) -> Option<String> {
    response
        .headers()
        .get("content-security-policy")
        .map(|v| v.to_str().unwrap().to_owned())
}

#[tokio::test]
#[allow(clippy::too_many_lines)] // one page: headers, drawing, masks, other pages, errors, demo
async fn the_embed_may_be_framed_anywhere_and_shows_the_public_figures() {
    let app = app_with_registry(2023, 1).await;
    let response = app.get(EMBED).await;
    assert_eq!(response.status(), 200);
    assert_eq!(csp(&response).as_deref(), Some("frame-ancestors *"));
    assert!(
        response.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    let html = response.text().await.unwrap();
    for part in [
        "data-testid=\"embed-svg\"",
        "data-testid=\"embed-legend\"",
        "Source : Estimation à partir du répertoire SIRENE",
        "href=\"/#level=communes&amp;zone=epci:200033579&amp;ind=ess_establishments&amp;year=2023&amp;cls=quantiles\"",
        "urbaine d&#39;Arras",
    ] {
        assert!(html.contains(part), "{part} in\n{html}");
    }
    assert!(!html.contains("Données de démonstration"), "not demo data");

    // Each commune of the EPCI is drawn, hatched exactly where the API masks it.
    let api = app
        .get_json(
            "/api/indicators?level=commune&indicator=ess_establishments&edition=2023",
            200,
        )
        .await;
    let arras = app.geography.epci_by_siren("200033579").unwrap();
    let (mut secret, mut shown) = (0, 0);
    for &c in &arras.communes {
        let code = &app.geography.communes[c].zone.code;
        let item = api["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["code"] == code.as_str())
            .unwrap();
        let path = html
            .lines()
            .find(|l| l.contains(&format!("data-code=\"{code}\"")))
            .unwrap_or_else(|| panic!("commune {code} drawn"));
        if item["secret"] == true {
            secret += 1;
            assert!(path.contains("fill=\"url(#secret)\""), "{path}");
            assert!(path.contains(": s (secret statistique)</title>"), "{path}");
        } else {
            shown += 1;
            assert!(path.contains("fill=\"#"), "{path}");
        }
    }
    assert!(secret > 0 && shown > 0, "{secret} masked, {shown} shown");

    // Other pages keep their framing policy (none set by the embed).
    for page in ["/", "/donnees", "/territoires/ARR"] {
        assert_eq!(csp(&app.get(page).await), None, "{page}");
    }

    // Unknown zone, indicator or edition: a French page, 404, still frameable.
    for (path, text) in [
        (
            "/embed?zone=epci/999999999&indicator=ess_jobs",
            "Zone inconnue",
        ),
        ("/embed?zone=pays/FR", "Zone inconnue"),
        (
            "/embed?zone=epci/200033579&indicator=nope",
            "Indicateur inconnu",
        ),
        (
            "/embed?zone=epci/200033579&edition=1999",
            "Édition inconnue",
        ),
    ] {
        let response = app.get(path).await;
        assert_eq!(response.status(), 404, "{path}");
        assert_eq!(csp(&response).as_deref(), Some("frame-ancestors *"));
        let body = response.text().await.unwrap();
        assert!(
            body.contains(text) && body.contains("lang=\"fr\""),
            "{path}: {body}"
        );
    }
    let response = app
        .get("/embed?zone=epci/200033579&indicator=share_of_ess_jobs")
        .await;
    assert_eq!(response.status(), 400);

    // A subsidies indicator names the subsidies' file as its source.
    let html = app
        .get("/embed?zone=epci/200033579&indicator=ess_subsidies&edition=2023")
        .await
        .text()
        .await
        .unwrap();
    assert!(
        html.contains("Source : Département du Pas-de-Calais, subventions"),
        "{html}"
    );

    // Demonstration data say so.
    let samples = repo_path("tests/fixtures/sirene");
    ess_atlas::operations::import_sirene(
        &app.db,
        app.geography.clone(),
        2022,
        Some("2022-12-31".into()),
        ess_atlas::import::sirene::SireneFiles {
            unites_legales: samples.join("StockUniteLegale_sample.csv"),
            etablissements: samples.join("StockEtablissement_sample.csv"),
            geolocalisation: None,
        },
        true,
        false,
    )
    .await
    .unwrap();
    let html = app
        .get("/embed?zone=territoire/ARR&edition=2022&family=association")
        .await
        .text()
        .await
        .unwrap();
    assert!(html.contains("data-testid=\"embed-demo\""), "{html}");
}

#[tokio::test]
async fn the_frame_ancestors_of_the_embed_are_configurable() {
    let app = spawn_app_with(|c| {
        c.embed_frame_ancestors = "'self' https://www.partenaire.fr".into();
    })
    .await;
    let response = app.get("/embed").await;
    assert_eq!(
        csp(&response).as_deref(),
        Some("frame-ancestors 'self' https://www.partenaire.fr")
    );
    // No edition yet: the page says so, still under the policy.
    assert_eq!(response.status(), 404);

    let dir = tempfile::tempdir().unwrap();
    let mut cfg = ess_atlas::config::Config::for_tests(dir.path());
    cfg.embed_frame_ancestors = "*; script-src *".into();
    let refused = ess_atlas::build_app(cfg).await.err().expect("refused");
    assert!(
        format!("{refused:#}").contains("frame-ancestors"),
        "{refused:#}"
    );
}
