//! `datapackage.json` (Frictionless Data Package v1: a resource per file, the schema
//! of every CSV column, licences, sources, edition, attribution) and the README of
//! the set, in French.

use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use std::fmt::Write as _;

use super::File;
use super::tables::{TableSchema, schemas};
use crate::db::Edition;
use crate::geography::Geography;
use crate::indicators::NOTES;

/// The GeoJSON files of the set and what they outline.
pub const GEOJSON_FILES: &[(&str, &str)] = &[
    ("communes.geojson", "communes"),
    ("epci.geojson", "EPCI à fiscalité propre"),
    ("territoires.geojson", "territoires du Département"),
];

/// Licence Ouverte / Open Licence 2.0 (Etalab), SPDX `etalab-2.0`.
fn licence() -> Value {
    json!({
        "name": "etalab-2.0",
        "path": "https://www.etalab.gouv.fr/licence-ouverte-open-licence/",
        "title": "Licence Ouverte / Open Licence version 2.0",
    })
}

/// The sources of the figures.
fn figure_sources() -> Vec<Value> {
    vec![
        json!({
            "title": "Insee, répertoire SIRENE des entreprises et de leurs établissements (fichiers stock), Licence Ouverte 2.0",
            "path": "https://www.data.gouv.fr/fr/datasets/base-sirene-des-entreprises-et-de-leurs-etablissements-siren-siret/",
        }),
        json!({
            "title": "Observatoire régional de l'ESS (CRESS), agrégats « volet 1 », quand l'édition les a importés",
        }),
        json!({
            "title": "Département, subventions attribuées publiées au format SCDL « subventions », Licence Ouverte 2.0",
            "path": "https://schema.data.gouv.fr/scdl/subventions/",
        }),
    ]
}

/// The sources of the outlines (`geodata/SOURCES.md`).
fn geodata_sources() -> Vec<Value> {
    vec![
        json!({
            "title": "IGN, ADMIN EXPRESS (contours des communes, généralisés), Licence Ouverte 2.0",
            "path": "https://geoservices.ign.fr/adminexpress",
        }),
        json!({
            "title": "Insee, Code officiel géographique 2026 et populations légales millésime 2023, Licence Ouverte 2.0",
            "path": "https://www.insee.fr/fr/information/2560452",
        }),
        json!({
            "title": "DGCL, liste des EPCI à fiscalité propre 2026, Licence Ouverte 2.0",
            "path": "https://www.collectivites-locales.gouv.fr/institutions/liste-et-composition-des-epci-fiscalite-propre",
        }),
        json!({
            "title": "Territoires du Département : regroupement d'EPCI entiers, non officiel",
        }),
    ]
}

fn sha256(bytes: &[u8]) -> String {
    format!("{:x}", Sha256::digest(bytes))
}

/// The Table Schema of `table`.
fn table_schema(table: &TableSchema) -> Value {
    let fields: Vec<Value> = table
        .fields
        .iter()
        .map(|f| {
            let mut constraints = serde_json::Map::new();
            if f.required {
                constraints.insert("required".into(), json!(true));
            }
            if let Some(values) = &f.values {
                constraints.insert("enum".into(), json!(values));
            }
            let mut field = json!({
                "name": f.name,
                "type": f.kind,
                "description": f.description,
            });
            if f.kind == "date" {
                field["format"] = json!("default");
            }
            if !constraints.is_empty() {
                field["constraints"] = Value::Object(constraints);
            }
            field
        })
        .collect();
    json!({
        "fields": fields,
        "primaryKey": table.primary_key,
        "missingValues": [""],
    })
}

/// The demonstration mark, as every output says it.
pub const DEMO_MARK: &str = "données de démonstration";

fn title(g: &Geography, edition: &Edition) -> String {
    let mut title = format!(
        "Économie sociale et solidaire — {} ({}), indicateurs publiés, édition {}",
        g.department.name, g.department.code, edition.year
    );
    if edition.demo {
        let _ = write!(title, " ({DEMO_MARK})");
    }
    title
}

