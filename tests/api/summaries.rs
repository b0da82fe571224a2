//! Territory and EPCI summaries (HTML, PDF, CSV, XLSX) and the compendium: the
//! documents are read back (pdftotext, calamine, csv) and compared with the API's
//! public figures; masked cells read « s » in every format, even for staff.
//!
//! Over 700 lines on purpose: five formats checked against one reading of the API,
//! whose readers (pdftotext, calamine, csv, ODT) are shared by every test here.

use std::io::Write as _;
use std::process::{Command, Stdio};

use calamine::{Data, Reader, Xlsx};
use serde_json::{Value, json};

use crate::helpers::TestApp;
use crate::indicators::app_with_registry;
use ess_atlas::summary::format::fr_value;

/// CU d'Arras, in territory ARR.
pub(crate) const ARRAS: &str = "200033579";

/// The text of a PDF, as `pdftotext -layout` reads it (no-break spaces as spaces).
pub(crate) fn pdf_text(pdf: &[u8]) -> String {
    assert!(pdf.starts_with(b"%PDF-"), "a PDF");
    let mut child = Command::new("pdftotext")
        .args(["-layout", "-enc", "UTF-8", "-", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("pdftotext (poppler-utils) is installed: test.sh installs it");
    child.stdin.take().unwrap().write_all(pdf).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success());
    String::from_utf8(out.stdout)
        .unwrap()
        .replace(['\u{a0}', '\u{202f}'], " ")
}

/// How a public figure of the API reads in a document.
fn expected_text(figure: &Value, decimals: u8, unit: &str) -> String {
    if figure["secret"] == true {
        "s".to_owned()
    } else {
        let v = figure["value"].as_f64().unwrap();
        // Whole figures are rounded half away from zero, as the documents do.
        let v = if decimals == 0 { v.round() } else { v };
        fr_value(v, decimals, unit).replace('\u{a0}', " ")
    }
}

pub(crate) async fn bytes(app: &TestApp, path: &str) -> (u16, reqwest::header::HeaderMap, Vec<u8>) {
    let r = app.get(path).await;
    let status = r.status().as_u16();
    let headers = r.headers().clone();
    (status, headers, r.bytes().await.unwrap().to_vec())
}

async fn profile(app: &TestApp) -> Value {
    app.get_json(
        &format!("/api/zones/epci/{ARRAS}/profile?edition=2023"),
        200,
    )
    .await
}

fn key_figure<'a>(profile: &'a Value, id: &str) -> &'a Value {
    profile["key_figures"]
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["indicator"] == id)
        .unwrap()
}

/// The decimals a document writes: an estimated count in whole units (issue 19).
fn decimals(id: &str) -> (u8, &'static str) {
    let i = ess_atlas::indicators::catalogue::find(id).unwrap();
    (
        if i.estimate && i.additive {
            0
        } else {
            i.decimals
        },
        i.unit,
    )
}

#[tokio::test]
async fn epci_pdf_shows_the_api_figures_beside_territory_and_department() {
    let app = app_with_registry(2023, 2).await;
    let profile = profile(&app).await;
    let (status, headers, pdf) =
        bytes(&app, &format!("/epci/{ARRAS}/fiche.pdf?edition=2023")).await;
    assert_eq!(status, 200);
    assert_eq!(headers["content-type"], "application/pdf");
    assert!(
        headers["content-disposition"]
            .to_str()
            .unwrap()
            .contains("fiche-epci-200033579-2023.pdf")
    );
    assert!(
        headers["cache-control"]
            .to_str()
            .unwrap()
            .starts_with("public")
    );
    let text = pdf_text(&pdf);
    assert!(
        text.contains("CU d'Arras") || text.contains(profile["zone"]["name"].as_str().unwrap())
    );
    let mut compared = 0;
    for id in [
        "ess_establishments",
        "ess_employers",
        "ess_jobs",
        "ess_share_jobs",
    ] {
        let k = key_figure(&profile, id);
        let (d, unit) = decimals(id);
        let label = k["label"].as_str().unwrap();
        // The label may wrap: the row is the label's line and the next ones.
        let lines: Vec<&str> = text.lines().collect();
        let at = lines
            .iter()
            .position(|l| l.contains(label))
            .unwrap_or_else(|| panic!("a line for {label} in\n{text}"));
        let row = lines[at..(at + 4).min(lines.len())].join(" ");
        let cells: Vec<String> = [&k["zone"], &k["parent"]["figure"], &k["department"]]
            .iter()
            .map(|f| expected_text(f, d, unit))
            .collect();
        // The three figures in order: zone, territory, département.
        let mut rest = &row[row.find(label).unwrap() + label.len()..];
        for c in &cells {
            let at = rest
                .find(c.as_str())
                .unwrap_or_else(|| panic!("{c} after {label} in {row:?}"));
            rest = &rest[at + c.len()..];
        }
        compared += 1;
    }
    assert_eq!(compared, 4);
}

