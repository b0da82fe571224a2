//! Where demo establishments go: commune weights, postcodes, points inside a commune,
//! and the few communes outside the geography that real files also hold.
//!
//! Everything is derived from the [`Geography`] given, so the generator also runs on a
//! test fixture of three communes; named towns are only used for postcodes.

use geo::{Contains, Point};

use super::rng::Rng;
use crate::geography::Geography;
use crate::spatial::projection::{lambert93_to_lonlat, lonlat_to_lambert93};

/// How establishments of a kind spread over the communes (named in lower case in
/// `data/profiles.csv`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub(super) enum Spread {
    /// In proportion to population, with the agglomerations' extra weight.
    Population,
    /// Stronger pull of the agglomerations and their centres (head offices, clinics).
    Urban,
    /// Every village has some (sports clubs, comités des fêtes): population^0.6.
    Local,
    /// Rural communes (CUMA, farms).
    Rural,
}

const SPREADS: [Spread; 4] = [
    Spread::Population,
    Spread::Urban,
    Spread::Local,
    Spread::Rural,
];

fn spread_index(s: Spread) -> usize {
    match s {
        Spread::Population => 0,
        Spread::Urban => 1,
        Spread::Local => 2,
        Spread::Rural => 3,
    }
}

/// What the generator knows of a commune besides the geography.
#[derive(Debug, Clone)]
pub(super) struct CommuneInfo {
    /// Upper case, no accents, as INSEE writes `libelleCommuneEtablissement`.
    pub label: String,
    pub postcode: String,
}

/// A commune outside the geography where head offices of regional or national
/// organisations sit.
#[derive(Debug, Clone, Copy)]
pub(super) struct OutsideCommune {
    pub code: &'static str,
    pub postcode: &'static str,
    pub label: &'static str,
    pub lon: f64,
    pub lat: f64,
}

/// Lille first: the brief's example of an establishment simply outside the département.
pub(super) const OUTSIDE: [OutsideCommune; 7] = [
    OutsideCommune {
        code: "59350",
        postcode: "59000",
        label: "LILLE",
        lon: 3.0573,
        lat: 50.6292,
    },
    OutsideCommune {
        code: "59009",
        postcode: "59650",
        label: "VILLENEUVE-D'ASCQ",
        lon: 3.1414,
        lat: 50.6233,
    },
    OutsideCommune {
        code: "59163",
        postcode: "59170",
        label: "CROIX",
        lon: 3.1494,
        lat: 50.6781,
    },
    OutsideCommune {
        code: "59178",
        postcode: "59500",
        label: "DOUAI",
        lon: 3.0800,
        lat: 50.3700,
    },
    OutsideCommune {
        code: "80021",
        postcode: "80000",
        label: "AMIENS",
        lon: 2.2958,
        lat: 49.8941,
    },
    OutsideCommune {
        code: "75108",
        postcode: "75008",
        label: "PARIS 8",
        lon: 2.3125,
        lat: 48.8763,
    },
    OutsideCommune {
        code: "79191",
        postcode: "79000",
        label: "NIORT",
        lon: -0.4594,
        lat: 46.3237,
    },
];

