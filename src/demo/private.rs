//! The private economy of the demo: the units and establishments of each kind of
//! organisation of the calibration (`profiles/`), with their whole life.
//!
//! 1. For each profile, the 2023 size bands are dealt out as a shuffled pool, so the
//!    2023 calibration is exact whatever the seed; units take one or several
//!    establishments from the pool and a place from the commune weights.
//! 2. Around that 2023 stock: some establishments were created after 2014, others
//!    closed between 2011 and 2023 (so they are active in earlier editions); each
//!    employer's headcount follows `h(year) = h(2023) · exp(−g · (2023 − year))`, with
//!    `g` chosen per profile for its yearly jobs trend.
//! 3. A unit is named from a stem of its activity, a qualifier (commune, territory,
//!    surname, motto) and its DEMO tag; an individual entrepreneur is a person.
//!
//! Each profile draws from its own random stream (`Rng::fork` on its id).

use super::calendar::Day;
use super::ids::rna;
use super::model::{Builder, EtabSpec, Person, Place, day_between};
use super::names::{
    FIRST_NAMES_F, FIRST_NAMES_M, MOTTOS, REGIONAL, SURNAMES, demo_tag, initials, territory_phrase,
};
use super::places::{OUTSIDE, of_place};
use super::profiles::{Activity, Flag, Life, Profile, Qualifier, calibration};
use super::rng::Rng;

/// Standard deviation of one employer's yearly growth rate around its profile's. Large
/// establishments hold most of the jobs, so they vary less: otherwise a handful of them
/// crossing a band boundary would swing the département's total between editions.
fn growth_spread(headcount: f64) -> f64 {
    if headcount < 20.0 {
        0.02
    } else if headcount < 100.0 {
        0.008
    } else {
        0.003
    }
}

/// The yearly growth rate that gives a profile its jobs trend between 2014 and 2023,
/// given its births and deaths (see the module docs; employers churn half as much).
fn growth_rate(life: Life) -> f64 {
    let recent = life.recent * 0.5;
    // Closures are spread over 2011–2023; 9 years in 13 fall after the 2014 edition.
    let closed_after_2014 = life.closed * 0.5 * 9.0 / 13.0;
    (1.0 + life.trend).ln() + (1.0 - recent + closed_after_2014).ln() / 9.0
}

