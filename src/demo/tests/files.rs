//! Determinism (the same seed gives the same bytes) and the files `write_demo` writes.

use super::*;

#[test]
fn the_same_seed_gives_the_same_bytes_and_another_seed_other_bytes() {
    let again = render_demo(&GEOGRAPHY, DEFAULT_SEED, 1).unwrap();
    for (a, b) in DEMO.iter().zip(&again) {
        assert!(a.unites_legales == b.unites_legales, "{}", a.year);
        assert!(a.etablissements == b.etablissements, "{}", a.year);
        assert_eq!(a.defects, b.defects);
    }
    drop(again);
    let other = render_demo(&GEOGRAPHY, DEFAULT_SEED + 1, 1).unwrap();
    for (a, b) in DEMO.iter().zip(&other) {
        assert!(a.unites_legales != b.unites_legales, "{}", a.year);
        assert!(a.etablissements != b.etablissements, "{}", a.year);
    }
}

#[test]
fn write_demo_writes_each_edition_in_its_directory() {
    let geography = &*GEOGRAPHY;
    let dir = tempfile::tempdir().unwrap();
    let started = std::time::Instant::now();
    let files = write_demo(geography, DEFAULT_SEED, 1, dir.path()).unwrap();
    eprintln!("write_demo: four editions in {:?}", started.elapsed());
    assert_eq!(files.len(), DEMO_EDITIONS.len());
    for (f, r) in files.iter().zip(DEMO.iter()) {
        assert_eq!(f.year, r.year);
        assert_eq!(
            f.unites_legales,
            dir.path()
                .join(f.year.to_string())
                .join(UNITES_LEGALES_FILE)
        );
        assert_eq!(
            f.etablissements,
            dir.path()
                .join(f.year.to_string())
                .join(ETABLISSEMENTS_FILE)
        );
        let units = std::fs::read(&f.unites_legales).unwrap();
        let etabs = std::fs::read(&f.etablissements).unwrap();
        eprintln!(
            "{}: {:.1} MB",
            f.year,
            (units.len() + etabs.len()) as f64 / 1e6
        );
        assert!(units.len() + etabs.len() < 25_000_000);
        assert!(units == r.unites_legales && etabs == r.etablissements);
        assert_eq!(f.defects, r.defects);
    }
}
