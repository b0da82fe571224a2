//! Issue 17: imports never lose data silently, whatever the file. Each test damages a
//! file the way a Département's data team receives them and checks that the edition
//! in place survives, with a message naming the file, the line and what to do — or,
//! for row-level defects, that the row is rejected with its line.

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::helpers::{TestApp, repo_path, spawn_app};
use crate::sirene_files::{borrow, establishment, header, row, unit, write};

/// Units and establishments files: `units` units, three establishments each (Arras,
/// Lens, Calais).
fn files(dir: &Path, units: usize) -> (PathBuf, PathBuf) {
    let (ul_h, et_h) = (header(0), header(1));
    let mut ul = Vec::new();
    let mut et = Vec::new();
    for u in 0..units {
        let siren = format!("{:09}", 300_000_000 + u);
        ul.push(row(
            &ul_h,
            &borrow(&unit(&siren, "9220", "88.10A", &format!("ASSOCIATION {u}"))),
        ));
        for (k, commune) in ["62041", "62498", "62193"].iter().enumerate() {
            let siret = format!("{siren}{:05}", k + 1);
            et.push(row(
                &et_h,
                &borrow(&establishment(&siret, commune, "01", "88.10A")),
            ));
        }
    }
    (
        write(dir, "StockUniteLegale_utf8.csv", &ul_h, &ul, "\n", false),
        write(dir, "StockEtablissement_utf8.csv", &et_h, &et, "\n", false),
    )
}

/// An app whose edition 2023 holds 100 units × 3 establishments.
async fn app_with_edition() -> (TestApp, tempfile::TempDir, PathBuf, PathBuf) {
    let app = spawn_app().await;
    let dir = tempfile::tempdir().unwrap();
    let (ul, et) = files(dir.path(), 100);
    app.import_sirene(2023, "2023-12-31", &ul, &et, None)
        .await
        .unwrap();
    assert_eq!(app.db.establishment_count(2023).await.unwrap(), 300);
    (app, dir, ul, et)
}

/// Imports into 2023 and expects a refusal whose message holds every one of `words`;
/// then checks the edition and its reports are as they were.
async fn refused(app: &TestApp, ul: &Path, et: &Path, words: &[&str]) {
    let reports = app.db.import_reports(2023).await.unwrap().len();
    let result = app.import_sirene(2023, "2023-12-31", ul, et, None).await;
    let message = match result {
        Ok(report) => panic!("accepted: {}", report.one_line()),
        Err(e) => format!("{e:#}"),
    };
    for w in words {
        assert!(message.contains(w), "{w:?} not in: {message}");
    }
    assert_eq!(app.db.establishment_count(2023).await.unwrap(), 300);
    assert_eq!(app.db.import_reports(2023).await.unwrap().len(), reports);
}

fn damaged(path: &Path, name: &str, change: impl FnOnce(&mut Vec<u8>)) -> PathBuf {
    let mut bytes = std::fs::read(path).unwrap();
    change(&mut bytes);
    let out = path.with_file_name(name);
    std::fs::write(&out, bytes).unwrap();
    out
}

/// Byte offset of the start of 1-based `line`.
fn line_start(bytes: &[u8], line: usize) -> usize {
    bytes
        .iter()
        .enumerate()
        .filter(|(_, b)| **b == b'\n')
        .nth(line - 2)
        .map_or(0, |(i, _)| i + 1)
}

#[tokio::test]
async fn a_stray_quote_aborts_at_its_line() {
    let (app, _dir, ul, et) = app_with_edition().await;
    let q = damaged(&et, "q.csv", |b| b.insert(line_start(b, 21), b'"'));
    refused(&app, &ul, &q, &["q.csv", "ligne 21", "guillemet"]).await;
}

#[tokio::test]
async fn a_header_only_file_aborts() {
    let (app, dir, ul, _) = app_with_edition().await;
    let et = write(dir.path(), "h.csv", &header(1), &[], "\n", false);
    refused(&app, &ul, &et, &["h.csv", "aucune ligne de données"]).await;
    let ul_empty = write(dir.path(), "u.csv", &header(0), &[], "\n", false);
    let (_, et_full) = files(&dir.path().join("x").tap(), 100);
    refused(
        &app,
        &ul_empty,
        &et_full,
        &["u.csv", "aucune ligne de données"],
    )
    .await;
}

