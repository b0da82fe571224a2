//! The CSV tables of the open data set and their schemas (one definition serves the
//! header and `datapackage.json`): UTF-8, `,`, decimal point, ISO dates, codes as
//! text, a masked figure empty with `statut` = `secret`.
//!
//! Indicator tables are long (« format long »): one row per zone × indicator ×
//! category, so that a figure and its status, source and category sit on one line
//! and a new indicator adds rows, not columns.

use super::File;
use crate::db::Edition;
use crate::ess::Family;
use crate::ess::category::{Category, SECTIONS};
use crate::ess::size::SizeClass;
use crate::geography::{Geography, Level};
use crate::indicators::catalogue::{CATALOGUE, Indicator};
use crate::indicators::cube::Cube;
use crate::indicators::labels;
use crate::indicators::{Audience, Masks, Source, value};
use crate::summary::{Result, SummaryError};

/// `statut` of a published figure.
pub const STATUS_PUBLISHED: &str = "publie";
/// `statut` of a figure masked by the secret statistique (its `valeur` is empty).
pub const STATUS_SECRET: &str = "secret";
/// `statut` of a figure that cannot be computed (a division by zero, an edition
/// without a subsidies file): `valeur` empty too.
pub const STATUS_UNAVAILABLE: &str = "non_calculable";

pub const CATALOGUE_FILE: &str = "indicateurs.csv";
pub const CATEGORIES_FILE: &str = "categories.csv";

/// A level of the indicator tables.
#[derive(Debug, Clone, Copy)]
pub struct LevelFile {
    pub level: Level,
    /// `commune`, `epci`, `territoire`, `departement`: the `niveau` column.
    pub id: &'static str,
    /// « des communes »… for the descriptions.
    pub plural: &'static str,
    /// What `code` is at this level.
    pub code: &'static str,
    /// What `code_parent` is at this level.
    pub parent: &'static str,
}

impl LevelFile {
    /// `indicateurs-communes.csv`…
    #[must_use]
    pub fn file_name(&self) -> String {
        let stem = match self.level {
            Level::Commune => "communes",
            Level::Epci => "epci",
            Level::Territory => "territoires",
            Level::Department => "departement",
        };
        format!("indicateurs-{stem}.csv")
    }
}

/// The four levels, communes first.
pub const LEVELS: [LevelFile; 4] = [
    LevelFile {
        level: Level::Commune,
        id: "commune",
        plural: "par commune",
        code: "Code officiel géographique (Insee) de la commune, 5 caractères",
        parent: "SIREN de l'EPCI à fiscalité propre de la commune",
    },
    LevelFile {
        level: Level::Epci,
        id: "epci",
        plural: "par EPCI",
        code: "SIREN de l'EPCI à fiscalité propre, 9 chiffres",
        parent: "Code du territoire du Département auquel appartient l'EPCI",
    },
    LevelFile {
        level: Level::Territory,
        id: "territoire",
        plural: "par territoire du Département",
        code: "Code du territoire du Département (3 lettres)",
        parent: "Code du département",
    },
    LevelFile {
        level: Level::Department,
        id: "departement",
        plural: "du département",
        code: "Code du département",
        parent: "Vide : le département n'a pas de zone parente ici",
    },
];

/// One column of a table: its name, Table Schema type, French description and,
/// when closed, its allowed values.
#[derive(Debug, Clone)]
pub struct Field {
    pub name: &'static str,
    pub kind: &'static str,
    pub description: String,
    pub values: Option<Vec<String>>,
    pub required: bool,
}

fn field(name: &'static str, kind: &'static str, description: &str) -> Field {
    Field {
        name,
        kind,
        description: description.to_owned(),
        values: None,
        required: true,
    }
}

/// A table: its file, title, description, columns and primary key.
#[derive(Debug, Clone)]
pub struct TableSchema {
    pub file: String,
    pub title: String,
    pub description: String,
    pub fields: Vec<Field>,
    pub primary_key: Vec<&'static str>,
}

fn dimension_fr(c: Category) -> &'static str {
    match c {
        Category::Total => "ensemble",
        Category::Family(_) => "famille",
        Category::Sector(_) => "secteur",
        Category::Size(_) => "taille",
    }
}

