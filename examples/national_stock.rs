//! Writes national-size SIRENE stock files for the import benchmarks
//! (`benches/import_national.sh`): one demonstration edition's rows spread among
//! millions of synthetic filler rows, as in INSEE's national files (~42 M
//! establishments; 20 M legal units at most here, INSEE's have ~28 M).
//!
//! `cargo run --release --example national_stock -- DEMO_EDITION_DIR OUT_DIR [ESTABLISHMENTS] [UNITS] [elsewhere]`
//!
//! Filler establishments are copies of the demo's valid active establishments (their
//! commune, address, coordinates, activity and size band) under new identifiers that
//! pass the Luhn check, each belonging to a filler legal unit: an active, diffusible
//! SAS (`5710`, not ESS). So the filler follows the demo's geography: on the
//! Pas-de-Calais demo it stays in the département, on a demo generated over all of
//! France (`ess-atlas --geodata … demo --scale 100`) it spreads over every commune
//! like the demo's own establishments, and the importer keeps it as non-ESS
//! establishments and in the economy's totals. With `elsewhere`, the filler is moved
//! to big cities of other départements (no coordinates): a national file read for
//! one département, where nearly every row is out of scope.
//!
//! Deterministic; never committed (the files weigh up to ~14 GB).

use std::collections::HashSet;
use std::fs::File;
use std::io::BufWriter;
use std::path::Path;

use ess_atlas::ess::identifiers::{luhn_digit, siret_key_ok};

/// Communes of other départements the filler goes to with `elsewhere`.
const ELSEWHERE: [&str; 12] = [
    "75056", "13055", "69123", "31555", "06088", "44109", "67482", "34172", "33063", "59350",
    "35238", "80021",
];

type Error = Box<dyn std::error::Error>;

/// A file read whole: header and records.
fn read(path: &Path) -> Result<(csv::StringRecord, Vec<csv::StringRecord>), Error> {
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .from_path(path)
        .map_err(|e| format!("{}: {e}", path.display()))?;
    let mut header = reader.headers()?.clone();
    if let Some(first) = header.get(0) {
        let first = first.trim_start_matches('\u{feff}').to_owned();
        let mut fixed: Vec<String> = header.iter().map(str::to_owned).collect();
        fixed[0] = first;
        header = csv::StringRecord::from(fixed);
    }
    let rows = reader.records().collect::<Result<Vec<_>, _>>()?;
    Ok((header, rows))
}

fn column(header: &csv::StringRecord, name: &str) -> Result<usize, Error> {
    header
        .iter()
        .position(|c| c == name)
        .ok_or_else(|| format!("no column {name}").into())
}

/// Most filler units: SIRENs are `1` or `0` + seven digits + the Luhn key.
const MAX_FILLER_UNITS: u64 = 20_000_000;

/// The SIREN of the `n`-th filler unit: `1` (then `0`) + seven digits, Luhn key (the
/// demo's own SIRENs start with 2 to 9, so none can collide, but it is checked).
fn filler_siren(n: u64) -> String {
    let first = u8::from(n < 10_000_000);
    let body = format!("{first}{:07}", n % 10_000_000);
    let key = luhn_digit(&body);
    format!("{body}{key}")
}

/// The SIRET of the `ordinal`-th establishment (1-based) of a SIREN.
fn siret(siren: &str, ordinal: u64) -> String {
    let body = format!("{siren}{:04}", ordinal % 10_000);
    let key = luhn_digit(&body);
    format!("{body}{key}")
}

/// Spreads `demo` evenly among `total` rows, the others made by `filler(i)`.
fn write_rows(
    out: &Path,
    header: &csv::StringRecord,
    demo: &[csv::StringRecord],
    total: u64,
    mut filler: impl FnMut(u64) -> csv::StringRecord,
) -> Result<(), Error> {
    let mut w = csv::WriterBuilder::new()
        .flexible(true)
        .from_writer(BufWriter::with_capacity(1 << 22, File::create(out)?));
    w.write_record(header)?;
    let total = total.max(demo.len() as u64);
    let step = (total / demo.len().max(1) as u64).max(1);
    let mut next_demo = 0;
    let mut filled = 0;
    for i in 0..total {
        if i % step == 0 && next_demo < demo.len() {
            w.write_record(&demo[next_demo])?;
            next_demo += 1;
        } else if next_demo + (total - i) as usize > demo.len() {
            w.write_record(&filler(filled))?;
            filled += 1;
        } else {
            w.write_record(&demo[next_demo])?;
            next_demo += 1;
        }
    }
    w.flush()?;
    Ok(())
}

fn set(record: &csv::StringRecord, changes: &[(usize, &str)]) -> csv::StringRecord {
    record
        .iter()
        .enumerate()
        .map(|(i, v)| {
            changes
                .iter()
                .find(|(c, _)| *c == i)
                .map_or(v, |(_, new)| *new)
        })
        .collect()
}

