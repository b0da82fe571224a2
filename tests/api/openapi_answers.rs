//! Real answers match the schemas the OpenAPI document gives them (issue 21: the
//! document once said a figure's `source` was an object; it is the source's id). A
//! small JSON Schema check, enough for what utoipa emits (`$ref`, `allOf`, `oneOf`,
//! `type` with `null`, `properties`, `required`, `items`, `additionalProperties`,
//! `enum`); schemathesis checks more, on generated requests, in `./test.sh`.

use reqwest::Method;
use serde_json::{Value, json};

use crate::declarations::{ARRAS, EMAIL, confirm_by_mail, declaration};
use crate::helpers::{Session, TestApp};
use crate::sirene_imports::{SAMPLE_ET, SAMPLE_UL, app_with_sirene_files, poll_until, start_body};

/// The errors of `value` against `schema`, each with its JSON path.
fn check(doc: &Value, schema: &Value, value: &Value, at: &str, errors: &mut Vec<String>) {
    if let Some(reference) = schema["$ref"].as_str() {
        let name = reference.trim_start_matches("#/components/schemas/");
        let target = &doc["components"]["schemas"][name];
        assert!(target.is_object(), "{reference} is not in the document");
        return check(doc, target, value, at, errors);
    }
    if let Some(all) = schema["allOf"].as_array() {
        for s in all {
            check(doc, s, value, at, errors);
        }
    }
    for key in ["oneOf", "anyOf"] {
        if let Some(any) = schema[key].as_array() {
            let fits = any.iter().any(|s| {
                let mut e = Vec::new();
                check(doc, s, value, at, &mut e);
                e.is_empty()
            });
            if !fits {
                errors.push(format!("{at}: {value} fits none of {key}"));
            }
        }
    }
    if let Some(allowed) = schema["enum"].as_array()
        && !allowed.contains(value)
    {
        errors.push(format!("{at}: {value} not in {allowed:?}"));
    }
    let types: Vec<&str> = match &schema["type"] {
        Value::String(t) => vec![t.as_str()],
        Value::Array(ts) => ts.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    };
    if !types.is_empty() {
        let fits = types.iter().any(|t| match *t {
            "null" => value.is_null(),
            "boolean" => value.is_boolean(),
            "string" => value.is_string(),
            "integer" => value.is_i64() || value.is_u64(),
            "number" => value.is_number(),
            "array" => value.is_array(),
            "object" => value.is_object(),
            _ => true,
        });
        if !fits {
            errors.push(format!("{at}: {value} is not {types:?}"));
            return;
        }
    }
    if let Some(object) = value.as_object() {
        let properties = schema["properties"].as_object();
        for name in schema["required"].as_array().into_iter().flatten() {
            let name = name.as_str().unwrap();
            if !object.contains_key(name) {
                errors.push(format!("{at}: required {name:?} missing"));
            }
        }
        for (key, v) in object {
            match properties.and_then(|p| p.get(key)) {
                Some(s) => check(doc, s, v, &format!("{at}.{key}"), errors),
                None => match &schema["additionalProperties"] {
                    Value::Bool(false) if schema["allOf"].is_null() => {
                        errors.push(format!("{at}: {key:?} is not allowed"));
                    }
                    s @ Value::Object(_) => check(doc, s, v, &format!("{at}.{key}"), errors),
                    _ => {}
                },
            }
        }
    }
    if let (Some(items), Some(array)) = (schema.get("items"), value.as_array()) {
        for (i, v) in array.iter().enumerate() {
            check(doc, items, v, &format!("{at}[{i}]"), errors);
        }
    }
}

/// The schema of `method path`'s `status` JSON answer, `path` a documented template.
fn answer_schema<'a>(doc: &'a Value, method: &str, template: &str, status: u16) -> &'a Value {
    let content = &doc["paths"][template][method]["responses"][status.to_string()]["content"];
    let schema = match &content["application/json"]["schema"] {
        Value::Null => &content["application/geo+json"]["schema"],
        schema => schema,
    };
    assert!(
        schema.is_object(),
        "{method} {template} {status} has no JSON schema"
    );
    schema
}

struct Checker {
    doc: Value,
    errors: Vec<String>,
}

