//! The departmental compendium (« recueil »): one PDF with a cover, a table of
//! contents, a synthesis of the département and the portraits of its territories.
//!
//! Each territory's part is its [`Summary`] (same public figures as the fiches and
//! the API) with the qualitative sections of its *published* portrait; a territory
//! without one says « portrait non publié pour cette édition ». Generation runs from
//! the command line or in the background for staff ([`Jobs`], polled for progress).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use pulldown_cmark::{Event, Parser, Tag, TagEnd};
use serde::Serialize;

use super::{At, Cell, Context, Result, Row, Summary, Table, ZoneKind, public_cell};
use crate::db::Edition;
use crate::geography::Level;
use crate::indicators::cube::Category;

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

/// What the compendium template receives.
#[derive(Debug, Clone, Serialize)]
pub struct Recueil {
    pub department_name: String,
    pub edition: i64,
    pub reference_date: String,
    pub demo: bool,
    pub source_label: &'static str,
    pub department: Table,
    pub territories: Table,
    pub chapters: Vec<Chapter>,
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
    let department = At {
        index: cube.space.index(Level::Department, 0),
        zone: None,
        name: &g.department.name,
        population: g.department.population,
    };
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
                    let at = At {
                        index: cube.space.index(Level::Territory, i),
                        zone: Some(&t.zone),
                        name: &t.zone.name,
                        population: t.zone.population,
                    };
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
    let portraits = state.db.portraits(None, Some(edition.year), true).await?;
    let mut chapters = Vec::with_capacity(g.territories.len());
    for (i, t) in g.territories.iter().enumerate() {
        let summary = super::build(state, ZoneKind::Territory, &t.zone.code, edition).await?;
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
        department_name: g.department.name.clone(),
        edition: edition.year,
        reference_date: edition.reference_date.clone(),
        demo: edition.demo,
        source_label: super::source_label(&cube),
        department: Table {
            id: "departement",
            title: "Chiffres clés du département".into(),
            columns: vec![g.department.name.clone()],
            rows: key_rows,
        },
        territories,
        chapters,
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
    let pdf = tokio::task::spawn_blocking(move || {
        super::pdf::render(super::pdf::RECUEIL_TEMPLATE, &data)
    })
    .await
    .map_err(|e| super::SummaryError::Render {
        format: "PDF",
        message: e.to_string(),
    })??;
    progress(total, total);
    Ok(pdf)
}

/// The state of one background generation.
#[derive(Debug, Clone, Serialize)]
pub struct JobStatus {
    pub id: u64,
    pub edition: i64,
    pub done: usize,
    pub total: usize,
    /// `running`, `done` or `failed`.
    pub status: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    #[serde(skip)]
    pub pdf: Option<Arc<Vec<u8>>>,
}

/// Background generations, kept in memory until the server stops (the last few).
#[derive(Default)]
pub struct Jobs {
    inner: Mutex<(u64, HashMap<u64, JobStatus>)>,
}

/// How many finished generations are kept.
const KEEP: usize = 8;

impl Jobs {
    fn update(&self, id: u64, f: impl FnOnce(&mut JobStatus)) {
        if let Ok(mut guard) = self.inner.lock()
            && let Some(job) = guard.1.get_mut(&id)
        {
            f(job);
        }
    }

    #[must_use]
    pub fn get(&self, id: u64) -> Option<JobStatus> {
        self.inner.lock().ok()?.1.get(&id).cloned()
    }

    /// Starts generating `edition`'s compendium in the background; returns its id.
    #[must_use]
    pub fn start(self: &Arc<Self>, state: Context, edition: Edition) -> u64 {
        let total = state.geography.territories.len() + 2;
        let id = match self.inner.lock() {
            Ok(mut guard) => {
                guard.0 += 1;
                let id = guard.0;
                if guard.1.len() >= KEEP
                    && let Some(&oldest) = guard.1.keys().min()
                {
                    guard.1.remove(&oldest);
                }
                guard.1.insert(
                    id,
                    JobStatus {
                        id,
                        edition: edition.year,
                        done: 0,
                        total,
                        status: "running",
                        error: None,
                        pdf: None,
                    },
                );
                id
            }
            Err(_) => return 0,
        };
        let jobs = Arc::clone(self);
        tokio::spawn(async move {
            let progress_jobs = Arc::clone(&jobs);
            let progress = move |done: usize, total: usize| {
                progress_jobs.update(id, |j| {
                    j.done = done;
                    j.total = total;
                });
            };
            let result = render(&state, &edition, &progress).await;
            jobs.update(id, |j| match result {
                Ok(pdf) => {
                    j.status = "done";
                    j.done = j.total;
                    j.pdf = Some(Arc::new(pdf));
                }
                Err(e) => {
                    tracing::error!("compendium {id} failed: {e}");
                    j.status = "failed";
                    j.error = Some(e.to_string());
                }
            });
        });
        id
    }
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