/// Every category `/api/indicators` accepts, the ESS as a whole first.
fn categories() -> Vec<Category> {
    std::iter::once(Category::Total)
        .chain(Family::ALL.map(Category::Family))
        .chain(
            SECTIONS
                .iter()
                .filter(|s| !s.is_empty())
                .map(|&s| Category::Sector(s)),
        )
        .chain(SizeClass::ALL.map(Category::Size))
        .collect()
}

fn source_id(source: Source) -> &'static str {
    match source {
        Source::Sirene => "sirene",
        Source::Observatoire => "observatoire",
        Source::Subventions => "subventions",
    }
}

/// The schema of the indicator table of `level`.
#[must_use]
pub fn indicator_schema(level: &LevelFile) -> TableSchema {
    let mut niveau = field("niveau", "string", "Niveau géographique de la zone");
    niveau.values = Some(vec![level.id.to_owned()]);
    let mut parent = field("code_parent", "string", level.parent);
    parent.required = level.level != Level::Department;
    let mut indicateur = field(
        "indicateur",
        "string",
        "Identifiant de l'indicateur (voir indicateurs.csv : libellé, unité, définition, méthode)",
    );
    indicateur.values = Some(CATALOGUE.iter().map(|i| i.id.to_owned()).collect());
    let mut dimension = field(
        "dimension",
        "string",
        "Champ de la valeur : ensemble de l'ESS (4 familles), une famille, un secteur d'activité (section NAF) ou une taille d'établissement ; un seul découpage à la fois",
    );
    dimension.values = Some(
        ["ensemble", "famille", "secteur", "taille"]
            .map(str::to_owned)
            .to_vec(),
    );
    let mut categorie = field(
        "categorie",
        "string",
        "Identifiant de la catégorie dans sa dimension (voir categories.csv) : ess pour l'ensemble, association, cooperative…, une lettre de section NAF, une classe de taille",
    );
    categorie.values = Some(
        categories()
            .into_iter()
            .map(|c| labels::category(c).0.to_owned())
            .collect(),
    );
    let mut valeur = field(
        "valeur",
        "number",
        "Valeur de l'indicateur (point décimal, arrondie au nombre de décimales publié ; unité dans indicateurs.csv). Vide quand la valeur est couverte par le secret statistique (statut secret) ou ne peut être calculée (statut non_calculable)",
    );
    valeur.required = false;
    let mut statut = field(
        "statut",
        "string",
        "publie : valeur publiée ; secret : valeur masquée par le secret statistique (« s »), la colonne valeur est vide ; non_calculable : valeur impossible à calculer (division par zéro, édition sans fichier de subventions)",
    );
    statut.values = Some(
        [STATUS_PUBLISHED, STATUS_SECRET, STATUS_UNAVAILABLE]
            .map(str::to_owned)
            .to_vec(),
    );
    let mut source = field(
        "source",
        "string",
        "Source de la valeur : sirene (estimation à partir du répertoire SIRENE de l'Insee), observatoire (observatoire régional de l'ESS, CRESS), subventions (subventions du Département, format SCDL)",
    );
    source.values = Some(
        ["sirene", "observatoire", "subventions"]
            .map(str::to_owned)
            .to_vec(),
    );
    TableSchema {
        file: level.file_name(),
        title: format!("Indicateurs de l'ESS {}", level.plural),
        description: format!(
            "Les indicateurs publiés de l'économie sociale et solidaire {}, une ligne par zone, indicateur et catégorie, sous le secret statistique de l'atlas (les mêmes valeurs que son API publique).",
            level.plural
        ),
        fields: vec![
            field("edition", "integer", "Édition de l'atlas (année)"),
            field(
                "date_reference",
                "date",
                "Date de référence de l'édition : établissements actifs à cette date (AAAA-MM-JJ)",
            ),
            niveau,
            field("code", "string", level.code),
            field("nom", "string", "Nom de la zone"),
            parent,
            indicateur,
            dimension,
            categorie,
            valeur,
            statut,
            source,
        ],
        primary_key: vec!["code", "indicateur", "dimension", "categorie"],
    }
}

