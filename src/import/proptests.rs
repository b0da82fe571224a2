//! Property tests of the three readers on damaged files (issue 17): random
//! truncations, byte flips, inserted quotes, separators and line breaks, Latin-1
//! re-encoding, applied to real examples. Whatever the damage: no panic, and when a
//! reader accepts the file, every row read is kept, excluded or rejected.
//!
//! Bounded by the number of cases ([`CASES`] per reader, under a few seconds each in a
//! debug build), so that they run with every `cargo test`.

use std::path::Path;
use std::sync::LazyLock;

use proptest::prelude::*;

use crate::geography::Geography;
use crate::records::ImportReport;

const CASES: u32 = 256;

static GEOGRAPHY: LazyLock<Geography> = LazyLock::new(|| {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("geodata");
    let input = crate::spatial::boundaries::load_geodata(&dir).expect("geodata loads");
    Geography::assemble(crate::geography::build_records(input)).expect("geography assembles")
});

fn fixture(relative: &str) -> Vec<u8> {
    std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join(relative)).expect("fixture")
}

/// One change to a file's bytes; positions are fractions of its length.
#[derive(Debug, Clone)]
enum Damage {
    Truncate(f64),
    Flip(f64, u8),
    Insert(f64, u8),
    Latin1,
}

fn damage() -> impl Strategy<Value = Damage> {
    prop_oneof![
        (0.0..1.0).prop_map(Damage::Truncate),
        (0.0..1.0, 1u8..=255).prop_map(|(p, x)| Damage::Flip(p, x)),
        (
            0.0..1.0,
            prop::sample::select(vec![b'"', b',', b';', b'\n', b'\r', b'\t', 0xE9, 0])
        )
            .prop_map(|(p, b)| Damage::Insert(p, b)),
        Just(Damage::Latin1),
    ]
}

fn apply(bytes: &[u8], damages: &[Damage]) -> Vec<u8> {
    let mut out = bytes.to_vec();
    for d in damages {
        let at = |p: f64, len: usize| ((p * len as f64) as usize).min(len);
        match *d {
            Damage::Truncate(p) => out.truncate(at(p, out.len())),
            Damage::Flip(p, x) => {
                let i = at(p, out.len().saturating_sub(1));
                if let Some(b) = out.get_mut(i) {
                    *b ^= x;
                }
            }
            Damage::Insert(p, b) => {
                let i = at(p, out.len());
                out.insert(i, b);
            }
            Damage::Latin1 => {
                let text = String::from_utf8_lossy(&out).into_owned();
                out = encoding_rs::WINDOWS_1252.encode(&text).0.into_owned();
            }
        }
    }
    out
}

/// Every row read is kept, excluded or rejected, in every file of the report.
fn balanced(report: &ImportReport) -> Result<(), TestCaseError> {
    for f in &report.files {
        prop_assert_eq!(
            f.rows_read,
            f.rows_kept + f.excluded_total() + f.rows_rejected,
            "{:?}",
            f
        );
    }
    Ok(())
}

fn config() -> ProptestConfig {
    ProptestConfig {
        cases: CASES,
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn the_sirene_reader_never_panics_and_counts_every_row(
        damages in prop::collection::vec(damage(), 1..4),
        units in any::<bool>(),
    ) {
        let dir = tempfile::tempdir().expect("tempdir");
        let et = fixture("tests/fixtures/sirene/StockEtablissement_sample.csv");
        let ul = fixture("tests/fixtures/sirene/StockUniteLegale_sample.csv");
        let (et, ul) = if units { (et, apply(&ul, &damages)) } else { (apply(&et, &damages), ul) };
        let files = super::sirene::SireneFiles {
            unites_legales: dir.path().join("StockUniteLegale_utf8.csv"),
            etablissements: dir.path().join("StockEtablissement_utf8.csv"),
            geolocalisation: None,
        };
        std::fs::write(&files.unites_legales, ul).expect("write");
        std::fs::write(&files.etablissements, et).expect("write");
        if let Ok(edition) = super::sirene::read_sirene(&GEOGRAPHY, 2023, "2023-12-31", &files, &super::progress::Watch::None) {
            balanced(&edition.report)?;
            prop_assert_eq!(
                edition.report.files[0].rows_kept as usize,
                edition.establishments.len()
            );
        }
    }

    #[test]
    fn the_observatory_reader_never_panics_and_counts_every_row(
        damages in prop::collection::vec(damage(), 1..4),
    ) {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("observatoire.csv");
        let bytes = apply(&fixture("reference/observatoire-exemple.csv"), &damages);
        std::fs::write(&path, bytes).expect("write");
        if let Ok(edition) = super::observatory::read_observatory(&GEOGRAPHY, 2023, &path) {
            balanced(&edition.report)?;
            prop_assert_eq!(edition.report.files[0].rows_kept as usize, edition.rows.len());
        }
    }

    #[test]
    fn the_subsidies_reader_never_panics_and_counts_every_row(
        damages in prop::collection::vec(damage(), 1..4),
    ) {
        let bytes = apply(&fixture("reference/scdl-subventions-example.csv"), &damages);
        if let Ok(file) = super::subsidies::parse_subsidies(2023, "f.csv", &bytes) {
            balanced(&file.report)?;
            prop_assert_eq!(file.report.files[0].rows_kept as usize, file.lines.len());
            prop_assert!(file.lines.iter().all(|l| l.amount <= super::subsidies::MAX_AMOUNT));
        }
    }
}