/// Postcodes of the main towns of the Pas-de-Calais, by INSEE code. Other communes
/// take the code of the nearest listed town: an approximation, good enough for demo
/// addresses (the product never reads postcodes to place an establishment).
const POSTCODES: &[(&str, &str)] = &[
    ("62004", "62217"),
    ("62014", "62120"),
    ("62019", "62160"),
    ("62035", "62232"),
    ("62038", "62610"),
    ("62040", "62510"),
    ("62041", "62000"),
    ("62045", "62690"),
    ("62048", "62260"),
    ("62057", "62370"),
    ("62060", "62390"),
    ("62063", "62810"),
    ("62065", "62210"),
    ("62080", "62450"),
    ("62083", "62620"),
    ("62097", "62123"),
    ("62099", "62217"),
    ("62100", "62990"),
    ("62108", "62600"),
    ("62119", "62400"),
    ("62126", "62660"),
    ("62132", "62138"),
    ("62133", "62420"),
    ("62160", "62200"),
    ("62173", "62117"),
    ("62178", "62700"),
    ("62186", "62160"),
    ("62193", "62100"),
    ("62194", "62470"),
    ("62204", "62870"),
    ("62215", "62220"),
    ("62244", "62137"),
    ("62249", "62970"),
    ("62250", "62710"),
    ("62259", "62128"),
    ("62261", "62780"),
    ("62263", "62000"),
    ("62268", "62240"),
    ("62270", "62460"),
    ("62274", "62119"),
    ("62276", "62138"),
    ("62297", "62910"),
    ("62318", "62630"),
    ("62325", "62560"),
    ("62351", "62740"),
    ("62361", "62270"),
    ("62364", "62310"),
    ("62386", "62160"),
    ("62397", "62340"),
    ("62413", "62440"),
    ("62427", "62110"),
    ("62443", "62530"),
    ("62447", "62140"),
    ("62451", "62134"),
    ("62457", "62150"),
    ("62463", "62650"),
    ("62473", "62330"),
    ("62491", "62840"),
    ("62497", "62790"),
    ("62498", "62300"),
    ("62506", "62850"),
    ("62510", "62800"),
    ("62516", "62190"),
    ("62525", "62219"),
    ("62528", "62750"),
    ("62534", "62380"),
    ("62548", "62730"),
    ("62555", "62540"),
    ("62559", "62860"),
    ("62560", "62250"),
    ("62563", "62670"),
    ("62570", "62680"),
    ("62587", "62640"),
    ("62588", "62170"),
    ("62617", "62290"),
    ("62621", "62370"),
    ("62624", "62950"),
    ("62628", "62221"),
    ("62637", "62590"),
    ("62643", "62230"),
    ("62645", "62215"),
    ("62649", "62760"),
    ("62667", "62480"),
    ("62688", "62180"),
    ("62724", "62320"),
    ("62737", "62114"),
    ("62753", "62223"),
    ("62758", "62280"),
    ("62764", "62223"),
    ("62765", "62500"),
    ("62767", "62130"),
    ("62770", "62350"),
    ("62771", "62430"),
    ("62773", "62830"),
    ("62811", "62129"),
    ("62820", "62127"),
    ("62826", "62520"),
    ("62842", "62880"),
    ("62861", "62580"),
    ("62865", "62490"),
    ("62893", "62930"),
    ("62895", "62410"),
    ("62907", "62820"),
];

/// Upper case without accents, as INSEE writes commune labels and names.
#[must_use]
pub(super) fn upper_ascii(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for ch in s.chars() {
        match ch {
            'à' | 'â' | 'ä' | 'á' | 'À' | 'Â' | 'Ä' => out.push('A'),
            'ç' | 'Ç' => out.push('C'),
            'é' | 'è' | 'ê' | 'ë' | 'É' | 'È' | 'Ê' | 'Ë' => out.push('E'),
            'î' | 'ï' | 'Î' | 'Ï' => out.push('I'),
            'ô' | 'ö' | 'Ô' | 'Ö' => out.push('O'),
            'ù' | 'û' | 'ü' | 'Ù' | 'Û' | 'Ü' => out.push('U'),
            'ÿ' | 'Ÿ' => out.push('Y'),
            'œ' | 'Œ' => out.push_str("OE"),
            'æ' | 'Æ' => out.push_str("AE"),
            '’' => out.push('\''),
            c => out.extend(c.to_uppercase()),
        }
    }
    out
}

