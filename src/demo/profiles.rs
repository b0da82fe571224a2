//! The demo's calibration: the kinds of organisations it holds, with how many
//! establishments of each are active at the 2023 reference date, by size band.
//!
//! Owns the typed form of the tables and their loading only; what the generator does
//! with them is in `private.rs` (and `public.rs` for public bodies, whose sizes follow
//! commune and territory populations). The tables are data, in `data/*.csv`, each
//! explaining its columns in its leading `#` lines:
//!
//! - `profiles.csv`: the kinds of organisations, in generation order (categories
//!   juridiques, names, ESS flag, spread, life, restricted diffusion);
//! - `counts.csv`: the calibration proper, establishments active in 2023 by size
//!   band; its band columns are codes of `reference/tranches-effectifs.csv`, whose
//!   headcount ranges the demo draws from (the reference is not repeated here);
//! - `activities.csv`: NAF codes, weights and name stems of each kind;
//! - `multi.csv`: kinds whose units hold several establishments;
//! - `lives.csv`: births, deaths and jobs trends, public bodies' included;
//! - `qualifiers.csv`: what follows the stem in a name, by set.
//!
//! The counts were chosen so that the 2023 edition, read back with the product's
//! rules, lands on the published orders of magnitude for the Pas-de-Calais (see the
//! module docs of `demo`).
//!
//! The tables are compiled in and parsed once, on first use, by [`calibration`]. They
//! are ours and checked by tests, so a malformed table is a build defect: it panics
//! with the file, the line and what is wrong ([`parse`] says it as a [`TableError`]).
//! Every row is checked: numbers, names of other tables' rows, legal categories and
//! NAF divisions against the reference tables, weights of at least 1, shares in
//! `[0, 1]`.

use std::collections::{HashMap, HashSet};
use std::fmt;
use std::sync::LazyLock;

use serde::Deserialize;
use serde::de::DeserializeOwned;

use super::places::Spread;
use crate::ess::reference::{TABLES, division_of};

/// One activity of a kind of organisation: NAF code, weight, and name stems that suit
/// it.
#[derive(Debug)]
pub(super) struct Activity {
    pub naf: String,
    pub weight: u32,
    pub stems: Vec<String>,
}

/// What follows the stem in a name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub(super) enum Qualifier {
    /// `… D ARRAS`
    Commune,
    /// `… DU TERNOIS`
    Territory,
    /// `… LEFEBVRE`
    Surname,
    /// `… LES TILLEULS`, then the commune
    Motto,
}

/// How `economieSocialeSolidaireUniteLegale` is filled.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub(super) enum Flag {
    /// Legal form of an ESS family: `O`, sometimes empty (the variable often is).
    Family,
    /// A commercial company that meets the ESS conditions: `O`.
    Commercial,
    /// Anything else: `N` or empty.
    Other,
}

/// Organisations holding several establishments.
#[derive(Debug, Clone)]
pub(super) struct Multi {
    /// Probability that a unit of this kind has several establishments.
    pub share: f64,
    pub min: i64,
    pub max: i64,
    /// Probability that such a unit's head office is outside the département (a
    /// regional bank, a national federation): one more establishment, outside.
    pub outside: f64,
    /// Word used in a secondary establishment's name (`AGENCE DE LENS`).
    pub branch: String,
}

/// Births and deaths around the 2023 stock.
#[derive(Debug, Clone, Copy)]
pub(super) struct Life {
    /// Earliest creation year.
    pub start: i32,
    /// Share of the establishments active in 2023 that were created after 2014
    /// (halved for employers, which are steadier).
    pub recent: f64,
    /// Establishments closed between 2011 and 2023, as a share of the active ones
    /// (halved for employers).
    pub closed: f64,
    /// Yearly growth of the kind's estimated jobs between editions.
    pub trend: f64,
}

/// One kind of organisation.
#[derive(Debug)]
pub(super) struct Profile {
    pub id: String,
    /// Catégories juridiques with their weights.
    pub categories: Vec<(String, u32)>,
    /// At least one.
    pub activities: Vec<Activity>,
    /// `None` for individual entrepreneurs (a person's name instead).
    pub qualifiers: Option<Vec<(Qualifier, u32)>>,
    pub flag: Flag,
    pub spread: Spread,
    /// Employer establishments active in 2023, by band of [`Calibration::bands`].
    pub employers: Vec<u32>,
    /// Non-employer establishments active in 2023.
    pub non_employers: u32,
    pub multi: Option<Multi>,
    pub life: Life,
    /// Share of units with restricted diffusion (`statutDiffusion… = P`).
    pub protected: f64,
}

