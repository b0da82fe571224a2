//! Writes national-size SIRENE stock files for the import benchmark
//! (`benches/import_national.sh`): the département's demonstration rows spread among
//! millions of synthetic rows of other départements, as in INSEE's national files
//! (~42 M establishments, ~28 M legal units).
//!
//! `cargo run --release --example national_stock -- DEMO_EDITION_DIR OUT_DIR [ESTABLISHMENTS] [UNITS]`
//!
//! Deterministic; never committed (the files weigh ~14 GB).

use std::fs::File;
use std::io::{BufRead, BufReader, BufWriter, Write};
use std::path::Path;

/// Communes of other départements the filler rows are located in.
const ELSEWHERE: [&str; 12] = [
    "75056", "13055", "69123", "31555", "06088", "44109", "67482", "34172", "33063", "59350",
    "35238", "80021",
];

fn lines(path: &Path) -> std::io::Result<(String, Vec<String>)> {
    let mut reader = BufReader::new(File::open(path)?);
    let mut header = String::new();
    reader.read_line(&mut header)?;
    let header = header.trim_start_matches('\u{feff}').trim_end().to_owned();
    let rows = reader
        .lines()
        .map(|l| l.map(|l| l.trim_end().to_owned()))
        .collect::<Result<Vec<_>, _>>()?;
    Ok((header, rows))
}

/// Writes `total` rows: the demo rows spread evenly, filler rows made from `template`
/// (its first field replaced by a counter-based SIREN, and for establishments the SIRET
/// and commune replaced too).
fn write(
    out: &Path,
    header: &str,
    demo: &[String],
    total: u64,
    establishments: bool,
) -> std::io::Result<()> {
    let mut w = BufWriter::with_capacity(1 << 22, File::create(out)?);
    writeln!(w, "{header}")?;
    let template: Vec<&str> = demo[demo.len() / 2].split(',').collect();
    let columns: Vec<&str> = header.split(',').collect();
    let commune_col = columns
        .iter()
        .position(|c| *c == "codeCommuneEtablissement");
    let siret_col = columns.iter().position(|c| *c == "siret");
    let step = (total / demo.len().max(1) as u64).max(1);
    let mut next_demo = 0;
    let mut fields: Vec<String> = template.iter().map(|s| (*s).to_owned()).collect();
    // Filler SIRENs must not collide with the demo's, or a filler unit would stand for
    // a demo organisation.
    let taken: std::collections::HashSet<&str> =
        demo.iter().filter_map(|r| r.split(',').next()).collect();
    for i in 0..total {
        if i % step == 0 && next_demo < demo.len() {
            writeln!(w, "{}", demo[next_demo])?;
            next_demo += 1;
            continue;
        }
        let mut n = 900_000_000 + (i % 99_999_999);
        let mut siren = format!("{n:09}");
        while taken.contains(siren.as_str()) {
            n += 1;
            siren = format!("{n:09}");
        }
        fields[0].clone_from(&siren);
        if establishments {
            if let Some(c) = siret_col {
                fields[c] = format!("{siren}{:05}", i % 100_000);
            }
            if let Some(c) = commune_col {
                ELSEWHERE[(i % ELSEWHERE.len() as u64) as usize].clone_into(&mut fields[c]);
            }
        }
        writeln!(w, "{}", fields.join(","))?;
    }
    for row in &demo[next_demo..] {
        writeln!(w, "{row}")?;
    }
    w.flush()
}

fn main() -> std::io::Result<()> {
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
        .unwrap_or(28_000_000);
    std::fs::create_dir_all(out)?;
    let (h, rows) = lines(&demo.join("StockEtablissement_utf8.csv"))?;
    write(
        &out.join("StockEtablissement_utf8.csv"),
        &h,
        &rows,
        establishments,
        true,
    )?;
    let (h, rows) = lines(&demo.join("StockUniteLegale_utf8.csv"))?;
    write(
        &out.join("StockUniteLegale_utf8.csv"),
        &h,
        &rows,
        units,
        false,
    )?;
    Ok(())
}
