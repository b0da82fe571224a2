//! The demo population: every legal unit and establishment with its whole life
//! (creation, changes, closure, headcount trajectory), built once and then looked at
//! on each edition's reference date by `rows.rs`.
//!
//! Owns the records, the builder's primitives (a unit; an establishment with its
//! changes, address and point) and the order of the steps, which is part of the
//! output (identifiers and numbers are drawn in turn):
//! 1. the private economy, profile by profile (`private.rs`, calibrated by
//!    `profiles/`): units, establishments, births and closures;
//! 2. public bodies (`public.rs`);
//! 3. the deliberately defective rows (here);
//! 4. NICs, numbered per unit in order of creation, head office first (here).

use super::calendar::Day;
use super::ids::{Sirens, nic};
use super::names::{COMPLEMENTS, STREET_NAMES, STREET_TYPES, demo_tag};
use super::places::{OUTSIDE, Places, Spread, of_place, point_near};
use super::profiles::calibration;
use super::rng::Rng;
use crate::geography::Geography;

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