#[allow(clippy::too_many_lines)] // one pass writes both files: splitting it would pass a dozen counters around
fn main() -> Result<(), Error> {
    let args: Vec<String> = std::env::args().collect();
    if args.len() < 3 {
        eprintln!("usage: national_stock DEMO_EDITION_DIR OUT_DIR [ESTABLISHMENTS] [UNITS]");
        std::process::exit(2);
    }
    let demo = Path::new(&args[1]);
    let out = Path::new(&args[2]);
    let establishments: u64 = args
        .get(3)
        .and_then(|s| s.parse().ok())
        .unwrap_or(42_000_000);
    let units: u64 = args
        .get(4)
        .and_then(|s| s.parse().ok())
        .unwrap_or(20_000_000);
    let elsewhere = args.get(5).is_some_and(|a| a == "elsewhere");
    std::fs::create_dir_all(out)?;

    let (uh, unit_rows) = read(&demo.join("StockUniteLegale_utf8.csv"))?;
    let (eh, etab_rows) = read(&demo.join("StockEtablissement_utf8.csv"))?;
    let filler_units = units.saturating_sub(unit_rows.len() as u64).max(1);
    if filler_units > MAX_FILLER_UNITS {
        return Err(format!("at most {MAX_FILLER_UNITS} filler units").into());
    }
    let taken: HashSet<&str> = unit_rows.iter().filter_map(|r| r.get(0)).collect();
    if (0..filler_units).any(|n| taken.contains(filler_siren(n).as_str())) {
        return Err("a filler SIREN collides with the demo's".into());
    }

    // Establishments: copies of the demo's valid active ones.
    let (e_siren, e_nic, e_siret, e_state, e_diffusion, e_commune) = (
        column(&eh, "siren")?,
        column(&eh, "nic")?,
        column(&eh, "siret")?,
        column(&eh, "etatAdministratifEtablissement")?,
        column(&eh, "statutDiffusionEtablissement")?,
        column(&eh, "codeCommuneEtablissement")?,
    );
    let e_siege = column(&eh, "etablissementSiege")?;
    let e_xy = [
        column(&eh, "coordonneeLambertAbscisseEtablissement")?,
        column(&eh, "coordonneeLambertOrdonneeEtablissement")?,
    ];
    let sources: Vec<&csv::StringRecord> = etab_rows
        .iter()
        .filter(|r| {
            r.len() == eh.len()
                && r.get(e_siret).is_some_and(siret_key_ok)
                && r.get(e_state) == Some("A")
                && r.get(e_diffusion) == Some("O")
                && r.get(e_commune).is_some_and(|c| c.len() == 5)
        })
        .collect();
    if sources.is_empty() {
        return Err("no valid active establishment in the demo to copy".into());
    }
    write_rows(
        &out.join("StockEtablissement_utf8.csv"),
        &eh,
        &etab_rows,
        establishments,
        |i| {
            // Spread over the sources with a stride coprime to most lengths, so that
            // neighbouring filler rows are in different communes.
            let source = sources[((i * 7_919) % sources.len() as u64) as usize];
            let siren = filler_siren(i % filler_units);
            let ordinal = i / filler_units + 1;
            let siret = siret(&siren, ordinal);
            let mut changes = vec![
                (e_siren, siren.as_str()),
                (e_nic, &siret[9..]),
                (e_siret, siret.as_str()),
                (e_siege, if ordinal == 1 { "true" } else { "false" }),
            ];
            if elsewhere {
                changes.push((e_commune, ELSEWHERE[(i % ELSEWHERE.len() as u64) as usize]));
                changes.extend(e_xy.map(|c| (c, "")));
            }
            set(source, &changes)
        },
    )?;

    // Legal units: the template is the demo's first active diffusible unit, made a
    // non-ESS SAS.
    let (u_siren, u_state, u_diffusion, u_category, u_ess, u_nic_siege) = (
        column(&uh, "siren")?,
        column(&uh, "etatAdministratifUniteLegale")?,
        column(&uh, "statutDiffusionUniteLegale")?,
        column(&uh, "categorieJuridiqueUniteLegale")?,
        column(&uh, "economieSocialeSolidaireUniteLegale")?,
        column(&uh, "nicSiegeUniteLegale")?,
    );
    let template = unit_rows
        .iter()
        .find(|r| {
            r.len() == uh.len() && r.get(u_state) == Some("A") && r.get(u_diffusion) == Some("O")
        })
        .ok_or("no active diffusible unit in the demo")?;
    write_rows(
        &out.join("StockUniteLegale_utf8.csv"),
        &uh,
        &unit_rows,
        filler_units + unit_rows.len() as u64,
        |n| {
            let siren = filler_siren(n);
            let siege = siret(&siren, 1);
            set(
                template,
                &[
                    (u_siren, &siren),
                    (u_category, "5710"),
                    (u_ess, "N"),
                    (u_nic_siege, &siege[9..]),
                ],
            )
        },
    )?;
    Ok(())
}
