//! The secret statistique against a determined reader (issue 16), on the demo's 2023
//! edition: a reader who has every published figure (every level, every
//! one-breakdown filter) and the public organisations list, and who combines them.
//! Then the product's own audit on the four demo editions, with and without
//! observatory figures.

use std::collections::HashMap;
use std::fmt::Write;

use ess_atlas::ess::Family;

use crate::helpers::{TestApp, spawn_with};

const LEVELS: [&str; 4] = ["commune", "epci", "territory", "department"];
const MEASURES: [&str; 3] = ["ess_establishments", "ess_employers", "ess_jobs"];

/// `(level, code, dimension, id)`; the ESS total has dimension and id `""`.
type Key = (String, String, String, String);

fn categories() -> Vec<(&'static str, String)> {
    let mut v = vec![("", String::new())];
    v.extend(Family::ALL.map(|f| ("family", f.id().to_owned())));
    v.extend(('A'..='U').map(|s| ("sector", s.to_string())));
    v.extend(
        ["0", "1-9", "10-49", "50-249", "250+"]
            .into_iter()
            .map(|s| ("size", s.to_owned())),
    );
    v
}

/// What the reader collects: published figures, the zones' parents, the list.
struct Reader {
    /// `None` when masked.
    published: HashMap<(Key, usize), Option<f64>>,
    parent: HashMap<(String, String), String>,
    listed: HashMap<Key, [f64; 3]>,
}

impl Reader {
    #[allow(clippy::too_many_lines)] // reads every public output the reader combines, in one place
    async fn read(app: &TestApp, edition: i64) -> Reader {
        let mut published = HashMap::new();
        let mut parent = HashMap::new();
        for level in LEVELS {
            for (dim, id) in categories() {
                for (m, indicator) in MEASURES.iter().enumerate() {
                    let filter = if dim.is_empty() {
                        String::new()
                    } else {
                        format!("&{dim}={}", id.replace('+', "%2B"))
                    };
                    let body = app
                        .get_json(
                            &format!(
                                "/api/indicators?edition={edition}&level={level}&indicator={indicator}{filter}"
                            ),
                            200,
                        )
                        .await;
                    for item in body["items"].as_array().unwrap() {
                        let code = item["code"].as_str().unwrap().to_owned();
                        let key = (level.to_owned(), code.clone(), dim.to_owned(), id.clone());
                        let value = if item["secret"] == true {
                            None
                        } else {
                            Some(item["value"].as_f64().unwrap())
                        };
                        published.insert((key, m), value);
                        if let Some(p) = item["parent"]["code"].as_str() {
                            parent.insert((level.to_owned(), code), p.to_owned());
                        }
                    }
                }
            }
        }
        let csv = app
            .get(&format!(
                "/api/organisations.csv?edition={edition}&format=standard"
            ))
            .await
            .text()
            .await
            .unwrap();
        let mut listed: HashMap<Key, [f64; 3]> = HashMap::new();
        let mut reader = csv::Reader::from_reader(csv.as_bytes());
        let headers = reader.headers().unwrap().clone();
        let col = |name: &str| headers.iter().position(|h| h == name).unwrap();
        let (family, section, jobs, employer, commune) = (
            col("famille"),
            col("section NAF"),
            col("effectif estimé"),
            col("employeur"),
            col("code commune"),
        );
        for row in reader.records() {
            let row = row.unwrap();
            let f = Family::ALL
                .into_iter()
                .find(|f| f.label() == &row[family])
                .unwrap();
            let j: f64 = row[jobs].parse().unwrap();
            let size = match j {
                0.0 => "0",
                x if x < 10.0 => "1-9",
                x if x < 50.0 => "10-49",
                x if x < 250.0 => "50-249",
                _ => "250+",
            };
            let c = row[commune].to_owned();
            let e = parent[&("commune".to_owned(), c.clone())].clone();
            let t = parent[&("epci".to_owned(), e.clone())].clone();
            let zones = [
                ("commune", c),
                ("epci", e),
                ("territory", t),
                ("department", "62".to_owned()),
            ];
            let mut keys = vec![("family", f.id().to_owned())];
            if f.in_statistical_totals() {
                keys.push(("", String::new()));
                keys.push(("sector", row[section].to_owned()));
                keys.push(("size", size.to_owned()));
            }
            for (level, code) in &zones {
                for (dim, id) in &keys {
                    let l = listed
                        .entry((
                            (*level).to_owned(),
                            code.clone(),
                            (*dim).to_owned(),
                            id.clone(),
                        ))
                        .or_default();
                    l[0] += 1.0;
                    l[1] += f64::from(u8::from(&row[employer] == "oui"));
                    l[2] += j;
                }
            }
        }
        Reader {
            published,
            parent,
            listed,
        }
    }

