//! The import operations staff run (CLI, tests, demo loading): read a file with its
//! importer, off the async runtime, then replace the edition's data in one database
//! transaction. Structural problems abort before anything is written.
//!
//! Owns the orchestration only: reading and classifying rows is `import/`'s, writing
//! them is `db/`'s.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::Context;

use crate::db::Db;
use crate::geography::Geography;
use crate::import;
use crate::records;
use crate::time::today;

/// Imports SIRENE stock files into edition `year`, replacing its registry atomically.
///
/// `reference_date` defaults to the edition's own, else 31 December of `year` (or
/// today, for the current year). Structural problems abort before anything is written.
pub async fn import_sirene(
    db: &Db,
    geography: Arc<Geography>,
    year: i64,
    reference_date: Option<String>,
    files: import::sirene::SireneFiles,
    demo: bool,
    progress: bool,
) -> anyhow::Result<records::ImportReport> {
    let mode = import::plausibility::Mode::Check;
    let watch = if progress {
        import::progress::Watch::Terminal
    } else {
        import::progress::Watch::None
    };
    import_sirene_with(
        db,
        geography,
        year,
        reference_date,
        files,
        (demo, watch),
        mode,
    )
    .await
}

/// [`import_sirene`], with the plausibility checks in `mode`; `(demo, progress)`: the
/// edition is demonstration data, and where the reading reports its progress.
pub async fn import_sirene_with(
    db: &Db,
    geography: Arc<Geography>,
    year: i64,
    reference_date: Option<String>,
    files: import::sirene::SireneFiles,
    (demo, progress): (bool, import::progress::Watch),
    mode: import::plausibility::Mode,
) -> anyhow::Result<records::ImportReport> {
    let reference_date = match reference_date {
        Some(d) => d,
        None => match db.edition(year).await? {
            Some(e) => e.reference_date,
            None => default_reference_date(year),
        },
    };
    let mut sources = format!(
        "INSEE SIRENE: {}, {}",
        file_label(&files.unites_legales),
        file_label(&files.etablissements)
    );
    if let Some(g) = &files.geolocalisation {
        sources.push_str(", ");
        sources.push_str(&file_label(g));
    }
    let date = reference_date.clone();
    let data = tokio::task::spawn_blocking(move || {
        let data = import::sirene::read_sirene(&geography, year, &date, &files, &progress);
        if let Some(p) = progress.shared() {
            p.writing();
        }
        data
    })
    .await?
    .context("import SIRENE interrompu, rien n’a été modifié")?;
    let mut data = data;
    let previous = previous_report(db, year, "sirene").await?;
    import::plausibility::check(previous.as_ref(), &mut data.report, mode)?;
    // The edition's subsidies were matched against the registry being replaced: the
    // same transaction matches them again (see `Db::replace_registry`).
    let rematch = previous_report(db, year, "subventions")
        .await?
        .map(|previous| rematch_subsidies(&data, previous, &sources));
    db.replace_registry(year, &reference_date, &sources, demo, &data, rematch)
        .await
        .with_context(|| format!("impossible d’écrire l’édition {year} dans la base de données"))?;
    Ok(data.report)
}

/// How an edition's subsidy lines are matched again against `data`: the previous
/// subsidies report's file figures, the matching's new ones, and why it was redone.
fn rematch_subsidies(
    data: &records::sirene::SireneEdition,
    previous: records::ImportReport,
    sources: &str,
) -> crate::db::Rematch<'static> {
    let index =
        import::beneficiaries::BeneficiaryIndex::new(import::beneficiaries::registry_entries(data));
    let why = format!(
        "Rapprochement des bénéficiaires refait le {} avec le répertoire SIRENE réimporté \
         ({sources}) : les subventions suivent les établissements tels qu'ils sont désormais.",
        crate::time::french_date(&crate::time::today())
    );
    Box::new(move |lines| {
        let matched = import::beneficiaries::match_lines(&index, lines);
        let mut report = previous;
        import::beneficiaries::summarise(&mut report, &matched);
        report
            .summary
            .insert("rapprochement".into(), serde_json::json!(why));
        (matched, report)
    })
}

/// Imports the observatory's aggregates into an existing edition, atomically.
pub async fn import_observatory(
    db: &Db,
    geography: Arc<Geography>,
    year: i64,
    file: PathBuf,
) -> anyhow::Result<records::ImportReport> {
    let mode = import::plausibility::Mode::Check;
    import_observatory_with(db, geography, year, file, mode).await
}

/// [`import_observatory`], with the plausibility checks in `mode`.
pub async fn import_observatory_with(
    db: &Db,
    geography: Arc<Geography>,
    year: i64,
    file: PathBuf,
    mode: import::plausibility::Mode,
) -> anyhow::Result<records::ImportReport> {
    let (data, previous) = read_observatory_for(db, geography, year, file).await?;
    let mut data = data;
    import::plausibility::check(previous.as_ref(), &mut data.report, mode)?;
    anyhow::ensure!(
        db.replace_observatory(year, &data).await?,
        "l’édition {year} a été supprimée pendant l’import ; rien n’a été importé"
    );
    Ok(data.report)
}

/// What [`import_observatory_with`] does before the plausibility checks and the write:
/// the file read for an existing edition, and the report of the import it would replace.
async fn read_observatory_for(
    db: &Db,
    geography: Arc<Geography>,
    year: i64,
    file: PathBuf,
) -> anyhow::Result<(
    records::observatory::ObservatoryEdition,
    Option<records::ImportReport>,
)> {
    anyhow::ensure!(
        db.edition(year).await?.is_some(),
        "pas d’édition {year} : créez-la (ess-atlas edition create) ou importez d’abord ses \
         fichiers SIRENE (ess-atlas import sirene)"
    );
    let data = tokio::task::spawn_blocking(move || {
        import::observatory::read_observatory(&geography, year, &file)
    })
    .await?
    .context("import de l’observatoire interrompu, rien n’a été modifié")?;
    let previous = previous_report(db, year, "observatoire").await?;
    Ok((data, previous))
}

