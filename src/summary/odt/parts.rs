//! The parts of the ODT documents that are not the fiche's figures: the
//! « Co-construction » section of every fiche, and the compendium (the département's
//! synthesis, each territory's summary and published portrait, the CDESS's
//! proposals). Written with the same [`Body`] and named styles as the fiche.

use super::super::coconstruction::Coconstruction;
use super::super::recueil::Recueil;
use super::{Body, Result, package, summary_body};

/// The « Co-construction » section, at heading `level`.
pub(super) fn coconstruction(b: &mut Body, c: &Coconstruction, level: u8) {
    b.heading(level, "Intertitre ESS", "Co-construction");
    b.paragraph("Texte ESS", &c.text);
    let lines: Vec<String> = c.consultations.iter().map(|l| l.text.clone()).collect();
    b.list(&lines);
    if !c.organisations.is_empty() {
        b.paragraph(
            "Texte ESS",
            &format!(
                "Organisations contributrices : {}.",
                c.organisations
                    .iter()
                    .map(|o| o.text.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        );
    }
    if !c.partners.is_empty() {
        b.paragraph("Texte ESS", "Propositions des partenaires retenues :");
        let lines: Vec<String> = c.partners.iter().map(|p| p.text.clone()).collect();
        b.list(&lines);
    }
}

/// The departmental compendium as an ODT package: the département's synthesis, then
/// each territory's summary and published portrait, as the PDF.
pub fn render_recueil(r: &Recueil) -> Result<Vec<u8>> {
    let mut b = Body::new();
    b.heading(
        1,
        "Titre ESS",
        &format!(
            "Recueil des portraits de territoire de l'ESS – {}",
            r.department_name
        ),
    );
    b.paragraph(
        "Sous-titre ESS",
        &format!(
            "Édition {} · établissements actifs au {}{}",
            r.edition,
            r.reference_date,
            if r.demo {
                " · données de démonstration"
            } else {
                ""
            }
        ),
    );
    b.heading(2, "Intertitre ESS", &r.department.title);
    b.summary_table(&r.department, "Indicateur", "");
    b.heading(2, "Intertitre ESS", &r.territories.title);
    b.summary_table(&r.territories, "Territoire", "");
    let mut maps = Vec::with_capacity(r.chapters.len());
    for (i, chapter) in r.chapters.iter().enumerate() {
        let s = &chapter.summary;
        let path = format!("Pictures/carte-{}", i + 1);
        summary_body(&mut b, s, Some(&path), &format!("{} – ", s.code), 1);
        b.heading(2, "Intertitre ESS", "Portrait du territoire");
        if !chapter.published {
            b.paragraph("Texte ESS", "Portrait non publié pour cette édition.");
        }
        for section in &chapter.sections {
            b.heading(3, "Sous-intertitre ESS", &section.title);
            for p in &section.paragraphs {
                b.paragraph("Texte ESS", p);
            }
        }
        maps.push(s.map_svg.as_str());
    }
    b.heading(1, "Intertitre ESS", "Propositions du CDESS");
    if r.cdess.is_empty() {
        b.paragraph(
            "Texte ESS",
            "Aucune proposition du CDESS enregistrée pour cette édition.",
        );
    }
    for c in &r.cdess {
        b.heading(
            2,
            "Sous-intertitre ESS",
            &format!("{} (séance du {})", c.title, c.session),
        );
        if !c.orientation.is_empty() {
            b.paragraph("Texte ESS", &format!("Orientation : {}", c.orientation));
        }
        for p in &c.paragraphs {
            b.paragraph("Texte ESS", p);
        }
    }
    b.heading(1, "Intertitre ESS", "Notes");
    b.paragraph("Note ESS", r.source_label);
    let notes: Vec<String> = r.notes.iter().map(|n| (*n).to_owned()).collect();
    b.list(&notes);
    package(
        &format!(
            "Recueil des portraits de territoire – édition {}",
            r.edition
        ),
        &b,
        &maps,
    )
}
