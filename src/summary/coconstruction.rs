//! How a territory's portrait was co-constructed (issue 20, the project sheet's
//! condition of success): the paragraph every fiche (HTML, PDF, ODT, XLSX) and the
//! compendium print, built once here and only formatted by the renderers.
//!
//! It says which public consultations the territory held for the edition, with their
//! dates, how many contributions were accepted, which organisations contributed (the
//! registry's name and family when it recognises the SIRET given, else the name as
//! typed; never a person), and credits the partners' accepted proposals. Read: only
//! accepted contributions ([`Db::accepted_contributions`]) and accepted proposals of a
//! published portrait ([`Db::partner_credits`] with `published_only`, the public's
//! view): a declined, pending or spam contribution, an e-mail or an author's name
//! never reach a document.

use serde::Serialize;

use super::format::fr_date;
use crate::db::{AcceptedContribution, ConsultationRow, Db, DbError, PartnerCredit};
use crate::ess::Family;

/// One consultation of the territory.
#[derive(Debug, Clone, Serialize)]
pub struct ConsultationLine {
    /// « du 3 mars 2025 au 31 mars 2025 ».
    pub dates: String,
    pub open: bool,
    pub accepted: usize,
    /// The line as printed.
    pub text: String,
}

/// A contributing organisation.
#[derive(Debug, Clone, Serialize)]
pub struct OrganisationLine {
    pub name: String,
    /// The family, singular (« Association »), when the registry recognised it.
    pub family: String,
    /// « Nom (Association) ».
    pub text: String,
}

/// A partner organisation and what of its proposals was retained.
#[derive(Debug, Clone, Serialize)]
pub struct PartnerLine {
    pub organisation: String,
    pub items: Vec<String>,
    /// « CRESS Hauts-de-France : action « … » (retenue le 4 avril 2024) ».
    pub text: String,
}

/// The co-construction of one territory's portrait for one edition.
#[derive(Debug, Clone, Serialize, Default)]
pub struct Coconstruction {
    /// The paragraph's sentence, printed first.
    pub text: String,
    pub consultations: Vec<ConsultationLine>,
    /// Accepted contributions, all consultations together.
    pub accepted: usize,
    pub organisations: Vec<OrganisationLine>,
    pub partners: Vec<PartnerLine>,
}

impl Coconstruction {
    /// Whether anything was co-constructed (else only the sentence saying so).
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.consultations.is_empty() && self.partners.is_empty()
    }
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n}\u{a0}{}", if n > 1 { many } else { one })
}

fn section_label(credit: &PartnerCredit) -> String {
    match credit.section.as_deref() {
        Some("jeux_acteurs") => "Jeux d'acteurs".to_owned(),
        Some("dynamiques_projets") => "Dynamiques de projets".to_owned(),
        _ => credit.title.clone(),
    }
}

fn credit_item(credit: &PartnerCredit) -> String {
    let what = match credit.kind.as_str() {
        "section" => format!("texte du portrait « {} »", section_label(credit)),
        "orientation" => format!("orientation « {} »", credit.title),
        "action" => format!("action « {} »", credit.title),
        _ => format!("commentaire « {} »", credit.title),
    };
    if credit.accepted_on.is_empty() {
        what
    } else {
        format!("{what} (retenue le {})", fr_date(&credit.accepted_on))
    }
}

/// The contributing organisations, each once (case ignored), in order of contribution.
fn organisations_of(contributions: &[AcceptedContribution]) -> Vec<OrganisationLine> {
    let mut organisations: Vec<OrganisationLine> = Vec::new();
    for a in contributions {
        let name = a
            .registry_name
            .as_deref()
            .unwrap_or(&a.organisation)
            .trim()
            .to_owned();
        if name.is_empty()
            || organisations
                .iter()
                .any(|o| o.name.to_lowercase() == name.to_lowercase())
        {
            continue;
        }
        let family = a
            .family
            .as_deref()
            .and_then(Family::from_id)
            .map_or("", Family::singular)
            .to_owned();
        let text = if family.is_empty() {
            name.clone()
        } else {
            format!("{name} ({family})")
        };
        organisations.push(OrganisationLine { name, family, text });
    }
    organisations
}

/// The partners' accepted proposals, grouped by organisation.
fn partners_of(credits: &[PartnerCredit]) -> Vec<PartnerLine> {
    let mut partners: Vec<PartnerLine> = Vec::new();
    for credit in credits {
        let item = credit_item(credit);
        match partners
            .iter_mut()
            .find(|p| p.organisation == credit.organisation)
        {
            Some(p) => p.items.push(item),
            None => partners.push(PartnerLine {
                organisation: credit.organisation.clone(),
                items: vec![item],
                text: String::new(),
            }),
        }
    }
    for p in &mut partners {
        p.text = format!("{} : {}.", p.organisation, p.items.join(" ; "));
    }
    partners
}