#[tokio::test]
async fn a_duplicated_column_name_aborts() {
    let (app, _dir, ul, et) = app_with_edition().await;
    let d = damaged(&et, "d.csv", |b| {
        let text = String::from_utf8(b.clone()).unwrap();
        *b = text.replacen(",nic,", ",siret,", 1).into_bytes();
    });
    refused(
        &app,
        &ul,
        &d,
        &["d.csv", "ligne 1", "«\u{a0}siret\u{a0}» deux fois"],
    )
    .await;
}

#[tokio::test]
async fn a_file_cut_after_27_rows_aborts() {
    let (app, _dir, ul, et) = app_with_edition().await;
    let cut = damaged(&et, "cut.csv", |b| {
        let end = line_start(b, 29) + 40;
        b.truncate(end);
    });
    refused(&app, &ul, &cut, &["cut.csv", "ligne 29", "semble coupé"]).await;
}

#[tokio::test]
async fn a_units_file_cut_in_half_at_a_line_boundary_is_refused() {
    let (app, _dir, ul, et) = app_with_edition().await;
    let half = damaged(&ul, "half.csv", |b| b.truncate(line_start(b, 52)));
    refused(
        &app,
        &half,
        &et,
        &["refusé", "n’ont pas leur unité légale", "--accept-drop"],
    )
    .await;
}

#[tokio::test]
async fn duplicated_sirets_abort_with_their_lines() {
    let (app, _dir, ul, et) = app_with_edition().await;
    let dup = damaged(&et, "dup.csv", |b| {
        let (a, z) = (line_start(b, 5), line_start(b, 6));
        let line = b[a..z].to_vec();
        b.extend_from_slice(&line);
    });
    refused(
        &app,
        &ul,
        &dup,
        &["dup.csv", "SIRET 30000000100001 aux lignes 5 et 302"],
    )
    .await;
}

#[tokio::test]
async fn a_smaller_edition_is_refused_unless_accepted() {
    let (app, dir, _, _) = app_with_edition().await;
    let (ul, et) = files(&dir.path().join("small").tap(), 60);
    refused(
        &app,
        &ul,
        &et,
        &[
            "180 lignes conservées contre 300 dans l’import remplacé",
            "--accept-drop",
        ],
    )
    .await;
    let report = ess_atlas::operations::import_sirene_with(
        &app.db,
        app.geography.clone(),
        2023,
        Some("2023-12-31".into()),
        ess_atlas::import::sirene::SireneFiles {
            unites_legales: ul,
            etablissements: et,
            geolocalisation: None,
        },
        (false, ess_atlas::import::progress::Watch::None),
        ess_atlas::import::plausibility::Mode::AcceptDrop,
    )
    .await
    .unwrap();
    assert_eq!(report.files[0].rows_kept, 180);
    assert!(report.summary.contains_key("accepted_despite"));
    // What staff read first, in French, is stored with the edition.
    let stored = &app.db.import_reports(2023).await.unwrap()[0].report;
    let verdict = stored.summary["verdict"].as_str().unwrap();
    assert!(verdict.contains("180 conservées"), "{verdict}");
    let accepted = stored.summary["accepted_despite"][0].as_str().unwrap();
    assert!(accepted.starts_with("Importé malgré"), "{accepted}");
    assert_eq!(app.db.establishment_count(2023).await.unwrap(), 180);
}

fn zip(path: &Path, entries: &[(&str, &[u8])]) -> PathBuf {
    let mut z = zip::ZipWriter::new(std::fs::File::create(path).unwrap());
    for (name, bytes) in entries {
        z.start_file(*name, zip::write::SimpleFileOptions::default())
            .unwrap();
        z.write_all(bytes).unwrap();
    }
    z.finish().unwrap();
    path.to_owned()
}

