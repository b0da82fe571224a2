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
        (args.demo, true),
        drop_mode(args.accept_drop),
    )
    .await?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        println!("{}", report.one_line());
        print_issues("rejected", report.rejected.iter().take(20));
        if report.rejected.len() > 20 {
            println!("  … see `ess-atlas edition report --year {}`", args.edition);
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
    print_issues("rejected", &report.rejected);
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

pub(super) fn print_subsidy_report(report: &crate::import::ImportReport) {
    println!("{}", report.one_line());
    for key in [
        "lines_by_status",
        "granted_by_status",
        "lines_by_method",
        "granted_total",
        "ess_total",
        "ess_commercial_total",
    ] {
        if let Some(v) = report.summary.get(key) {
            println!("  {key}: {v}");
        }
    }
    print_issues("rejected", &report.rejected);
    print_issues("warning", &report.warnings);
}

pub(super) async fn print_unmatched(db: &Db, year: i64) -> anyhow::Result<()> {
    let lines = db.subsidy_lines(year, &["unmatched", "non_ess"]).await?;
    println!("{} beneficiaries not counted as ESS:", lines.len());
    for l in lines {
        println!(
            "  line {}\t{}\t{}\t{}\t{:.2} €\t{}\t{}",
            l.line,
            l.status,
            l.beneficiary_name,
            l.beneficiary_id.or(l.rna).unwrap_or_default(),
            l.granted,
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
    anyhow::ensure!(db.edition(year).await?.is_some(), "no edition {year}");
    match command {
        SubsidyCommand::Report { json, .. } => {
            let report = db
                .import_reports(year)
                .await?
                .into_iter()
                .find(|r| r.report.kind == "subventions")
                .with_context(|| format!("edition {year} has no subsidies import"))?;
            let tallies = db.subsidy_tallies(year).await?;
            if json {
                println!(
                    "{}",
                    serde_json::to_string_pretty(&serde_json::json!({
                        "report": report, "tallies": tallies,
                    }))?
                );
            } else {
                println!("imported {}", report.finished_at);
                print_subsidy_report(&report.report);
                for t in tallies {
                    println!(
                        "  {}\t{}\t{} lines\t{:.2} €",
                        t.status,
                        t.match_method.unwrap_or_default(),
                        t.lines,
                        t.granted
                    );
                }
            }
            Ok(())
        }
        SubsidyCommand::Unmatched { .. } => print_unmatched(&db, year).await,
    }
}

/// One line per rejected row or warning: `  rejected file:line [field] reason`.
fn print_issues<'a>(
    what: &str,
    issues: impl IntoIterator<Item = &'a crate::import::report::RowIssue>,
) {
    for issue in issues {
        println!(
            "  {what} {}:{} [{}] {}",
            issue.file, issue.line, issue.field, issue.reason
        );
    }
}