/// Communes of the CU d'Arras in the API's public commune figures (ESS jobs): one
/// masked, one published and not zero. Their rows are in the EPCI's communes table.
async fn commune_rows(app: &TestApp) -> (Value, Value) {
    let body = app
        .get_json(
            "/api/indicators?level=commune&indicator=ess_jobs&edition=2023",
            200,
        )
        .await;
    let ours: Vec<&Value> = body["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["parent"]["code"] == ARRAS)
        .collect();
    let secret = ours.iter().find(|c| c["secret"] == true);
    let open = ours
        .iter()
        .find(|c| c["secret"] == false && c["value"].as_f64().unwrap_or(0.0) > 0.0);
    (
        (*secret.expect("a masked commune in the fixture")).clone(),
        (*open.expect("a published commune in the fixture")).clone(),
    )
}

/// The XLSX sheet and the table title of an EPCI's communes.
const COMMUNES: (&str, &str) = ("Communes", "Les communes de l'EPCI");

fn sheet(xlsx: Vec<u8>, name: &str) -> calamine::Range<Data> {
    let mut book: Xlsx<_> = Xlsx::new(std::io::Cursor::new(xlsx)).unwrap();
    book.worksheet_range(name).unwrap()
}

fn row_of<'a>(range: &'a calamine::Range<Data>, label: &str) -> Vec<&'a Data> {
    range
        .rows()
        .find(|r| r[0].to_string().starts_with(label))
        .unwrap_or_else(|| panic!("a row {label}"))
        .iter()
        .collect()
}

#[tokio::test]
async fn xlsx_cells_are_the_api_numbers_and_masked_cells_read_s() {
    let app = app_with_registry(2023, 1).await;
    let profile = profile(&app).await;
    let (status, headers, xlsx) =
        bytes(&app, &format!("/epci/{ARRAS}/fiche.xlsx?edition=2023")).await;
    assert_eq!(status, 200);
    assert!(
        headers["content-disposition"]
            .to_str()
            .unwrap()
            .contains("fiche-epci-200033579-2023.xlsx")
    );
    let keys = sheet(xlsx.clone(), "Chiffres clés");
    for id in ["ess_establishments", "ess_jobs", "ess_share_jobs"] {
        let k = key_figure(&profile, id);
        let row = row_of(&keys, k["label"].as_str().unwrap());
        for (cell, figure) in
            row[1..]
                .iter()
                .zip([&k["zone"], &k["parent"]["figure"], &k["department"]])
        {
            match figure["value"].as_f64() {
                Some(v) => assert_eq!(**cell, Data::Float(v), "{id}"),
                None => assert_eq!(**cell, Data::String("s".into()), "{id}"),
            }
        }
    }
    let (secret, open) = commune_rows(&app).await;
    let communes = sheet(xlsx, COMMUNES.0);
    // Columns: name, population, establishments, jobs, share.
    assert_eq!(
        *row_of(&communes, secret["name"].as_str().unwrap())[3],
        Data::String("s".into())
    );
    assert_eq!(
        *row_of(&communes, open["name"].as_str().unwrap())[3],
        Data::Float(open["value"].as_f64().unwrap())
    );
}