/// The schema of `indicateurs.csv`.
#[must_use]
pub fn catalogue_schema() -> TableSchema {
    let estimate = field(
        "estimation",
        "boolean",
        "true quand la valeur est un effectif estimé à partir des tranches d'effectif SIRENE",
    );
    TableSchema {
        file: CATALOGUE_FILE.to_owned(),
        title: "Les indicateurs".to_owned(),
        description: "Dictionnaire des indicateurs des tables : libellé, unité, définition, méthode et source.".to_owned(),
        fields: vec![
            field("id", "string", "Identifiant de l'indicateur (colonne indicateur des tables)"),
            field("libelle", "string", "Libellé de l'indicateur"),
            field("groupe", "string", "Groupe : Emploi, Établissements, Subventions du Département"),
            field("unite", "string", "Unité des valeurs"),
            field("decimales", "integer", "Nombre de décimales des valeurs publiées"),
            field("definition", "string", "Définition"),
            field("methode", "string", "Méthode de calcul"),
            field("source", "string", "Source des données"),
            estimate,
            field("additif", "boolean", "true quand la somme des valeurs des sous-zones donne celle de la zone"),
            field("categorie_requise", "boolean", "true quand l'indicateur n'est publié que pour une catégorie (pas pour l'ensemble)"),
        ],
        primary_key: vec!["id"],
    }
}

/// The schema of `categories.csv`.
#[must_use]
pub fn categories_schema() -> TableSchema {
    let mut dimension = field("dimension", "string", "Dimension de la catégorie");
    dimension.values = Some(
        ["ensemble", "famille", "secteur", "taille"]
            .map(str::to_owned)
            .to_vec(),
    );
    TableSchema {
        file: CATEGORIES_FILE.to_owned(),
        title: "Les catégories".to_owned(),
        description: "Dictionnaire des catégories des tables : l'ensemble de l'ESS, les familles juridiques, les sections NAF, les classes de taille.".to_owned(),
        fields: vec![
            dimension,
            field("categorie", "string", "Identifiant de la catégorie (colonne categorie des tables)"),
            field("libelle", "string", "Libellé de la catégorie"),
            field(
                "dans_les_totaux",
                "boolean",
                "false pour les sociétés commerciales de l'ESS, exclues des totaux comparables aux chiffres Insee/CRESS",
            ),
        ],
        primary_key: vec!["dimension", "categorie"],
    }
}

fn render_error(e: &csv::Error) -> SummaryError {
    SummaryError::Render {
        format: "CSV",
        message: e.to_string(),
    }
}

fn writer() -> csv::Writer<Vec<u8>> {
    csv::WriterBuilder::new()
        .delimiter(b',')
        .from_writer(Vec::with_capacity(1 << 20))
}

fn finish(w: csv::Writer<Vec<u8>>) -> Result<Vec<u8>> {
    w.into_inner().map_err(|e| SummaryError::Render {
        format: "CSV",
        message: e.to_string(),
    })
}

/// A published number as the tables write it: the API's rounding, a decimal point,
/// never `-0`.
fn number(v: f64, decimals: u8) -> String {
    format!("{:.*}", usize::from(decimals), v + 0.0)
}

/// The zones of `level`: (cube index, code, name, population, parent code).
fn zones<'a>(
    g: &'a Geography,
    cube: &Cube,
    level: Level,
) -> Vec<(usize, &'a str, &'a str, u64, &'a str)> {
    match level {
        Level::Commune => g
            .communes
            .iter()
            .enumerate()
            .map(|(i, c)| {
                (
                    cube.space.index(level, i),
                    c.zone.code.as_str(),
                    c.zone.name.as_str(),
                    c.zone.population,
                    g.epci[c.epci].zone.code.as_str(),
                )
            })
            .collect(),
        Level::Epci => g
            .epci
            .iter()
            .enumerate()
            .map(|(i, e)| {
                (
                    cube.space.index(level, i),
                    e.zone.code.as_str(),
                    e.zone.name.as_str(),
                    e.zone.population,
                    g.territories[e.territory].zone.code.as_str(),
                )
            })
            .collect(),
        Level::Territory => g
            .territories
            .iter()
            .enumerate()
            .map(|(i, t)| {
                (
                    cube.space.index(level, i),
                    t.zone.code.as_str(),
                    t.zone.name.as_str(),
                    t.zone.population,
                    g.department.code.as_str(),
                )
            })
            .collect(),
        Level::Department => vec![(
            cube.space.index(level, 0),
            g.department.code.as_str(),
            g.department.name.as_str(),
            g.department.population,
            "",
        )],
    }
}