impl Checker {
    fn answer(&mut self, method: &str, template: &str, url: &str, status: u16, body: &Value) {
        let schema = answer_schema(&self.doc, method, template, status).clone();
        let mut errors = Vec::new();
        check(&self.doc, &schema, body, "$", &mut errors);
        self.errors
            .extend(errors.into_iter().map(|e| format!("{method} {url}: {e}")));
    }

    /// The documented path `url` is an instance of.
    fn template_of(&self, url: &str) -> String {
        let path: Vec<&str> = url.split('?').next().unwrap().split('/').collect();
        self.doc["paths"]
            .as_object()
            .unwrap()
            .keys()
            .filter(|t| {
                let parts: Vec<&str> = t.split('/').collect();
                parts.len() == path.len()
                    && parts
                        .iter()
                        .zip(&path)
                        .all(|(t, p)| t == p || t.starts_with('{'))
            })
            // A literal segment wins over a parameter (`/api/consultations/tallies`).
            .min_by_key(|t| t.matches('{').count())
            .unwrap_or_else(|| panic!("{url} is not documented"))
            .clone()
    }

    async fn get(&mut self, app: &TestApp, session: Option<&Session>, url: &str) {
        self.send(app, session, Method::GET, url, None, 200).await;
    }

    /// Sends the request, asserts the answer's `status` and checks it; the answer.
    async fn send(
        &mut self,
        app: &TestApp,
        session: Option<&Session>,
        method: Method,
        url: &str,
        body: Option<Value>,
        status: u16,
    ) -> Value {
        let (got, answer) = app.call(method.clone(), url, session, body).await;
        assert_eq!(got, status, "{method} {url}: {answer}");
        let template = self.template_of(url);
        let method = method.as_str().to_ascii_lowercase();
        self.answer(&method, &template, url, status, &answer);
        answer
    }
}

/// A figure's source is its id: the shape the document once gave it is refused.
#[test]
fn a_figure_source_is_its_id() {
    let doc: Value =
        serde_json::from_str(&ess_atlas::api::openapi_document().to_json().unwrap()).unwrap();
    let figure = json!({"$ref": "#/components/schemas/Figure"});
    let mut errors = Vec::new();
    let old = json!({"value": 3.0, "secret": false, "source": {"name": "SIRENE", "edition": 2023}});
    check(&doc, &figure, &old, "$", &mut errors);
    assert!(!errors.is_empty(), "an object source is refused");
    errors.clear();
    let served = json!({"value": null, "secret": true, "source": "observatoire"});
    check(&doc, &figure, &served, "$", &mut errors);
    assert!(errors.is_empty(), "{errors:?}");
}

/// A plan (one orientation, one action), a draft portrait and an open consultation
/// of ARR in 2023, each answer checked; their ids.
async fn drafts(app: &TestApp, cdm: &Session, c: &mut Checker) -> (i64, i64, i64) {
    let (s, o) = app
        .call(
            Method::POST,
            "/api/orientations",
            Some(cdm),
            Some(
                json!({"territory": "ARR", "edition": 2023, "period_start": 2024,
                "period_end": 2029, "title": "Développer l'emploi associatif"}),
            ),
        )
        .await;
    c.answer("post", "/api/orientations", "/api/orientations", s, &o);
    let oid = o["id"].as_i64().unwrap();
    let (s, a) = app
        .call(
            Method::POST,
            "/api/actions",
            Some(cdm),
            Some(
                json!({"orientation_id": oid, "title": "Tiers-lieu de l'ESS",
                "epci": ["200033579"], "budgets": [{"year": 2024, "planned": 15000.0}]}),
            ),
        )
        .await;
    c.answer("post", "/api/actions", "/api/actions", s, &a);
    let aid = a["id"].as_i64().unwrap();
    let (s, p) = app
        .call(
            Method::PUT,
            "/api/portraits/ARR/2023",
            Some(cdm),
            Some(json!({"jeux_acteurs": "Les **SIAE** de l'Arrageois.",
                "free_sections": [{"title": "Réemploi", "body": "Une recyclerie."}]})),
        )
        .await;
    c.answer(
        "put",
        "/api/portraits/{territory}/{edition}",
        "/api/portraits/ARR/2023",
        s,
        &p,
    );
    let today = &ess_atlas::time::iso_from_unix(ess_atlas::time::unix_now())[..10];
    let (s, k) = app
        .call(
            Method::POST,
            "/api/consultations",
            Some(cdm),
            Some(
                json!({"territory": "ARR", "edition": 2023, "starts_on": today,
                "ends_on": "2099-12-31", "introduction": "Votre avis."}),
            ),
        )
        .await;
    c.answer("post", "/api/consultations", "/api/consultations", s, &k);
    let kid = k["id"].as_i64().unwrap();

    (oid, aid, kid)
}

