//! The departmental compendium (« recueil »): one PDF with a cover, a table of
//! contents, a synthesis of the département and the portraits of its territories.
//!
//! Each territory's part is its [`Summary`] (same public figures as the fiches and
//! the API) with the qualitative sections of its *published* portrait; a territory
//! without one says « portrait non publié pour cette édition ». Generation runs from
//! the command line or in the background for staff ([`start`], polled through
//! [`status`]: progress and the PDF are kept in the database, so any instance behind a
//! load balancer answers for a generation another one runs).

use pulldown_cmark::{Event, Parser, Tag, TagEnd};
use serde::Serialize;

use super::{At, Cell, Context, Result, Row, Summary, Table, ZoneKind, public_cell};
use crate::db::{CompendiumJobRow, Db, Edition};
use crate::ess::category::Category;
use crate::geography::Level;

/// A portrait's qualitative part, as plain paragraphs.
#[derive(Debug, Clone, Serialize)]
pub struct PortraitText {
    pub title: String,
    pub paragraphs: Vec<String>,
}

/// One territory of the compendium.
#[derive(Debug, Clone, Serialize)]
pub struct Chapter {
    pub summary: Summary,
    pub published: bool,
    pub sections: Vec<PortraitText>,
}

/// A proposal of the CDESS for the département's plan, as the compendium prints it.
#[derive(Debug, Clone, Serialize)]
pub struct CdessItem {
    pub title: String,
    /// The session's date, in French (« 12 mars 2024 »).
    pub session: String,
    /// The title of the département's orientation it concerns, when published.
    pub orientation: String,
    pub paragraphs: Vec<String>,
}

/// The CDESS's proposals of `edition`, by session.
async fn cdess_items(db: &Db, edition: i64) -> Result<Vec<CdessItem>> {
    let mut out = Vec::new();
    for p in db.cdess_proposals(Some(edition)).await? {
        let orientation = match p.orientation_id {
            Some(id) => db
                .orientation(id, true)
                .await?
                .map(|o| o.fields.title)
                .unwrap_or_default(),
            None => String::new(),
        };
        out.push(CdessItem {
            title: p.title,
            session: super::format::fr_date(&p.session_on),
            orientation,
            paragraphs: plain_paragraphs(&p.body),
        });
    }
    Ok(out)
}

/// What the compendium template receives.
#[derive(Debug, Clone, Serialize)]
pub struct Recueil {
    /// Who publishes it, and the day it was made (cover, header, ODT).
    pub publication: super::publisher::Publication,
    pub department_name: String,
    pub edition: i64,
    pub reference_date: String,
    pub demo: bool,
    pub source_label: &'static str,
    pub department: Table,
    pub territories: Table,
    pub chapters: Vec<Chapter>,
    /// « Propositions du CDESS »: its own section, after the territories.
    pub cdess: Vec<CdessItem>,
    pub notes: Vec<&'static str>,
}

/// Markdown to plain paragraphs (list items start with « • »): the PDF shows the
/// portrait's text, not its markup.
#[must_use]
pub fn plain_paragraphs(markdown: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current = String::new();
    for event in Parser::new(markdown) {
        match event {
            Event::Start(Tag::Item) => current.push_str("• "),
            Event::Text(t) | Event::Code(t) => current.push_str(&t),
            Event::SoftBreak | Event::HardBreak => current.push(' '),
            Event::End(TagEnd::Paragraph | TagEnd::Item | TagEnd::Heading(_)) => {
                let p = current.trim().to_owned();
                if !p.is_empty() {
                    out.push(p);
                }
                current.clear();
            }
            _ => {}
        }
    }
    let p = current.trim();
    if !p.is_empty() {
        out.push(p.to_owned());
    }
    out
}

fn portrait_texts(sections: &serde_json::Value) -> Vec<PortraitText> {
    let parsed: crate::portraits::PortraitSections =
        serde_json::from_value(sections.clone()).unwrap_or_default();
    let mut out = vec![
        PortraitText {
            title: "Jeux d'acteurs".into(),
            paragraphs: plain_paragraphs(&parsed.jeux_acteurs),
        },
        PortraitText {
            title: "Dynamiques de projets".into(),
            paragraphs: plain_paragraphs(&parsed.dynamiques_projets),
        },
    ];
    out.extend(parsed.free_sections.iter().map(|s| PortraitText {
        title: s.title.clone(),
        paragraphs: plain_paragraphs(&s.body),
    }));
    out.retain(|s| !s.paragraphs.is_empty());
    out
}