#[tokio::test]
async fn a_zip_with_two_csv_files_names_them_unless_one_is_insee_s() {
    let (app, dir, ul, et) = app_with_edition().await;
    let bytes = std::fs::read(&et).unwrap();
    let two = zip(
        &dir.path().join("two.zip"),
        &[("a.csv", &bytes[..]), ("b.csv", &bytes[..])],
    );
    refused(&app, &ul, &two, &["two.zip", "a.csv, b.csv"]).await;
    let named = zip(
        &dir.path().join("named.zip"),
        &[
            ("LISEZMOI.csv", b"x\n"),
            ("StockEtablissement_utf8.csv", &bytes[..]),
        ],
    );
    app.import_sirene(2023, "2023-12-31", &ul, &named, None)
        .await
        .unwrap();
}

#[tokio::test]
async fn a_zip_holding_a_header_then_a_huge_line_aborts() {
    let (app, dir, ul, _) = app_with_edition().await;
    let mut bytes = header(1).join(",").into_bytes();
    bytes.push(b'\n');
    bytes.resize(bytes.len() + 50 * 1024 * 1024, b'7');
    bytes.push(b'\n');
    let z = zip(
        &dir.path().join("huge.zip"),
        &[("StockEtablissement_utf8.csv", &bytes)],
    );
    drop(bytes);
    refused(&app, &ul, &z, &["huge.zip", "ligne 2", "dépasse 64 Kio"]).await;
}

/// A ZIP of a 2 GiB file without a newline, written streaming (a few MB on disk):
/// refused after 64 KiB of it, without allocating it.
#[tokio::test]
async fn a_two_gib_line_zip_bomb_aborts_without_reading_it_whole() {
    let (app, dir, ul, _) = app_with_edition().await;
    let path = dir.path().join("bomb.zip");
    let mut z = zip::ZipWriter::new(std::fs::File::create(&path).unwrap());
    z.start_file(
        "StockEtablissement_utf8.csv",
        zip::write::SimpleFileOptions::default().large_file(true),
    )
    .unwrap();
    let chunk = vec![b'a'; 1 << 20];
    for _ in 0..2048 {
        z.write_all(&chunk).unwrap();
    }
    z.finish().unwrap();
    assert!(std::fs::metadata(&path).unwrap().len() < 16 << 20);
    refused(&app, &ul, &path, &["bomb.zip", "ligne 1", "dépasse 64 Kio"]).await;
}

const SCDL_HEADER: &str = "nomAttribuant,idAttribuant,dateConvention,referenceDecision,nomBeneficiaire,idBeneficiaire,rnaBeneficiaire,objet,montant,nature,conditionsVersement,datesPeriodeVersement,idRAE,notificationUE,pourcentageSubvention,dispositifAide";

fn scdl_row(id: &str, amount: &str) -> String {
    format!(
        "Département,22620000400019,2023-03-01,CP-1,ASSO,{id},,Objet,{amount},aide en numéraire,unique,,,non,0.5,"
    )
}

fn scdl(rows: &[String]) -> String {
    let mut text = SCDL_HEADER.to_owned();
    for r in rows {
        text.push('\n');
        text.push_str(r);
    }
    text.push('\n');
    text
}

#[tokio::test]
async fn scdl_short_rows_absurd_amounts_are_rejected_with_their_line_and_zips_are_read() {
    let (app, dir, _, _) = app_with_edition().await;
    let short: String = {
        let full = scdl_row("30000000100001", "1000");
        let fields: Vec<&str> = full.split(',').collect();
        fields[..14].join(",")
    };
    let mut rows = vec![
        scdl_row("30000000100001", "1000"),
        short,
        scdl_row("30000000100002", "1e26"),
        scdl_row("30000000100002", "100000001"),
        scdl_row("30000000100003", "2000"),
    ];
    rows.extend((0..15).map(|_| scdl_row("30000000100003", "100")));
    let text = scdl(&rows);
    let csv = dir.path().join("subventions.csv");
    std::fs::write(&csv, &text).unwrap();
    // Three of twenty lines rejected is more than a file written by people should have.
    let error = ess_atlas::operations::import_subsidies(&app.db, 2023, csv.clone())
        .await
        .unwrap_err();
    assert!(
        format!("{error:#}").contains("3 lignes rejetées sur 20"),
        "{error:#}"
    );
    let accept = ess_atlas::import::plausibility::Mode::AcceptDrop;
    let report = ess_atlas::operations::import_subsidies_with(&app.db, 2023, csv, accept)
        .await
        .unwrap();
    let f = &report.files[0];
    assert_eq!((f.rows_read, f.rows_kept, f.rows_rejected), (20, 17, 3));
    let rejected: Vec<(u64, &str)> = report
        .rejected
        .iter()
        .map(|r| (r.line, r.field.as_str()))
        .collect();
    assert_eq!(rejected, [(3, ""), (4, "montant"), (5, "montant")]);

    let z = zip(
        &dir.path().join("subventions.zip"),
        &[("subventions.csv", text.as_bytes())],
    );
    let again = ess_atlas::operations::import_subsidies_with(&app.db, 2023, z, accept)
        .await
        .unwrap();
    assert_eq!(again.files[0].rows_kept, 17);
}