/// `DE ARRAS` → `D ARRAS`, `DE LE TOUQUET` → `DU TOUQUET`: the French contraction in
/// INSEE's apostrophe-free style.
#[must_use]
pub(super) fn of_place(place: &str) -> String {
    let place = place.replace('\'', " ");
    if let Some(rest) = place.strip_prefix("LE ") {
        format!("DU {rest}")
    } else if let Some(rest) = place.strip_prefix("LES ") {
        format!("DES {rest}")
    } else if place.starts_with("LA ") {
        format!("DE {place}")
    } else if place.starts_with(['A', 'E', 'I', 'O', 'U', 'Y', 'H']) {
        format!("D {place}")
    } else {
        format!("DE {place}")
    }
}

pub(super) struct Places<'g> {
    pub geo: &'g Geography,
    pub info: Vec<CommuneInfo>,
    /// Cumulative weights over all communes, one list per [`Spread`].
    cumulative: Vec<Vec<f64>>,
    /// Per territory: its communes and their cumulative weights per [`Spread`].
    by_territory: Vec<(Vec<usize>, Vec<Vec<f64>>)>,
    /// The most populous commune of each territory.
    pub territory_centre: Vec<usize>,
    /// The most populous commune of each EPCI.
    pub epci_centre: Vec<usize>,
}

fn cumulate(weights: impl Iterator<Item = f64>) -> Vec<f64> {
    let mut total = 0.0;
    weights
        .map(|w| {
            total += w.max(0.0);
            total
        })
        .collect()
}

fn draw(rng: &mut Rng, cumulative: &[f64]) -> usize {
    let total = cumulative.last().copied().unwrap_or(0.0);
    if total <= 0.0 {
        return rng.index(cumulative.len().max(1));
    }
    let r = rng.unit() * total;
    cumulative
        .partition_point(|&c| c <= r)
        .min(cumulative.len() - 1)
}

fn most_populous(geo: &Geography, members: &[usize]) -> usize {
    members
        .iter()
        .copied()
        .max_by_key(|&i| (geo.communes[i].zone.population, std::cmp::Reverse(i)))
        .unwrap_or(0)
}

impl<'g> Places<'g> {
    #[must_use]
    pub(super) fn new(geo: &'g Geography) -> Self {
        let epci_centre: Vec<usize> = geo
            .epci
            .iter()
            .map(|e| most_populous(geo, &e.communes))
            .collect();
        let territory_centre: Vec<usize> = geo
            .territories
            .iter()
            .map(|t| most_populous(geo, &t.communes))
            .collect();
        // Agglomerations: EPCI of 100,000 inhabitants or more; their centre weighs more.
        let urban: Vec<f64> = geo
            .communes
            .iter()
            .enumerate()
            .map(|(i, c)| {
                let epci = &geo.epci[c.epci];
                let mut f = 1.0;
                if epci.zone.population >= 100_000 {
                    f += 0.3;
                }
                if epci_centre[c.epci] == i && epci.zone.population >= 50_000 {
                    f += 0.7;
                }
                f
            })
            .collect();
        let weight = |s: Spread, i: usize| -> f64 {
            let pop = geo.communes[i].zone.population as f64;
            match s {
                Spread::Population => pop * urban[i],
                Spread::Urban => pop * urban[i] * urban[i],
                Spread::Local => pop.powf(0.6),
                Spread::Rural => {
                    if pop < 5_000.0 {
                        pop.sqrt()
                    } else {
                        pop.sqrt() * 0.1
                    }
                }
            }
        };
        let cumulative = SPREADS
            .iter()
            .map(|&s| cumulate((0..geo.communes.len()).map(|i| weight(s, i))))
            .collect();
        let by_territory = geo
            .territories
            .iter()
            .map(|t| {
                let members = t.communes.clone();
                let cums = SPREADS
                    .iter()
                    .map(|&s| cumulate(members.iter().map(|&i| weight(s, i))))
                    .collect();
                (members, cums)
            })
            .collect();

        let known: Vec<(usize, &str)> = POSTCODES
            .iter()
            .filter_map(|(code, pc)| geo.commune_position(code).map(|i| (i, *pc)))
            .collect();
        let info = geo
            .communes
            .iter()
            .enumerate()
            .map(|(i, c)| {
                let postcode = known
                    .iter()
                    .find(|(k, _)| *k == i)
                    .map(|(_, pc)| (*pc).to_owned())
                    .or_else(|| {
                        let [x, y] = c.zone.label_point;
                        known
                            .iter()
                            .min_by(|a, b| {
                                let d = |k: usize| {
                                    let [kx, ky] = geo.communes[k].zone.label_point;
                                    (kx - x).powi(2) + (ky - y).powi(2)
                                };
                                d(a.0).total_cmp(&d(b.0))
                            })
                            .map(|(_, pc)| (*pc).to_owned())
                    })
                    .unwrap_or_else(|| format!("{}000", c.zone.code.get(..2).unwrap_or("00")));
                CommuneInfo {
                    label: upper_ascii(&c.zone.name),
                    postcode,
                }
            })
            .collect();
        Self {
            geo,
            info,
            cumulative,
            by_territory,
            territory_centre,
            epci_centre,
        }
    }

