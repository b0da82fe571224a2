//! The embeddable map of one zone (`/embed?zone=epci/200033579&indicator=…`): a
//! light, read-only HTML page made to sit in a partner's iframe — the zone's outline,
//! its sub-zones coloured by the indicator (département → territories, territory →
//! EPCI, EPCI → communes, a commune alone), the legend, the source, the edition, the
//! demonstration mark, and a link back to the same view in the atlas.
//!
//! Drawn server-side as inline SVG ([`super::map::zone_paths`]): no script, no tiles,
//! a few tens of kilobytes. Figures are read through [`crate::indicators::value`] with
//! [`Audience::Public`], whoever asks: the page is public and may be cached by the
//! partner's visitors. Classes are quantiles (the atlas's « effectifs égaux »), and the
//! link opens the atlas with the same classes. HTTP lives in `api::embed`.

use std::fmt::Write as _;

use super::format::fr_value;
use super::html::escape;
use super::map::zone_paths;
use super::{Context, Result};
use crate::db::Edition;
use crate::ess::category::Category;
use crate::geography::{Geography, Level, Zone};
use crate::indicators::catalogue::{Formula, Indicator};
use crate::indicators::labels;
use crate::indicators::{Audience, Figure, Masks, value};

/// `ColorBrewer` `YlGnBu`, 5 classes: the atlas's sequential palette (`web/js/classify.js`).
const SEQUENTIAL: [&str; 5] = ["#ffffcc", "#a1dab4", "#41b6c4", "#2c7fb8", "#253494"];
/// Which shades to use when there are fewer classes (as the atlas does).
const SPREAD: [&[usize]; 5] = [&[2], &[1, 3], &[0, 2, 4], &[0, 1, 3, 4], &[0, 1, 2, 3, 4]];
/// Zones with no value that is not a secret.
const NO_DATA: &str = "#d5dbe2";

/// The zone of an embed, from `level/code` (`epci/200033579`, `territoire/ARR`,
/// `departement/62`, `commune/62041`; English level names too).
#[must_use]
pub fn parse_zone(g: &Geography, text: &str) -> Option<(Level, usize)> {
    let (kind, code) = text.trim().split_once('/')?;
    let code = code.trim();
    match kind.trim() {
        "departement" | "department" => {
            (code == g.department.code).then_some((Level::Department, 0))
        }
        "territoire" | "territory" => {
            let code = code.to_uppercase();
            g.territories
                .binary_search_by(|t| t.zone.code.as_str().cmp(&code))
                .ok()
                .map(|i| (Level::Territory, i))
        }
        "epci" => g
            .epci
            .binary_search_by(|e| e.zone.code.as_str().cmp(code))
            .ok()
            .map(|i| (Level::Epci, i)),
        "commune" => g.commune_position(code).map(|i| (Level::Commune, i)),
        _ => None,
    }
}

/// The zone at `(level, position)`, `None` for the département (it has no outline of
/// its own here: its territories draw it).
fn zone_of(g: &Geography, level: Level, position: usize) -> Option<&Zone> {
    match level {
        Level::Commune => Some(&g.communes[position].zone),
        Level::Epci => Some(&g.epci[position].zone),
        Level::Territory => Some(&g.territories[position].zone),
        Level::Department => None,
    }
}

/// The sub-zones drawn for a zone: `(level, positions)`.
fn parts(g: &Geography, level: Level, position: usize) -> (Level, Vec<usize>) {
    match level {
        Level::Department => (Level::Territory, (0..g.territories.len()).collect()),
        Level::Territory => (Level::Epci, g.territories[position].epci.clone()),
        Level::Epci => (Level::Commune, g.epci[position].communes.clone()),
        Level::Commune => (Level::Commune, vec![position]),
    }
}

/// Upper bounds of at most 5 quantile classes of `sorted` values (equal counts,
/// ties merged), as `web/js/classify.js` computes them.
fn quantile_uppers(sorted: &[f64]) -> Vec<f64> {
    let n = sorted.len();
    if n == 0 {
        return Vec::new();
    }
    let k = 5.min(n);
    let mut uppers: Vec<f64> = (1..k)
        .map(|i| sorted[((i * n).div_ceil(k)).saturating_sub(1).min(n - 1)])
        .collect();
    uppers.push(sorted[n - 1]);
    uppers.dedup();
    uppers
}

fn figure_text(figure: &Figure, indicator: &Indicator) -> String {
    if figure.secret {
        "s (secret statistique)".to_owned()
    } else {
        figure.value.map_or_else(
            || "non disponible".to_owned(),
            |v| fr_value(v, indicator.decimals, indicator.unit),
        )
    }
}