#[tokio::test]
async fn an_observatory_line_cut_mid_number_is_not_stored_as_a_payroll() {
    let (app, dir, _, _) = app_with_edition().await;
    let example = std::fs::read_to_string(repo_path("reference/observatoire-exemple.csv")).unwrap();
    let good = dir.path().join("obs.csv");
    std::fs::write(&good, &example).unwrap();
    ess_atlas::operations::import_observatory(&app.db, app.geography.clone(), 2023, good)
        .await
        .unwrap();
    let reports = app.db.import_reports(2023).await.unwrap().len();
    // The last line cut inside its payroll: `…,7100,6250,201000000` → `…,7100,6250,2`.
    let trimmed = example.trim_end();
    let cut = &trimmed[..trimmed.len() - 8];
    let path = dir.path().join("cut.csv");
    std::fs::write(&path, cut).unwrap();
    let error = ess_atlas::operations::import_observatory(
        &app.db,
        app.geography.clone(),
        2023,
        path.clone(),
    )
    .await
    .unwrap_err();
    let message = format!("{error:#}");
    assert!(
        message.contains("cut.csv") && message.contains("semble coupé"),
        "{message}"
    );
    assert_eq!(app.db.import_reports(2023).await.unwrap().len(), reports);
    // With its newline, the row is still not a payroll of 2 €.
    std::fs::write(&path, format!("{cut}\n")).unwrap();
    let report =
        ess_atlas::operations::import_observatory(&app.db, app.geography.clone(), 2023, path)
            .await
            .unwrap();
    assert_eq!(report.files[0].rows_rejected, 1);
    assert_eq!(report.rejected[0].field, "masse_salariale");
}

/// The command line's exit codes: 3 for a damaged file, 4 for an implausible one, 0
/// once the drop is accepted.
#[tokio::test]
async fn exit_codes_tell_a_damaged_file_from_an_implausible_one() {
    let (app, dir, ul, et) = app_with_edition().await;
    let run = |ul: &Path, et: &Path, extra: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_ess-atlas"))
            .args(["--database", &app.database_url(), "import", "sirene"])
            .args(["--edition", "2023", "--reference-date", "2023-12-31"])
            .arg("--unites-legales")
            .arg(ul)
            .arg("--etablissements")
            .arg(et)
            .args(extra)
            .output()
            .unwrap()
            .status
            .code()
    };
    let q = damaged(&et, "q.csv", |b| b.insert(line_start(b, 21), b'"'));
    assert_eq!(run(&ul, &q, &[]), Some(3));
    let (ul_small, et_small) = files(&dir.path().join("small").tap(), 50);
    assert_eq!(run(&ul_small, &et_small, &[]), Some(4));
    assert_eq!(app.db.establishment_count(2023).await.unwrap(), 300);
    assert_eq!(run(&ul_small, &et_small, &["--accept-drop"]), Some(0));
    assert_eq!(app.db.establishment_count(2023).await.unwrap(), 150);
}

trait Tap {
    fn tap(self) -> Self;
}

impl Tap for PathBuf {
    fn tap(self) -> Self {
        std::fs::create_dir_all(&self).unwrap();
        self
    }
}

