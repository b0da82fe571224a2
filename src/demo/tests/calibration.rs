//! The figures of each edition, read back with the product's rules: the 2023
//! calibration, the scale, the trend from 2014, organisations across editions.

use std::collections::HashSet;

use super::*;

#[test]
fn the_2023_edition_matches_the_published_orders_of_magnitude() {
    let f = measure(edition(2023));
    report(2023, &f);
    assert!(
        (3_000..=3_500).contains(&f.ess_employers),
        "{}",
        f.ess_employers
    );
    assert!(
        (48_000.0..=52_500.0).contains(&f.ess_jobs),
        "{}",
        f.ess_jobs
    );
    assert!((0.11..=0.13).contains(&f.share()), "{}", f.share());
    assert!((14_000..=16_000).contains(&f.ess), "{}", f.ess);
    for (family, target) in [
        (Family::Association, 0.85),
        (Family::Cooperative, 0.08),
        (Family::Mutuelle, 0.04),
        (Family::Fondation, 0.01),
    ] {
        let share = f.family_share(family);
        assert!((share - target).abs() <= 0.03, "{family:?}: {share}");
    }
    assert!((20..=100).contains(&f.commercial), "{}", f.commercial);
    let q = f.ess_jobs_q / f.ess_jobs;
    assert!((0.45..=0.55).contains(&q), "{q}");
    assert!(
        (0.72..=0.80).contains(&f.small_share()),
        "{}",
        f.small_share()
    );
    assert_eq!(f.by_territory.len(), GEOGRAPHY.territories.len());
    // Every territory holds at least 1 % of the ESS establishments.
    assert!(
        f.by_territory.values().all(|&n| n * 100 >= f.ess),
        "{:?}",
        f.by_territory
    );
    assert!(f.protected > 0);
}

#[test]
fn a_scale_multiplies_the_organisations_and_keeps_their_proportions() {
    let scaled = render_demo(&GEOGRAPHY, DEFAULT_SEED, 2).expect("demo renders");
    let base = measure(edition(2023));
    let double = measure(
        scaled
            .iter()
            .find(|r| r.year == 2023)
            .expect("edition exists"),
    );
    report(2023, &double);
    let ratio = |a: usize, b: usize| a as f64 / b as f64;
    for (what, a, b) in [
        ("ESS establishments", double.ess, base.ess),
        ("ESS employers", double.ess_employers, base.ess_employers),
        ("active establishments", double.active, base.active),
    ] {
        let r = ratio(a, b);
        assert!((1.95..=2.05).contains(&r), "{what}: {a} vs {b}");
    }
    // ESS jobs double too; public bodies follow the communes, not the scale, so the
    // ESS share of all jobs rises a little and is not compared.
    let jobs = double.ess_jobs / base.ess_jobs;
    assert!((1.9..=2.1).contains(&jobs), "ESS jobs ×{jobs}");
    for family in [Family::Association, Family::Cooperative, Family::Mutuelle] {
        let (a, b) = (double.family_share(family), base.family_share(family));
        assert!((a - b).abs() < 0.01, "{family:?}: {a} vs {b}");
    }
}

#[test]
fn ess_jobs_grow_about_one_percent_a_year_from_2014() {
    let all: Vec<Figures> = DEMO.iter().map(measure).collect();
    for (r, f) in DEMO.iter().zip(&all) {
        report(r.year, f);
    }
    let jobs: Vec<f64> = all.iter().map(|f| f.ess_jobs).collect();
    assert!(jobs.windows(2).all(|w| w[0] < w[1]), "{jobs:?}");
    let yearly = (jobs[3] / jobs[0]).powf(1.0 / 9.0) - 1.0;
    assert!((0.005..=0.015).contains(&yearly), "{yearly}");
    let counts: Vec<usize> = all.iter().map(|f| f.ess).collect();
    assert!(counts.windows(2).all(|w| w[0] < w[1]), "{counts:?}");
}

#[test]
fn organisations_persist_across_editions_and_close_as_insee_records_it() {
    let sirets = |r: &Rendered, state: &str| -> HashSet<String> {
        let t = Table::read(&r.etablissements);
        let (siret, etat) = (t.col("siret"), t.col("etatAdministratifEtablissement"));
        t.records
            .iter()
            .filter(|rec| &rec[etat] == state)
            .map(|rec| rec[siret].to_owned())
            .collect()
    };
    let active_2014 = sirets(edition(2014), "A");
    let active_2023 = sirets(edition(2023), "A");
    let closed_2023 = sirets(edition(2023), "F");
    let kept = active_2014.intersection(&active_2023).count();
    let closed_since = active_2014.intersection(&closed_2023).count();
    assert!(
        kept * 10 >= active_2014.len() * 7,
        "{kept} of {}",
        active_2014.len()
    );
    assert!(closed_since > 1_000, "{closed_since}");
    assert!(active_2023.len() > active_2014.len());

    // A closed establishment's period starts on its closure, after its creation; a
    // ceased unit has no active establishment.
    let r = edition(2023);
    let t = Table::read(&r.etablissements);
    let (siren, created, debut, etat) = (
        t.col("siren"),
        t.col("dateCreationEtablissement"),
        t.col("dateDebut"),
        t.col("etatAdministratifEtablissement"),
    );
    let reference = Day::from_ymd(2023, 12, 31);
    let mut active_units = HashSet::new();
    for rec in &t.records {
        if &rec[etat] == "A" {
            active_units.insert(rec[siren].to_owned());
        }
        // (The row with the deliberately invalid creation date is skipped.)
        if let (Some(c), Some(d)) = (Day::parse(&rec[created]), Day::parse(&rec[debut])) {
            assert!(c <= d && d <= reference, "{rec:?}");
        }
    }
    let u = Table::read(&r.unites_legales);
    let (siren, etat) = (u.col("siren"), u.col("etatAdministratifUniteLegale"));
    let mut ceased = 0;
    for rec in &u.records {
        let active = active_units.contains(&rec[siren]);
        assert_eq!(&rec[etat] == "A", active, "{rec:?}");
        ceased += usize::from(!active);
    }
    assert!(ceased > 500, "{ceased}");
}
