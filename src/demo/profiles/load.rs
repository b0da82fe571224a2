//! Reading and checking the calibration tables (see the parent module for what they
//! hold).
//!
//! Every row is checked, and the first defect is returned as a [`TableError`] with
//! its file and line: numbers; names of other tables' rows (each profile has its
//! counts and at least one activity, none is listed twice); legal categories and NAF
//! divisions against the reference tables; `counts.csv`'s band columns against
//! `reference/tranches-effectifs.csv` (employer bands, in order); weights of at least
//! 1; shares in `[0, 1]`; a `public` life.

use std::collections::{HashMap, HashSet};
use std::fmt;

use serde::Deserialize;
use serde::de::DeserializeOwned;

use super::{Activity, Band, Calibration, Flag, Life, Multi, Profile, Qualifier, Tables};
use crate::demo::places::Spread;
use crate::ess::reference::{TABLES, division_of};

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
/// header, and the limits `band_of` reads.
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
#[allow(clippy::too_many_lines)] // one table after another, each checked where it is read
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