/// The CDESS's proposals for the département's plan, one on a département
/// orientation, recorded by the chargé de mission `cdm`, each answer checked.
async fn cdess_proposals(app: &TestApp, cdm: &Session, c: &mut Checker) {
    let orientation = c
        .send(
            app,
            Some(cdm),
            Method::POST,
            "/api/orientations",
            Some(
                json!({"territory": "62", "edition": 2023, "period_start": 2024,
                "period_end": 2029, "title": "Financer l'amorçage des structures"}),
            ),
            201,
        )
        .await;
    for orientation_id in [Value::Null, orientation["id"].clone()] {
        let p = c
            .send(
                app,
                Some(cdm),
                Method::POST,
                "/api/cdess/propositions",
                Some(json!({"edition": 2023, "session_on": "2024-06-12",
                    "title": "Fonds départemental d'amorçage",
                    "body": "Un fonds pour les **jeunes** structures.",
                    "orientation_id": orientation_id})),
                201,
            )
            .await;
        assert_eq!(p["orientation_id"], orientation_id, "{p}");
    }
}

/// An establishment's declarations: one confirmed and accepted, one declined
/// unconfirmed, each answer checked (the public's and the moderators').
async fn declarations(app: &TestApp, cdm: &Session, c: &mut Checker) {
    let url = format!("/api/organisations/{ARRAS}/declarations");
    let first = c
        .send(app, None, Method::POST, &url, Some(declaration()), 201)
        .await;
    confirm_by_mail(app, EMAIL, 0).await;
    let mut second = declaration();
    second["email"] = json!("tresorier@example.org");
    let second = c
        .send(app, None, Method::POST, &url, Some(second), 201)
        .await;
    for (answer, decision) in [
        (&first, json!({"decision": "acceptee"})),
        (
            &second,
            json!({"decision": "refusee", "reason": "Ces informations concernent une autre structure"}),
        ),
    ] {
        let moderated = c
            .send(
                app,
                Some(cdm),
                Method::POST,
                &format!("/api/declarations/{}/moderation", answer["id"]),
                Some(decision.clone()),
                200,
            )
            .await;
        assert_eq!(moderated["status"], decision["decision"], "{moderated}");
    }
    let public = c.send(app, None, Method::GET, &url, None, 200).await;
    assert_eq!(
        public["items"].as_array().map(Vec::len),
        Some(1),
        "{public}"
    );
    for (url, count) in [
        ("/api/declarations", 2),
        ("/api/declarations?status=refusee", 1),
    ] {
        let listed = c.send(app, Some(cdm), Method::GET, url, None, 200).await;
        assert_eq!(
            listed["items"].as_array().map(Vec::len),
            Some(count),
            "{listed}"
        );
    }
}