/// Random damage through the whole import (issue 17): whenever the import fails, the
/// edition and its reports are as they were; when it succeeds, the edition holds what
/// the report says it kept. Deterministic (a fixed `SplitMix64` sequence), 24 files.
#[tokio::test]
async fn a_failed_import_of_a_damaged_file_changes_nothing() {
    let (app, dir, ul, et) = app_with_edition().await;
    let original = std::fs::read(&et).unwrap();
    let mut state = 17u64;
    let mut next = move |n: usize| {
        state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        ((z ^ (z >> 31)) % n as u64) as usize
    };
    let (mut failed, mut succeeded) = (0, 0);
    for case in 0..24 {
        let mut bytes = original.clone();
        for _ in 0..=next(3) {
            if bytes.is_empty() {
                break;
            }
            let at = next(bytes.len());
            match next(4) {
                0 => bytes.truncate(at),
                1 => {
                    let i = at.min(bytes.len() - 1);
                    bytes[i] ^= 1 + next(255) as u8;
                }
                2 => bytes.insert(at, [b'"', b',', b'\n'][next(3)]),
                _ => {
                    let (a, b) = (at, (at + 200).min(bytes.len()));
                    let copy = bytes[a..b].to_vec();
                    bytes.splice(a..a, copy);
                }
            }
        }
        let path = dir.path().join(format!("damaged-{case}.csv"));
        std::fs::write(&path, &bytes).unwrap();
        let before = app.db.establishment_count(2023).await.unwrap();
        let reports = app.db.import_reports(2023).await.unwrap().len();
        match app
            .import_sirene(2023, "2023-12-31", &ul, &path, None)
            .await
        {
            Err(_) => {
                failed += 1;
                assert_eq!(app.db.establishment_count(2023).await.unwrap(), before);
                assert_eq!(app.db.import_reports(2023).await.unwrap().len(), reports);
            }
            Ok(report) => {
                succeeded += 1;
                let f = &report.files[0];
                assert_eq!(
                    f.rows_read,
                    f.rows_kept + f.excluded_total() + f.rows_rejected
                );
                assert_eq!(
                    app.db.establishment_count(2023).await.unwrap(),
                    f.rows_kept as i64
                );
            }
        }
    }
    assert!(
        failed > 0 && succeeded > 0,
        "{failed} failed, {succeeded} succeeded"
    );
}

/// What staff read through the API (issue 17): a stored report's rejected row says, in
/// French, what was found, with its line and column.
#[tokio::test]
async fn a_stored_report_read_through_the_api_is_in_french_with_line_and_column() {
    let (app, dir, _, _) = app_with_edition().await;
    let mut rows = vec![scdl_row("30000000100001", "1000"); 20];
    rows[1] = rows[1].replace("2023-03-01", "2023-02-30");
    let csv = dir.path().join("subventions.csv");
    std::fs::write(&csv, scdl(&rows)).unwrap();
    ess_atlas::operations::import_subsidies(&app.db, 2023, csv)
        .await
        .unwrap();
    let reports = app.staff_json("/api/editions/2023/reports", 200).await;
    let items = reports["items"].as_array().unwrap();
    let subsidies = items
        .iter()
        .find(|r| r["report"]["kind"] == "subventions")
        .unwrap();
    let rejected = &subsidies["report"]["rejected"][0];
    assert_eq!(rejected["file"], "subventions.csv");
    assert_eq!(rejected["line"], 3);
    assert_eq!(rejected["field"], "dateConvention");
    let reason = rejected["reason"].as_str().unwrap();
    assert!(reason.contains("«\u{a0}2023-02-30\u{a0}»"), "{reason}");
    assert!(reason.contains("date impossible"), "{reason}");
    let message = rejected["message"].as_str().unwrap();
    assert!(
        message.starts_with("subventions.csv, ligne 3, colonne «\u{a0}dateConvention\u{a0}» : "),
        "{message}"
    );
    let verdict = subsidies["report"]["summary"]["verdict"].as_str().unwrap();
    assert!(verdict.contains("20 lignes lues"), "{verdict}");
}