#[tokio::test]
async fn masked_cells_read_s_in_pdf_csv_and_html_too() {
    let app = app_with_registry(2023, 1).await;
    let (secret, open) = commune_rows(&app).await;
    let table = COMMUNES.1;
    let (secret_label, open_label) = (
        secret["name"].as_str().unwrap(),
        open["name"].as_str().unwrap(),
    );

    let (_, _, pdf) = bytes(&app, &format!("/epci/{ARRAS}/fiche.pdf?edition=2023")).await;
    let text = pdf_text(&pdf);
    // The family table's row: the label, then four cells (the map's legend may share
    // the line, on its left).
    let cells: Vec<&str> = text
        .lines()
        .filter_map(|l| {
            l.rfind(secret_label)
                .map(|at| &l[at + secret_label.len()..])
        })
        .map(|rest| {
            rest.split("  ")
                .map(str::trim)
                .filter(|c| !c.is_empty())
                .collect::<Vec<_>>()
        })
        .find(|cells| cells.len() == 4)
        .unwrap_or_else(|| panic!("a row for {secret_label} in\n{text}"));
    let line = cells.join(" | ");
    assert_eq!(cells[2], "s", "jobs of {secret_label} in {line:?}");

    let (status, headers, csv) =
        bytes(&app, &format!("/epci/{ARRAS}/fiche.csv?edition=2023")).await;
    assert_eq!(status, 200);
    assert!(
        headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/csv")
    );
    assert!(
        csv.starts_with("\u{feff}".as_bytes()),
        "BOM for French Excel"
    );
    let text = String::from_utf8(csv).unwrap();
    let find = |sep: char, label: &str, column: &str, text: &str| -> String {
        text.lines()
            .map(|l| {
                l.split(sep)
                    .map(|c| c.trim_matches('"').to_owned())
                    .collect::<Vec<_>>()
            })
            .find(|f| f[3] == table && f[4] == label && f[5] == column)
            .unwrap_or_else(|| panic!("{label} / {column}"))[6]
            .clone()
    };
    let jobs = "Effectif salarié estimé de l'ESS";
    assert_eq!(find(';', secret_label, jobs, &text), "s");
    let v = open["value"].as_f64().unwrap();
    assert_eq!(
        find(';', open_label, jobs, &text),
        format!("{v:.1}").replace('.', ",")
    );

    let (_, _, standard) = bytes(
        &app,
        &format!("/epci/{ARRAS}/fiche.csv?edition=2023&format=standard"),
    )
    .await;
    let standard = String::from_utf8(standard).unwrap();
    assert!(standard.starts_with("code,zone,"));
    assert_eq!(find(',', secret_label, jobs, &standard), "s");
    assert_eq!(find(',', open_label, jobs, &standard), format!("{v:.1}"));

    let (status, headers, html) = bytes(&app, &format!("/epci/{ARRAS}/fiche?edition=2023")).await;
    assert_eq!(status, 200);
    assert!(
        headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    let html = String::from_utf8(html).unwrap();
    let row = html
        .split("<tr>")
        .find(|r| {
            r.starts_with(&format!(
                r#"<th scope="row">{}</th>"#,
                secret_label.replace('\'', "&#39;")
            ))
        })
        .unwrap();
    assert!(
        row.contains(r#"class="num secret" title="Secret statistique">s<"#),
        "{row}"
    );
    assert!(html.contains("<svg"), "the map is drawn server-side");
    assert!(html.contains("/css/fiche.css"), "print stylesheet");
}

#[tokio::test]
async fn a_staff_session_does_not_unmask_a_document() {
    let app = app_with_registry(2023, 1).await;
    let (secret, _) = commune_rows(&app).await;
    app.add_user("admin", "admin", &[]).await;
    let session = app.login("admin").await;
    let staff_profile = app
        .call(
            reqwest::Method::GET,
            "/api/indicators?level=commune&indicator=ess_jobs&edition=2023",
            Some(&session),
            None,
        )
        .await
        .1;
    let label = secret["name"].as_str().unwrap();
    let unmasked = staff_profile["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["code"] == secret["code"])
        .unwrap();
    assert_eq!(unmasked["restricted"], true, "staff see it in the API");
    let xlsx = app
        .request(
            reqwest::Method::GET,
            &format!("/epci/{ARRAS}/fiche.xlsx?edition=2023"),
            Some(&session),
        )
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap()
        .to_vec();
    assert_eq!(
        *row_of(&sheet(xlsx, COMMUNES.0), label)[3],
        Data::String("s".into())
    );
}

#[tokio::test]
async fn territory_documents_compare_with_the_department() {
    let app = app_with_registry(2023, 2).await;
    let profile = app
        .get_json("/api/zones/territory/ARR/profile?edition=2023", 200)
        .await;
    let (status, headers, xlsx) = bytes(&app, "/territoires/ARR/fiche.xlsx?edition=2023").await;
    assert_eq!(status, 200);
    assert!(
        headers["content-disposition"]
            .to_str()
            .unwrap()
            .contains("fiche-territoire-ARR-2023.xlsx")
    );
    let keys = sheet(xlsx, "Chiffres clés");
    let k = key_figure(&profile, "ess_establishments");
    let row = row_of(&keys, k["label"].as_str().unwrap());
    assert_eq!(row.len(), 3, "territory and département");
    assert_eq!(*row[1], Data::Float(k["zone"]["value"].as_f64().unwrap()));
    assert_eq!(
        *row[2],
        Data::Float(k["department"]["value"].as_f64().unwrap())
    );
    let (status, _, pdf) = bytes(&app, "/territoires/ARR/fiche.pdf").await;
    assert_eq!(status, 200, "the latest edition by default");
    let text = pdf_text(&pdf);
    assert!(text.contains(profile["zone"]["name"].as_str().unwrap()));
    assert!(text.contains("Les EPCI du territoire"));
}

#[tokio::test]
async fn bad_zones_editions_and_files_answer_json_errors() {
    let app = app_with_registry(2023, 1).await;
    for (path, status) in [
        ("/epci/999999999/fiche.pdf?edition=2023", 404),
        ("/territoires/NOPE/fiche.xlsx", 404),
        ("/epci/200033579/fiche.pdf?edition=2031", 404),
        ("/epci/200033579/fiche.csv?edition=deux", 400),
        ("/epci/200033579/fiche.csv?format=tsv", 400),
        ("/epci/200033579/fiche.pdf?format=standard", 400),
        ("/epci/200033579/fiche.docx", 404),
        ("/epci/200033579/fiche?colour=red", 400),
    ] {
        let body = app.get_json(path, status).await;
        assert!(body["message"].is_string(), "{path}: {body}");
    }
}

#[tokio::test]
#[allow(clippy::too_many_lines)] // one scenario: start, follow, download, through a second instance
async fn staff_generate_the_compendium_with_progress_and_the_public_cannot() {
    let app = app_with_registry(2023, 1).await;
    let (status, _) = app
        .call(
            reqwest::Method::POST,
            "/api/recueils",
            None,
            Some(json!({"edition": 2023})),
        )
        .await;
    assert_eq!(status, 401);
    app.add_user("claire", "charge_de_mission", &[]).await;
    let session = app.login("claire").await;
    // Arrageois' portrait is published; a draft for Artois must stay out.
    let portrait = |territory: &str, text: &str| json!({"jeux_acteurs": format!("Acteurs {territory} : {text}"), "dynamiques_projets": "Projets en cours."});
    for (territory, text) in [
        ("ARR", "tiers-lieu de Bapaume"),
        ("ART", "brouillon secret"),
    ] {
        let (status, body) = app
            .call(
                reqwest::Method::PUT,
                &format!("/api/portraits/{territory}/2023"),
                Some(&session),
                Some(portrait(territory, text)),
            )
            .await;
        assert_eq!(status, 200, "{body}");
    }
    for step in [
        json!({"to": "soumis"}),
        json!({"to": "valide", "decision_ref": "CT-ARR-2023-04"}),
        json!({"to": "adopte", "decision_ref": "AD-2023-117"}),
        json!({"to": "publie"}),
    ] {
        let (status, body) = app
            .call(
                reqwest::Method::POST,
                "/api/portraits/ARR/2023/transitions",
                Some(&session),
                Some(step),
            )
            .await;
        assert_eq!(status, 200, "{body}");
    }
    let (status, _) = app
        .call(
            reqwest::Method::POST,
            "/api/recueils",
            Some(&session),
            Some(json!({"edition": 2031})),
        )
        .await;
    assert_eq!(status, 404);
    let (status, job) = app
        .call(
            reqwest::Method::POST,
            "/api/recueils",
            Some(&session),
            Some(json!({"edition": 2023})),
        )
        .await;
    assert_eq!(status, 202, "{job}");
    let id = job["id"].as_str().unwrap().to_owned();
    let status_path = format!("/api/recueils/{id}");
    // Behind a load balancer the next requests may reach another instance: it reports
    // the progress and serves the PDF of the generation the first one runs.
    let other = app.sibling(|_| {}).await;
    let mut last = json!(null);
    for _ in 0..600 {
        last = other
            .call(reqwest::Method::GET, &status_path, Some(&session), None)
            .await
            .1;
        assert_ne!(last["status"], "failed", "{last}");
        if last["status"] == "done" {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(last["status"], "done", "{last}");
    assert_eq!(last["done"], last["total"]);
    let (status, _) = app
        .call(reqwest::Method::GET, &status_path, None, None)
        .await;
    assert_eq!(status, 401, "progress is for staff");
    for unknown in ["0123456789abcdef0123456789abcdef", "1", "not-a-job"] {
        let (status, body) = other
            .call(
                reqwest::Method::GET,
                &format!("/api/recueils/{unknown}"),
                Some(&session),
                None,
            )
            .await;
        assert_eq!(status, 404, "{unknown}: {body}");
    }
    let pdf = other
        .request(
            reqwest::Method::GET,
            last["download"].as_str().unwrap(),
            Some(&session),
        )
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    let text = pdf_text(&pdf);
    assert!(text.contains("Sommaire"));
    assert!(text.contains("Synthèse départementale"));
    for t in &app.geography.territories {
        assert!(text.contains(&t.zone.name), "{}", t.zone.name);
    }
    let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        flat.contains("Acteurs ARR : tiers-lieu de Bapaume"),
        "the published portrait is in the compendium"
    );
    assert!(!flat.contains("brouillon secret"), "a draft is not");
    assert_eq!(
        text.matches("Portrait non publié pour cette édition")
            .count(),
        app.geography.territories.len() - 1,
        "every other territory says its portrait is not published"
    );

    // The same compendium as an editable ODT, for staff only.
    let odt_path = last["download_odt"].as_str().unwrap();
    let (status, _) = app.call(reqwest::Method::GET, odt_path, None, None).await;
    assert_eq!(status, 401, "the ODT compendium is for staff");
    let response = other
        .request(reqwest::Method::GET, odt_path, Some(&session))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(
        response.headers()["content-type"],
        "application/vnd.oasis.opendocument.text"
    );
    let odt = Odt::open(&response.bytes().await.unwrap());
    let text = odt.text();
    assert!(text.contains("Acteurs ARR : tiers-lieu de Bapaume"));
    assert!(!text.contains("brouillon secret"), "a draft is not");
    for t in &app.geography.territories {
        assert!(
            odt.tables
                .iter()
                .any(|(name, _)| name.starts_with(&t.zone.code)),
            "tables of {}",
            t.zone.name
        );
    }
    assert_eq!(
        odt.pictures,
        app.geography.territories.len(),
        "one map per territory"
    );
}

/// A table row of an ODT: its cells as `(paragraph style, text)`.
type OdtRow = Vec<(String, String)>;

/// An ODT package read back: its entries in order, and `content.xml`'s tables.
pub(crate) struct Odt {
    pub(crate) entries: Vec<(String, zip::CompressionMethod, Vec<u8>)>,
    content: String,
    styles: String,
    /// `(name, rows)`.
    tables: Vec<(String, Vec<OdtRow>)>,
    pub(crate) pictures: usize,
}

/// Text between `<tag…>` elements with the markup removed and entities read;
/// no-break spaces as spaces.
fn xml_text(xml: &str) -> String {
    let mut out = String::new();
    let mut in_tag = false;
    for c in xml.chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    out.replace("&lt;", "<")
        .replace("&#39;", "'")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&amp;", "&")
        .replace(['\u{a0}', '\u{202f}'], " ")
}

fn attribute<'a>(element: &'a str, name: &str) -> Option<&'a str> {
    let start = element.find(&format!("{name}=\""))? + name.len() + 2;
    Some(&element[start..start + element[start..].find('"')?])
}

impl Odt {
    pub(crate) fn open(bytes: &[u8]) -> Self {
        use std::io::Read as _;
        let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
        let mut entries = Vec::new();
        for i in 0..archive.len() {
            let mut file = archive.by_index(i).unwrap();
            let mut data = Vec::new();
            file.read_to_end(&mut data).unwrap();
            entries.push((file.name().to_owned(), file.compression(), data));
        }
        let part = |name: &str| {
            String::from_utf8(
                entries
                    .iter()
                    .find(|(n, _, _)| n == name)
                    .unwrap_or_else(|| panic!("{name} in the package"))
                    .2
                    .clone(),
            )
            .unwrap()
        };
        let content = part("content.xml");
        let styles = part("styles.xml");
        let mut tables = Vec::new();
        for chunk in content.split("<table:table ").skip(1) {
            let table = &chunk[..chunk.find("</table:table>").expect("a closed table")];
            let name = xml_text(attribute(table, "table:name").unwrap());
            let rows = table
                .split("<table:table-row>")
                .skip(1)
                .map(|row| {
                    row.split("<table:table-cell ")
                        .skip(1)
                        .map(|cell| {
                            let style = attribute(
                                cell.split_once("<text:p ").unwrap().1,
                                "text:style-name",
                            )
                            .unwrap()
                            .to_owned();
                            let body = &cell[cell.find("<text:p ").unwrap()
                                ..cell.find("</table:table-cell>").unwrap()];
                            (style, xml_text(body))
                        })
                        .collect()
                })
                .collect();
            tables.push((name, rows));
        }
        let pictures = content.matches("<draw:frame ").count();
        Self {
            entries,
            content,
            styles,
            tables,
            pictures,
        }
    }

    pub(crate) fn text(&self) -> String {
        xml_text(&self.content)
    }

    fn table(&self, name: &str) -> &[OdtRow] {
        &self
            .tables
            .iter()
            .find(|(n, _)| n == name)
            .unwrap_or_else(|| panic!("a table {name}"))
            .1
    }

    fn row<'a>(&'a self, table: &str, label: &str) -> &'a [(String, String)] {
        self.table(table)
            .iter()
            .find(|r| r[0].1.starts_with(label))
            .unwrap_or_else(|| panic!("a row {label} in {table}: {:?}", self.table(table)))
    }
}