/// A size band an employer can be drawn in: code and headcount range, from
/// `reference/tranches-effectifs.csv`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct Band {
    pub code: &'static str,
    pub min: f64,
    pub max: f64,
}

/// The tables, parsed and checked.
#[derive(Debug)]
pub(super) struct Calibration {
    /// In generation order: ESS families, ESS commercial companies, the rest of the
    /// private economy.
    pub profiles: Vec<Profile>,
    /// The bands employers are drawn in (`counts.csv`'s columns), smallest first.
    pub bands: Vec<Band>,
    /// Public bodies' life (`lives.csv`'s `public` row).
    pub public: Life,
    /// Every band of the reference with an upper bound, in order, as (the first
    /// headcount above it, code); then the open band, for larger headcounts.
    limits: Vec<(f64, &'static str)>,
    open_band: &'static str,
}

/// The texts of the six tables.
#[derive(Debug, Clone, Copy)]
pub(super) struct Tables<'a> {
    pub profiles: &'a str,
    pub counts: &'a str,
    pub activities: &'a str,
    pub multi: &'a str,
    pub lives: &'a str,
    pub qualifiers: &'a str,
}

/// The tables compiled into the binary.
pub(super) const EMBEDDED: Tables<'static> = Tables {
    profiles: include_str!("data/profiles.csv"),
    counts: include_str!("data/counts.csv"),
    activities: include_str!("data/activities.csv"),
    multi: include_str!("data/multi.csv"),
    lives: include_str!("data/lives.csv"),
    qualifiers: include_str!("data/qualifiers.csv"),
};

static CALIBRATION: LazyLock<Calibration> =
    LazyLock::new(|| parse(&EMBEDDED).unwrap_or_else(|e| panic!("{e}")));

/// The embedded calibration, parsed on first use (panics on a malformed table).
#[must_use]
pub(super) fn calibration() -> &'static Calibration {
    &CALIBRATION
}

/// The size band of a headcount: `00` under one employee, then SIRENE's bands, as
/// `reference/tranches-effectifs.csv` bounds them.
#[must_use]
pub(super) fn band_of(headcount: f64) -> &'static str {
    let c = calibration();
    c.limits
        .iter()
        .find(|(below, _)| headcount < *below)
        .map_or(c.open_band, |&(_, code)| code)
}

/// A defect in a calibration table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct TableError {
    pub file: &'static str,
    /// 1-based line, when the defect is in one row.
    pub line: Option<u64>,
    pub message: String,
}

impl fmt::Display for TableError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "demo calibration table data/{}", self.file)?;
        if let Some(line) = self.line {
            write!(f, ", line {line}")?;
        }
        write!(f, ": {}", self.message)
    }
}

impl std::error::Error for TableError {}

type Result<T> = std::result::Result<T, TableError>;

fn fail<T>(file: &'static str, line: u64, message: impl Into<String>) -> Result<T> {
    Err(TableError {
        file,
        line: Some(line),
        message: message.into(),
    })
}

#[derive(Deserialize)]
struct ProfileRow {
    id: String,
    categories: String,
    qualifiers: String,
    flag: Flag,
    spread: Spread,
    life: String,
    protected: f64,
}

#[derive(Deserialize)]
struct ActivityRow {
    profile: String,
    naf: String,
    weight: u32,
    stems: String,
}

#[derive(Deserialize)]
struct MultiRow {
    profile: String,
    share: f64,
    min: i64,
    max: i64,
    outside: f64,
    branch: String,
}

#[derive(Deserialize)]
struct LifeRow {
    life: String,
    start: i32,
    recent: f64,
    closed: f64,
    trend: f64,
}

#[derive(Deserialize)]
struct QualifierRow {
    set: String,
    qualifier: Qualifier,
    weight: u32,
}

fn reader(text: &str) -> csv::Reader<&[u8]> {
    csv::ReaderBuilder::new()
        .comment(Some(b'#'))
        .from_reader(text.as_bytes())
}