    fn listed(&self, key: &Key, m: usize) -> f64 {
        self.listed.get(key).map_or(0.0, |l| l[m])
    }

    /// Every relation the reader knows: a zone = Σ sub-zones (every category), the ESS
    /// total = Σ families (four) = Σ sections = Σ size classes (every zone).
    fn relations(&self) -> Vec<(Key, Vec<Key>)> {
        let mut children: HashMap<(String, String), Vec<(String, String)>> = HashMap::new();
        for ((level, code), p) in &self.parent {
            let up = match level.as_str() {
                "commune" => "epci",
                "epci" => "territory",
                _ => "department",
            };
            children
                .entry((up.to_owned(), p.clone()))
                .or_default()
                .push((level.clone(), code.clone()));
        }
        let mut relations = Vec::new();
        for ((level, code), kids) in &children {
            for (dim, id) in categories() {
                relations.push((
                    (level.clone(), code.clone(), dim.to_owned(), id.clone()),
                    kids.iter()
                        .map(|(l, c)| (l.clone(), c.clone(), dim.to_owned(), id.clone()))
                        .collect(),
                ));
            }
        }
        let mut zones: Vec<(String, String)> = self
            .published
            .keys()
            .map(|((l, c, _, _), _)| (l.clone(), c.clone()))
            .collect();
        zones.sort();
        zones.dedup();
        for (level, code) in zones {
            for dimension in ["family", "sector", "size"] {
                let parts = categories()
                    .into_iter()
                    .filter(|(d, id)| *d == dimension && id != "societe_commerciale_ess")
                    .map(|(d, id)| (level.clone(), code.clone(), d.to_owned(), id))
                    .collect();
                relations.push((
                    (level.clone(), code.clone(), String::new(), String::new()),
                    parts,
                ));
            }
        }
        relations
    }

    /// Issue 16, example 1: with non-negativity (a masked establishments cell counts
    /// at least 1, empty cells being published), masked parts whose published total
    /// leaves no room are pinned to their lower bounds. Such a pinned value must be
    /// the list's own: else the reader has found protected establishments.
    fn pinned_by_non_negativity(&self) -> Vec<String> {
        let mut found = Vec::new();
        for (total, parts) in self.relations() {
            for (m, measure) in MEASURES.iter().enumerate() {
                let Some(Some(t)) = self.published.get(&(total.clone(), m)) else {
                    continue;
                };
                let masked: Vec<&Key> = parts
                    .iter()
                    .filter(|p| matches!(self.published.get(&((*p).clone(), m)), Some(None)))
                    .collect();
                if masked.is_empty() {
                    continue;
                }
                let rest: f64 = parts
                    .iter()
                    .filter_map(|p| self.published.get(&(p.clone(), m)).copied().flatten())
                    .sum();
                let bounds: Vec<f64> = masked
                    .iter()
                    .map(|p| {
                        let l = self.listed(p, m);
                        if m == 0 { l.max(1.0) } else { l }
                    })
                    .collect();
                if (t - rest - bounds.iter().sum::<f64>()).abs() < 0.01 {
                    for (p, b) in masked.iter().zip(&bounds) {
                        if *b != self.listed(p, m) {
                            found.push(format!(
                                "{p:?} {measure} pinned to {b} by {total:?}, {} listed",
                                self.listed(p, m)
                            ));
                        }
                    }
                }
            }
        }
        found
    }