#[tokio::test]
#[allow(clippy::too_many_lines)] // one document read back: package, styles, tables, sections
async fn odt_fiche_tables_are_the_api_figures_with_named_styles() {
    let app = app_with_registry(2023, 1).await;
    let profile = profile(&app).await;
    let (status, headers, package) =
        bytes(&app, &format!("/epci/{ARRAS}/fiche.odt?edition=2023")).await;
    assert_eq!(status, 200);
    assert_eq!(
        headers["content-type"],
        "application/vnd.oasis.opendocument.text"
    );
    assert!(
        headers["content-disposition"]
            .to_str()
            .unwrap()
            .contains("fiche-epci-200033579-2023.odt")
    );
    let odt = Odt::open(&package);

    // The package: `mimetype` first and stored, then the parts the manifest lists.
    let (name, method, data) = &odt.entries[0];
    assert_eq!(name, "mimetype");
    assert_eq!(*method, zip::CompressionMethod::Stored);
    assert_eq!(data, b"application/vnd.oasis.opendocument.text");
    let manifest = String::from_utf8(
        odt.entries
            .iter()
            .find(|(n, _, _)| n == "META-INF/manifest.xml")
            .unwrap()
            .2
            .clone(),
    )
    .unwrap();
    for (entry, _, _) in &odt.entries[1..] {
        if entry != "META-INF/manifest.xml" {
            assert!(manifest.contains(&format!("\"{entry}\"")), "{entry} listed");
        }
    }
    let map = odt
        .entries
        .iter()
        .find(|(n, _, _)| n == "Pictures/carte-1.svg")
        .expect("the map");
    assert!(map.2.starts_with(b"<svg"), "an SVG drawing");
    let png = odt
        .entries
        .iter()
        .find(|(n, _, _)| n == "Pictures/carte-1.png")
        .expect("the map's PNG fallback");
    assert!(png.2.starts_with(b"\x89PNG\r\n\x1a\n"), "a PNG");
    assert!(
        odt.content.contains(
            r#"draw:mime-type="image/svg+xml"/><draw:image xlink:href="Pictures/carte-1.png""#
        ),
        "the PNG after the SVG, in the same frame"
    );
    assert_eq!(odt.pictures, 1);

    // Named styles a communication department can restyle.
    for style in ess_atlas::summary::odt::STYLES {
        assert!(
            odt.styles
                .contains(&format!("style:display-name=\"{style}\"")),
            "style {style}"
        );
    }
    assert!(
        odt.content
            .contains(r#"<text:h text:style-name="Titre_20_ESS" text:outline-level="1">"#),
        "the title in « Titre ESS »"
    );

    // Key figures: zone, territory, département, as the API gives them.
    let title = "Chiffres clés";
    let header = &odt.table(title)[0];
    assert_eq!(header.len(), 4, "label and three zones");
    assert!(
        header
            .iter()
            .all(|(style, _)| style == "Tableau_20_ESS_20_en-tête")
    );
    for id in ["ess_establishments", "ess_jobs", "ess_share_jobs"] {
        let k = key_figure(&profile, id);
        let row = odt.row(title, k["label"].as_str().unwrap());
        let (decimals, unit) = decimals(id);
        for ((style, text), figure) in
            row[1..]
                .iter()
                .zip([&k["zone"], &k["parent"]["figure"], &k["department"]])
        {
            assert_eq!(*text, expected_text(figure, decimals, unit), "{id}");
            if figure["secret"] == true {
                assert_eq!(style, "Tableau_20_ESS_20_secret");
            }
        }
    }

    // The communes: a masked commune reads « s » in the secret style, a published one
    // its API figure. Columns: name, population, establishments, jobs, share.
    let (secret, open) = commune_rows(&app).await;
    let (d, unit) = decimals("ess_jobs");
    let masked = odt.row(COMMUNES.1, secret["name"].as_str().unwrap());
    assert_eq!(
        masked[3],
        ("Tableau_20_ESS_20_secret".to_owned(), "s".to_owned())
    );
    let published = odt.row(COMMUNES.1, open["name"].as_str().unwrap());
    assert_eq!(published[3].1, expected_text(&open, d, unit));
    assert_eq!(published[3].0, "Tableau_20_ESS_20_nombre");

    // The same texts as the other sections of the fiche.
    let text = odt.text();
    for heading in [
        "Situation",
        "Répartitions",
        "Évolution entre éditions",
        "Orientations et actions",
        "Sources, méthodes et secret statistique",
    ] {
        assert!(text.contains(heading), "{heading}");
    }

    // The territory's fiche too.
    let (status, _, territory) = bytes(&app, "/territoires/ARR/fiche.odt?edition=2023").await;
    assert_eq!(status, 200);
    let territory = Odt::open(&territory);
    assert!(territory.text().contains("Les EPCI du territoire"));
}

#[tokio::test]
async fn the_epci_pack_lists_the_departments_subsidies_adding_up_to_the_indicator() {
    let (app, _report, _dir) = crate::subsidies::imported().await;
    let body = app
        .get_json(
            "/api/indicators?level=epci&indicator=ess_subsidies&edition=2023",
            200,
        )
        .await;
    let api_total = body["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["code"] == ARRAS)
        .unwrap()["value"]
        .as_f64()
        .unwrap();
    // The fixture's ASSO ARRAS lines attributed to its siège in Arras: 5 000 + 1 500 €.
    assert!((api_total - 6_500.0).abs() < 0.005, "{body}");

    let (status, _, xlsx) = bytes(&app, &format!("/epci/{ARRAS}/fiche.xlsx?edition=2023")).await;
    assert_eq!(status, 200);
    let grants = sheet(xlsx, "Subventions");
    // Columns: beneficiary, commune, family, object, lines, amount.
    let asso = row_of(&grants, "ASSO ARRAS");
    assert_eq!(*asso[1], Data::String("Arras".into()));
    assert_eq!(*asso[2], Data::String("Association".into()));
    assert_eq!(*asso[4], Data::Float(2.0));
    assert_eq!(*asso[5], Data::Float(6_500.0));
    let total = row_of(&grants, "Total ESS de la zone");
    assert_eq!(*total[5], Data::Float(api_total));
    let listed: f64 = grants
        .rows()
        .skip(2)
        .filter(|r| !r[0].to_string().starts_with("Total"))
        .filter_map(|r| match r[5] {
            Data::Float(v) => Some(v),
            _ => None,
        })
        .sum();
    assert!(
        (listed - api_total).abs() < 0.005,
        "lines add up to the total"
    );
    // Beneficiaries elsewhere (the Lens antenna, the regional association) are not here.
    assert!(
        grants
            .rows()
            .all(|r| !r[0].to_string().starts_with("ASSO REGIONALE"))
    );

    let (_, _, pdf) = bytes(&app, &format!("/epci/{ARRAS}/fiche.pdf?edition=2023")).await;
    let text = pdf_text(&pdf);
    let line = text
        .lines()
        .find(|l| l.contains("ASSO ARRAS"))
        .unwrap_or_else(|| panic!("a line for ASSO ARRAS in\n{text}"));
    assert!(line.contains("6 500 €"), "{line}");
    assert!(
        line.contains("Arras") && line.contains("Association"),
        "{line}"
    );

    let (_, _, csv) = bytes(&app, &format!("/epci/{ARRAS}/fiche.csv?edition=2023")).await;
    let csv = String::from_utf8(csv).unwrap();
    assert!(
        csv.lines()
            .any(|l| l.contains("ASSO ARRAS (Arras);Montant attribué;6500,00;€;non")),
        "{csv}"
    );
    let (_, _, html) = bytes(&app, &format!("/epci/{ARRAS}/fiche?edition=2023")).await;
    let html = String::from_utf8(html).unwrap();
    assert!(html.contains(r#"data-table="beneficiaires""#));
    assert!(html.contains("ASSO ARRAS"));
}

#[tokio::test]
async fn fiches_beyond_the_render_bound_answer_503_with_retry_after_never_500() {
    // No waiting for a free render: a request that finds every render slot taken
    // is told at once to come back.
    let app = crate::helpers::spawn_app_with(|cfg| {
        cfg.document_render_wait = std::time::Duration::ZERO;
    })
    .await;
    crate::indicators::import_registry(&app, 2023, 1).await;
    let paths: Vec<String> = app
        .geography
        .territories
        .iter()
        .map(|t| format!("/territoires/{}/fiche.pdf?edition=2023", t.zone.code))
        .chain([format!("/epci/{ARRAS}/fiche.pdf?edition=2023")])
        .collect();
    let answers = crate::helpers::join_all(paths.iter().map(|p| app.get(p))).await;
    let mut refused = Vec::new();
    for (path, r) in paths.iter().zip(answers) {
        match r.status().as_u16() {
            200 => {}
            503 => {
                assert_eq!(r.headers()["retry-after"], "5", "{path}");
                let body: Value = r.json().await.unwrap();
                assert_eq!(body["error"], "overloaded", "{path}: {body}");
                assert!(body["message"].as_str().unwrap().contains("réessayez"));
                refused.push(path);
            }
            other => panic!("{path}: {other}"),
        }
    }
    assert!(
        !refused.is_empty(),
        "{} fiches at once on {} render slots: none refused",
        paths.len(),
        ess_atlas::api::AppState::hashing_permits()
    );
    assert!(refused.len() < paths.len(), "some were rendered");
    // Refused, not broken: the same request later is rendered.
    let (status, _, pdf) = bytes(&app, refused[0]).await;
    assert_eq!(status, 200);
    assert!(pdf.starts_with(b"%PDF-"));
}

/// A small PNG logo (a blue square), written by hand: signature, IHDR, IDAT, IEND.
pub(crate) fn logo_png() -> Vec<u8> {
    fn chunk(out: &mut Vec<u8>, kind: &[u8], data: &[u8]) {
        out.extend((data.len() as u32).to_be_bytes());
        let mut crc_input = kind.to_vec();
        crc_input.extend(data);
        out.extend(&crc_input);
        out.extend(crc32(&crc_input).to_be_bytes());
    }
    fn crc32(bytes: &[u8]) -> u32 {
        let mut crc = 0xffff_ffffu32;
        for &b in bytes {
            crc ^= u32::from(b);
            for _ in 0..8 {
                crc = if crc & 1 == 1 {
                    (crc >> 1) ^ 0xedb8_8320
                } else {
                    crc >> 1
                };
            }
        }
        !crc
    }
    let (w, h) = (16u32, 16u32);
    // Each row: no filter, then RGB pixels.
    let row: Vec<u8> = std::iter::once(0)
        .chain([31, 78, 121].repeat(w as usize))
        .collect();
    let raw = row.repeat(h as usize);
    // A stored (uncompressed) zlib stream: header, one final block, Adler-32.
    let mut z = vec![0x78, 0x01, 1];
    let len = raw.len() as u16;
    z.extend(len.to_le_bytes());
    z.extend((!len).to_le_bytes());
    z.extend(&raw);
    let (mut a, mut b) = (1u32, 0u32);
    for &x in &raw {
        a = (a + u32::from(x)) % 65_521;
        b = (b + a) % 65_521;
    }
    z.extend(((b << 16) | a).to_be_bytes());
    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    let mut ihdr = Vec::new();
    ihdr.extend(w.to_be_bytes());
    ihdr.extend(h.to_be_bytes());
    ihdr.extend([8, 2, 0, 0, 0]);
    chunk(&mut png, b"IHDR", &ihdr);
    chunk(&mut png, b"IDAT", &z);
    chunk(&mut png, b"IEND", &[]);
    png
}

/// The raster images of a PDF, as `pdfimages -list` lists them.
pub(crate) fn pdf_images(pdf: &[u8]) -> usize {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("fiche.pdf");
    std::fs::write(&path, pdf).unwrap();
    let out = Command::new("pdfimages")
        .arg("-list")
        .arg(&path)
        .output()
        .expect("pdfimages (poppler-utils) is installed: test.sh installs it");
    assert!(out.status.success());
    // Two header lines, then one line per image.
    String::from_utf8_lossy(&out.stdout).lines().skip(2).count()
}

#[tokio::test]
async fn the_fiche_reads_as_the_publishers_publication() {
    let dir = tempfile::tempdir().unwrap();
    let logo = dir.path().join("logo.png");
    std::fs::write(&logo, logo_png()).unwrap();
    let app = crate::helpers::spawn_app_with(|cfg| {
        cfg.publisher_contact = "Direction du développement ESS — ess@pasdecalais.example".into();
        cfg.publisher_logo = Some(logo.clone());
    })
    .await;
    crate::indicators::import_registry(&app, 2023, 1).await;
    let (status, _, pdf) = bytes(&app, &format!("/epci/{ARRAS}/fiche.pdf?edition=2023")).await;
    assert_eq!(status, 200);
    let text = pdf_text(&pdf);
    let today =
        ess_atlas::summary::format::fr_date(&ess_atlas::time::today()).replace('\u{a0}', " ");
    assert!(text.contains("Département du Pas-de-Calais"), "{text}");
    assert!(
        text.contains("Direction du développement ESS — ess@pasdecalais.example"),
        "{text}"
    );
    assert!(
        text.contains(&format!("Fiche produite le {today}")),
        "{today} in\n{text}"
    );
    // The map's scale, in whole kilometres, under the map.
    let scale = text
        .split("Échelle : ")
        .nth(1)
        .and_then(|rest| rest.split(" km").next())
        .unwrap_or_else(|| panic!("a scale in\n{text}"));
    assert!(scale.parse::<u32>().is_ok_and(|km| km > 0), "{scale:?}");
    assert_eq!(pdf_images(&pdf), 1, "the logo");

    // Without a logo: no image, the default publisher, no contact line.
    let plain = app_with_registry(2023, 1).await;
    let (_, _, pdf) = bytes(&plain, &format!("/epci/{ARRAS}/fiche.pdf?edition=2023")).await;
    assert_eq!(pdf_images(&pdf), 0);
    let text = pdf_text(&pdf);
    assert!(text.contains("Département du Pas-de-Calais"));
    assert!(!text.contains("ess@pasdecalais.example"));
    // The HTML map names the largest communes of the zone.
    let html = plain
        .get(&format!("/epci/{ARRAS}/fiche?edition=2023"))
        .await
        .text()
        .await
        .unwrap();
    assert!(html.contains(">Arras</text>"), "the map names Arras");
    assert!(
        html.contains("Département du Pas-de-Calais · fiche produite le "),
        "{html}"
    );
}

#[tokio::test]
async fn a_refused_logo_stops_the_server_with_its_reason() {
    let dir = tempfile::tempdir().unwrap();
    let logo = dir.path().join("logo.png");
    std::fs::write(&logo, b"GIF89a not a png").unwrap();
    let Err(refused) =
        crate::helpers::try_spawn_app_with(|cfg| cfg.publisher_logo = Some(logo)).await
    else {
        panic!("a GIF is refused");
    };
    assert!(
        format!("{refused:#}").contains("not a PNG or JPEG"),
        "{refused:#}"
    );
}

/// How full the last page of a PDF is: the share of its body (between the header and
/// footer bands) that text reaches, in each half of the page (two columns), averaged.
/// 1 for a one-page PDF.
fn last_page_fill(pdf: &[u8]) -> (usize, f64) {
    let mut child = Command::new("pdftotext")
        .args(["-bbox", "-enc", "UTF-8", "-", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("pdftotext");
    child.stdin.take().unwrap().write_all(pdf).unwrap();
    let out = child.wait_with_output().unwrap();
    let html = String::from_utf8(out.stdout).unwrap();
    let pages: Vec<&str> = html.split("<page ").skip(1).collect();
    if pages.len() < 2 {
        return (pages.len(), 1.0);
    }
    let last = pages[pages.len() - 1];
    let attr = |tag: &str, name: &str| -> f64 {
        let at = tag.find(&format!("{name}=\"")).unwrap() + name.len() + 2;
        tag[at..].split('"').next().unwrap().parse().unwrap()
    };
    let (width, height) = (attr(last, "width"), attr(last, "height"));
    // The fiche's margins: 17 mm at the top, 16 mm at the bottom (fiche.typ).
    let (top, bottom) = (17.0 * 72.0 / 25.4, height - 16.0 * 72.0 / 25.4);
    let (mut left, mut right) = (top, top);
    for word in last.split("<word ").skip(1) {
        let (x, y0, y1) = (attr(word, "xMin"), attr(word, "yMin"), attr(word, "yMax"));
        if y0 < top || y1 > bottom {
            continue; // the running header or the footer
        }
        if x < width / 2.0 {
            left = left.max(y1);
        } else {
            right = right.max(y1);
        }
    }
    let fill = ((left - top) + (right - top)) / (2.0 * (bottom - top));
    (pages.len(), fill)
}

#[tokio::test]
async fn no_fiche_ends_on_a_near_empty_page() {
    let app = app_with_registry(2023, 2).await;
    for path in [
        "/territoires/ARR/fiche.pdf?edition=2023".to_owned(),
        "/territoires/LEN/fiche.pdf?edition=2023".to_owned(),
        format!("/epci/{ARRAS}/fiche.pdf?edition=2023"),
        "/epci/246200364/fiche.pdf?edition=2023".to_owned(),
    ] {
        let (status, _, pdf) = bytes(&app, &path).await;
        assert_eq!(status, 200, "{path}");
        let (pages, fill) = last_page_fill(&pdf);
        // A last page holds at least a quarter of a page of text.
        assert!(
            fill >= 0.25,
            "{path}: the last of {pages} pages is {:.0} % full",
            fill * 100.0
        );
    }
}
