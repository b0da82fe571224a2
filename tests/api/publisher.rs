//! The publisher everywhere (issue 19, item 7): the Département's name, contact and
//! logo (`serve --publisher-name`, `--publisher-contact`, `--publisher-logo`), with
//! the day the document was made, read back from the compendium (PDF and ODT), the
//! ODT fiche and the HTML fiche, as the PDF fiche already prints them
//! (`summaries::the_fiche_reads_as_the_publishers_publication`).

use serde_json::{Value, json};

use crate::helpers::{Session, TestApp};
use crate::summaries::{ARRAS, Odt, bytes, logo_png, pdf_images, pdf_text};

const CONTACT: &str = "Direction du développement ESS — ess@pasdecalais.example";

/// An app publishing as the Pas-de-Calais with a contact and a logo, with a registry
/// for 2023 and a chargé de mission signed in.
async fn app() -> (TestApp, Session, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let logo = dir.path().join("logo.png");
    std::fs::write(&logo, logo_png()).unwrap();
    let app = crate::helpers::spawn_app_with(|cfg| {
        cfg.publisher_contact = CONTACT.into();
        cfg.publisher_logo = Some(logo.clone());
    })
    .await;
    crate::indicators::import_registry(&app, 2023, 1).await;
    app.add_user("claire", "charge_de_mission", &[]).await;
    let session = app.login("claire").await;
    (app, session, dir)
}

/// « 5 décembre 2026 », today, with plain spaces (as the documents read back).
fn today() -> String {
    ess_atlas::summary::format::fr_date(&ess_atlas::time::today()).replace('\u{a0}', " ")
}

/// The ODT's publisher: its text, its logo picture and the author in its metadata.
fn assert_odt_publisher(odt: &Odt, made: &str) {
    let text = odt.text();
    assert!(text.contains("Département du Pas-de-Calais"), "{text}");
    assert!(text.contains(CONTACT), "{text}");
    assert!(
        text.contains(&format!("{made} le {}", today())),
        "{made} le … in\n{text}"
    );
    let part = |name: &str| {
        odt.entries
            .iter()
            .find(|(n, _, _)| n == name)
            .unwrap_or_else(|| panic!("{name} in the package"))
            .2
            .clone()
    };
    assert_eq!(part("Pictures/logo.png"), logo_png(), "the logo, as given");
    let manifest = String::from_utf8(part("META-INF/manifest.xml")).unwrap();
    assert!(
        manifest
            .contains(r#"manifest:full-path="Pictures/logo.png" manifest:media-type="image/png""#),
        "{manifest}"
    );
    let meta = String::from_utf8(part("meta.xml")).unwrap();
    assert!(
        meta.contains("<dc:creator>Département du Pas-de-Calais</dc:creator>"),
        "{meta}"
    );
}

/// Starts the compendium of 2023 and waits until it is done; its status.
async fn compendium(app: &TestApp, session: &Session) -> Value {
    let (status, job) = app
        .call(
            reqwest::Method::POST,
            "/api/recueils",
            Some(session),
            Some(json!({"edition": 2023})),
        )
        .await;
    assert_eq!(status, 202, "{job}");
    let path = format!("/api/recueils/{}", job["id"].as_str().unwrap());
    for _ in 0..600 {
        let (_, last) = app
            .call(reqwest::Method::GET, &path, Some(session), None)
            .await;
        assert_ne!(last["status"], "failed", "{last}");
        if last["status"] == "done" {
            return last;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("the compendium was never done");
}

async fn staff_bytes(app: &TestApp, session: &Session, path: &str) -> Vec<u8> {
    let response = app
        .request(reqwest::Method::GET, path, Some(session))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200, "{path}");
    response.bytes().await.unwrap().to_vec()
}

#[tokio::test]
async fn the_compendium_reads_as_the_publishers_publication_in_pdf_and_odt() {
    let (app, session, _dir) = app().await;
    let done = compendium(&app, &session).await;

    let pdf = staff_bytes(&app, &session, done["download"].as_str().unwrap()).await;
    let text = pdf_text(&pdf);
    // (The cover's letter-spacing splits words for pdftotext.)
    assert!(
        text.replace(' ', "").contains("DÉPARTEMENTDUPAS-DE-CALAIS"),
        "cover:\n{text}"
    );
    assert!(text.contains(CONTACT), "{text}");
    assert!(
        text.contains(&format!("Recueil produit le {}", today())),
        "{text}"
    );
    // Every page's header names the publisher.
    let headers = text
        .lines()
        .filter(|l| {
            l.trim_start_matches('\u{c}')
                .starts_with("Recueil des portraits de territoire — édition 2023")
                && l.trim_end().ends_with("Département du Pas-de-Calais")
        })
        .count();
    assert!(
        headers > 9,
        "{headers} headers: {:?}",
        text.lines()
            .filter(|l| l.contains("édition 2023"))
            .take(3)
            .collect::<Vec<_>>()
    );
    assert_eq!(pdf_images(&pdf), 1, "the logo, once, on the cover");

    let odt = Odt::open(&staff_bytes(&app, &session, done["download_odt"].as_str().unwrap()).await);
    assert_odt_publisher(&odt, "Recueil produit");
    assert_eq!(
        odt.text().matches(CONTACT).count(),
        1,
        "one publisher block, not one per territory"
    );
}

#[tokio::test]
async fn the_odt_and_html_fiches_carry_the_publisher_and_its_logo() {
    let (app, _session, _dir) = app().await;
    let (status, _, package) = bytes(&app, &format!("/epci/{ARRAS}/fiche.odt?edition=2023")).await;
    assert_eq!(status, 200);
    let odt = Odt::open(&package);
    assert_odt_publisher(&odt, "Fiche produite");
    assert_eq!(odt.pictures, 2, "the map and the logo");

    let html = app
        .get(&format!("/epci/{ARRAS}/fiche?edition=2023"))
        .await
        .text()
        .await
        .unwrap();
    let img = html
        .split("<img class=\"fiche-logo\"")
        .nth(1)
        .unwrap_or_else(|| panic!("a logo in\n{html}"));
    let src = img
        .split("src=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .unwrap();
    let encoded = src
        .strip_prefix("data:image/png;base64,")
        .unwrap_or_else(|| panic!("a PNG data URI: {src:.40}"));
    assert_eq!(base64_decode(encoded), logo_png(), "the logo, as given");
    assert!(img.contains("alt=\"Logo : Département du Pas-de-Calais\""));
    assert!(html.contains(CONTACT));
}

/// Standard base64, for reading the data URI back.
fn base64_decode(text: &str) -> Vec<u8> {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = Vec::new();
    let (mut acc, mut bits) = (0u32, 0u32);
    for c in text.bytes().filter(|&c| c != b'=') {
        let v = ALPHABET.iter().position(|&a| a == c).expect("base64") as u32;
        acc = acc << 6 | v;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    out
}