/// The atlas's permalink of the same view (`web/js/url.js`).
fn atlas_link(
    g: &Geography,
    level: Level,
    position: usize,
    indicator: &Indicator,
    category: Category,
    edition: i64,
) -> String {
    let (map_level, zone) = match level {
        Level::Department => ("territories", None),
        Level::Territory => (
            "epci",
            Some(format!("territory:{}", g.territories[position].zone.code)),
        ),
        Level::Epci => (
            "communes",
            Some(format!("epci:{}", g.epci[position].zone.code)),
        ),
        Level::Commune => (
            "communes",
            Some(format!("commune:{}", g.communes[position].zone.code)),
        ),
    };
    let mut hash = format!("#level={map_level}");
    if let Some(z) = zone {
        let _ = write!(hash, "&zone={z}");
    }
    let _ = write!(hash, "&ind={}", indicator.id);
    let cat = match category {
        Category::Total => None,
        Category::Family(f) => Some(format!("family:{}", f.id())),
        Category::Sector(s) => Some(format!("sector:{s}")),
        Category::Size(z) => Some(format!("size:{}", z.id())),
    };
    if let Some(c) = cat {
        let _ = write!(hash, "&cat={}", c.replace('+', "%2B"));
    }
    let _ = write!(hash, "&year={edition}&cls=quantiles");
    format!("/{hash}")
}

/// What the page names as the source: the subsidies' file for their indicators (with
/// the registry's source when the figure also divides by jobs), else the edition's.
fn source_of(indicator: &Indicator, edition_source: &str) -> String {
    match indicator.formula {
        Formula::Subsidies
        | Formula::SubsidiesPerInhabitant
        | Formula::ShareOfDepartmentSubsidies => indicator.source.to_owned(),
        Formula::SubsidiesPerJob | Formula::SubsidiesToJobsIndex => {
            format!("{} ; emplois : {edition_source}", indicator.source)
        }
        _ => edition_source.to_owned(),
    }
}

fn kind_label(g: &Geography, level: Level, position: usize) -> String {
    match level {
        Level::Department => "Département".to_owned(),
        Level::Territory => "Territoire".to_owned(),
        Level::Epci => g.epci[position].kind.clone(),
        Level::Commune => "Commune".to_owned(),
    }
}

