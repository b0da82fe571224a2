//! Indicators and profiles over HTTP: masking, consistency between outputs, errors.

use serde_json::Value;

use crate::helpers::{TestApp, spawn_app};
use crate::sirene_files::{borrow, establishment, header, row, unit, write};

/// A registry over the communes of two EPCI (CU d'Arras, CA de Lens-Liévin) with
/// uneven sizes, so that some cells are secret and most are not; plus the rest of the
/// economy (non-ESS employers) for the employment share. `scale` multiplies counts.
pub async fn app_with_registry(year: i64, scale: usize) -> TestApp {
    let app = spawn_app().await;
    import_registry(&app, year, scale).await;
    app
}

pub async fn import_registry(app: &TestApp, year: i64, scale: usize) {
    let dir = tempfile::tempdir().unwrap();
    let (ul_h, et_h) = (header(0), header(1));
    let mut units = Vec::new();
    let mut ets = Vec::new();
    let communes: Vec<String> = ["200033579", "246200364"]
        .iter()
        .flat_map(|siren| app.geography.epci_by_siren(siren).unwrap().communes.clone())
        .map(|c| app.geography.communes[c].zone.code.clone())
        .collect();
    let kinds = [
        ("9220", "88.10A", "02"),
        ("9220", "93.12Z", "NN"),
        ("5458", "43.21A", "11"),
        ("8210", "65.12Z", "01"),
        ("9300", "88.99B", "03"),
        ("5710", "62.01Z", "12"),
    ];
    let mut n = 0u64;
    for (ci, commune) in communes.iter().enumerate() {
        // 0 to 7 organisations per commune, more in the first ones.
        let count = ((ci * 7 + 3) % 8) * scale;
        for k in 0..count {
            n += 1;
            let (cj, naf, band) = kinds[(ci + k) % kinds.len()];
            let siren = format!("{:09}", 100_000_000 + n);
            units.push(row(
                &ul_h,
                &borrow(&unit(&siren, cj, naf, &format!("ORGANISATION {n} EXEMPLE"))),
            ));
            ets.push(row(
                &et_h,
                &borrow(&establishment(&format!("{siren}00010"), commune, band, naf)),
            ));
        }
    }
    let ul = write(dir.path(), "ul.csv", &ul_h, &units, "\n", false);
    let et = write(dir.path(), "et.csv", &et_h, &ets, "\n", false);
    app.import_sirene(year, &format!("{year}-12-31"), &ul, &et, None)
        .await
        .unwrap();
}

fn items(body: &Value) -> &Vec<Value> {
    body["items"].as_array().unwrap()
}

#[tokio::test]
async fn masked_cells_read_null_and_secret_and_published_ones_add_up() {
    let app = app_with_registry(2023, 1).await;
    let communes = app
        .get_json(
            "/api/indicators?level=commune&indicator=ess_establishments",
            200,
        )
        .await;
    let epci = app
        .get_json(
            "/api/indicators?level=epci&indicator=ess_establishments",
            200,
        )
        .await;
    let mut secret = 0;
    for c in items(&communes) {
        if c["secret"] == true {
            secret += 1;
            assert!(c["value"].is_null(), "{c}");
        } else {
            let v = c["value"].as_f64().unwrap();
            assert!(
                v == 0.0 || v >= 3.0,
                "a published cell counts 0 or at least 3: {c}"
            );
        }
    }
    assert!(secret > 0, "the fixture has small communes");
    let mut checked = 0;
    for e in items(&epci).iter().filter(|e| e["secret"] == false) {
        let parts: Vec<&Value> = items(&communes)
            .iter()
            .filter(|c| c["parent"]["code"] == e["code"])
            .collect();
        let masked = parts.iter().filter(|c| c["secret"] == true).count();
        assert_ne!(
            masked, 1,
            "one masked commune in EPCI {} could be recomputed",
            e["code"]
        );
        if masked == 0 {
            let sum: f64 = parts.iter().map(|c| c["value"].as_f64().unwrap()).sum();
            assert_eq!(sum, e["value"].as_f64().unwrap());
            checked += 1;
        }
    }
    assert!(checked > 0);
    assert_eq!(communes["department"], epci["department"]);
}