fn line_of(position: Option<&csv::Position>) -> Option<u64> {
    position.map(csv::Position::line)
}

fn csv_error(file: &'static str, e: &csv::Error) -> TableError {
    TableError {
        file,
        line: line_of(e.position()),
        message: e.to_string(),
    }
}

/// The rows of a table with their lines (a structural defect, such as a missing
/// column or a ragged row, is an error).
fn rows<T: DeserializeOwned>(file: &'static str, text: &str) -> Result<Vec<(u64, T)>> {
    let mut reader = reader(text);
    let headers = reader.headers().map_err(|e| csv_error(file, &e))?.clone();
    reader
        .records()
        .map(|record| {
            let record = record.map_err(|e| csv_error(file, &e))?;
            let line = line_of(record.position()).unwrap_or_default();
            match record.deserialize(Some(&headers)) {
                Ok(row) => Ok((line, row)),
                Err(e) => fail(file, line, e.to_string()),
            }
        })
        .collect()
}

fn weight(file: &'static str, line: u64, w: u32) -> Result<u32> {
    if w == 0 {
        return fail(file, line, "a weight must be at least 1");
    }
    Ok(w)
}

fn share(file: &'static str, line: u64, what: &str, x: f64) -> Result<f64> {
    if !(0.0..=1.0).contains(&x) {
        return fail(file, line, format!("{what} {x} is not a share in [0, 1]"));
    }
    Ok(x)
}

/// `code:weight;code:weight`, each code a catégorie juridique of the reference.
fn categories(line: u64, text: &str) -> Result<Vec<(String, u32)>> {
    const FILE: &str = "profiles.csv";
    text.split(';')
        .map(|item| {
            let Some((code, w)) = item.split_once(':') else {
                return fail(FILE, line, format!("category {item:?} is not code:weight"));
            };
            if !TABLES.categories.contains_key(code) {
                return fail(FILE, line, format!("unknown catégorie juridique {code:?}"));
            }
            let Ok(w) = w.parse::<u32>() else {
                return fail(
                    FILE,
                    line,
                    format!("weight {w:?} of {code} is not a number"),
                );
            };
            Ok((code.to_owned(), weight(FILE, line, w)?))
        })
        .collect()
}

/// A NAF rev. 2 sub-class written `88.10A`, in a division of the reference.
fn is_naf(naf: &str) -> bool {
    let b = naf.as_bytes();
    b.len() == 6
        && b[..2].iter().chain(&b[3..5]).all(u8::is_ascii_digit)
        && b[2] == b'.'
        && b[5].is_ascii_uppercase()
        && division_of(naf).is_some()
}