    /// Issue 16, example 2: the list as lower bounds of masked cells. Below the
    /// département, what a published total leaves for its masked parts must be what
    /// the list shows in them: else it is jobs (or establishments) of protected
    /// establishments, found.
    fn unexplained_by_the_list(&self) -> Vec<String> {
        let mut found = Vec::new();
        for (total, parts) in self.relations() {
            if total.0 == "department" {
                continue;
            }
            for (m, measure) in MEASURES.iter().enumerate() {
                let Some(Some(t)) = self.published.get(&(total.clone(), m)) else {
                    continue;
                };
                let mut rest = *t;
                let mut listed = 0.0;
                let mut masked = Vec::new();
                for p in &parts {
                    if let Some(v) = self.published.get(&(p.clone(), m)).copied().flatten() {
                        rest -= v;
                    } else {
                        listed += self.listed(p, m);
                        masked.push(p);
                    }
                }
                if !masked.is_empty() && (rest - listed).abs() > 0.01 {
                    found.push(format!(
                        "{total:?} {measure}: its masked parts hold {rest}, the list {listed}"
                    ));
                }
            }
        }
        found
    }

    /// Issue 16, example 3: published minus listed, for every zone and breakdown. Below
    /// the département it must be 0; at the département, a count difference of 1 or 2
    /// would reveal one or two protected establishments of that family, sector or size.
    fn published_minus_listed(&self) -> Vec<String> {
        let mut found = Vec::new();
        for ((key, m), v) in &self.published {
            let Some(v) = v else { continue };
            let d = v - self.listed(key, *m);
            let reveals = if key.0 == "department" {
                *m < 2 && (d == 1.0 || d == 2.0)
            } else {
                d.abs() > 0.01
            };
            if reveals {
                found.push(format!(
                    "{key:?} {}: published − listed = {d}",
                    MEASURES[*m]
                ));
            }
        }
        found.sort();
        found
    }
}

fn report(name: &str, found: &[String]) -> Option<String> {
    (!found.is_empty()).then(|| {
        format!(
            "{name}: {} cases, e.g.\n  {}",
            found.len(),
            found
                .iter()
                .take(5)
                .cloned()
                .collect::<Vec<_>>()
                .join("\n  ")
        )
    })
}

#[tokio::test]
async fn a_determined_reader_of_the_demo_finds_no_protected_establishment() {
    let dir = tempfile::tempdir().unwrap();
    let mut cfg = ess_atlas::config::Config::for_tests(dir.path());
    cfg.demo = true;
    let app = spawn_with(cfg, dir).await;

    let reader = Reader::read(&app, 2023).await;
    // The worked example 1 is in the relations read: EPCI 200069029's ESS
    // commercial companies over its communes.
    assert!(reader.published.contains_key(&(
        (
            "epci".to_owned(),
            "200069029".to_owned(),
            "family".to_owned(),
            "societe_commerciale_ess".to_owned()
        ),
        0
    )));
    let failures: Vec<String> = [
        report(
            "non-negativity pins protected establishments (example 1)",
            &reader.pinned_by_non_negativity(),
        ),
        report(
            "the public list leaves masked figures unexplained (example 2)",
            &reader.unexplained_by_the_list(),
        ),
        report(
            "published − listed reveals protected establishments (example 3)",
            &reader.published_minus_listed(),
        ),
    ]
    .into_iter()
    .flatten()
    .collect();
    assert!(failures.is_empty(), "{}", failures.join("\n"));

    // The product's own audit (the reader's linear programs) on every edition.
    for year in [2014, 2017, 2020, 2023] {
        let (_, report) =
            ess_atlas::indicators::cache::build_audited(&app.db, &app.geography, year)
                .await
                .unwrap();
        assert!(report.passed(), "{}", report.to_text());
        assert!(report.protected_establishments > 0, "{year}");
    }
}

