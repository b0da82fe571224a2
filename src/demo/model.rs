//! The demo population: every legal unit and establishment with its whole life
//! (creation, changes, closure, headcount trajectory), built once and then looked at
//! on each edition's reference date by `rows.rs`.
//!
//! 1. For each profile (`profiles.rs`), the 2023 size bands are dealt out as a shuffled
//!    pool, so the 2023 calibration is exact whatever the seed; units take one or
//!    several establishments from the pool and a place from the commune weights.
//! 2. Around that 2023 stock: some establishments were created after 2014, others
//!    closed between 2011 and 2023 (so they are active in earlier editions); each
//!    employer's headcount follows `h(year) = h(2023) · exp(−g · (2023 − year))`, with
//!    `g` chosen per profile for its yearly jobs trend.
//! 3. Public bodies (`public.rs`), then the deliberately defective rows.
//! 4. NICs are numbered per unit in order of creation, head office first.

use super::calendar::Day;
use super::ids::{Sirens, nic, rna};
use super::names::{
    COMPLEMENTS, FIRST_NAMES_F, FIRST_NAMES_M, MOTTOS, REGIONAL, STREET_NAMES, STREET_TYPES,
    SURNAMES, demo_tag, initials, territory_phrase,
};
use super::places::{OUTSIDE, Places, Spread, of_place, point_near};
use super::profiles::{Activity, Flag, Life, Profile, Qualifier, calibration};
use super::rng::Rng;
use crate::geography::Geography;

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

/// Where an establishment is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Place {
    /// A commune of the geography (position in `Geography::communes`).
    Commune(usize),
    /// A commune outside the geography (position in [`OUTSIDE`]).
    Outside(usize),
    /// Commune code `62999`, which does not exist (a defect).
    Unknown,
}

/// What is deliberately wrong with a row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Defect {
    /// The `siret` column has 13 digits.
    ShortSiret,
    /// The SIRET has 14 digits but fails the Luhn check.
    BadLuhn,
    /// `dateCreationEtablissement` is `2019-13-45`.
    BadDate,
    /// `codeCommuneEtablissement` is `62999`.
    UnknownCommune,
    /// The establishment's SIREN is absent from the units file.
    OrphanSiren,
    /// The unit's catégorie juridique is `9999` (units file).
    UnknownCategory,
}

#[derive(Debug, Clone)]
pub(super) struct Person {
    pub sexe: &'static str,
    pub prenom: &'static str,
    pub nom: String,
}

#[derive(Debug, Clone)]
pub(super) struct Unit {
    pub siren: String,
    pub category: &'static str,
    pub naf: &'static str,
    /// `economieSocialeSolidaireUniteLegale`.
    pub flag: &'static str,
    /// A company, for which `societeMissionUniteLegale` is filled.
    pub company: bool,
    pub denomination: String,
    pub sigle: String,
    pub person: Option<Person>,
    pub rna: String,
    pub protected: bool,
    pub key: u64,
    /// Establishments, head office first once [`Population`] is finished.
    pub etabs: Vec<usize>,
    pub defect: Option<Defect>,
    /// The profile that made it (`public`, `defect` otherwise).
    pub profile: &'static str,
}

#[derive(Debug, Clone)]
pub(super) struct Address {
    pub numero: String,
    pub indice: &'static str,
    pub type_voie: &'static str,
    pub libelle: &'static str,
    pub complement: &'static str,
    pub distribution: String,
}

#[derive(Debug, Clone)]
pub(super) struct Etab {
    pub unit: usize,
    pub nic: String,
    pub place: Place,
    pub created: Day,
    pub closed: Option<Day>,
    /// Starts of later periods (change of activity, sign, address…), sorted.
    pub changes: Vec<Day>,
    /// Headcount at the 2023 reference date (0 for a non-employer).
    pub h2023: f64,
    /// Yearly growth rate of the headcount.
    pub growth: f64,
    /// Size band of a non-employer: `NN`, empty or `00`.
    pub idle_band: &'static str,
    pub naf: &'static str,
    pub address: Address,
    /// Lambert-93 metres.
    pub xy: Option<(f64, f64)>,
    pub enseigne: String,
    pub denomination_usuelle: String,
    pub key: u64,
    pub defect: Option<Defect>,
}