/// SIRENE imports from the server's import directory (`imports`): the listing with
/// no job, an import followed until done, the listing with it, then an import of a
/// cut file that fails; each answer checked (the start's, while it runs, too).
async fn sirene_imports(app: &TestApp, cdm: &Session, imports: &std::path::Path, c: &mut Checker) {
    let listing = c
        .send(
            app,
            Some(cdm),
            Method::GET,
            "/api/imports/sirene",
            None,
            200,
        )
        .await;
    assert!(listing["job"].is_null(), "{listing}");
    let sample = std::fs::read_to_string(imports.join(SAMPLE_ET)).unwrap();
    std::fs::write(
        imports.join("StockEtablissement_coupe.csv"),
        &sample[..sample.len() - 40],
    )
    .unwrap();
    for (et, ends) in [
        (SAMPLE_ET, "done"),
        ("StockEtablissement_coupe.csv", "failed"),
    ] {
        let job = c
            .send(
                app,
                Some(cdm),
                Method::POST,
                "/api/imports/sirene",
                Some(start_body(2024, et, SAMPLE_UL)),
                202,
            )
            .await;
        let url = format!("/api/imports/sirene/{}", job["id"].as_str().unwrap());
        let end = poll_until(app, cdm, job["id"].as_str().unwrap(), |j| {
            j["state"] != "running"
        })
        .await;
        assert_eq!(end["state"], ends, "{end}");
        c.get(app, Some(cdm), &url).await;
        let listing = c
            .send(
                app,
                Some(cdm),
                Method::GET,
                "/api/imports/sirene",
                None,
                200,
            )
            .await;
        assert_eq!(listing["job"]["state"], ends, "{listing}");
    }
}

#[tokio::test]
async fn real_answers_match_their_schemas() {
    let (app, imports) = app_with_sirene_files().await;
    app.import_sample(2023, "2023-01-01").await;
    app.add_user("claire", "charge_de_mission", &[]).await;
    let cdm = app.login("claire").await;
    let doc = app.get_json("/api/openapi.json", 200).await;
    let mut c = Checker {
        doc,
        errors: Vec::new(),
    };

    let (oid, aid, kid) = drafts(&app, &cdm, &mut c).await;
    cdess_proposals(&app, &cdm, &mut c).await;
    declarations(&app, &cdm, &mut c).await;

    // The public.
    let page = app.get_json("/api/organisations?per_page=1", 200).await;
    let siret = page["items"][0]["siret"].as_str().unwrap();
    let public = [
        "/api/meta",
        "/api/editions",
        "/api/palettes",
        "/api/territories",
        "/api/territories/ARR",
        "/api/epci",
        "/api/epci/200033579",
        "/api/communes?epci=200033579",
        "/api/communes/62041",
        "/api/locate?lon=2.78&lat=50.29",
        "/api/indicators/catalogue",
        "/api/indicators?level=epci&indicator=ess_establishments",
        "/api/indicators?level=commune&indicator=ess_share_jobs&form=compact",
        "/api/indicators?level=territory&indicator=ess_jobs&family=association",
        "/api/zones/territory/ARR/profile",
        "/api/zones/commune/62041/profile?family=association",
        "/api/organisations?per_page=5",
        &format!("/api/organisations/{siret}"),
        "/api/consultations",
        "/api/consultations/tallies",
        "/api/cdess/propositions",
        "/api/cdess/propositions?edition=2023",
        &format!("/api/consultations/{kid}"),
        "/api/session",
        "/tiles/organisations.json",
        "/api/layers/epci.geojson",
        "/api/organisations.geojson?territory=ARR",
        "/style.json",
        "/api/openapi.json",
    ];
    for url in public {
        c.get(&app, None, url).await;
    }
    // Staff, who see unmasked figures (`restricted`) and drafts.
    let staff = [
        "/api/session",
        "/api/indicators?level=commune&indicator=ess_jobs",
        "/api/zones/epci/200033579/profile",
        "/api/editions/2023/reports",
        "/api/portraits",
        "/api/portraits/ARR/2023",
        "/api/portraits/ARR/2023/transitions",
        "/api/orientations?territory=ARR",
        &format!("/api/orientations/{oid}"),
        "/api/actions?territory=ARR",
        &format!("/api/actions/{aid}"),
        "/api/history?limit=20",
        &format!("/api/consultations/{kid}/contributions"),
        "/api/propositions",
        "/api/propositions/contexte?territory=ARR&edition=2023",
        "/api/declarations?status=acceptee",
        "/api/cdess/propositions",
    ];
    for url in staff {
        c.get(&app, Some(&cdm), url).await;
    }
    // Last: it adds the edition 2024.
    sirene_imports(&app, &cdm, imports.path(), &mut c).await;
    assert!(
        c.errors.is_empty(),
        "{} answers do not match the document:\n{}",
        c.errors.len(),
        c.errors.join("\n")
    );
}