/// The embed page of `indicator` × `category` over the zone `(level, position)`.
#[allow(clippy::too_many_lines)] // one page, top to bottom: figures, classes, map, legend, HTML
pub async fn render(
    ctx: &Context,
    (level, position): (Level, usize),
    indicator: &Indicator,
    category: Category,
    edition: &Edition,
) -> Result<String> {
    let g = &ctx.geography;
    let cube = ctx.cubes.get(&ctx.db, g, edition).await?;
    let masks = Masks::of(&cube);
    let figure = |level: Level, position: usize, population: u64| {
        value(
            indicator,
            &cube,
            masks,
            cube.space.index(level, position),
            category,
            population,
            Audience::Public,
        )
    };
    let zone = zone_of(g, level, position);
    let (name, bbox) = if let Some(z) = zone {
        (z.name.as_str(), super::map::view_bbox(z))
    } else {
        let [x0, y0, x1, y1] = g.department.bbox;
        let (mx, my) = ((x1 - x0) * 0.05, (y1 - y0) * 0.05);
        (
            g.department.name.as_str(),
            [x0 - mx, y0 - my, x1 + mx, y1 + my],
        )
    };
    let (part_level, positions) = parts(g, level, position);
    let part_zones: Vec<&Zone> = positions
        .iter()
        .filter_map(|&p| zone_of(g, part_level, p))
        .collect();
    let figures: Vec<Figure> = positions
        .iter()
        .zip(&part_zones)
        .map(|(&p, z)| figure(part_level, p, z.population))
        .collect();
    let mut published: Vec<f64> = figures
        .iter()
        .filter(|f| !f.secret)
        .filter_map(|f| f.value)
        .collect();
    published.sort_by(f64::total_cmp);
    let uppers = quantile_uppers(&published);
    let shades = SPREAD
        .get(uppers.len().saturating_sub(1))
        .copied()
        .unwrap_or(&[]);
    let colour_of = |f: &Figure| -> String {
        if f.secret {
            return "url(#secret)".to_owned();
        }
        match f.value {
            None => NO_DATA.to_owned(),
            Some(v) => {
                let class = uppers
                    .iter()
                    .position(|u| v <= *u)
                    .unwrap_or(uppers.len() - 1);
                SEQUENTIAL[shades[class]].to_owned()
            }
        }
    };

    let mut drawn: Vec<&Zone> = part_zones.clone();
    if let Some(z) = zone {
        drawn.push(z);
    }
    let (width, height, paths) = zone_paths(bbox, &drawn);
    let mut svg = String::new();
    let _ = write!(
        svg,
        r##"<svg class="embed-svg" data-testid="embed-svg" viewBox="0 0 {width:.0} {height:.0}" role="img" aria-label="Carte : {label}, {name}">
<defs><pattern id="secret" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><rect width="6" height="6" fill="#eef1f4"/><line x1="0" y1="0" x2="0" y2="6" stroke="#8a96a3" stroke-width="1.5"/></pattern></defs>
<g class="embed-parts">
"##,
        label = escape(indicator.label),
        name = escape(name),
    );
    for ((z, f), d) in part_zones.iter().zip(&figures).zip(&paths) {
        if d.is_empty() {
            continue;
        }
        let _ = writeln!(
            svg,
            r#"<path d="{d}" fill="{fill}" data-code="{code}"><title>{zname} : {text}</title></path>"#,
            fill = colour_of(f),
            code = escape(&z.code),
            zname = escape(&z.name),
            text = escape(&figure_text(f, indicator)),
        );
    }
    svg.push_str("</g>\n");
    if zone.is_some()
        && let Some(outline) = paths.last().filter(|d| !d.is_empty())
    {
        let _ = writeln!(svg, r#"<path class="embed-outline" d="{outline}"/>"#);
    }
    svg.push_str("</svg>");

    // The legend: the classes, then the secret and missing values if any.
    let mut legend = String::new();
    let mut lower = published.first().copied();
    for (class, upper) in uppers.iter().enumerate() {
        let from = lower.map_or_else(String::new, |v| fr_value(v, indicator.decimals, ""));
        let to = fr_value(*upper, indicator.decimals, "");
        let text = if from.is_empty() || from == to {
            to
        } else {
            format!("{from} – {to}")
        };
        let _ = writeln!(
            legend,
            r#"<li><span class="swatch" style="background:{}"></span>{}</li>"#,
            SEQUENTIAL[shades[class]],
            escape(&text)
        );
        lower = published.iter().copied().find(|v| v > upper);
    }
    if figures.iter().any(|f| f.secret) {
        legend.push_str(
            "<li><span class=\"swatch swatch--secret\"></span>s : secret statistique</li>\n",
        );
    }
    if figures.iter().any(|f| !f.secret && f.value.is_none()) {
        let _ = writeln!(
            legend,
            r#"<li><span class="swatch" style="background:{NO_DATA}"></span>non disponible</li>"#
        );
    }
    let here = match level {
        Level::Department => figure(Level::Department, 0, g.department.population),
        _ => figure(level, position, zone.map_or(0, |z| z.population)),
    };
    let category_label = match category {
        Category::Total => String::new(),
        c => format!(" · {}", labels::category(c).1),
    };
    let demo = if edition.demo {
        r#"<p class="embed-demo" data-testid="embed-demo">Données de démonstration (chiffres fictifs)</p>"#
    } else {
        ""
    };
    let link = atlas_link(g, level, position, indicator, category, edition.year);
    Ok(format!(
        r#"<!doctype html>
<html lang="fr">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>{label} — {name} — Atlas de l'ESS</title>
  <link rel="icon" href="data:,">
  <link rel="stylesheet" href="/css/embed.css">
</head>
<body class="embed">
<figure class="embed-figure" data-testid="embed">
  <header class="embed-header">
    <h1 class="embed-title">{label}</h1>
    <p class="embed-sub" data-testid="embed-sub">{kind} {name}{category} · édition {year}</p>
    {demo}
  </header>
  {svg}
  <figcaption class="embed-caption">
    <p class="embed-unit">{unit_line}</p>
    <ul class="embed-legend" data-testid="embed-legend">
{legend}    </ul>
    <p class="embed-here" data-testid="embed-here">{name} : {here}</p>
    <p class="embed-source" data-testid="embed-source">Source : {source}. Atlas de l'ESS, {department}, édition {year}.</p>
    <p class="embed-link"><a href="{link}" target="_blank" rel="noopener" data-testid="embed-link">Voir dans l'atlas de l'ESS</a></p>
  </figcaption>
</figure>
</body>
</html>
"#,
        label = escape(indicator.label),
        name = escape(name),
        kind = escape(&kind_label(g, level, position)),
        category = escape(&category_label),
        year = edition.year,
        unit_line = escape(&format!(
            "{}{}",
            indicator.unit,
            if indicator.estimate {
                " (effectif estimé)"
            } else {
                ""
            }
        )),
        here = escape(&figure_text(&here, indicator)),
        source = escape(&source_of(indicator, labels::source_label(&cube))),
        department = escape(&g.department.name),
        link = escape(&link),
    ))
}

#[cfg(test)]
mod tests {
    use super::quantile_uppers;

    #[test]
    fn quantile_classes_have_equal_counts_and_merge_ties() {
        let v: Vec<f64> = (1..=10).map(f64::from).collect();
        assert_eq!(quantile_uppers(&v), [2.0, 4.0, 6.0, 8.0, 10.0]);
        assert_eq!(quantile_uppers(&[3.0, 3.0, 3.0]), [3.0]);
        assert_eq!(quantile_uppers(&[1.0, 2.0]), [1.0, 2.0]);
        assert!(quantile_uppers(&[]).is_empty());
    }
}