/// Whether `/api/indicators` publishes `indicator` for `category`.
fn applies(indicator: &Indicator, category: Category) -> bool {
    !indicator.needs_category || category != Category::Total
}

/// The indicator table of `level`.
fn indicator_table(
    g: &Geography,
    cube: &Cube,
    edition: &Edition,
    level: &LevelFile,
) -> Result<Vec<u8>> {
    let schema = indicator_schema(level);
    let mut w = writer();
    w.write_record(schema.fields.iter().map(|f| f.name))
        .map_err(|e| render_error(&e))?;
    let masks = Masks::of(cube);
    let year = edition.year.to_string();
    let categories = categories();
    for (zone, code, name, population, parent) in zones(g, cube, level.level) {
        for &category in &categories {
            let (category_id, _) = labels::category(category);
            let dimension = dimension_fr(category);
            for indicator in CATALOGUE.iter().filter(|i| applies(i, category)) {
                let figure = value(
                    indicator,
                    cube,
                    masks,
                    zone,
                    category,
                    population,
                    Audience::Public,
                );
                // A public figure: a masked cell carries no value at all.
                let (valeur, statut) = match (figure.secret, figure.value) {
                    (true, _) => (String::new(), STATUS_SECRET),
                    (false, Some(v)) => (number(v, indicator.decimals), STATUS_PUBLISHED),
                    (false, None) => (String::new(), STATUS_UNAVAILABLE),
                };
                w.write_record([
                    year.as_str(),
                    edition.reference_date.as_str(),
                    level.id,
                    code,
                    name,
                    parent,
                    indicator.id,
                    dimension,
                    category_id,
                    valeur.as_str(),
                    statut,
                    source_id(figure.source),
                ])
                .map_err(|e| render_error(&e))?;
            }
        }
    }
    finish(w)
}

fn yes(b: bool) -> &'static str {
    if b { "true" } else { "false" }
}

fn catalogue_table() -> Result<Vec<u8>> {
    let mut w = writer();
    w.write_record(catalogue_schema().fields.iter().map(|f| f.name))
        .map_err(|e| render_error(&e))?;
    for i in &CATALOGUE {
        let decimals = i.decimals.to_string();
        w.write_record([
            i.id,
            i.label,
            i.group,
            i.unit,
            decimals.as_str(),
            i.definition,
            i.method,
            i.source,
            yes(i.estimate),
            yes(i.additive),
            yes(i.needs_category),
        ])
        .map_err(|e| render_error(&e))?;
    }
    finish(w)
}

fn categories_table() -> Result<Vec<u8>> {
    let mut w = writer();
    w.write_record(categories_schema().fields.iter().map(|f| f.name))
        .map_err(|e| render_error(&e))?;
    for c in categories() {
        let (id, label) = labels::category(c);
        let in_totals = match c {
            Category::Family(f) => f.in_statistical_totals(),
            _ => true,
        };
        w.write_record([dimension_fr(c), id, label, yes(in_totals)])
            .map_err(|e| render_error(&e))?;
    }
    finish(w)
}

/// Every CSV file of the set: the four indicator tables, then the dictionaries.
pub fn build_tables(g: &Geography, cube: &Cube, edition: &Edition) -> Result<Vec<File>> {
    let mut files = Vec::new();
    for level in &LEVELS {
        files.push(File {
            name: level.file_name(),
            media_type: "text/csv; charset=utf-8",
            bytes: indicator_table(g, cube, edition, level)?,
        });
    }
    files.push(File {
        name: CATALOGUE_FILE.to_owned(),
        media_type: "text/csv; charset=utf-8",
        bytes: catalogue_table()?,
    });
    files.push(File {
        name: CATEGORIES_FILE.to_owned(),
        media_type: "text/csv; charset=utf-8",
        bytes: categories_table()?,
    });
    Ok(files)
}

/// Every table schema, in the set's order.
#[must_use]
pub fn schemas() -> Vec<TableSchema> {
    LEVELS
        .iter()
        .map(indicator_schema)
        .chain([catalogue_schema(), categories_schema()])
        .collect()
}