/// `datapackage.json` for the set's `files` (CSV and GeoJSON; the README and the
/// package itself are not resources).
#[must_use]
pub fn datapackage(g: &Geography, edition: &Edition, files: &[File]) -> Vec<u8> {
    let tables = schemas();
    let mut resources = Vec::new();
    for file in files {
        let stem = file
            .name
            .rsplit_once('.')
            .map_or(file.name.as_str(), |(s, _)| s);
        let mut resource = json!({
            "name": stem,
            "path": file.name,
            "encoding": "utf-8",
            "bytes": file.bytes.len(),
            "hash": format!("sha256:{}", sha256(&file.bytes)),
        });
        if let Some(table) = tables.iter().find(|t| t.file == file.name) {
            resource["profile"] = json!("tabular-data-resource");
            resource["title"] = json!(table.title);
            resource["description"] = json!(table.description);
            resource["format"] = json!("csv");
            resource["mediatype"] = json!("text/csv");
            resource["dialect"] = json!({"delimiter": ",", "header": true});
            resource["schema"] = table_schema(table);
            resource["licenses"] = json!([licence()]);
        } else if let Some((_, what)) = GEOJSON_FILES.iter().find(|(f, _)| *f == file.name) {
            resource["title"] = json!(format!("Contours des {what}"));
            resource["description"] = json!(format!(
                "Contours des {what} (RFC 7946, longitude/latitude WGS84, 6 décimales), \
                 propriétés : code, name (nom), population (municipale){}. {}",
                match file.name.as_str() {
                    "communes.geojson" =>
                        ", epci (SIREN de l'EPCI), territory (code du territoire)",
                    "epci.geojson" =>
                        ", short_name (nom court), kind (CA, CC, CU), territory (code du territoire)",
                    _ => "",
                },
                g.department.attribution
            ));
            resource["format"] = json!("geojson");
            resource["mediatype"] = json!("application/geo+json");
            resource["licenses"] = json!([licence()]);
            resource["sources"] = json!(geodata_sources());
        }
        resources.push(resource);
    }
    let mut description = format!(
        "Indicateurs de l'économie sociale et solidaire (ESS) du département {} par commune, \
         EPCI, territoire et pour le département, édition {} (établissements actifs au {}), \
         tels que l'atlas de l'ESS les publie : les mêmes valeurs que son API publique, sous \
         le secret statistique (une valeur masquée est vide, statut secret). Avec les contours \
         des zones. {}",
        g.department.name,
        edition.year,
        edition.reference_date,
        NOTES.join(" ")
    );
    if edition.demo {
        description = format!(
            "DONNÉES DE DÉMONSTRATION : les chiffres de cette édition sont fictifs (registre \
             synthétique), à ne pas réutiliser. {description}"
        );
    }
    let mut sources = figure_sources();
    sources.extend(geodata_sources());
    let mut package = json!({
        "profile": "data-package",
        "name": format!("ess-{}-{}", g.department.code.to_lowercase(), edition.year),
        "title": title(g, edition),
        "description": description,
        "keywords": ["économie sociale et solidaire", "ESS", "associations", "coopératives",
                     "mutuelles", "fondations", "emploi", g.department.name.as_str()],
        "licenses": [licence()],
        "sources": sources,
        "contributors": [{"title": format!("Département {} ({})", g.department.name, g.department.code), "role": "publisher"}],
        "edition": edition.year,
        "date_reference": edition.reference_date,
        "donnees_de_demonstration": edition.demo,
        "attribution": g.department.attribution,
        "resources": resources,
    });
    if let Some(at) = edition
        .imported_at
        .as_deref()
        .filter(|s| s.len() >= 19 && crate::time::is_iso_date(&s[..10]) && s.contains('T'))
    {
        package["created"] = json!(at);
    }
    let mut bytes = serde_json::to_vec_pretty(&package).unwrap_or_default();
    bytes.push(b'\n');
    bytes
}

/// The README of the set, in French.
#[must_use]
pub fn readme(g: &Geography, edition: &Edition) -> String {
    let mut out = format!("# {}\n\n", title(g, edition));
    if edition.demo {
        out.push_str(
            "> **Données de démonstration.** Les chiffres de cette édition sont calculés sur un \
             registre synthétique : ils sont fictifs et ne doivent pas être réutilisés.\n\n",
        );
    }
    let _ = write!(
        out,
        "Les indicateurs de l'économie sociale et solidaire (ESS) du département {name} publiés \
         par l'atlas de l'ESS, édition {year} : établissements actifs au {date}, par commune, \
         EPCI, territoire du Département et pour le département. Ce sont exactement les \
         valeurs de l'API publique de l'atlas (`/api/indicators`), sous le même secret \
         statistique.\n\n",
        name = g.department.name,
        year = edition.year,
        date = crate::time::french_date(&edition.reference_date),
    );
    out.push_str("## Fichiers\n\n| fichier | contenu |\n|---|---|\n");
    for (name, what) in super::file_descriptions() {
        let _ = writeln!(out, "| `{name}` | {what} |");
    }
    out.push_str(
        "\nLes fichiers CSV sont en UTF-8, séparés par des virgules, avec un point décimal ; \
         les dates sont au format ISO (AAAA-MM-JJ) et les codes (Insee, SIREN, territoires) \
         sont du texte : gardez les zéros en tête. `datapackage.json` décrit chaque colonne \
         (nom, type, description) selon la norme Frictionless Data Package ; \
         `frictionless validate datapackage.json` vérifie le jeu.\n\n",
    );
    out.push_str(
        "## Les tables d'indicateurs\n\n\
         Une ligne par zone, indicateur et catégorie (format long) : `edition`, \
         `date_reference`, `niveau`, `code`, `nom`, `code_parent`, `indicateur`, `dimension` \
         (`ensemble`, `famille`, `secteur`, `taille` : un seul découpage à la fois), \
         `categorie`, `valeur`, `statut`, `source`. Les libellés, unités, définitions et \
         méthodes des indicateurs sont dans `indicateurs.csv`, ceux des catégories dans \
         `categories.csv`.\n\n\
         - `statut` = `publie` : la valeur est publiée ;\n\
         - `statut` = `secret` : la valeur est couverte par le secret statistique (« s ») : \
         la colonne `valeur` est **vide** ;\n\
         - `statut` = `non_calculable` : la valeur ne peut être calculée (division par zéro, \
         édition sans fichier de subventions) : `valeur` vide.\n\n",
    );
    out.push_str("## Secret statistique et méthodes\n\n");
    for note in NOTES {
        let _ = writeln!(out, "- {note}");
    }
    out.push_str("\n## Sources\n\n");
    for s in figure_sources().iter().chain(&geodata_sources()) {
        let title = s["title"].as_str().unwrap_or_default();
        let _ = match s["path"].as_str() {
            Some(path) => writeln!(out, "- {title} : <{path}>"),
            None => writeln!(out, "- {title}"),
        };
    }
    let _ = write!(
        out,
        "\n## Licence et attribution\n\n\
         Données : Licence Ouverte / Open Licence version 2.0 (Etalab), \
         <https://www.etalab.gouv.fr/licence-ouverte-open-licence/>. Réutilisation libre, \
         y compris commerciale, en mentionnant la source : « Atlas de l'ESS — Département \
         {name}, édition {year} ».\n\n\
         Contours (`*.geojson`) : {attribution}\n",
        name = g.department.name,
        year = edition.year,
        attribution = g.department.attribution,
    );
    out
}