/// The size bands of the reference: the employer bands named by `counts.csv`'s
/// header, and the limits [`band_of`] reads.
type Bands = (Vec<Band>, Vec<(f64, &'static str)>, &'static str);

fn bands(header_line: u64, codes: &[&str]) -> Result<Bands> {
    const FILE: &str = "counts.csv";
    let reference = &TABLES.size_bands;
    let header = |message: String| TableError {
        file: FILE,
        line: Some(header_line),
        message,
    };
    let mut employer_bands = Vec::new();
    for &code in codes {
        let band = reference
            .iter()
            .find(|b| b.code == code)
            .ok_or_else(|| header(format!("{code:?} is not a band of tranches-effectifs.csv")))?;
        let (Some(min), Some(max)) = (band.effectif_min.filter(|&m| m >= 1), band.effectif_max)
        else {
            return Err(header(format!(
                "band {code} has no employer headcount range"
            )));
        };
        if employer_bands
            .last()
            .is_some_and(|b: &Band| b.max >= f64::from(min))
        {
            return Err(header(format!("band {code} is out of order")));
        }
        employer_bands.push(Band {
            code: band.code.as_str(),
            min: f64::from(min),
            max: f64::from(max),
        });
    }
    let limits: Vec<(f64, &'static str)> = reference
        .iter()
        .filter_map(|b| Some((f64::from(b.effectif_max?) + 1.0, b.code.as_str())))
        .collect();
    let sorted = limits.windows(2).all(|w| w[0].0 < w[1].0);
    let open = reference
        .iter()
        .find(|b| b.effectif_min.is_some() && b.effectif_max.is_none());
    let Some(open) = open.filter(|_| sorted) else {
        return Err(TableError {
            file: FILE,
            line: None,
            message: "reference/tranches-effectifs.csv has no ordered bands ending with an \
                      open one"
                .to_owned(),
        });
    };
    Ok((employer_bands, limits, open.code.as_str()))
}

/// One row of `counts.csv`: line, profile, non-employers, employers by band.
type CountRow = (u64, String, u32, Vec<u32>);

/// `counts.csv`: the employer bands its header names, the reference's limits, and
/// its rows.
fn counts(text: &str) -> Result<(Bands, Vec<CountRow>)> {
    const FILE: &str = "counts.csv";
    let mut reader = reader(text);
    let headers = reader.headers().map_err(|e| csv_error(FILE, &e))?.clone();
    // (The header record's position does not count the comment lines before it.)
    let header_line = text
        .lines()
        .position(|l| !l.starts_with('#'))
        .map_or(1, |i| i as u64 + 1);
    let names: Vec<&str> = headers.iter().collect();
    let ["profile", "non_employers", band_codes @ ..] = names.as_slice() else {
        return fail(
            FILE,
            header_line,
            "the header must start with profile,non_employers",
        );
    };
    let bands = bands(header_line, band_codes)?;
    let mut rows = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| csv_error(FILE, &e))?;
        let line = line_of(record.position()).unwrap_or_default();
        let mut numbers = Vec::with_capacity(record.len());
        for (name, value) in names.iter().zip(&record).skip(1) {
            let Ok(n) = value.parse::<u32>() else {
                return fail(FILE, line, format!("{name} {value:?} is not a count"));
            };
            numbers.push(n);
        }
        let profile = record.get(0).unwrap_or_default().to_owned();
        let non_employers = numbers.remove(0);
        rows.push((line, profile, non_employers, numbers));
    }
    Ok((bands, rows))
}