fn pick_activity(rng: &mut Rng, p: &'static Profile) -> &'static Activity {
    let weights: Vec<(usize, u32)> = p
        .activities
        .iter()
        .enumerate()
        .map(|(i, a)| (i, a.weight))
        .collect();
    &p.activities[*rng.weighted(&weights)]
}

impl Builder<'_> {
    fn qualifier(&self, rng: &mut Rng, q: Qualifier, commune: usize) -> String {
        let geo = self.places.geo;
        let label = &self.places.info[commune].label;
        match q {
            Qualifier::Commune => of_place(label),
            Qualifier::Territory => territory_phrase(geo, geo.communes[commune].territory),
            Qualifier::Surname => (*rng.pick(SURNAMES)).to_owned(),
            Qualifier::Motto => {
                if rng.chance(0.5) {
                    format!("{} {}", rng.pick(MOTTOS), of_place(label))
                } else {
                    (*rng.pick(MOTTOS)).to_owned()
                }
            }
        }
    }

    /// Builds one profile's units and establishments.
    #[allow(clippy::too_many_lines)] // one profile's generation, step by step, in the calibration's order
    pub(super) fn profile(&mut self, p: &'static Profile) {
        let mut rng = Rng::fork(self.seed, &p.id);
        let growth = growth_rate(p.life);
        // The 2023 pool: a band index for employers, `None` for non-employers.
        let mut pool: Vec<Option<usize>> = p
            .employers
            .iter()
            .enumerate()
            .flat_map(|(b, &n)| std::iter::repeat_n(Some(b), (n * self.scale) as usize))
            .chain(std::iter::repeat_n(
                None,
                (p.non_employers * self.scale) as usize,
            ))
            .collect();
        rng.shuffle(&mut pool);
        // Establishments closed before 2023, drawn like the active ones.
        let closed: Vec<Option<usize>> = pool
            .iter()
            .copied()
            .filter(|slot| rng.chance(p.life.closed * if slot.is_some() { 0.5 } else { 1.0 }))
            .collect();

        let start = Day::from_ymd(p.life.start, 1, 1);
        let end_2014 = Day::from_ymd(2014, 12, 31);
        let recent_from = Day::from_ymd(2015, 1, 1);
        let last_2023 = Day::from_ymd(2023, 12, 15);
        let mut multi_units: Vec<usize> = Vec::new();
        let mut i = 0;
        while i < pool.len() {
            let k = match &p.multi {
                Some(m) if rng.chance(m.share) => rng.between(m.min, m.max) as usize,
                _ => 1,
            };
            let group: Vec<Option<usize>> = pool[i..(i + k).min(pool.len())].to_vec();
            i += k;
            let outside =
                group.len() > 1 && p.multi.as_ref().is_some_and(|m| rng.chance(m.outside));
            let first_commune = self.places.pick(&mut rng, p.spread);
            let territory = self.places.geo.communes[first_commune].territory;
            let activity = pick_activity(&mut rng, p);
            let unit = self.new_profile_unit(&mut rng, p, activity, first_commune, outside);
            let mut created: Vec<Day> = group
                .iter()
                .map(|slot| {
                    let employer = slot.is_some();
                    if rng.chance(p.life.recent * if employer { 0.5 } else { 1.0 }) {
                        day_between(&mut rng, recent_from, last_2023)
                    } else {
                        day_between(&mut rng, start, end_2014)
                    }
                })
                .collect();
            // The first establishment, which named the unit, is its head office.
            if let Some(earliest) = (0..created.len()).min_by_key(|&j| (created[j], j)) {
                created.swap(0, earliest);
            }
            for (j, slot) in group.iter().enumerate() {
                let commune = if j == 0 {
                    first_commune
                } else if rng.chance(0.7) {
                    self.places.pick_in_territory(&mut rng, p.spread, territory)
                } else {
                    self.places.pick(&mut rng, p.spread)
                };
                let created = created[j];
                let naf = if j == 0 || rng.chance(0.5) {
                    activity.naf.as_str()
                } else {
                    pick_activity(&mut rng, p).naf.as_str()
                };
                let spec = self.profile_etab(
                    &mut rng,
                    p,
                    unit,
                    *slot,
                    commune,
                    naf,
                    created,
                    None,
                    growth,
                    j > 0 || outside,
                );
                self.push_etab(&mut rng, unit, spec);
            }
            if outside {
                let h: f64 = group
                    .iter()
                    .map(|s| s.map_or(0.0, |b| calibration().bands[b].min))
                    .sum::<f64>()
                    * rng.uniform(0.05, 0.2)
                    + rng.uniform(20.0, 150.0);
                let earliest = self.units[unit]
                    .etabs
                    .iter()
                    .map(|&e| self.etabs[e].created)
                    .min()
                    .unwrap_or(start);
                let created =
                    day_between(&mut rng, start.min(earliest.plus(-1)), earliest.plus(-1));
                let o = rng.index(OUTSIDE.len());
                let spec = EtabSpec {
                    place: Place::Outside(o),
                    naf: activity.naf.as_str(),
                    created,
                    closed: None,
                    h2023: h,
                    growth,
                    denomination_usuelle: String::new(),
                    enseigne: String::new(),
                };
                self.push_etab(&mut rng, unit, spec);
            }
            if group.len() > 1 {
                multi_units.push(unit);
            }
        }

        let closing_from = Day::from_ymd(2011, 1, 1);
        let closing_to = Day::from_ymd(2023, 12, 20);
        for slot in closed {
            let closure = day_between(&mut rng, closing_from, closing_to);
            let attach = (!multi_units.is_empty() && rng.chance(0.5))
                .then(|| multi_units[rng.index(multi_units.len())])
                .filter(|&u| {
                    let head = self.units[u]
                        .etabs
                        .iter()
                        .map(|&e| self.etabs[e].created)
                        .min();
                    head.is_some_and(|h| h < closure.plus(-200))
                });
            let (unit, commune, naf, from) = if let Some(u) = attach {
                let head = self.units[u]
                    .etabs
                    .iter()
                    .map(|&e| self.etabs[e].created)
                    .min()
                    .unwrap_or(start);
                let territory = self.units[u]
                    .etabs
                    .iter()
                    .find_map(|&e| match self.etabs[e].place {
                        Place::Commune(c) => Some(self.places.geo.communes[c].territory),
                        _ => None,
                    })
                    .unwrap_or(0);
                let commune = self.places.pick_in_territory(&mut rng, p.spread, territory);
                (u, commune, self.units[u].naf, head.plus(1))
            } else {
                let commune = self.places.pick(&mut rng, p.spread);
                let activity = pick_activity(&mut rng, p);
                let u = self.new_profile_unit(&mut rng, p, activity, commune, false);
                (u, commune, activity.naf.as_str(), start)
            };
            let created = day_between(&mut rng, from, closure.plus(-180));
            let secondary = attach.is_some();
            let spec = self.profile_etab(
                &mut rng,
                p,
                unit,
                slot,
                commune,
                naf,
                created,
                Some(closure),
                growth,
                secondary,
            );
            self.push_etab(&mut rng, unit, spec);
        }
    }

    #[expect(
        clippy::too_many_arguments,
        reason = "one call site per kind of establishment, all fields named there"
    )]
    fn profile_etab(
        &self,
        rng: &mut Rng,
        p: &Profile,
        unit: usize,
        slot: Option<usize>,
        commune: usize,
        naf: &'static str,
        created: Day,
        closed: Option<Day>,
        growth: f64,
        secondary: bool,
    ) -> EtabSpec {
        let h2023 = slot.map_or(0.0, |b| {
            let band = calibration().bands[b];
            rng.uniform(band.min, band.max + 1.0)
        });
        let tag = demo_tag(unit as u32 + 1);
        let denomination_usuelle = match &p.multi {
            Some(m) if secondary => format!(
                "{} {} {}",
                m.branch,
                of_place(&self.places.info[commune].label),
                tag
            ),
            _ => String::new(),
        };
        let enseigne = match &self.units[unit].person {
            Some(person) if rng.chance(0.4) => {
                let stem = p
                    .activities
                    .iter()
                    .find(|a| a.naf == naf)
                    .map_or("ATELIER", |a| a.stems[0].as_str());
                let surname = person.nom.split(" (").next().unwrap_or_default();
                format!("{stem} {surname} {tag}")
            }
            _ => String::new(),
        };
        EtabSpec {
            place: Place::Commune(commune),
            naf,
            created,
            closed,
            h2023,
            growth: if slot.is_some() {
                // E[exp(-9g)] = exp(-9ḡ + 40.5σ²) for a normal g: shift ḡ so that the
                // 2014 expectation stays on the trend.
                let sigma = growth_spread(h2023);
                growth + 4.5 * sigma * sigma + sigma * rng.normal()
            } else {
                0.0
            },
            denomination_usuelle,
            enseigne,
        }
    }

    fn new_profile_unit(
        &mut self,
        rng: &mut Rng,
        p: &'static Profile,
        activity: &'static Activity,
        commune: usize,
        outside: bool,
    ) -> usize {
        let n = self.next_number();
        let stem = rng.pick(&activity.stems).as_str();
        let (denomination, person) = match &p.qualifiers {
            None => {
                let female = rng.chance(0.45);
                let person = Person {
                    sexe: if female { "F" } else { "M" },
                    prenom: if female {
                        rng.pick_copied(FIRST_NAMES_F)
                    } else {
                        rng.pick_copied(FIRST_NAMES_M)
                    },
                    nom: format!("{} {}", rng.pick(SURNAMES), demo_tag(n)),
                };
                (String::new(), Some(person))
            }
            Some(qualifiers) => {
                let q = if outside {
                    (*rng.pick(REGIONAL)).to_owned()
                } else {
                    let q = *rng.weighted(qualifiers);
                    self.qualifier(rng, q, commune)
                };
                (format!("{stem} {q} {}", demo_tag(n)), None)
            }
        };
        let flag = match p.flag {
            Flag::Family => {
                if rng.chance(0.7) {
                    "O"
                } else {
                    ""
                }
            }
            Flag::Commercial => "O",
            Flag::Other => {
                if rng.chance(0.6) {
                    "N"
                } else {
                    ""
                }
            }
        };
        let category = rng.weighted(&p.categories).as_str();
        let u = self.push_unit(rng, category, &activity.naf, flag, denomination, person);
        self.units[u].profile = &p.id;
        let unit = &mut self.units[u];
        unit.protected = rng.chance(p.protected);
        if p.flag == Flag::Family && rng.chance(0.2) {
            let s = initials(stem);
            if s.len() >= 2 {
                unit.sigle = format!("{s} DEMO");
            }
        }
        if matches!(category, "9220" | "9221" | "9222" | "9223" | "9230") && rng.chance(0.85) {
            let office = self.places.geo.communes[commune].territory as u8 + 1;
            self.units[u].rna = rna(rng, office);
        }
        u
    }
}