impl Etab {
    /// Headcount in `year`, on the establishment's trajectory.
    #[must_use]
    pub(super) fn headcount(&self, year: i32) -> f64 {
        if self.h2023 <= 0.0 {
            return 0.0;
        }
        self.h2023 * (-self.growth * f64::from(2023 - year)).exp()
    }

    #[must_use]
    pub(super) fn is_open_on(&self, day: Day) -> bool {
        self.created <= day && self.closed.is_none_or(|c| c > day)
    }
}

pub(super) struct Population {
    pub units: Vec<Unit>,
    pub etabs: Vec<Etab>,
}

/// The yearly growth rate that gives a profile its jobs trend between 2014 and 2023,
/// given its births and deaths (see the module docs; employers churn half as much).
fn growth_rate(life: Life) -> f64 {
    let recent = life.recent * 0.5;
    // Closures are spread over 2011–2023; 9 years in 13 fall after the 2014 edition.
    let closed_after_2014 = life.closed * 0.5 * 9.0 / 13.0;
    (1.0 + life.trend).ln() + (1.0 - recent + closed_after_2014).ln() / 9.0
}

/// How an establishment is to be created.
pub(super) struct EtabSpec {
    pub place: Place,
    pub naf: &'static str,
    pub created: Day,
    pub closed: Option<Day>,
    pub h2023: f64,
    pub growth: f64,
    pub denomination_usuelle: String,
    pub enseigne: String,
}

pub(super) struct Builder<'g> {
    pub places: Places<'g>,
    pub sirens: Sirens,
    pub units: Vec<Unit>,
    pub etabs: Vec<Etab>,
    pub seed: u64,
    /// Multiplies every profile's counts (see [`build`]).
    pub scale: u32,
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

pub(super) fn day_between(rng: &mut Rng, from: Day, to: Day) -> Day {
    Day(rng.between(i64::from(from.0), i64::from(to.0.max(from.0))) as i32)
}

