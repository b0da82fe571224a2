//! Territory portraits: the qualitative sections, the orientations and actions of the
//! plan, and the validation workflow (BRIEF rules 9 and 10).
//!
//! This module checks what staff submit (lengths, known territories, EPCI and
//! indicators, dates, budgets, statuses) and renders the Markdown. It stores nothing
//! (`db::portraits`) and knows nothing of HTTP. The portrait's figures are never
//! written here: the quantitative block is read from the indicators.

pub mod markdown;
pub mod workflow;

use serde::{Deserialize, Serialize};

use crate::db::{ActionFields, OrientationFields};
use crate::geography::Geography;

/// Longest Markdown section, in characters.
pub const MAX_SECTION_CHARS: usize = 50_000;
/// Most free sections in one portrait.
pub const MAX_FREE_SECTIONS: usize = 20;
const MAX_TITLE_CHARS: usize = 300;
const MAX_TEXT_CHARS: usize = 20_000;
const MAX_LIST: usize = 100;

/// The qualitative sections, in Markdown.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PortraitSections {
    /// « Jeux d'acteurs ».
    #[serde(default)]
    pub jeux_acteurs: String,
    /// « Dynamiques de projets ».
    #[serde(default)]
    pub dynamiques_projets: String,
    #[serde(default)]
    pub free_sections: Vec<FreeSection>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FreeSection {
    pub title: String,
    #[serde(default)]
    pub body: String,
}

/// The sections rendered to safe HTML.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct RenderedSections {
    pub jeux_acteurs: String,
    pub dynamiques_projets: String,
    pub free_sections: Vec<RenderedFree>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct RenderedFree {
    /// Plain text: insert it as text, never as HTML.
    pub title: String,
    pub html: String,
}

/// A refused input, with a French message for the person who typed it.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct InvalidInput(pub String);

type Result<T> = std::result::Result<T, InvalidInput>;

fn invalid<T>(message: impl Into<String>) -> Result<T> {
    Err(InvalidInput(message.into()))
}

fn check_len(what: &str, text: &str, max: usize) -> Result<()> {
    let n = text.chars().count();
    if n > max {
        return invalid(format!("{what} : {n} caractères, {max} au plus"));
    }
    Ok(())
}

fn check_title(what: &str, text: &str) -> Result<()> {
    if text.trim().is_empty() {
        return invalid(format!("{what} : obligatoire"));
    }
    check_len(what, text, MAX_TITLE_CHARS)
}

impl PortraitSections {
    pub fn validate(&self) -> Result<()> {
        check_len("jeux d'acteurs", &self.jeux_acteurs, MAX_SECTION_CHARS)?;
        check_len(
            "dynamiques de projets",
            &self.dynamiques_projets,
            MAX_SECTION_CHARS,
        )?;
        if self.free_sections.len() > MAX_FREE_SECTIONS {
            return invalid(format!("{MAX_FREE_SECTIONS} sections libres au plus"));
        }
        for (i, s) in self.free_sections.iter().enumerate() {
            check_title(&format!("titre de la section libre {}", i + 1), &s.title)?;
            check_len(
                &format!("section libre {}", i + 1),
                &s.body,
                MAX_SECTION_CHARS,
            )?;
        }
        Ok(())
    }

    #[must_use]
    pub fn render(&self) -> RenderedSections {
        RenderedSections {
            jeux_acteurs: markdown::render(&self.jeux_acteurs),
            dynamiques_projets: markdown::render(&self.dynamiques_projets),
            free_sections: self
                .free_sections
                .iter()
                .map(|s| RenderedFree {
                    title: s.title.clone(),
                    html: markdown::render(&s.body),
                })
                .collect(),
        }
    }
}

/// Is `code` a territory of the geography or the département itself?
#[must_use]
pub fn is_plan_scope(geography: &Geography, code: &str) -> bool {
    code == geography.department.code || geography.territory(code).is_some()
}