/// Writes observatory figures for 2023 in the README's format from staff's exact
/// figures (every zone of every level, the ESS total, the four families and every
/// sector present, the whole economy), as an observatory would publish them: exact
/// jobs, here the estimate × 0.93, with the cells it masks itself (`s`) where it
/// counts fewer than 3 employers.
async fn write_observatory(app: &TestApp, path: &std::path::Path) {
    let mut out =
        String::from("niveau,code,famille,secteur,etablissements,effectif,etp,masse_salariale\n");
    let levels = [
        ("commune", "commune"),
        ("epci", "epci"),
        ("territory", "territoire"),
        ("department", "departement"),
    ];
    let mut filters: Vec<(String, String, String)> =
        vec![(String::new(), "ess".into(), String::new())];
    for f in Family::ALL
        .into_iter()
        .filter(|f| f.in_statistical_totals())
    {
        filters.push((format!("&family={}", f.id()), f.id().into(), String::new()));
    }
    for s in ['Q', 'R', 'S', 'P', 'N'] {
        filters.push((format!("&sector={s}"), "ess".into(), s.to_string()));
    }
    for (level, niveau) in levels {
        for (filter, famille, secteur) in &filters {
            let get = |indicator: &'static str| {
                let path = format!(
                    "/api/indicators?edition=2023&level={level}&indicator={indicator}{filter}"
                );
                async move { app.staff_json(&path, 200).await }
            };
            let (employers, jobs) = (get("ess_employers").await, get("ess_jobs").await);
            for (e, j) in employers["items"]
                .as_array()
                .unwrap()
                .iter()
                .zip(jobs["items"].as_array().unwrap())
            {
                // Staff's figures (restricted ones included); the département's
                // item is not in the level's list for every level.
                let (Some(n), Some(jobs)) = (e["value"].as_f64(), j["value"].as_f64()) else {
                    panic!("staff reads {e} and {j}");
                };
                let jobs = (jobs * 0.93).round();
                if n == 0.0 {
                    continue;
                }
                let code = e["code"].as_str().unwrap();
                if n < 3.0 {
                    writeln!(out, "{niveau},{code},{famille},{secteur},s,s,s,s").unwrap();
                } else {
                    writeln!(
                        out,
                        "{niveau},{code},{famille},{secteur},{n},{jobs},{},{}",
                        (jobs * 0.88).round(),
                        jobs * 27_000.0
                    )
                    .unwrap();
                }
            }
        }
    }
    std::fs::write(path, out).unwrap();
}

#[tokio::test]
async fn the_audit_passes_with_observatory_figures_imported() {
    let dir = tempfile::tempdir().unwrap();
    let mut cfg = ess_atlas::config::Config::for_tests(dir.path());
    cfg.demo = true;
    let app = spawn_with(cfg, dir).await;

    // An observatory file covering every zone, written while every figure is the
    // registry's.
    let file = tempfile::NamedTempFile::new().unwrap();
    write_observatory(&app, file.path()).await;

    // The README's example file.
    let example =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("reference/observatoire-exemple.csv");
    ess_atlas::operations::import_observatory(&app.db, app.geography.clone(), 2023, example)
        .await
        .unwrap();
    let (cube, report) = ess_atlas::indicators::cache::build_audited(&app.db, &app.geography, 2023)
        .await
        .unwrap();
    assert!(report.passed(), "{}", report.to_text());
    assert!(!cube.observatory.ess.is_empty());

    let imported = ess_atlas::operations::import_observatory(
        &app.db,
        app.geography.clone(),
        2023,
        file.path().into(),
    )
    .await
    .unwrap();
    assert!(imported.rejected.is_empty(), "{}", imported.one_line());
    let (cube, report) = ess_atlas::indicators::cache::build_audited(&app.db, &app.geography, 2023)
        .await
        .unwrap();
    assert!(
        cube.observatory.ess.len() > 1_000,
        "{}",
        cube.observatory.ess.len()
    );
    assert!(report.sensitive_cells > 0);
    assert!(report.passed(), "{}", report.to_text());
}