#[tokio::test]
async fn the_same_figure_is_equal_in_the_indicators_and_the_profile() {
    let app = app_with_registry(2023, 3).await;
    for id in [
        "ess_establishments",
        "ess_employers",
        "ess_jobs",
        "ess_jobs_per_1000",
        "ess_share_jobs",
    ] {
        let list = app
            .get_json(
                &format!("/api/indicators?level=territory&indicator={id}"),
                200,
            )
            .await;
        for t in items(&list) {
            let code = t["code"].as_str().unwrap();
            let profile = app
                .get_json(&format!("/api/zones/territory/{code}/profile"), 200)
                .await;
            let key = profile["key_figures"]
                .as_array()
                .unwrap()
                .iter()
                .find(|k| k["indicator"] == id)
                .unwrap();
            assert_eq!(key["zone"]["value"], t["value"], "{id} {code}");
            assert_eq!(key["zone"]["secret"], t["secret"], "{id} {code}");
            assert_eq!(
                key["department"]["value"], list["department"]["value"],
                "{id}"
            );
        }
    }
    // Breakdown by family = the indicator filtered by family.
    let arr = app.get_json("/api/zones/epci/200033579/profile", 200).await;
    for f in arr["breakdowns"]["family"].as_array().unwrap() {
        let family = f["id"].as_str().unwrap();
        let list = app
            .get_json(
                &format!("/api/indicators?level=epci&indicator=ess_jobs&family={family}"),
                200,
            )
            .await;
        let cu = items(&list)
            .iter()
            .find(|e| e["code"] == "200033579")
            .unwrap();
        assert_eq!(f["ess_jobs"]["value"], cu["value"], "{family}");
    }
    assert_eq!(arr["parent"]["code"], "ARR");

    // A profile narrowed to a category gives the same figures as the filtered indicators.
    let coops = app
        .get_json("/api/zones/epci/200033579/profile?family=cooperative", 200)
        .await;
    assert_eq!(coops["category"]["id"], "cooperative");
    let list = app
        .get_json(
            "/api/indicators?level=epci&indicator=ess_jobs&family=cooperative",
            200,
        )
        .await;
    let cu = items(&list)
        .iter()
        .find(|e| e["code"] == "200033579")
        .unwrap();
    let key = |body: &Value, id: &str| {
        body["key_figures"]
            .as_array()
            .unwrap()
            .iter()
            .find(|k| k["indicator"] == id)
            .cloned()
    };
    assert_eq!(
        key(&coops, "ess_jobs").unwrap()["zone"]["value"],
        cu["value"]
    );
    assert!(
        key(&coops, "share_of_ess_jobs").is_some(),
        "a category's share in ESS jobs"
    );
    assert!(key(&arr, "share_of_ess_jobs").is_none(), "needs a category");
    assert!(coops["series"][0]["figures"]["share_of_ess_jobs"].is_object());
    app.get_json(
        "/api/zones/epci/200033579/profile?family=cooperative&size=1-9",
        400,
    )
    .await;
    assert_eq!(arr["series"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn evolution_compares_two_editions_on_the_same_geography() {
    let app = app_with_registry(2020, 1).await;
    import_registry(&app, 2023, 2).await;
    let body = app
        .get_json("/api/indicators?level=department&indicator=ess_establishments&edition=2023&compare_edition=2020", 200)
        .await;
    let dept = &items(&body)[0];
    let (before, after) = (
        app.get_json(
            "/api/indicators?level=department&indicator=ess_establishments&edition=2020",
            200,
        )
        .await,
        dept["value"].as_f64().unwrap(),
    );
    let before = items(&before)[0]["value"].as_f64().unwrap();
    assert_eq!(
        dept["evolution"]["absolute"]["value"].as_f64().unwrap(),
        after - before
    );
    let pct = dept["evolution"]["percent"]["value"].as_f64().unwrap();
    assert!((pct - (after - before) / before * 100.0).abs() < 0.05);
    let profile = app.get_json("/api/zones/department/62/profile", 200).await;
    let years: Vec<i64> = profile["series"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["edition"].as_i64().unwrap())
        .collect();
    assert_eq!(years, [2020, 2023]);
}

#[tokio::test]
async fn bad_indicator_requests_answer_4xx_json() {
    let app = spawn_app().await;
    let none = app.get_json("/api/indicators", 404).await;
    assert!(none["message"].as_str().unwrap().contains("edition"));
    import_registry(&app, 2023, 1).await;
    for (query, status) in [
        ("level=region", 400),
        ("indicator=nothing", 404),
        ("family=association&sector=Q", 400),
        ("indicator=share_of_ess_jobs", 400),
        ("family=club", 400),
        ("sector=Z", 400),
        ("size=12", 400),
        ("edition=1990", 404),
        ("compare_edition=abc", 400),
        ("colour=red", 400),
    ] {
        let body = app
            .get_json(&format!("/api/indicators?{query}"), status)
            .await;
        assert!(body["error"].is_string(), "{query}");
    }
    app.get_json("/api/zones/territory/XXX/profile", 404).await;
    app.get_json("/api/zones/planet/XXX/profile", 400).await;
    let catalogue = app.get_json("/api/indicators/catalogue", 200).await;
    assert!(
        items(&catalogue)
            .iter()
            .any(|i| i["id"] == "ess_share_jobs" && i["unit"] == "%")
    );
}

/// The observatory example shipped in reference/, into an edition with a registry.
async fn app_with_observatory() -> TestApp {
    let app = app_with_registry(2023, 2).await;
    let example = crate::helpers::repo_path("reference/observatoire-exemple.csv");
    let report =
        ess_atlas::operations::import_observatory(&app.db, app.geography.clone(), 2023, example)
            .await
            .unwrap();
    assert_eq!(report.files[0].rows_rejected, 0, "{:?}", report.rejected);
    app
}

#[tokio::test]
async fn observatory_figures_take_precedence_and_say_their_source() {
    let app = app_with_observatory().await;
    let get = |q: &'static str| {
        let app = &app;
        async move {
            app.get_json(&format!("/api/indicators?level=department&{q}"), 200)
                .await
        }
    };
    let jobs = get("indicator=ess_jobs").await;
    assert_eq!(jobs["items"][0]["value"], 50_120.0);
    assert_eq!(jobs["items"][0]["source"], "observatoire");
    assert_eq!(
        jobs["sources"],
        serde_json::json!(["observatoire", "sirene"])
    );
    // Same source for numerator and denominator: the observatory's own total.
    let share = get("indicator=ess_share_jobs").await;
    assert_eq!(share["items"][0]["value"], 11.9);
    assert_eq!(share["items"][0]["source"], "observatoire");
    // All establishments (employers or not) are not in the observatory: SIRENE.
    let all = get("indicator=ess_establishments").await;
    assert_eq!(all["items"][0]["source"], "sirene");
    let employers = get("indicator=ess_employers&family=cooperative").await;
    assert_eq!(employers["items"][0]["value"], 330.0);

    // A zone the observatory does not cover keeps the registry's estimate.
    let territories = app
        .get_json("/api/indicators?level=territory&indicator=ess_jobs", 200)
        .await;
    let by_code = |code: &str| {
        territories["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["code"] == code)
            .unwrap()
            .clone()
    };
    assert_eq!(by_code("ARR")["source"], "observatoire");
    assert_eq!(by_code("ARR")["value"], 9_800.0);
    assert_eq!(by_code("LEN")["source"], "sirene");
    // What the observatory masked stays masked.
    let fondations = app
        .get_json(
            "/api/indicators?level=territory&indicator=ess_jobs&family=fondation",
            200,
        )
        .await;
    let ter = fondations["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["code"] == "TER")
        .unwrap();
    assert_eq!(ter["secret"], true);
    assert!(ter["value"].is_null());

    // The profile says the source of each figure.
    let profile = app.get_json("/api/zones/department/62/profile", 200).await;
    let key = profile["key_figures"]
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["indicator"] == "ess_jobs")
        .unwrap();
    assert_eq!(key["zone"]["source"], "observatoire");
}

#[tokio::test]
async fn bad_observatory_rows_are_rejected_with_line_and_field() {
    let app = app_with_registry(2023, 1).await;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("obs.csv");
    std::fs::write(
        &path,
        "niveau,code,famille,secteur,etablissements,effectif,etp,masse_salariale\n\
         departement,62,ess,,3240,\"50 120,5\",43850.5,1412000000\n\
         region,32,ess,,1,1,1,1\n\
         territoire,XXX,ess,,1,1,1,1\n\
         departement,62,club,,1,1,1,1\n\
         departement,62,association,Q,1,1,1,1\n\
         departement,62,ess,Q,douze,1,1,1\n\
         departement,62,ess,,1,1,1,30000\n",
    )
    .unwrap();
    let report = ess_atlas::operations::import_observatory(
        &app.db,
        app.geography.clone(),
        2023,
        path.clone(),
    )
    .await
    .unwrap();
    let f = &report.files[0];
    assert_eq!((f.rows_read, f.rows_kept, f.rows_rejected), (7, 1, 6));
    let rejected: Vec<(u64, &str)> = report
        .rejected
        .iter()
        .map(|r| (r.line, r.field.as_str()))
        .collect();
    assert_eq!(
        rejected,
        [
            (3, "niveau"),
            (4, "code"),
            (5, "famille"),
            (6, "secteur"),
            (7, "etablissements"),
            (8, "")
        ]
    );
    // Decimal comma and thousands space are read.
    let jobs = app
        .get_json("/api/indicators?level=department&indicator=ess_jobs", 200)
        .await;
    assert_eq!(jobs["items"][0]["value"], 50_120.5);

    let no_edition =
        ess_atlas::operations::import_observatory(&app.db, app.geography.clone(), 1999, path)
            .await
            .unwrap_err();
    assert!(format!("{no_edition:#}").contains("pas d’édition 1999"));
    let missing = dir.path().join("missing.csv");
    std::fs::write(&missing, "niveau,code,famille\n").unwrap();
    let error =
        ess_atlas::operations::import_observatory(&app.db, app.geography.clone(), 2023, missing)
            .await
            .unwrap_err();
    assert!(
        format!("{error:#}").contains("colonne «\u{a0}secteur\u{a0}» absente"),
        "{error:#}"
    );
    // The failed import changed nothing.
    let jobs_after = app
        .get_json("/api/indicators?level=department&indicator=ess_jobs", 200)
        .await;
    assert_eq!(jobs_after["items"][0]["value"], 50_120.5);
}

#[tokio::test]
async fn staff_read_unmasked_figures_marked_restricted() {
    let app = app_with_registry(2023, 1).await;
    app.add_user("louise", "lecteur", &[]).await;
    let louise = app.login("louise").await;
    let path = "/api/indicators?level=commune&indicator=ess_establishments";
    let public = app.get_json(path, 200).await;
    let (status, staff) = app
        .call(reqwest::Method::GET, path, Some(&louise), None)
        .await;
    assert_eq!(status, 200);
    let mut unmasked = 0;
    for (p, s) in items(&public).iter().zip(items(&staff)) {
        assert_eq!(p["code"], s["code"]);
        assert_eq!(p["secret"], s["secret"]);
        if p["secret"] == true {
            unmasked += 1;
            assert!(p["value"].is_null(), "{p}");
            assert!(s["value"].as_f64().unwrap() > 0.0, "{s}");
            assert_eq!(s["restricted"], true, "{s}");
        } else {
            assert_eq!(p["value"], s["value"]);
            assert_ne!(s["restricted"], true);
        }
    }
    assert!(unmasked > 0, "the fixture has secret cells");
    let response = app
        .request(reqwest::Method::GET, path, Some(&louise))
        .send()
        .await
        .unwrap();
    assert_eq!(
        response.headers()["cache-control"],
        "private, no-store",
        "unmasked figures are not kept by shared caches"
    );
}

/// Issue 18: public indicator and profile answers are prepared once per query and
/// state of the editions: the same bytes and strong ETag again (a lookup, `X-Cache:
/// hit`), 304 for a client holding it, gzip when accepted; an import gives a new
/// answer; staff answers are never kept.
#[tokio::test]
async fn public_answers_are_prepared_once_and_change_with_an_import() {
    let app = app_with_registry(2023, 1).await;
    for path in [
        "/api/zones/epci/200033579/profile",
        "/api/indicators?level=commune&indicator=ess_jobs&edition=2023",
    ] {
        let get = |headers: &[(&str, &str)]| {
            let mut request = app.http.get(format!("{}{path}", app.base));
            for (name, value) in headers {
                request = request.header(*name, *value);
            }
            request.send()
        };
        let first = get(&[]).await.unwrap();
        assert_eq!(first.headers()["x-cache"], "miss", "{path}");
        let etag = first.headers()["etag"].to_str().unwrap().to_owned();
        let first: Value = first.json().await.unwrap();
        let second = get(&[]).await.unwrap();
        assert_eq!(second.headers()["x-cache"], "hit", "{path}");
        assert_eq!(second.headers()["etag"], etag.as_str());
        assert_eq!(second.json::<Value>().await.unwrap(), first);
        let held = get(&[("if-none-match", &etag)]).await.unwrap();
        assert_eq!(held.status(), 304, "{path}");
        let gzip = get(&[("accept-encoding", "gzip")]).await.unwrap();
        assert_eq!(gzip.headers()["content-encoding"], "gzip", "{path}");

        // A new import (of 2024: new, then again): the series, the latest edition
        // may change.
        import_registry(&app, 2024, 2).await;
        let after = get(&[]).await.unwrap();
        assert_eq!(after.headers()["x-cache"], "miss", "{path}");
        if path.contains("profile") {
            // Its series gained an edition.
            assert_ne!(after.headers()["etag"], etag.as_str(), "{path}");
        }
    }

    app.add_user("louise", "lecteur", &[]).await;
    let session = app.login("louise").await;
    for _ in 0..2 {
        let response = app
            .request(
                reqwest::Method::GET,
                "/api/indicators?level=commune&indicator=ess_jobs&edition=2023",
                Some(&session),
            )
            .send()
            .await
            .unwrap();
        assert!(response.headers().get("x-cache").is_none());
        assert_eq!(response.headers()["cache-control"], "private, no-store");
    }
}

/// The full form's items rebuilt from a `form=compact` answer (as web/js/compact.js
/// does).
fn expand_compact(body: &Value) -> Vec<Value> {
    let compact = &body["compact"];
    let columns: Vec<&str> = compact["columns"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap())
        .collect();
    let at = |name: &str| columns.iter().position(|c| *c == name);
    let figure = |value: &Value, secret: &Value, restricted: bool, source: &Value| {
        let mut f = serde_json::json!({
            "value": value, "secret": secret.as_u64() == Some(1), "source": source,
        });
        if restricted {
            f["restricted"] = Value::Bool(true);
        }
        f
    };
    compact["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            let col = |name: &str| &r[at(name).unwrap()];
            let source = at("source").map_or(&compact["source"], |i| &r[i]);
            let mut item = figure(
                col("value"),
                col("secret"),
                col("restricted").as_u64() == Some(1),
                source,
            );
            item["code"] = col("code").clone();
            item["name"] = col("name").clone();
            item["population"] = col("population").clone();
            if at("evolution_absolute").is_some() {
                item["evolution"] = serde_json::json!({
                    "absolute": figure(col("evolution_absolute"), col("evolution_absolute_secret"), false, source),
                    "percent": figure(col("evolution_percent"), col("evolution_percent_secret"), false, source),
                });
            }
            if let Some(code) = col("parent").as_str() {
                let parent = &compact["parents"][code];
                let mut p = parent["figure"].clone();
                p["code"] = Value::from(code);
                p["name"] = parent["name"].clone();
                item["parent"] = p;
            }
            item
        })
        .collect()
}

#[tokio::test]
async fn the_compact_form_gives_the_same_figures_and_masks_in_far_fewer_bytes() {
    let app = app_with_registry(2020, 1).await;
    import_registry(&app, 2023, 2).await;
    let queries = [
        "level=commune&indicator=ess_establishments&edition=2023",
        "level=commune&indicator=ess_jobs&edition=2023&compare_edition=2020",
        "level=epci&indicator=ess_share_jobs&edition=2023&family=association",
    ];
    for query in queries {
        let full = app.get_json(&format!("/api/indicators?{query}"), 200).await;
        let compact = app
            .get_json(&format!("/api/indicators?{query}&form=compact"), 200)
            .await;
        assert_eq!(compact["form"], "compact");
        assert!(compact.get("items").is_none(), "{query}");
        let rebuilt = expand_compact(&compact);
        assert_eq!(&rebuilt, items(&full), "{query}");
        if query.starts_with("level=commune") {
            assert!(
                rebuilt.iter().any(|i| i["secret"] == true),
                "{query}: the sample has masked communes"
            );
        }
        for key in ["department", "indicator", "category", "edition", "sources"] {
            assert_eq!(compact[key], full[key], "{query}: {key}");
        }
        // The zones' part: a table against objects (the rest is the same header).
        let (full_bytes, compact_bytes) = (
            full["items"].to_string().len(),
            compact["compact"].to_string().len(),
        );
        eprintln!("{query}: {compact_bytes} bytes compact, {full_bytes} full");
        assert!(
            compact_bytes * 10 < full_bytes * 6,
            "{query}: {compact_bytes} bytes compact, {full_bytes} full"
        );
    }

    // Staff read unmasked figures in the compact form too, marked restricted.
    app.add_user("claire", "charge_de_mission", &[]).await;
    let session = app.login("claire").await;
    let path = "/api/indicators?level=commune&indicator=ess_establishments&edition=2023";
    let (status, full) = app
        .call(reqwest::Method::GET, path, Some(&session), None)
        .await;
    assert_eq!(status, 200);
    let (status, compact) = app
        .call(
            reqwest::Method::GET,
            &format!("{path}&form=compact"),
            Some(&session),
            None,
        )
        .await;
    assert_eq!(status, 200);
    let rebuilt = expand_compact(&compact);
    assert_eq!(&rebuilt, items(&full));
    assert!(rebuilt.iter().any(|i| i["restricted"] == true));

    app.get_json(
        "/api/indicators?level=commune&indicator=ess_jobs&form=tiny",
        400,
    )
    .await;
}
