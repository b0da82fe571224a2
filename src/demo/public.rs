//! Public bodies of the demo: one commune unit per commune of the geography, the CCAS of
//! towns, the EPCI (with their real SIREN, the geography's code), the Département, the
//! hospitals, schools and State services. Their sizes follow populations, so they
//! scale with whatever geography the demo is built on. None of them is ESS; they make
//! the denominator of the share of ESS in salaried employment realistic.

use super::calendar::Day;
use super::model::{Builder, EtabSpec, Place, day_between};
use super::names::{MOTTOS, SCHOOL_NAMES, demo_tag, territory_phrase};
use super::places::{Spread, of_place, upper_ascii};
use super::profiles::calibration;
use super::rng::Rng;

/// One establishment of a public body.
struct Site {
    place: Place,
    naf: &'static str,
    headcount: f64,
    label: String,
}

impl Builder<'_> {
    fn public_body(
        &mut self,
        rng: &mut Rng,
        category: &'static str,
        name: &str,
        sites: Vec<Site>,
        siren: Option<&str>,
    ) {
        let Some(naf) = sites.first().map(|s| s.naf) else {
            return;
        };
        let n = self.next_number();
        let u = self.push_unit(
            rng,
            category,
            naf,
            "",
            format!("{name} {}", demo_tag(n)),
            None,
        );
        if let Some(own) = siren.filter(|s| self.sirens.reserve(s)) {
            own.clone_into(&mut self.units[u].siren);
        }
        // Public bodies grow slowly and neither appear nor disappear in the demo
        // (`data/lives.csv`, row `public`).
        let life = calibration().public;
        let founded = day_between(
            rng,
            Day::from_ymd(life.start, 1, 1),
            Day::from_ymd(1995, 12, 31),
        );
        let growth = (1.0 + life.trend).ln();
        for (k, site) in sites.into_iter().enumerate() {
            let created = if k == 0 {
                founded
            } else {
                day_between(rng, founded.plus(1), Day::from_ymd(2012, 12, 31))
            };
            let spec = EtabSpec {
                place: site.place,
                naf: site.naf,
                created,
                closed: None,
                h2023: site.headcount.max(1.0),
                growth: growth + 0.01 * rng.normal(),
                denomination_usuelle: if k == 0 {
                    String::new()
                } else {
                    format!("{} {}", site.label, demo_tag(n))
                },
                enseigne: String::new(),
            };
            self.push_etab(rng, u, spec);
        }
    }

    fn label(&self, commune: usize) -> String {
        of_place(&self.places.info[commune].label)
    }

    /// Builds every public body; see the module docs.
    #[allow(clippy::too_many_lines)] // every public body in the order the demo's output depends on
    pub(super) fn public_sector(&mut self) {
        let mut rng = Rng::fork(self.seed, "public");
        let geo = self.places.geo;
        let largest = (0..geo.communes.len())
            .max_by_key(|&i| (geo.communes[i].zone.population, std::cmp::Reverse(i)))
            .unwrap_or(0);
        // The prefecture (Arras in the Pas-de-Calais), else the largest commune.
        let seat = geo.commune_position("62041").unwrap_or(largest);
        let seat_territory = geo.communes[seat].territory;

        for i in 0..geo.communes.len() {
            let pop = geo.communes[i].zone.population as f64;
            let staff = (pop * rng.uniform(0.012, 0.028)).max(rng.uniform(1.0, 3.0));
            let here = Place::Commune(i);
            let mut sites = vec![Site {
                place: here,
                naf: "84.11Z",
                headcount: if pop > 20_000.0 { staff * 0.7 } else { staff },
                label: String::new(),
            }];
            if pop > 20_000.0 {
                sites.push(Site {
                    place: here,
                    naf: "84.11Z",
                    headcount: staff * 0.2,
                    label: "CENTRE TECHNIQUE MUNICIPAL".into(),
                });
                sites.push(Site {
                    place: here,
                    naf: "85.52Z",
                    headcount: staff * 0.1,
                    label: "CONSERVATOIRE MUNICIPAL".into(),
                });
            }
            let name = format!("COMMUNE {}", self.label(i));
            self.public_body(&mut rng, "7210", &name, sites, None);
            if pop >= 3_000.0 {
                let sites = vec![Site {
                    place: here,
                    naf: "88.99B",
                    headcount: pop * rng.uniform(0.002, 0.006),
                    label: String::new(),
                }];
                let name = format!("CENTRE COMMUNAL D ACTION SOCIALE {}", self.label(i));
                self.public_body(&mut rng, "7361", &name, sites, None);
            }
        }

        for e in 0..geo.epci.len() {
            let epci = &geo.epci[e];
            let category = match epci.kind.as_str() {
                "CU" => "7343",
                "CA" => "7348",
                "ME" | "MET" => "7344",
                _ => "7346",
            };
            let sites = vec![Site {
                place: Place::Commune(self.places.epci_centre[e]),
                naf: "84.11Z",
                headcount: epci.zone.population as f64 * rng.uniform(0.002, 0.004),
                label: String::new(),
            }];
            let name = upper_ascii(&epci.zone.name).replace('\'', " ");
            self.public_body(&mut rng, category, &name, sites, Some(&epci.zone.code));
        }

        let department_pop = geo.department.population as f64;
        let centres = self.places.territory_centre.clone();
        let per_territory = |naf: &'static str, label: &str, lo: f64, hi: f64, rng: &mut Rng| {
            centres
                .iter()
                .enumerate()
                .map(|(t, &c)| Site {
                    place: Place::Commune(c),
                    naf,
                    headcount: rng.uniform(lo, hi),
                    label: format!("{label} {}", territory_phrase(geo, t)),
                })
                .collect::<Vec<_>>()
        };

        // The Département: head office and one Maison du Département per territory.
        let mut sites = vec![Site {
            place: Place::Commune(seat),
            naf: "84.11Z",
            headcount: department_pop * rng.uniform(0.0022, 0.0026),
            label: String::new(),
        }];
        sites.extend(per_territory(
            "88.99B",
            "MAISON DU DEPARTEMENT",
            60.0,
            180.0,
            &mut rng,
        ));
        let name = format!(
            "DEPARTEMENT {}",
            of_place(&upper_ascii(&geo.department.name))
        );
        self.public_body(&mut rng, "7220", &name, sites, None);

        // The Région, head office outside (Lille).
        let sites = vec![
            Site {
                place: Place::Outside(0),
                naf: "84.11Z",
                headcount: rng.uniform(1_200.0, 1_800.0),
                label: String::new(),
            },
            Site {
                place: Place::Commune(seat),
                naf: "84.11Z",
                headcount: rng.uniform(20.0, 45.0),
                label: "ANTENNE REGIONALE".into(),
            },
        ];
        self.public_body(&mut rng, "7230", "REGION HAUTS DE FRANCE", sites, None);

        // Hospitals: one per territory, a second one in the most populous territories.
        for (t, &centre) in centres.iter().enumerate() {
            let pop = geo.territories[t].zone.population as f64;
            let mut sites = vec![Site {
                place: Place::Commune(centre),
                naf: "86.10Z",
                headcount: pop * rng.uniform(0.006, 0.011),
                label: String::new(),
            }];
            if pop > 150_000.0 {
                let other = self.places.pick_in_territory(&mut rng, Spread::Urban, t);
                sites.push(Site {
                    place: Place::Commune(other),
                    naf: "86.10Z",
                    headcount: pop * rng.uniform(0.002, 0.004),
                    label: "SITE HOSPITALIER".into(),
                });
            }
            let name = format!("CENTRE HOSPITALIER {}", self.label(centre));
            self.public_body(&mut rng, "7364", &name, sites, None);
        }
        let c = self.places.pick(&mut rng, Spread::Population);
        let sites = vec![Site {
            place: Place::Commune(c),
            naf: "86.10Z",
            headcount: rng.uniform(500.0, 900.0),
            label: String::new(),
        }];
        let name = format!("ETABLISSEMENT PUBLIC DE SANTE MENTALE {}", self.label(c));
        self.public_body(&mut rng, "7364", &name, sites, None);

        // Public EHPAD, collèges and lycées, in proportion to population.
        let ehpad = (department_pop / 40_000.0).round().max(1.0) as usize;
        for _ in 0..ehpad {
            let c = self.places.pick(&mut rng, Spread::Population);
            let sites = vec![Site {
                place: Place::Commune(c),
                naf: "87.10A",
                headcount: rng.uniform(40.0, 110.0),
                label: String::new(),
            }];
            let name = format!("EHPAD PUBLIC {} {}", rng.pick(MOTTOS), self.label(c));
            self.public_body(&mut rng, "7366", &name, sites, None);
        }
        for t in 0..geo.territories.len() {
            let pop = geo.territories[t].zone.population as f64;
            let colleges = (pop / 11_000.0).round().max(1.0) as usize;
            let lycees = (pop / 28_000.0).round().max(1.0) as usize;
            for k in 0..colleges + lycees {
                let lycee = k >= colleges;
                let c = self.places.pick_in_territory(&mut rng, Spread::Urban, t);
                let sites = vec![Site {
                    place: Place::Commune(c),
                    naf: if lycee && rng.chance(0.4) {
                        "85.32Z"
                    } else {
                        "85.31Z"
                    },
                    headcount: if lycee {
                        rng.uniform(40.0, 160.0)
                    } else {
                        rng.uniform(15.0, 60.0)
                    },
                    label: String::new(),
                }];
                let name = format!(
                    "{} {} {}",
                    if lycee { "LYCEE" } else { "COLLEGE" },
                    rng.pick(SCHOOL_NAMES),
                    self.label(c)
                );
                self.public_body(&mut rng, "7331", &name, sites, None);
            }
        }

        // State services: prefecture and sub-prefectures, public finances, gendarmerie.
        let mut sites = vec![Site {
            place: Place::Commune(seat),
            naf: "84.11Z",
            headcount: rng.uniform(380.0, 480.0),
            label: String::new(),
        }];
        sites.extend(
            per_territory("84.11Z", "SOUS-PREFECTURE", 20.0, 50.0, &mut rng)
                .into_iter()
                .enumerate()
                .filter(|(t, _)| *t != seat_territory)
                .map(|(_, s)| s),
        );
        self.public_body(
            &mut rng,
            "7172",
            "PREFECTURE ET SERVICES DE L ETAT",
            sites,
            None,
        );

        let mut sites = vec![Site {
            place: Place::Commune(seat),
            naf: "84.11Z",
            headcount: rng.uniform(150.0, 240.0),
            label: String::new(),
        }];
        for t in 0..geo.territories.len() {
            for _ in 0..2 {
                let c = self.places.pick_in_territory(&mut rng, Spread::Urban, t);
                sites.push(Site {
                    place: Place::Commune(c),
                    naf: "84.11Z",
                    headcount: rng.uniform(10.0, 80.0),
                    label: format!("CENTRE DES FINANCES PUBLIQUES {}", self.label(c)),
                });
            }
        }
        self.public_body(
            &mut rng,
            "7172",
            "DIRECTION DES FINANCES PUBLIQUES",
            sites,
            None,
        );

        let mut sites = vec![Site {
            place: Place::Commune(seat),
            naf: "84.24Z",
            headcount: rng.uniform(80.0, 150.0),
            label: String::new(),
        }];
        for t in 0..geo.territories.len() {
            for _ in 0..6 {
                let c = self.places.pick_in_territory(&mut rng, Spread::Local, t);
                sites.push(Site {
                    place: Place::Commune(c),
                    naf: "84.24Z",
                    headcount: rng.uniform(6.0, 30.0),
                    label: format!("BRIGADE {}", self.label(c)),
                });
            }
        }
        self.public_body(&mut rng, "7150", "GROUPEMENT DE GENDARMERIE", sites, None);

        // Fire and rescue: head office and seven centres per territory.
        let mut sites = vec![Site {
            place: Place::Commune(seat),
            naf: "84.25Z",
            headcount: rng.uniform(250.0, 400.0),
            label: String::new(),
        }];
        for t in 0..geo.territories.len() {
            for _ in 0..7 {
                let c = self.places.pick_in_territory(&mut rng, Spread::Local, t);
                sites.push(Site {
                    place: Place::Commune(c),
                    naf: "84.25Z",
                    headcount: rng.uniform(1.0, 14.0),
                    label: format!("CENTRE D INCENDIE ET DE SECOURS {}", self.label(c)),
                });
            }
        }
        self.public_body(
            &mut rng,
            "7372",
            "SERVICE DEPARTEMENTAL D INCENDIE ET DE SECOURS",
            sites,
            None,
        );

        // Social security funds, the university, the public housing office.
        for name in [
            "CAISSE PRIMAIRE D ASSURANCE MALADIE",
            "CAISSE D ALLOCATIONS FAMILIALES",
            "UNION DE RECOUVREMENT DES COTISATIONS",
        ] {
            let mut sites = vec![Site {
                place: Place::Commune(seat),
                naf: "84.30A",
                headcount: rng.uniform(300.0, 600.0),
                label: String::new(),
            }];
            sites.extend(per_territory("84.30A", "ACCUEIL", 15.0, 120.0, &mut rng));
            self.public_body(&mut rng, "8110", name, sites, None);
        }
        let mut sites = vec![Site {
            place: Place::Commune(seat),
            naf: "85.42Z",
            headcount: rng.uniform(600.0, 900.0),
            label: String::new(),
        }];
        sites.extend(
            per_territory("85.42Z", "POLE UNIVERSITAIRE", 80.0, 300.0, &mut rng)
                .into_iter()
                .enumerate()
                .filter(|(t, _)| *t != seat_territory)
                .take(3)
                .map(|(_, s)| s),
        );
        self.public_body(&mut rng, "7383", "UNIVERSITE", sites, None);
        let mut sites = vec![Site {
            place: Place::Commune(seat),
            naf: "68.20A",
            headcount: rng.uniform(150.0, 300.0),
            label: String::new(),
        }];
        sites.extend(per_territory("68.20A", "AGENCE", 10.0, 40.0, &mut rng));
        self.public_body(&mut rng, "7371", "OFFICE PUBLIC DE L HABITAT", sites, None);
        for name in [
            "CHAMBRE DE COMMERCE ET D INDUSTRIE",
            "CHAMBRE DE METIERS ET DE L ARTISANAT",
            "CHAMBRE D AGRICULTURE",
        ] {
            let sites = vec![Site {
                place: Place::Commune(seat),
                naf: "94.11Z",
                headcount: rng.uniform(60.0, 200.0),
                label: String::new(),
            }];
            self.public_body(&mut rng, "7381", name, sites, None);
        }
        // The employment agency: a national body, head office in Paris.
        let mut sites = vec![Site {
            place: Place::Outside(5),
            naf: "84.13Z",
            headcount: rng.uniform(800.0, 1_200.0),
            label: String::new(),
        }];
        sites.extend(per_territory(
            "84.13Z",
            "AGENCE POUR L EMPLOI",
            20.0,
            60.0,
            &mut rng,
        ));
        self.public_body(
            &mut rng,
            "7389",
            "OPERATEUR PUBLIC DE L EMPLOI",
            sites,
            None,
        );
    }
}