/// Parses and checks the six tables.
///
/// # Errors
///
/// The first defect found, with its file and line.
pub(super) fn parse(tables: &Tables<'_>) -> Result<Calibration> {
    let mut lives = HashMap::new();
    for (line, row) in rows::<LifeRow>("lives.csv", tables.lives)? {
        let life = Life {
            start: row.start,
            recent: row.recent,
            closed: row.closed,
            trend: row.trend,
        };
        share("lives.csv", line, "recent", life.recent)?;
        share("lives.csv", line, "closed", life.closed)?;
        if !life.trend.is_finite() {
            return fail("lives.csv", line, "trend is not a number");
        }
        if lives.insert(row.life.clone(), life).is_some() {
            return fail(
                "lives.csv",
                line,
                format!("life {} is defined twice", row.life),
            );
        }
    }
    let Some(&public) = lives.get("public") else {
        return Err(TableError {
            file: "lives.csv",
            line: None,
            message: "no `public` row (the public bodies' life)".to_owned(),
        });
    };

    let mut sets: HashMap<String, Vec<(Qualifier, u32)>> = HashMap::new();
    for (line, row) in rows::<QualifierRow>("qualifiers.csv", tables.qualifiers)? {
        let w = weight("qualifiers.csv", line, row.weight)?;
        sets.entry(row.set).or_default().push((row.qualifier, w));
    }

    let mut profiles = Vec::new();
    let mut ids = HashSet::new();
    for (line, row) in rows::<ProfileRow>("profiles.csv", tables.profiles)? {
        const FILE: &str = "profiles.csv";
        if !ids.insert(row.id.clone()) {
            return fail(FILE, line, format!("profile {} is defined twice", row.id));
        }
        let qualifiers = match row.qualifiers.as_str() {
            "person" => None,
            set => match sets.get(set) {
                Some(q) => Some(q.clone()),
                None => return fail(FILE, line, format!("unknown qualifier set {set:?}")),
            },
        };
        let Some(&life) = lives.get(&row.life) else {
            return fail(FILE, line, format!("unknown life {:?}", row.life));
        };
        profiles.push(Profile {
            categories: categories(line, &row.categories)?,
            activities: Vec::new(),
            qualifiers,
            flag: row.flag,
            spread: row.spread,
            employers: Vec::new(),
            non_employers: 0,
            multi: None,
            life,
            protected: share(FILE, line, "protected", row.protected)?,
            id: row.id,
        });
    }
    let position: HashMap<String, usize> = profiles
        .iter()
        .enumerate()
        .map(|(i, p)| (p.id.clone(), i))
        .collect();
    let find = |file: &'static str, line: u64, id: &str| -> Result<usize> {
        position
            .get(id)
            .copied()
            .map_or_else(|| fail(file, line, format!("unknown profile {id:?}")), Ok)
    };

    for (line, row) in rows::<ActivityRow>("activities.csv", tables.activities)? {
        const FILE: &str = "activities.csv";
        let p = find(FILE, line, &row.profile)?;
        if !is_naf(&row.naf) {
            return fail(FILE, line, format!("{:?} is not a known NAF code", row.naf));
        }
        let stems: Vec<String> = row.stems.split(';').map(str::to_owned).collect();
        if stems.iter().any(String::is_empty) {
            return fail(FILE, line, "empty name stem");
        }
        profiles[p].activities.push(Activity {
            naf: row.naf,
            weight: weight(FILE, line, row.weight)?,
            stems,
        });
    }

    for (line, row) in rows::<MultiRow>("multi.csv", tables.multi)? {
        const FILE: &str = "multi.csv";
        let p = find(FILE, line, &row.profile)?;
        let m = Multi {
            share: row.share,
            min: row.min,
            max: row.max,
            outside: row.outside,
            branch: row.branch,
        };
        share(FILE, line, "share", m.share)?;
        share(FILE, line, "outside", m.outside)?;
        if m.min < 2 || m.max < m.min {
            return fail(FILE, line, "several establishments: 2 ≤ min ≤ max");
        }
        if profiles[p].multi.replace(m).is_some() {
            return fail(
                FILE,
                line,
                format!("profile {} is listed twice", row.profile),
            );
        }
    }

    let ((employer_bands, limits, open_band), count_rows) = counts(tables.counts)?;
    let mut counted = vec![false; profiles.len()];
    for (line, profile, non_employers, employers) in count_rows {
        let p = find("counts.csv", line, &profile)?;
        if std::mem::replace(&mut counted[p], true) {
            return fail(
                "counts.csv",
                line,
                format!("profile {profile} is counted twice"),
            );
        }
        profiles[p].non_employers = non_employers;
        profiles[p].employers = employers;
    }
    for (p, counted) in profiles.iter().zip(counted) {
        let missing = |file: &'static str, what: &str| TableError {
            file,
            line: None,
            message: format!("profile {} has no {what}", p.id),
        };
        if !counted {
            return Err(missing("counts.csv", "counts"));
        }
        if p.activities.is_empty() {
            return Err(missing("activities.csv", "activity"));
        }
    }

    Ok(Calibration {
        profiles,
        bands: employer_bands,
        public,
        limits,
        open_band,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_embedded_tables_parse_into_the_calibration() {
        let c = calibration();
        assert_eq!(c.profiles.len(), 53);
        assert_eq!(c.profiles[0].id, "aide_domicile");
        assert_eq!(c.profiles[52].id, "institutions_prevoyance");
        let codes: Vec<&str> = c.bands.iter().map(|b| b.code).collect();
        assert_eq!(
            codes,
            [
                "01", "02", "03", "11", "12", "21", "22", "31", "32", "41", "42", "51"
            ]
        );
        assert_eq!(
            c.bands[3],
            Band {
                code: "11",
                min: 10.0,
                max: 19.0
            }
        );
        let sport = c.profiles.iter().find(|p| p.id == "sport").unwrap();
        assert_eq!(sport.employers, [370, 95, 28, 5, 3, 0, 0, 0, 0, 0, 0, 0]);
        assert_eq!(sport.non_employers, 2900);
        assert_eq!(sport.activities[0].stems.len(), 10);
        assert_eq!(
            sport.qualifiers.as_deref(),
            Some(&[(Qualifier::Commune, 1)][..])
        );
        let culture = c.profiles.iter().find(|p| p.id == "culture").unwrap();
        assert_eq!(
            culture.activities[0].stems[3], "COMPAGNIE \"LES TRETEAUX\"",
            "quotes survive the CSV"
        );
        assert!(
            c.profiles[39].qualifiers.is_none(),
            "individual entrepreneurs"
        );
        assert!((c.public.trend - 0.003).abs() < 1e-12);
    }

    #[test]
    fn band_of_follows_the_reference_bounds() {
        for (headcount, band) in [
            (0.0, "00"),
            (0.99, "00"),
            (1.0, "01"),
            (2.99, "01"),
            (3.0, "02"),
            (19.5, "11"),
            (4999.9, "51"),
            (5000.0, "52"),
            (9999.9, "52"),
            (10_000.0, "53"),
            (1e9, "53"),
        ] {
            assert_eq!(band_of(headcount), band, "{headcount}");
        }
    }

    /// Which table of [`Tables`] a case breaks.
    type Pick = for<'a, 'b> fn(&'b mut Tables<'a>) -> &'b mut &'a str;

    /// The error for the embedded tables with `from` replaced by `to` in one of them
    /// (`None` if they still parse).
    fn broken(pick: Pick, from: &str, to: &str) -> Option<String> {
        let mut tables = EMBEDDED;
        let text = *pick(&mut tables);
        assert!(text.contains(from), "{from:?} is in the table");
        let changed = text.replacen(from, to, 1);
        *pick(&mut tables) = &changed;
        parse(&tables).err().map(|e| e.to_string())
    }

    #[test]
    fn a_malformed_table_is_refused_with_its_file_and_line() {
        let cases: [(Pick, &str, &str, &str); 14] = [
            (
                |t| &mut t.counts,
                "sport,2900,370",
                "sport,2900,37O",
                "counts.csv, line",
            ),
            (
                |t| &mut t.counts,
                "sport,2900,370,",
                "sport,2900,",
                "counts.csv, line",
            ),
            (
                |t| &mut t.counts,
                "sport,",
                "sports,",
                "unknown profile \"sports\"",
            ),
            (
                |t| &mut t.counts,
                "sport,2900",
                "#",
                "profile sport has no counts",
            ),
            (
                |t| &mut t.counts,
                ",11,12,",
                ",11,13,",
                "\"13\" is not a band",
            ),
            (
                |t| &mut t.counts,
                ",11,12,",
                ",12,11,",
                "band 11 is out of order",
            ),
            (
                |t| &mut t.counts,
                "non_employers,01",
                "non_employers,NN",
                "band NN has no",
            ),
            (
                |t| &mut t.profiles,
                "9220:90",
                "9220:x",
                "weight \"x\" of 9220",
            ),
            (
                |t| &mut t.profiles,
                "9220:90",
                "9922:90",
                "unknown catégorie",
            ),
            (
                |t| &mut t.profiles,
                ",territory,",
                ",county,",
                "qualifier set \"county\"",
            ),
            (
                |t| &mut t.profiles,
                ",population,",
                ",crowd,",
                "profiles.csv, line",
            ),
            (|t| &mut t.activities, "88.10A,1", "88.10A,0", "at least 1"),
            (
                |t| &mut t.activities,
                "88.10A,",
                "00.10A,",
                "not a known NAF code",
            ),
            (|t| &mut t.lives, "public,", "publics,", "no `public` row"),
        ];
        for (pick, from, to, expected) in cases {
            let message = broken(pick, from, to);
            assert!(
                message.as_deref().is_some_and(|m| m.contains(expected)),
                "{from:?} → {to:?}: {message:?} should say {expected:?}"
            );
        }
    }

    #[test]
    fn the_line_of_a_defect_counts_the_comment_lines() {
        let line_of = |text: &str, start: &str| {
            text.lines()
                .position(|l| l.starts_with(start))
                .expect("the row exists")
                + 1
        };
        let message = broken(|t| &mut t.multi, "esat,0.2", "esat,1.2").unwrap_or_default();
        let line = line_of(EMBEDDED.multi, "esat,");
        assert!(
            message.contains(&format!("multi.csv, line {line}: share 1.2")),
            "{message}"
        );
        let message = broken(|t| &mut t.counts, ",11,12,", ",11,13,").unwrap_or_default();
        let line = line_of(EMBEDDED.counts, "profile,");
        assert!(
            message.contains(&format!("counts.csv, line {line}: \"13\"")),
            "{message}"
        );
    }
}