/// Gathers the compendium's data; `progress(done, total)` after each step.
pub async fn build(
    state: &Context,
    edition: &Edition,
    progress: &(dyn Fn(usize, usize) + Send + Sync),
) -> Result<Recueil> {
    let g = &state.geography;
    let total = g.territories.len() + 2;
    let cube = state.cubes.get(&state.db, g, edition).await?;
    let department = At::department(&cube, g);
    let key_rows: Vec<Row> = crate::indicators::catalogue::CATALOGUE
        .iter()
        .filter(|i| !i.needs_category)
        .map(|i| Row {
            id: i.id.into(),
            label: i.label.into(),
            unit: i.unit,
            decimals: i.decimals,
            cells: vec![public_cell(&cube, i, &department, Category::Total)],
        })
        .collect();
    let ids = [
        "ess_establishments",
        "ess_jobs",
        "ess_share_jobs",
        "ess_subsidies",
    ];
    let territories =
        Table {
            id: "territoires",
            title: "Les territoires".into(),
            columns: std::iter::once("Population".to_owned())
                .chain(ids.iter().map(|i| super::indicator(i).label.to_owned()))
                .collect(),
            rows: g
                .territories
                .iter()
                .enumerate()
                .map(|(i, t)| {
                    let at = At::zone(&cube, Level::Territory, i, &t.zone);
                    Row {
                        id: t.zone.code.clone(),
                        label: t.zone.name.clone(),
                        unit: "",
                        decimals: 0,
                        cells: std::iter::once(Cell {
                            value: Some(t.zone.population as f64),
                            secret: false,
                            text: super::format::fr_number(t.zone.population as f64, 0),
                            unit: "habitants",
                            decimals: 0,
                        })
                        .chain(ids.iter().map(|id| {
                            public_cell(&cube, super::indicator(id), &at, Category::Total)
                        }))
                        .collect(),
                    }
                })
                .collect(),
        };
    progress(1, total);
    let publication = state.publisher.publication(&crate::time::today());
    let portraits = state.db.portraits(None, Some(edition.year), true).await?;
    let mut chapters = Vec::with_capacity(g.territories.len());
    for (i, t) in g.territories.iter().enumerate() {
        let mut summary = super::build(state, ZoneKind::Territory, &t.zone.code, edition).await?;
        summary.publication = publication.clone();
        let portrait = portraits.iter().find(|p| p.territory == t.zone.code);
        chapters.push(Chapter {
            summary,
            published: portrait.is_some(),
            sections: portrait
                .map(|p| portrait_texts(&p.sections))
                .unwrap_or_default(),
        });
        progress(i + 2, total);
    }
    Ok(Recueil {
        publication,
        department_name: g.department.name.clone(),
        edition: edition.year,
        reference_date: super::format::fr_date(&edition.reference_date),
        demo: edition.demo,
        source_label: crate::indicators::labels::source_label(&cube),
        department: Table {
            id: "departement",
            title: "Chiffres clés du département".into(),
            columns: vec![g.department.name.clone()],
            rows: key_rows,
        },
        territories,
        chapters,
        cdess: cdess_items(&state.db, edition.year).await?,
        notes: super::notes(),
    })
}

/// Builds and typesets the compendium of `edition`.
pub async fn render(
    state: &Context,
    edition: &Edition,
    progress: &(dyn Fn(usize, usize) + Send + Sync),
) -> Result<Vec<u8>> {
    let data = build(state, edition, progress).await?;
    let total = data.chapters.len() + 2;
    let files = state.publisher.files();
    let pdf = tokio::task::spawn_blocking(move || {
        super::pdf::render_with(super::pdf::RECUEIL_TEMPLATE, &data, &files)
    })
    .await
    .map_err(|e| super::SummaryError::Render {
        format: "PDF",
        message: e.to_string(),
    })??;
    progress(total, total);
    Ok(pdf)
}

/// The state of one background generation, as staff see it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct JobStatus {
    pub id: String,
    pub edition: i64,
    pub done: i64,
    pub total: i64,
    /// `running`, `done` or `failed`.
    pub status: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// A running generation whose instance has written nothing for this long stopped
