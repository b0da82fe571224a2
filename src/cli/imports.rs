//! `ess-atlas import …` and `ess-atlas subventions …`: run an import operation and
//! print its report; read back the subsidies' report and unmatched beneficiaries.

use anyhow::Context;

use super::{GlobalArgs, SireneArgs, SubsidyCommand};
use crate::db::Db;
use crate::import::plausibility::Mode;

/// The plausibility checks' mode: `--accept-drop` imports despite a refusal.
fn drop_mode(accept_drop: bool) -> Mode {
    if accept_drop {
        Mode::AcceptDrop
    } else {
        Mode::Check
    }
}

pub(super) async fn import_sirene(global: &GlobalArgs, args: SireneArgs) -> anyhow::Result<()> {
    let db = Db::connect(&global.database).await?;
    let geography =
        std::sync::Arc::new(crate::operations::load_geography(&db, &global.geodata).await?);
    let files = crate::import::sirene::SireneFiles {
        unites_legales: args.unites_legales,
        etablissements: args.etablissements,
        geolocalisation: args.geolocalisation,
    };
    let report = crate::operations::import_sirene_with(
        &db,
        geography,
        args.edition,
        args.reference_date,
        files,
        (args.demo, crate::import::progress::Watch::Terminal),
        drop_mode(args.accept_drop),
    )
    .await?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        println!("{}", report.one_line());
        print_issues("rejetée", report.rejected.iter().take(20));
        if report.rejected.len() > 20 {
            println!(
                "  … la suite : `ess-atlas edition report --year {}`",
                args.edition
            );
        }
    }
    Ok(())
}

/// `import observatoire`: the observatory's aggregates into an existing edition.
pub(super) async fn import_observatory(
    global: &GlobalArgs,
    edition: i64,
    file: std::path::PathBuf,
    accept_drop: bool,
) -> anyhow::Result<()> {
    let db = Db::connect(&global.database).await?;
    let geography =
        std::sync::Arc::new(crate::operations::load_geography(&db, &global.geodata).await?);
    let mode = drop_mode(accept_drop);
    let report =
        crate::operations::import_observatory_with(&db, geography, edition, file, mode).await?;
    println!("{}", report.one_line());
    print_issues("rejetée", &report.rejected);
    Ok(())
}

/// `import subventions`: the SCDL file into an existing edition, then the
/// beneficiaries not counted as ESS.
pub(super) async fn import_subsidies(
    global: &GlobalArgs,
    edition: i64,
    file: std::path::PathBuf,
    accept_drop: bool,
) -> anyhow::Result<()> {
    let db = Db::connect(&global.database).await?;
    let mode = drop_mode(accept_drop);
    let report = crate::operations::import_subsidies_with(&db, edition, file, mode).await?;
    print_subsidy_report(&report);
    print_unmatched(&db, edition).await
}

pub(super) fn print_subsidy_report(report: &crate::records::ImportReport) {
    println!("{}", report.one_line());
    for (key, label) in [
        ("lines_by_status", "lignes par statut"),
        ("granted_by_status", "euros attribués par statut"),
        ("lines_by_method", "lignes par méthode de rapprochement"),
        ("granted_total", "total attribué (€)"),
        ("ess_total", "dont ESS, quatre familles (€)"),
        (
            "ess_commercial_total",
            "dont sociétés commerciales de l’ESS (€)",
        ),
    ] {
        if let Some(v) = report.summary.get(key) {
            println!("  {label} ({key}) : {v}");
        }
    }
    print_issues("rejetée", &report.rejected);
    print_issues("avertissement", &report.warnings);
}

pub(super) async fn print_unmatched(db: &Db, year: i64) -> anyhow::Result<()> {
    let lines = db.subsidy_lines(year, &["unmatched", "non_ess"]).await?;
    println!(
        "{} bénéficiaires non comptés dans l’ESS (statut, nom, identifiant, montant \
         attribué, méthode, note) :",
        lines.len()
    );
    for l in lines {
        println!(
            "  ligne {}\t{}\t{}\t{}\t{}\t{}\t{}",
            l.line,
            l.status,
            l.beneficiary_name,
            l.beneficiary_id.or(l.rna).unwrap_or_default(),
            crate::import::french::euros(l.granted),
            l.match_method.unwrap_or_default(),
            l.note.unwrap_or_default()
        );
    }
    Ok(())
}

pub(super) async fn subsidies(global: &GlobalArgs, command: SubsidyCommand) -> anyhow::Result<()> {
    let db = Db::connect(&global.database).await?;
    let year = match command {
        SubsidyCommand::Report { year, .. } | SubsidyCommand::Unmatched { year } => year,
    };
    anyhow::ensure!(db.edition(year).await?.is_some(), "pas d’édition {year}");
    match command {
        SubsidyCommand::Report { json, .. } => {
            let report = db
                .import_reports(year)
                .await?
                .into_iter()
                .find(|r| r.report.kind == "subventions")
                .with_context(|| format!("l’édition {year} n’a pas d’import de subventions"))?;
            let tallies = db.subsidy_tallies(year).await?;
            if json {
                println!(
                    "{}",
                    serde_json::to_string_pretty(&serde_json::json!({
                        "report": report, "tallies": tallies,
                    }))?
                );
            } else {
                println!("importé le {}", report.finished_at);
                print_subsidy_report(&report.report);
                for t in tallies {
                    println!(
                        "  {}\t{}\t{} lignes\t{}",
                        t.status,
                        t.match_method.unwrap_or_default(),
                        t.lines,
                        crate::import::french::euros(t.granted)
                    );
                }
            }
            Ok(())
        }
        SubsidyCommand::Unmatched { .. } => print_unmatched(&db, year).await,
    }
}

/// One line per rejected row or warning:
/// `  rejetée : f.csv, ligne 9, colonne « dateConvention » : reason`.
fn print_issues<'a>(
    what: &str,
    issues: impl IntoIterator<Item = &'a crate::records::report::RowIssue>,
) {
    for issue in issues {
        println!("  {what} : {}", issue.message());
    }
}