impl Builder<'_> {
    /// A unit with no establishment yet.
    pub(super) fn push_unit(
        &mut self,
        rng: &mut Rng,
        category: &'static str,
        naf: &'static str,
        flag: &'static str,
        denomination: String,
        person: Option<Person>,
    ) -> usize {
        let public = category.starts_with('7') || category == "8110";
        let siren = self.sirens.draw(rng, if public { "2" } else { "" });
        self.units.push(Unit {
            siren,
            category,
            naf,
            flag,
            company: category.starts_with('5') || category.starts_with('6'),
            denomination,
            sigle: String::new(),
            person,
            rna: String::new(),
            protected: false,
            key: rng.next_u64(),
            etabs: Vec::new(),
            defect: None,
            profile: "public",
        });
        self.units.len() - 1
    }

    /// Number that the next unit's name carries.
    pub(super) fn next_number(&self) -> u32 {
        self.units.len() as u32 + 1
    }

    pub(super) fn push_etab(&mut self, rng: &mut Rng, unit: usize, spec: EtabSpec) -> usize {
        let end = spec.closed.unwrap_or(Day::from_ymd(2023, 12, 31));
        let mut changes: Vec<Day> = (0..rng.below(3))
            .filter_map(|_| {
                let d = day_between(rng, spec.created.plus(30), end.plus(-1));
                (d > spec.created && d < end).then_some(d)
            })
            .collect();
        changes.sort_unstable();
        changes.dedup();
        let idle_band = match rng.below(10) {
            0..=4 => "NN",
            5..=8 => "",
            _ => "00",
        };
        let address = Address {
            numero: if rng.chance(0.85) {
                rng.between(1, 250).to_string()
            } else {
                String::new()
            },
            indice: if rng.chance(0.04) { "B" } else { "" },
            type_voie: rng.weighted_copied(STREET_TYPES),
            libelle: rng.pick_copied(STREET_NAMES),
            complement: if rng.chance(0.1) {
                rng.pick_copied(COMPLEMENTS)
            } else {
                ""
            },
            distribution: if rng.chance(0.03) {
                format!("BP {}", rng.between(1, 999))
            } else {
                String::new()
            },
        };
        let xy = match spec.place {
            _ if rng.chance(0.05) => None,
            Place::Commune(i) => self.places.point_in(rng, i),
            Place::Outside(i) => point_near(rng, &OUTSIDE[i]),
            Place::Unknown => None,
        };
        self.etabs.push(Etab {
            unit,
            nic: String::new(),
            place: spec.place,
            created: spec.created,
            closed: spec.closed,
            changes,
            h2023: spec.h2023,
            growth: spec.growth,
            idle_band,
            naf: spec.naf,
            address,
            xy,
            enseigne: spec.enseigne,
            denomination_usuelle: spec.denomination_usuelle,
            key: rng.next_u64(),
            defect: None,
        });
        let e = self.etabs.len() - 1;
        self.units[unit].etabs.push(e);
        e
    }

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
    fn profile(&mut self, p: &'static Profile) {
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

    /// The deliberately defective rows: one establishment each (see [`Defect`]).
    fn defects(&mut self) {
        let mut rng = Rng::fork(self.seed, "defects");
        for defect in [
            Defect::ShortSiret,
            Defect::BadLuhn,
            Defect::BadDate,
            Defect::UnknownCommune,
            Defect::OrphanSiren,
            Defect::UnknownCategory,
        ] {
            let commune = self.places.pick(&mut rng, Spread::Population);
            let n = self.next_number();
            let name = format!(
                "ASSOCIATION DE QUARTIER {} {}",
                of_place(&self.places.info[commune].label),
                demo_tag(n)
            );
            let category = if defect == Defect::UnknownCategory {
                "9999"
            } else {
                "9220"
            };
            let u = self.push_unit(&mut rng, category, "94.99Z", "", name, None);
            self.units[u].defect = Some(defect);
            let created = day_between(
                &mut rng,
                Day::from_ymd(2008, 1, 1),
                Day::from_ymd(2013, 12, 31),
            );
            let place = if defect == Defect::UnknownCommune {
                Place::Unknown
            } else {
                Place::Commune(commune)
            };
            let spec = EtabSpec {
                place,
                naf: "94.99Z",
                created,
                closed: None,
                h2023: 0.0,
                growth: 0.0,
                denomination_usuelle: String::new(),
                enseigne: String::new(),
            };
            let e = self.push_etab(&mut rng, u, spec);
            self.etabs[e].idle_band = "NN";
            if defect != Defect::UnknownCategory {
                self.etabs[e].defect = Some(defect);
            }
        }
    }

    /// Head office first (the earliest created), then by creation; NICs in that order.
    fn number_establishments(&mut self) {
        for u in 0..self.units.len() {
            let mut list = std::mem::take(&mut self.units[u].etabs);
            list.sort_by_key(|&e| (self.etabs[e].created, e));
            for (k, &e) in list.iter().enumerate() {
                self.etabs[e].nic = nic(&self.units[u].siren, k as u32 + 1);
            }
            self.units[u].etabs = list;
        }
    }
}

/// Builds the whole demo population from a geography and a seed, with `scale` times
/// the organisations of each profile (1: the Pas-de-Calais calibration). Public bodies
/// follow the geography's communes and populations whatever the scale.
pub(super) fn build(geo: &Geography, seed: u64, scale: u32) -> Population {
    let mut b = Builder {
        places: Places::new(geo),
        sirens: Sirens::default(),
        units: Vec::new(),
        etabs: Vec::new(),
        seed,
        scale: scale.max(1),
    };
    for p in &calibration().profiles {
        b.profile(p);
    }
    b.public_sector();
    b.defects();
    b.number_establishments();
    Population {
        units: b.units,
        etabs: b.etabs,
    }
}