    /// A commune drawn with the weights of `spread`.
    pub(super) fn pick(&self, rng: &mut Rng, spread: Spread) -> usize {
        draw(rng, &self.cumulative[spread_index(spread)])
    }

    /// A commune of territory `t` drawn with the weights of `spread`.
    pub(super) fn pick_in_territory(&self, rng: &mut Rng, spread: Spread, t: usize) -> usize {
        let (members, cums) = &self.by_territory[t];
        members[draw(rng, &cums[spread_index(spread)])]
    }

    /// A point strictly inside commune `i`, as Lambert-93 `(x, y)` rounded to the
    /// decimetre as INSEE writes them: random points of the bounding box until one
    /// falls inside, rounding included (a point a few centimetres from the edge could
    /// round across it), else the label point.
    pub(super) fn point_in(&self, rng: &mut Rng, i: usize) -> Option<(f64, f64)> {
        let zone = &self.geo.communes[i].zone;
        let [x0, y0, x1, y1] = zone.bbox;
        let inside = |lon: f64, lat: f64| zone.geometry.contains(&Point::new(lon, lat));
        for _ in 0..40 {
            let lon = rng.uniform(x0, x1);
            let lat = rng.uniform(y0, y1);
            if !inside(lon, lat) {
                continue;
            }
            let Some((x, y)) = lonlat_to_lambert93(lon, lat) else {
                continue;
            };
            let (x, y) = (round_dm(x), round_dm(y));
            if lambert93_to_lonlat(x, y).is_some_and(|(lon, lat)| inside(lon, lat)) {
                return Some((x, y));
            }
        }
        let [lon, lat] = zone.label_point;
        lonlat_to_lambert93(lon, lat).map(|(x, y)| (round_dm(x), round_dm(y)))
    }
}

/// Rounds metres to the decimetre.
fn round_dm(v: f64) -> f64 {
    (v * 10.0).round() / 10.0
}

/// A Lambert-93 point a few hundred metres around an outside commune's centre.
pub(super) fn point_near(rng: &mut Rng, c: &OutsideCommune) -> Option<(f64, f64)> {
    lonlat_to_lambert93(
        c.lon + rng.uniform(-0.01, 0.01),
        c.lat + rng.uniform(-0.006, 0.006),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_and_contractions_follow_insee_style() {
        assert_eq!(upper_ascii("Hénin-Beaumont"), "HENIN-BEAUMONT");
        assert_eq!(upper_ascii("Nœux-les-Mines"), "NOEUX-LES-MINES");
        assert_eq!(of_place("ARRAS"), "D ARRAS");
        assert_eq!(of_place("LE TOUQUET-PARIS-PLAGE"), "DU TOUQUET-PARIS-PLAGE");
        assert_eq!(of_place("LENS"), "DE LENS");
        assert_eq!(of_place("LA COUTURE"), "DE LA COUTURE");
    }
}