/// The whole economy (the denominator of « part de l'ESS dans l'emploi salarié ») is
/// a reader's figure too: ESS jobs ÷ share gives it back, and SIRENE open data lists
/// every diffusible establishment, ESS or not. Below the département it must count
/// only those, or published minus open data reveals a protected establishment (here
/// a non-ESS company of Arras with 100–199 employees).
#[tokio::test]
async fn the_whole_economy_reveals_no_protected_establishment() {
    use crate::sirene_files::{borrow, establishment, header, row, unit, write};
    use ess_atlas::ess::size::estimated_jobs;

    let app = crate::helpers::spawn_app().await;
    let dir = tempfile::tempdir().unwrap();
    let (ul_h, et_h) = (header(0), header(1));
    let (mut units, mut ets) = (Vec::new(), Vec::new());
    // Arras (62041): three associations, three public companies, one protected company.
    let people = [
        ("9220", "88.10A", "12", "O"),
        ("9220", "93.12Z", "11", "O"),
        ("9220", "85.59A", "03", "O"),
        ("5710", "47.11F", "21", "O"),
        ("5710", "43.21A", "02", "O"),
        ("5499", "62.01Z", "12", "O"),
        ("5710", "10.71C", "31", "P"),
    ];
    for (i, (cj, naf, band, diffusion)) in people.into_iter().enumerate() {
        let siren = format!("{}00000000", i + 1);
        let mut u = unit(&siren[..9], cj, naf, &format!("ENTITE {i} EXEMPLE"));
        u[1].1 = diffusion.into();
        units.push(row(&ul_h, &borrow(&u)));
        let mut e = establishment(&format!("{}00011", &siren[..9]), "62041", band, naf);
        e[3].1 = diffusion.into();
        ets.push(row(&et_h, &borrow(&e)));
    }
    let ul = write(dir.path(), "ul.csv", &ul_h, &units, "\n", false);
    let et = write(dir.path(), "et.csv", &et_h, &ets, "\n", false);
    app.import_sirene(2023, "2023-12-31", &ul, &et, None)
        .await
        .unwrap();

    // What SIRENE open data gives the reader: the diffusible establishments' jobs.
    let open_data: f64 = people
        .iter()
        .filter(|p| p.3 == "O")
        .map(|p| estimated_jobs(p.2))
        .sum();
    let with_protected = open_data + estimated_jobs("31");
    for (level, code) in [
        ("commune", "62041"),
        ("epci", "200033579"),
        ("territory", "ARR"),
    ] {
        let (Some(jobs), Some(share)) = (
            published(&app, level, "ess_jobs", code).await,
            published(&app, level, "ess_share_jobs", code).await,
        ) else {
            continue;
        };
        let economy = jobs / share * 100.0;
        assert!(
            (economy - open_data).abs() < (economy - with_protected).abs(),
            "{level} {code}: the published share gives an economy of {economy} jobs: \
             open data lists {open_data}, with the protected company {with_protected}"
        );
    }
}

/// A zone's published value of an indicator, `None` when masked.
async fn published(app: &TestApp, level: &str, indicator: &str, code: &str) -> Option<f64> {
    let body = app
        .get_json(
            &format!("/api/indicators?edition=2023&level={level}&indicator={indicator}"),
            200,
        )
        .await;
    let item = body["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["code"] == code)
        .cloned()
        .unwrap();
    (item["secret"] != true).then(|| item["value"].as_f64().unwrap())
}