/// Checks an orientation; the edition's existence is checked by the caller.
pub fn validate_orientation(geography: &Geography, f: &OrientationFields) -> Result<()> {
    if !is_plan_scope(geography, &f.territory) {
        return invalid(format!(
            "territoire {:?} inconnu (un code de territoire ou {:?} pour le département)",
            f.territory, geography.department.code
        ));
    }
    if !(1900..=2200).contains(&f.period_start) || !(1900..=2200).contains(&f.period_end) {
        return invalid("période : des années entre 1900 et 2200 sont attendues");
    }
    if f.period_start > f.period_end {
        return invalid(format!(
            "période : {} est après {}",
            f.period_start, f.period_end
        ));
    }
    check_title("titre", &f.title)?;
    check_len("description", &f.description, MAX_TEXT_CHARS)
}

/// The action statuses with their French labels.
pub const ACTION_STATUSES: [(&str, &str); 5] = [
    ("a_venir", "à venir"),
    ("en_cours", "en cours"),
    ("realise", "réalisé"),
    ("en_pause", "en pause"),
    ("abandonne", "abandonné"),
];

/// Largest amount of one budget line (planned or actual, one year): a billion euros,
/// far above any action of a Département's ESS plan, far below what floats misprint.
pub const MAX_BUDGET_EUROS: f64 = 1_000_000_000.0;

/// Checks an action's own fields; its orientation is checked by the caller.
pub fn validate_action(geography: &Geography, f: &ActionFields) -> Result<()> {
    check_title("titre", &f.title)?;
    check_len("description", &f.description, MAX_TEXT_CHARS)?;
    check_len("pilote", &f.pilot, MAX_TITLE_CHARS)?;
    if !ACTION_STATUSES.iter().any(|(s, _)| *s == f.status) {
        return invalid(format!(
            "statut {:?} inconnu : a_venir, en_cours, realise, en_pause ou abandonne",
            f.status
        ));
    }
    if f.epci.len() > MAX_LIST || f.partners.len() > MAX_LIST || f.indicators.len() > MAX_LIST {
        return invalid(format!("{MAX_LIST} éléments au plus par liste"));
    }
    for siren in &f.epci {
        if geography.epci_by_siren(siren).is_none() {
            return invalid(format!("EPCI {siren:?} inconnu"));
        }
    }
    for p in &f.partners {
        check_title("partenaire", p)?;
    }
    for id in &f.indicators {
        if crate::indicators::catalogue::find(id).is_none() {
            return invalid(format!("indicateur {id:?} inconnu"));
        }
    }
    for d in [&f.start_date, &f.end_date].into_iter().flatten() {
        if !crate::time::is_iso_date(d) {
            return invalid(format!("date {d:?} : AAAA-MM-JJ attendu"));
        }
    }
    if let (Some(s), Some(e)) = (&f.start_date, &f.end_date)
        && s > e
    {
        return invalid(format!("la date de fin {e} précède la date de début {s}"));
    }
    if f.budgets.len() > MAX_LIST {
        return invalid(format!("{MAX_LIST} années de budget au plus"));
    }
    let mut years = std::collections::BTreeSet::new();
    for b in &f.budgets {
        if !(1900..=2200).contains(&b.year) || !years.insert(b.year) {
            return invalid(format!("budget : année {} invalide ou en double", b.year));
        }
        for v in [b.planned, b.actual].into_iter().flatten() {
            if !v.is_finite() || v < 0.0 {
                return invalid(format!("budget {} : montant {v} invalide", b.year));
            }
            if v > MAX_BUDGET_EUROS {
                return invalid(format!(
                    "budget {} : {v} € dépasse le plafond d'un milliard d'euros par année",
                    b.year
                ));
            }
            // Two decimals at most (cents): 12.345 is a typing error, not a budget.
            if ((v * 100.0).round() - v * 100.0).abs() > 1e-6 {
                return invalid(format!(
                    "budget {} : {v} € n'est pas un montant au centime près",
                    b.year
                ));
            }
        }
    }
    Ok(())
}