/// Assembles the paragraph of `territory_name` from what the database holds (pure:
/// the unit tests call it directly).
#[must_use]
pub fn assemble(
    territory_name: &str,
    consultations: &[ConsultationRow],
    contributions: &[AcceptedContribution],
    credits: &[PartnerCredit],
) -> Coconstruction {
    let consultations: Vec<ConsultationLine> = consultations
        .iter()
        .map(|c| {
            let accepted = contributions
                .iter()
                .filter(|a| a.consultation_id == c.id)
                .count();
            let dates = format!("du {} au {}", fr_date(&c.starts_on), fr_date(&c.ends_on));
            let open = c.status == "ouverte";
            let text = format!(
                "Consultation publique {dates}{} : {}.",
                if open { " (en cours)" } else { "" },
                plural(accepted, "contribution acceptée", "contributions acceptées")
            );
            ConsultationLine {
                dates,
                open,
                accepted,
                text,
            }
        })
        .collect();
    let organisations = organisations_of(contributions);
    let partners = partners_of(credits);
    let accepted = contributions.len();
    let text = if consultations.is_empty() && partners.is_empty() {
        format!(
            "Pas encore de consultation publique ni de proposition de partenaire retenue pour \
             le portrait du territoire {territory_name} dans cette édition."
        )
    } else {
        let mut parts = Vec::new();
        if !consultations.is_empty() {
            parts.push(format!(
                "{} ({} de {})",
                plural(
                    consultations.len(),
                    "consultation publique",
                    "consultations publiques"
                ),
                plural(accepted, "contribution acceptée", "contributions acceptées"),
                plural(organisations.len(), "organisation", "organisations")
            ));
        }
        let retained: usize = partners.iter().map(|p| p.items.len()).sum();
        if retained > 0 {
            parts.push(format!(
                "{} ({})",
                plural(
                    retained,
                    "proposition de partenaire retenue",
                    "propositions de partenaires retenues"
                ),
                plural(partners.len(), "réseau", "réseaux")
            ));
        }
        format!(
            "Le portrait du territoire {territory_name} a été co-construit avec les acteurs de \
             l'ESS : {}.",
            parts.join(" ; ")
        )
    };
    Coconstruction {
        text,
        consultations,
        accepted,
        organisations,
        partners,
    }
}

/// Reads and assembles the co-construction of `territory`'s portrait for `edition`,
/// as the public may see it.
pub async fn build(
    db: &Db,
    territory: &str,
    territory_name: &str,
    edition: i64,
) -> Result<Coconstruction, DbError> {
    let mut consultations = db.consultations(Some(territory)).await?;
    consultations.retain(|c| c.edition == edition);
    // Oldest first, as a reader follows them.
    consultations.sort_by(|a, b| (&a.starts_on, a.id).cmp(&(&b.starts_on, b.id)));
    let contributions = db.accepted_contributions(territory, edition).await?;
    let credits = db
        .partner_credits(Some(territory), Some(edition), true)
        .await?;
    Ok(assemble(
        territory_name,
        &consultations,
        &contributions,
        &credits,
    ))
}

#[cfg(test)]
mod tests {
    use super::assemble;
    use crate::db::{AcceptedContribution, ConsultationRow, PartnerCredit};

    fn consultation(id: i64, status: &str) -> ConsultationRow {
        ConsultationRow {
            id,
            territory: "ARR".into(),
            edition: 2023,
            starts_on: "2024-03-01".into(),
            ends_on: "2024-03-31".into(),
            introduction: String::new(),
            status: status.into(),
            created_at: String::new(),
            closed_at: None,
        }
    }

    fn accepted(
        consultation_id: i64,
        organisation: &str,
        registry: Option<(&str, &str)>,
    ) -> AcceptedContribution {
        AcceptedContribution {
            consultation_id,
            organisation: organisation.into(),
            registry_name: registry.map(|r| r.0.to_owned()),
            family: registry.map(|r| r.1.to_owned()),
        }
    }

    #[test]
    fn organisations_are_named_once_with_their_family_and_partners_credited() {
        let credit = PartnerCredit {
            id: 1,
            territory: "ARR".into(),
            edition: 2023,
            kind: "action".into(),
            section: None,
            orientation_id: Some(1),
            action_id: Some(2),
            title: "Tiers-lieu".into(),
            body: String::new(),
            organisation: "CRESS".into(),
            accepted_on: "2024-04-04".into(),
        };
        let c = assemble(
            "Arrageois",
            &[consultation(7, "close")],
            &[
                accepted(7, "La Ruche", Some(("LA RUCHE ARRAS", "association"))),
                accepted(7, "la ruche arras", None),
                accepted(7, "", None),
                accepted(7, "Coop du coin", None),
            ],
            &[credit],
        );
        assert_eq!(c.accepted, 4);
        let names: Vec<&str> = c.organisations.iter().map(|o| o.text.as_str()).collect();
        assert_eq!(names, ["LA RUCHE ARRAS (Association)", "Coop du coin"]);
        assert_eq!(
            c.consultations[0].text,
            "Consultation publique du 1er\u{a0}mars 2024 au 31\u{a0}mars 2024 : 4\u{a0}contributions acceptées."
        );
        assert_eq!(
            c.partners[0].text,
            "CRESS : action « Tiers-lieu » (retenue le 4\u{a0}avril 2024)."
        );
        assert!(
            c.text
                .starts_with("Le portrait du territoire Arrageois a été co-construit")
        );
        assert!(
            c.text.contains("1\u{a0}proposition de partenaire retenue"),
            "{}",
            c.text
        );
    }

    #[test]
    fn nothing_co_constructed_says_so() {
        let c = assemble("Arrageois", &[], &[], &[]);
        assert!(c.is_empty());
        assert!(c.text.starts_with("Pas encore de consultation publique"));
    }
}
