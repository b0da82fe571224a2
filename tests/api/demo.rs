//! The demonstration data: generated on first start, imported through the real
//! importer, calibrated to the published figures, labelled everywhere.

use crate::helpers::spawn_with;

#[tokio::test]
#[allow(clippy::too_many_lines)] // one start of the demo, every calibration figure checked
async fn the_demo_loads_on_first_start_calibrated_and_labelled() {
    let dir = tempfile::tempdir().unwrap();
    let mut cfg = ess_atlas::config::Config::for_tests(dir.path());
    cfg.demo = true;
    // A second instance starts at the same time on the same empty database: one of
    // them loads the demonstration data, the other waits and finds it.
    let other_dir = tempfile::tempdir().unwrap();
    let mut other = ess_atlas::config::Config::for_tests(other_dir.path());
    other.demo = true;
    other.database_url.clone_from(&cfg.database_url);
    let (app, second) = tokio::join!(spawn_with(cfg, dir), spawn_with(other, other_dir));
    for year in [2014, 2017, 2020, 2023] {
        let kinds: Vec<String> = app
            .db
            .import_reports(year)
            .await
            .unwrap()
            .into_iter()
            .map(|r| r.report.kind)
            .collect();
        assert_eq!(kinds, ["subventions", "sirene"], "imports of {year}");
    }
    assert_eq!(
        second.get_json("/api/meta", 200).await,
        app.get_json("/api/meta", 200).await
    );

    let meta = app.get_json("/api/meta", 200).await;
    assert_eq!(meta["demo"], true);
    assert_eq!(
        meta["editions"],
        serde_json::json!([2014, 2017, 2020, 2023])
    );

    let department = |indicator: &'static str| {
        let app = &app;
        async move {
            let body = app
                .get_json(
                    &format!("/api/indicators?level=department&indicator={indicator}"),
                    200,
                )
                .await;
            assert_eq!(body["demo"], true);
            body["items"][0]["value"].as_f64().unwrap()
        }
    };
    let share = department("ess_share_jobs").await;
    assert!(
        (11.0..=13.0).contains(&share),
        "share of ESS in salaried employment {share} %"
    );
    let employers = department("ess_employers").await;
    assert!(
        (3_000.0..=3_500.0).contains(&employers),
        "{employers} employer ESS establishments"
    );
    let jobs = department("ess_jobs").await;
    assert!((48_000.0..=52_500.0).contains(&jobs), "{jobs} ESS jobs");

    // Families by establishments: about 85 % associations.
    let profile = app.get_json("/api/zones/department/62/profile", 200).await;
    let total = profile["key_figures"][0]["zone"]["value"].as_f64().unwrap();
    let associations = profile["breakdowns"]["family"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["id"] == "association")
        .unwrap()["ess_establishments"]["value"]
        .as_f64()
        .unwrap();
    assert!(
        (0.80..=0.90).contains(&(associations / total)),
        "{associations} of {total}"
    );
    // Half the ESS jobs in health and social action (NAF section Q).
    let q = profile["breakdowns"]["sector"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["id"] == "Q")
        .unwrap();
    let q_share = q["share_of_ess_jobs"]["value"].as_f64().unwrap();
    assert!(
        (45.0..=55.0).contains(&q_share),
        "{q_share} % of ESS jobs in section Q"
    );
    // Every territory has published ESS establishments.
    let territories = app
        .get_json(
            "/api/indicators?level=territory&indicator=ess_establishments",
            200,
        )
        .await;
    for t in territories["items"].as_array().unwrap() {
        assert!(t["value"].as_f64().unwrap() > 0.0, "{t}");
    }

    // The demonstration subsidies: 1.4 M€ to the ESS in 2023, every territory's share
    // adding up to it, the defects reported.
    let subsidies = app
        .staff_json("/api/editions/2023/subsidies/report", 200)
        .await;
    assert_eq!(subsidies["demo"], true);
    let report = &subsidies["report"]["report"];
    assert_eq!(report["summary"]["ess_total"], 1_400_000.0);
    let file = &report["files"][0];
    assert_eq!(file["rows_rejected"], 1);
    assert_eq!(
        file["rows_read"].as_u64().unwrap(),
        file["rows_kept"].as_u64().unwrap() + 1
    );
    for method in ["siret", "siren_siege", "rna"] {
        assert!(
            report["summary"]["lines_by_method"][method]
                .as_u64()
                .unwrap()
                >= 1,
            "{method}: {report}"
        );
    }
    let by_territory = app
        .get_json(
            "/api/indicators?level=territory&indicator=ess_subsidies&edition=2023",
            200,
        )
        .await;
    let sum: f64 = by_territory["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["value"].as_f64().unwrap())
        .sum();
    assert!((sum - 1_400_000.0).abs() < 0.01, "{sum}");
    let outside = app
        .staff_json("/api/editions/2023/subsidies/unmatched", 200)
        .await;
    assert_eq!(outside["count"], 2, "{outside}");
    for year in [2014, 2017, 2020] {
        app.staff_json(&format!("/api/editions/{year}/subsidies/report"), 200)
            .await;
    }

    // Labelled wherever shown.
    let list = app.get_json("/api/organisations?per_page=3", 200).await;
    assert_eq!(list["demo"], true);
    assert!(list["items"][0]["name"].as_str().unwrap().contains("DEMO"));
    let csv = app
        .get("/api/organisations.csv?per_page=3&territory=TER")
        .await
        .text()
        .await
        .unwrap();
    assert!(
        csv.lines()
            .nth(1)
            .unwrap()
            .ends_with("données de démonstration")
    );
    assert_eq!(
        app.get("/api/organisations.csv?territory=TER")
            .await
            .headers()["content-disposition"],
        "attachment; filename=\"organisations-ess-2023-TER-demonstration.csv\""
    );

    // Its co-construction (issue 20), which the second instance finds too: two closed
    // consultations with accepted, declined and spam contributions, partners' and the
    // CDESS's proposals; the fiches show the accepted ones only.
    for instance in [&app, &second] {
        let consultations = instance.get_json("/api/consultations", 200).await;
        let closed: Vec<&str> = consultations["items"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|c| c["status"] == "close")
            .map(|c| c["territory"].as_str().unwrap())
            .collect();
        assert_eq!(closed, ["LEN", "AUD"], "{consultations}");
        let cdess = instance
            .get_json("/api/cdess/propositions?edition=2023", 200)
            .await;
        assert_eq!(cdess["items"].as_array().unwrap().len(), 2, "{cdess}");
        // Dated by their session, not by the demo's loading.
        for p in cdess["items"].as_array().unwrap() {
            let session = p["session_on"].as_str().unwrap();
            assert!(
                p["created_at"].as_str().unwrap().starts_with(session),
                "{p}"
            );
        }
    }
    for (territory, accepted, declined) in [
        (
            "AUD",
            "Collectif des jardins partagés de l'Audomarois (démonstration)",
            "Union des commerçants",
        ),
        (
            "LEN",
            "Coopérative d'activités du bassin minier (démonstration)",
            "Cabinet Conseil Privé",
        ),
    ] {
        let html = second
            .get(&format!("/territoires/{territory}/fiche?edition=2023"))
            .await
            .text()
            .await
            .unwrap()
            .replace("&#39;", "'")
            .replace('\u{a0}', " ");
        assert!(html.contains("a été co-construit"), "{territory}");
        assert!(html.contains("2 contributions acceptées"), "{territory}");
        assert!(html.contains(accepted), "{territory}: {accepted}");
        assert!(
            html.contains("(Association)"),
            "{territory}: a registry association"
        );
        assert!(
            html.contains("(démonstration) :"),
            "{territory}: a partner credited"
        );
        assert!(!html.contains(declined), "{territory}: {declined}");
        assert!(
            !html.contains("Gagnez") && !html.contains("montres"),
            "spam"
        );
    }

    // Organisations speak for themselves: the demo's declarations sit on placed public
    // organisations of the registry; the public sees the accepted ones only (on the
    // card), labelled as demonstration, never the person who declared.
    let mut statuses = Vec::new();
    for d in app.db.declarations(None, None).await.unwrap() {
        statuses.push(d.status.clone());
        let record = second
            .get_json(&format!("/api/organisations/{}", d.siret), 200)
            .await;
        assert!(
            record["lon"].is_number() && record["location_approximate"] == false,
            "placed: {record}"
        );
        assert_eq!(record["demo"], true);
        let territory = record["territory"]["code"].as_str().unwrap();
        assert!(["AUD", "LEN"].contains(&territory), "{record}");
        let public = second
            .get_json(&format!("/api/organisations/{}/declarations", d.siret), 200)
            .await;
        let shown: Vec<&serde_json::Value> = public["items"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|p| p["id"] == d.id)
            .collect();
        assert_eq!(
            shown.len(),
            usize::from(d.status == "acceptee"),
            "{d:?}: {public}"
        );
        if let Some(p) = shown.first() {
            assert!(
                p["description"]
                    .as_str()
                    .unwrap()
                    .contains("données de démonstration"),
                "{p}"
            );
            assert!(p["website"].as_str().unwrap().ends_with(".example"), "{p}");
        }
        let text = public.to_string();
        assert!(
            !text.contains("Camille") && !text.contains("@demonstration.example"),
            "no declarant in {text}"
        );
    }
    statuses.sort();
    assert_eq!(statuses, ["acceptee", "acceptee", "en_attente", "refusee"]);
}
