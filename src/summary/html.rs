//! The summary as a server-rendered HTML page (`/territoires/{code}/fiche`,
//! `/epci/{siren}/fiche`), printable: `web/css/fiche.css` carries the print
//! stylesheet. Every text from the database is escaped here.

use std::fmt::Write as _;

use super::coconstruction::Coconstruction;
use super::{Grants, Summary, Table, ZoneKind};

/// Escapes text for HTML content and attribute values.
#[must_use]
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

fn table(out: &mut String, t: &Table, first_header: &str) {
    let _ = write!(
        out,
        r#"<table class="fiche-table" data-table="{}"><thead><tr><th scope="col">{}</th>"#,
        t.id,
        escape(first_header)
    );
    for c in &t.columns {
        let _ = write!(out, r#"<th scope="col" class="num">{}</th>"#, escape(c));
    }
    out.push_str("</tr></thead><tbody>");
    for r in &t.rows {
        let _ = write!(out, r#"<tr><th scope="row">{}"#, escape(&r.label));
        if !["", "%", "€", "établissements", "habitants"].contains(&r.unit) {
            let _ = write!(out, r#" <span class="unit">({})</span>"#, escape(r.unit));
        }
        out.push_str("</th>");
        for c in &r.cells {
            let class = if c.secret { "num secret" } else { "num" };
            let title = if c.secret {
                r#" title="Secret statistique""#
            } else {
                ""
            };
            let _ = write!(
                out,
                r#"<td class="{class}"{title}>{}</td>"#,
                escape(&c.text)
            );
        }
        out.push_str("</tr>");
    }
    out.push_str("</tbody></table>");
}

fn grants(out: &mut String, s: &Summary) {
    out.push_str(
        r#"<section class="fiche-card" data-testid="fiche-subventions"><h2>Subventions du Département à l'ESS</h2>"#,
    );
    let g: &Grants = &s.grants;
    if !s.subsidies_available {
        out.push_str(r#"<p class="muted">Pas encore publiées pour cette édition.</p>"#);
    } else if g.count == 0 {
        out.push_str(
            r#"<p class="muted">Aucune subvention à une structure de l'ESS de la zone dans le fichier de cette édition.</p>"#,
        );
    } else {
        let _ = write!(
            out,
            "<p><strong>{}</strong> à {} bénéficiaire{} de l'ESS{}.</p>",
            escape(&g.total_text),
            g.count,
            if g.count > 1 { "s" } else { "" },
            if g.others > 0 {
                format!(" ; les {} premiers ci-dessous", g.beneficiaries.len())
            } else {
                String::new()
            }
        );
        out.push_str(
            r#"<table class="fiche-table" data-table="beneficiaires"><thead><tr><th scope="col">Bénéficiaire</th><th scope="col">Commune</th><th scope="col">Famille</th><th scope="col">Objet</th><th scope="col" class="num">Montant</th></tr></thead><tbody>"#,
        );
        for b in &g.beneficiaries {
            let _ = write!(
                out,
                r#"<tr><th scope="row">{}</th><td>{}</td><td>{}</td><td class="small">{}</td><td class="num">{}</td></tr>"#,
                escape(&b.name),
                escape(&b.commune),
                escape(&b.family),
                escape(&b.objects),
                escape(&b.granted_text)
            );
        }
        if g.others > 0 {
            let _ = write!(
                out,
                r#"<tr><th scope="row" colspan="4">Autres bénéficiaires ({})</th><td class="num">{}</td></tr>"#,
                g.others,
                escape(&g.others_text)
            );
        }
        out.push_str("</tbody></table>");
    }
    out.push_str("</section>");
}

/// The « Co-construction » section: consultations, organisations, partners.
fn coconstruction(out: &mut String, c: &Coconstruction) {
    let _ = write!(
        out,
        r#"<section class="fiche-card" data-testid="fiche-coconstruction"><h2>Co-construction</h2><p>{}</p>"#,
        escape(&c.text)
    );
    let list = |out: &mut String, title: &str, items: &mut dyn Iterator<Item = &str>| {
        let items: Vec<&str> = items.collect();
        if items.is_empty() {
            return;
        }
        let _ = write!(out, "<h3>{}</h3><ul>", escape(title));
        for i in items {
            let _ = write!(out, "<li>{}</li>", escape(i));
        }
        out.push_str("</ul>");
    };
    list(
        out,
        "Consultations publiques",
        &mut c.consultations.iter().map(|l| l.text.as_str()),
    );
    list(
        out,
        "Organisations contributrices",
        &mut c.organisations.iter().map(|o| o.text.as_str()),
    );
    list(
        out,
        "Propositions des partenaires retenues",
        &mut c.partners.iter().map(|p| p.text.as_str()),
    );
    out.push_str("</section>");
}

/// The whole page.
#[must_use]
#[allow(clippy::too_many_lines)] // the document's sections, top to bottom, as the page reads
pub fn render(s: &Summary) -> String {
    let mut out = String::with_capacity(128 * 1024);
    let base = match s.kind {
        ZoneKind::Territory => format!("/territoires/{}", s.code),
        ZoneKind::Epci => format!("/epci/{}", s.code),
    };
    let q = format!("?edition={}", s.edition);
    let _ = write!(
        out,
        r#"<!doctype html>
<html lang="fr">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Fiche {kind} {name} – édition {edition} – Atlas de l'ESS</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/css/app.css">
<link rel="stylesheet" href="/css/pages.css">
<link rel="stylesheet" href="/css/fiche.css">
</head>
<body class="page fiche">
<header class="page-top no-print">
<a class="brand" href="/"><span class="brand-mark" aria-hidden="true"></span><span class="brand-title">Atlas de l'ESS</span></a>
<nav><a href="{base}">Page {kind_lower}</a><a href="{base}/fiche.pdf{q}" data-testid="fiche-pdf">PDF</a><a href="{base}/fiche.odt{q}">ODT</a><a href="{base}/fiche.xlsx{q}">XLSX</a><a href="{base}/fiche.csv{q}">CSV</a><a href="{base}/fiche.csv{q}&amp;format=standard">CSV standard</a></nav>
</header>
<main class="page-main fiche-main" data-testid="fiche">
<header class="fiche-head">
<p class="page-kind">{kind} · {department} · édition {edition}</p>
<h1 class="page-title">{name}</h1>
<p class="muted">{parent}{population} habitants · {area} · établissements actifs au {date}{demo}</p>
<p class="muted fiche-publisher" data-testid="fiche-publisher">{logo}{publisher}{contact} · fiche produite le {produced}</p>
</header>
"#,
        publisher = escape(&s.publication.name),
        logo = s
            .publication
            .image
            .as_ref()
            .map_or_else(String::new, |logo| {
                format!(
                    r#"<img class="fiche-logo" data-testid="fiche-logo" src="{}" alt="Logo : {}">"#,
                    logo.data_uri(),
                    escape(&s.publication.name)
                )
            }),
        contact = if s.publication.contact.is_empty() {
            String::new()
        } else {
            format!(" · {}", escape(&s.publication.contact))
        },
        produced = escape(&s.publication.date),
        kind = escape(&s.kind_label),
        kind_lower = match s.kind {
            ZoneKind::Territory => "du territoire",
            ZoneKind::Epci => "de l'EPCI",
        },
        name = escape(&s.name),
        edition = s.edition,
        department = escape(&s.department_name),
        parent = s
            .parent_name
            .as_ref()
            .map(|p| format!("Territoire {} · ", escape(p)))
            .unwrap_or_default(),
        population = s.population,
        area = s.area,
        date = escape(&s.reference_date),
        demo = if s.demo {
            " · <strong>données de démonstration</strong>"
        } else {
            ""
        },
    );
    out.push_str(r#"<section class="fiche-card"><h2>Chiffres clés</h2>"#);
    table(&mut out, &s.key_figures, "Indicateur");
    out.push_str(r#"</section><div class="fiche-grid"><section class="fiche-card fiche-map"><h2>Situation</h2>"#);
    out.push_str(&s.map_svg);
    out.push_str(r#"<ul class="fiche-legend"><li><span class="sw zone"></span>"#);
    out.push_str(&escape(&s.name));
    out.push_str("</li>");
    for (colour, label) in &s.map_legend {
        let _ = write!(
            out,
            r#"<li><span class="sw dot" style="background:{}"></span>{}</li>"#,
            escape(colour),
            escape(label)
        );
    }
    out.push_str(r#"</ul></section><section class="fiche-card"><h2>Répartitions</h2>"#);
    for b in [&s.breakdowns[0], &s.breakdowns[2]] {
        let _ = write!(out, "<h3>{}</h3>", escape(&b.title));
        table(&mut out, b, "Catégorie");
    }
    out.push_str("</section></div>");
    let _ = write!(
        out,
        r#"<section class="fiche-card"><h2>{}</h2>"#,
        escape(&s.breakdowns[1].title)
    );
    table(&mut out, &s.breakdowns[1], "Secteur");
    out.push_str("</section>");
    out.push_str(r#"<section class="fiche-card"><h2>Évolution entre éditions</h2>"#);
    table(&mut out, &s.evolution, "Indicateur");
    let _ = write!(
        out,
        r#"</section><section class="fiche-card"><h2>{}</h2>"#,
        escape(&s.parts.title)
    );
    table(&mut out, &s.parts, "Zone");
    out.push_str("</section>");
    grants(&mut out, s);
    out.push_str(
        r#"<section class="fiche-card" data-testid="fiche-plan"><h2>Orientations et actions</h2>"#,
    );
    if s.orientations.is_empty() {
        out.push_str(r#"<p class="muted">Aucune orientation publiée pour cette édition.</p>"#);
    }
    for o in &s.orientations {
        let _ = write!(
            out,
            r#"<h3>{} <span class="muted">({})</span></h3><p>{}</p><ul>"#,
            escape(&o.title),
            escape(&o.period),
            escape(&o.description)
        );
        for a in &o.actions {
            let _ = write!(
                out,
                "<li>{}<strong>{}</strong> — {}{}{}</li>",
                if a.flagship { "★ " } else { "" },
                escape(&a.title),
                escape(a.status),
                if a.pilot.is_empty() {
                    String::new()
                } else {
                    format!(" · pilote : {}", escape(&a.pilot))
                },
                if a.budget.is_empty() {
                    String::new()
                } else {
                    format!(" · {}", escape(&a.budget))
                },
            );
        }
        out.push_str("</ul>");
    }
    out.push_str("</section>");
    coconstruction(&mut out, &s.coconstruction);
    out.push_str(
        r#"<section class="fiche-card fiche-notes"><h2>Sources, méthodes et secret statistique</h2>"#,
    );
    let _ = write!(out, "<p>{}</p><ul>", escape(s.source_label));
    if !s.subsidies_available {
        out.push_str(
            "<li>Subventions du Département : pas encore publiées pour cette édition.</li>",
        );
    }
    for n in &s.notes {
        let _ = write!(out, "<li>{}</li>", escape(n));
    }
    out.push_str("</ul><dl>");
    for m in &s.methods {
        let _ = write!(
            out,
            "<dt>{}</dt><dd>{} {} <em>Source : {}</em></dd>",
            escape(m.label),
            escape(m.definition),
            escape(m.method),
            escape(m.source)
        );
    }
    out.push_str("</dl></section></main></body></html>\n");
    out
}

#[cfg(test)]
mod tests {
    use super::escape;

    #[test]
    fn markup_is_escaped() {
        assert_eq!(
            escape(r#"<script>"a" & 'b'"#),
            "&lt;script&gt;&quot;a&quot; &amp; &#39;b&#39;"
        );
    }
}
