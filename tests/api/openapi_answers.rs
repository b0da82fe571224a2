//! Real answers match the schemas the OpenAPI document gives them (issue 21: the
//! document once said a figure's `source` was an object; it is the source's id). A
//! small JSON Schema check, enough for what utoipa emits (`$ref`, `allOf`, `oneOf`,
//! `type` with `null`, `properties`, `required`, `items`, `additionalProperties`,
//! `enum`); schemathesis checks more, on generated requests, in `./test.sh`.

use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{Session, TestApp, spawn_app};

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
    let schema = &doc["paths"][template][method]["responses"][status.to_string()]["content"]["application/json"]
        ["schema"];
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

    async fn get(&mut self, app: &TestApp, session: Option<&Session>, template: &str, url: &str) {
        let (status, body) = app.call(Method::GET, url, session, None).await;
        assert_eq!(status, 200, "GET {url}: {body}");
        self.answer("get", template, url, 200, &body);
    }
}

#[tokio::test]
async fn real_answers_match_their_schemas() {
    let app = spawn_app().await;
    app.import_sample(2023, "2023-01-01").await;
    app.add_user("claire", "charge_de_mission", &[]).await;
    let cdm = app.login("claire").await;
    let doc = app.get_json("/api/openapi.json", 200).await;
    // A figure's source is its id: the shape the document once gave it is refused.
    let figure = json!({"$ref": "#/components/schemas/Figure"});
    let mut errors = Vec::new();
    let old = json!({"value": 3.0, "secret": false, "source": {"name": "SIRENE", "edition": 2023}});
    check(&doc, &figure, &old, "$", &mut errors);
    assert!(!errors.is_empty(), "an object source is refused");
    errors.clear();
    let served = json!({"value": null, "secret": true, "source": "observatoire"});
    check(&doc, &figure, &served, "$", &mut errors);
    assert!(errors.is_empty(), "{errors:?}");
    let mut c = Checker {
        doc,
        errors: Vec::new(),
    };

    // A plan, a portrait and a consultation to read back.
    let (s, o) = app
        .call(
            Method::POST,
            "/api/orientations",
            Some(&cdm),
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
            Some(&cdm),
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
            Some(&cdm),
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
            Some(&cdm),
            Some(
                json!({"territory": "ARR", "edition": 2023, "starts_on": today,
                "ends_on": "2099-12-31", "introduction": "Votre avis."}),
            ),
        )
        .await;
    c.answer("post", "/api/consultations", "/api/consultations", s, &k);
    let kid = k["id"].as_i64().unwrap();

    // The public.
    for (template, url) in [
        ("/api/meta", "/api/meta".to_owned()),
        ("/api/editions", "/api/editions".to_owned()),
        ("/api/palettes", "/api/palettes".to_owned()),
        ("/api/territories", "/api/territories".to_owned()),
        ("/api/territories/{code}", "/api/territories/ARR".to_owned()),
        ("/api/epci", "/api/epci".to_owned()),
        ("/api/epci/{siren}", "/api/epci/200033579".to_owned()),
        ("/api/communes", "/api/communes?epci=200033579".to_owned()),
        ("/api/communes/{code}", "/api/communes/62041".to_owned()),
        ("/api/locate", "/api/locate?lon=2.78&lat=50.29".to_owned()),
        (
            "/api/indicators/catalogue",
            "/api/indicators/catalogue".to_owned(),
        ),
        (
            "/api/indicators",
            "/api/indicators?level=epci&indicator=ess_establishments".to_owned(),
        ),
        (
            "/api/indicators",
            "/api/indicators?level=commune&indicator=ess_share_jobs&form=compact".to_owned(),
        ),
        (
            "/api/indicators",
            "/api/indicators?level=territory&indicator=ess_jobs&family=association".to_owned(),
        ),
        (
            "/api/zones/{level}/{code}/profile",
            "/api/zones/territory/ARR/profile".to_owned(),
        ),
        (
            "/api/zones/{level}/{code}/profile",
            "/api/zones/commune/62041/profile?family=association".to_owned(),
        ),
        (
            "/api/organisations",
            "/api/organisations?per_page=5".to_owned(),
        ),
        ("/api/consultations", "/api/consultations".to_owned()),
        (
            "/api/consultations/tallies",
            "/api/consultations/tallies".to_owned(),
        ),
        (
            "/api/consultations/{id}",
            format!("/api/consultations/{kid}"),
        ),
        ("/api/session", "/api/session".to_owned()),
        ("/tiles/{file}", "/tiles/organisations.json".to_owned()),
        ("/style.json", "/style.json".to_owned()),
        ("/api/openapi.json", "/api/openapi.json".to_owned()),
    ] {
        c.get(&app, None, template, &url).await;
    }
    let page = app.get_json("/api/organisations?per_page=1", 200).await;
    let siret = page["items"][0]["siret"].as_str().unwrap().to_owned();
    c.get(
        &app,
        None,
        "/api/organisations/{siret}",
        &format!("/api/organisations/{siret}"),
    )
    .await;

    // Staff, who see unmasked figures (`restricted`) and drafts.
    for (template, url) in [
        ("/api/session", "/api/session".to_owned()),
        (
            "/api/indicators",
            "/api/indicators?level=commune&indicator=ess_jobs".to_owned(),
        ),
        (
            "/api/zones/{level}/{code}/profile",
            "/api/zones/epci/200033579/profile".to_owned(),
        ),
        (
            "/api/editions/{year}/reports",
            "/api/editions/2023/reports".to_owned(),
        ),
        ("/api/portraits", "/api/portraits".to_owned()),
        (
            "/api/portraits/{territory}/{edition}",
            "/api/portraits/ARR/2023".to_owned(),
        ),
        (
            "/api/portraits/{territory}/{edition}/transitions",
            "/api/portraits/ARR/2023/transitions".to_owned(),
        ),
        (
            "/api/orientations",
            "/api/orientations?territory=ARR".to_owned(),
        ),
        ("/api/orientations/{id}", format!("/api/orientations/{oid}")),
        ("/api/actions", "/api/actions?territory=ARR".to_owned()),
        ("/api/actions/{id}", format!("/api/actions/{aid}")),
        ("/api/history", "/api/history?limit=20".to_owned()),
        (
            "/api/consultations/{id}/contributions",
            format!("/api/consultations/{kid}/contributions"),
        ),
        ("/api/propositions", "/api/propositions".to_owned()),
        (
            "/api/propositions/contexte",
            "/api/propositions/contexte?territory=ARR&edition=2023".to_owned(),
        ),
    ] {
        c.get(&app, Some(&cdm), template, &url).await;
    }
    assert!(
        c.errors.is_empty(),
        "{} answers do not match the document:\n{}",
        c.errors.len(),
        c.errors.join("\n")
    );
}