/// (restarted, killed): it is reported failed. Progress is written at least once per
/// territory, which takes well under a second.
const STALE_AFTER_SECS: i64 = 600;

impl JobStatus {
    fn of(row: CompendiumJobRow, now: i64) -> Self {
        let stale = row.status == "running"
            && row.updated_at < crate::time::iso_from_unix(now - STALE_AFTER_SECS);
        Self {
            id: row.id,
            edition: row.edition,
            done: row.done,
            total: row.total,
            status: if stale { "failed".into() } else { row.status },
            error: if stale {
                Some("génération interrompue (serveur arrêté) : relancez-la".into())
            } else {
                row.error
            },
        }
    }
}

/// Whether `id` can be a generation's id (32 hex digits), before asking the database.
#[must_use]
pub fn is_job_id(id: &str) -> bool {
    id.len() == 32 && id.bytes().all(|b| b.is_ascii_hexdigit())
}

/// Starts generating `edition`'s compendium in the background, on this instance;
/// progress and the PDF go to the database, where any instance reads them.
pub async fn start(state: Context, edition: Edition, started_by: &str) -> Result<JobStatus> {
    let mut bytes = [0_u8; 16];
    getrandom::fill(&mut bytes).map_err(|e| super::SummaryError::Render {
        format: "PDF",
        message: format!("no random source: {e}"),
    })?;
    let id = crate::auth::session::hex(&bytes);
    let total = (state.geography.territories.len() + 2) as i64;
    let year = edition.year;
    let db = state.db.clone();
    db.insert_compendium_job(&id, year, total, started_by, &crate::time::now_utc())
        .await?;
    let job = id.clone();
    tokio::spawn(async move {
        // The layout reports progress synchronously; a writer task stores the latest.
        let (tx, mut rx) = tokio::sync::watch::channel((0_usize, total as usize));
        let writer_db = db.clone();
        let writer_job = job.clone();
        let writer = tokio::spawn(async move {
            while rx.changed().await.is_ok() {
                let (done, total) = *rx.borrow_and_update();
                if let Err(e) = writer_db
                    .compendium_progress(
                        &writer_job,
                        done as i64,
                        total as i64,
                        &crate::time::now_utc(),
                    )
                    .await
                {
                    tracing::warn!("compendium {writer_job}: progress not stored: {e}");
                }
            }
        });
        let progress = move |done: usize, total: usize| {
            tx.send_replace((done, total));
        };
        let result = render(&state, &edition, &progress).await;
        drop(progress);
        let _ = writer.await;
        let message;
        let outcome = match &result {
            Ok(pdf) => Ok(pdf.as_slice()),
            Err(e) => {
                tracing::error!("compendium {job} failed: {e}");
                message = e.to_string();
                Err(message.as_str())
            }
        };
        if let Err(e) = db
            .compendium_finished(&job, outcome, &crate::time::now_utc())
            .await
        {
            tracing::error!("compendium {job}: result not stored: {e}");
        }
    });
    Ok(JobStatus {
        id,
        edition: year,
        done: 0,
        total,
        status: "running".into(),
        error: None,
    })
}

/// A generation's state, whichever instance runs it.
pub async fn status(db: &Db, id: &str) -> Result<Option<JobStatus>> {
    if !is_job_id(id) {
        return Ok(None);
    }
    Ok(db
        .compendium_job(id)
        .await?
        .map(|row| JobStatus::of(row, crate::time::unix_now())))
}

/// The PDF of a finished generation.
pub async fn pdf(db: &Db, id: &str) -> Result<Option<Vec<u8>>> {
    if !is_job_id(id) {
        return Ok(None);
    }
    Ok(db.compendium_pdf(id).await?)
}

#[cfg(test)]
mod tests {
    use super::plain_paragraphs;

    #[test]
    fn markdown_becomes_plain_paragraphs() {
        let p = plain_paragraphs(
            "Un **réseau** dense.\n\n- tiers-lieu\n- *épicerie*\n\n## Titre\nSuite",
        );
        assert_eq!(
            p,
            vec![
                "Un réseau dense.",
                "• tiers-lieu",
                "• épicerie",
                "Titre",
                "Suite"
            ]
        );
    }
}