/// Imports the Département's SCDL subsidies file into an existing edition: reads it,
/// matches every beneficiary to the edition's registry (SIRET, SIREN, RNA) and
/// replaces the edition's subsidies atomically.
pub async fn import_subsidies(
    db: &Db,
    year: i64,
    file: PathBuf,
) -> anyhow::Result<records::ImportReport> {
    import_subsidies_with(db, year, file, import::plausibility::Mode::Check).await
}

/// [`import_subsidies`], with the plausibility checks in `mode`.
pub async fn import_subsidies_with(
    db: &Db,
    year: i64,
    file: PathBuf,
    mode: import::plausibility::Mode,
) -> anyhow::Result<records::ImportReport> {
    let (lines, report, previous) = read_subsidies_for(db, year, file).await?;
    let mut report = report;
    import::plausibility::check(previous.as_ref(), &mut report, mode)?;
    anyhow::ensure!(
        db.replace_subsidies(year, &lines, &report).await?,
        "l’édition {year} a été supprimée pendant l’import ; rien n’a été importé"
    );
    Ok(report)
}

/// What [`import_subsidies_with`] does before the plausibility checks and the write:
/// the file read and its beneficiaries matched against the edition's registry, and the
/// report of the import it would replace.
async fn read_subsidies_for(
    db: &Db,
    year: i64,
    file: PathBuf,
) -> anyhow::Result<(
    Vec<records::subsidies::MatchedLine>,
    records::ImportReport,
    Option<records::ImportReport>,
)> {
    anyhow::ensure!(
        db.edition(year).await?.is_some(),
        "pas d’édition {year} : importez d’abord ses fichiers SIRENE (ess-atlas import sirene)"
    );
    let entries = db.beneficiary_entries(year).await?;
    let (lines, report) = tokio::task::spawn_blocking(move || {
        let read = import::subsidies::read_subsidies(year, &file)?;
        let index = import::beneficiaries::BeneficiaryIndex::new(entries);
        let mut report = read.report;
        if index.is_empty() {
            report.warn(
                &read.name,
                0,
                "",
                format!(
                    "l’édition {year} n’a aucun établissement : aucun bénéficiaire ne peut être \
                     rapproché ; importez d’abord ses fichiers SIRENE"
                ),
            );
        }
        let lines = import::beneficiaries::match_lines(&index, read.lines);
        import::beneficiaries::summarise(&mut report, &lines);
        Ok::<_, import::ImportError>((lines, report))
    })
    .await?
    .context("import des subventions interrompu, rien n’a été modifié")?;
    let previous = previous_report(db, year, "subventions").await?;
    Ok((lines, report, previous))
}

/// What an import would do, found without writing anything (the preview staff confirm
/// in `/espace`): the report as the import would store it, why the plausibility checks
/// would refuse it, and, for subsidies, the lines that would not count as ESS.
#[derive(Debug)]
pub struct DryRun {
    pub report: records::ImportReport,
    /// `Some` when the import, run in the same mode, would be refused.
    pub refusal: Option<import::plausibility::Refusal>,
    /// Subsidies only: the lines unmatched or matched to a non-ESS organisation.
    pub not_counted: Vec<records::subsidies::MatchedLine>,
}

/// Runs [`import_subsidies_with`] up to the write, and writes nothing: the same reading,
/// matching and plausibility checks.
pub async fn dry_run_subsidies(
    db: &Db,
    year: i64,
    file: PathBuf,
    mode: import::plausibility::Mode,
) -> anyhow::Result<DryRun> {
    let (lines, mut report, previous) = read_subsidies_for(db, year, file).await?;
    let refusal = import::plausibility::check(previous.as_ref(), &mut report, mode).err();
    let not_counted = lines
        .into_iter()
        .filter(|m| m.status != records::subsidies::Status::Ess)
        .collect();
    Ok(DryRun {
        report,
        refusal,
        not_counted,
    })
}

/// Runs [`import_observatory_with`] up to the write, and writes nothing.
pub async fn dry_run_observatory(
    db: &Db,
    geography: Arc<Geography>,
    year: i64,
    file: PathBuf,
    mode: import::plausibility::Mode,
) -> anyhow::Result<DryRun> {
    let (mut data, previous) = read_observatory_for(db, geography, year, file).await?;
    let refusal = import::plausibility::check(previous.as_ref(), &mut data.report, mode).err();
    Ok(DryRun {
        report: data.report,
        refusal,
        not_counted: Vec::new(),
    })
}

/// The report of the last import of `kind` into edition `year`, the one a new import
/// replaces.
async fn previous_report(
    db: &Db,
    year: i64,
    kind: &str,
) -> anyhow::Result<Option<records::ImportReport>> {
    Ok(db
        .import_reports(year)
        .await?
        .into_iter()
        .map(|r| r.report)
        .find(|r| r.kind == kind))
}

fn file_label(path: &Path) -> String {
    path.file_name().map_or_else(
        || path.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    )
}

/// 31 December of `year`, or today when that is in the future.
#[must_use]
pub fn default_reference_date(year: i64) -> String {
    let today = today();
    let end = format!("{year:04}-12-31");
    if end > today { today } else { end }
}
