//! The Département's subsidies to a zone's ESS establishments, grouped by beneficiary
//! for the documents: the largest listed by name, the others summed, the total equal
//! to the `ess_subsidies` indicator. SCDL files are open data: nothing is masked.

use std::collections::BTreeMap;

use serde::Serialize;

use super::format;
use crate::ess::Family;
use crate::geography::Geography;

/// How many beneficiaries of the Département's subsidies a document lists by name.
pub const LISTED_BENEFICIARIES: usize = 15;

/// The Département's subsidies to the zone's ESS establishments, by beneficiary
/// (SCDL files are open data: names and amounts are public, nothing is masked).
#[derive(Debug, Clone, Default, Serialize)]
pub struct Grants {
    /// Largest first, at most [`LISTED_BENEFICIARIES`].
    pub beneficiaries: Vec<Beneficiary>,
    /// Beneficiaries of the zone in all.
    pub count: usize,
    /// Those not listed, and what they received.
    pub others: usize,
    pub others_value: f64,
    pub others_text: String,
    /// Every ESS line of the zone: equals the `ess_subsidies` indicator.
    pub total_value: f64,
    pub total_text: String,
}

/// One beneficiary: its lines in the file added up.
#[derive(Debug, Clone, Serialize)]
pub struct Beneficiary {
    pub name: String,
    pub commune: String,
    pub family: String,
    pub lines: usize,
    pub granted: f64,
    /// `12 345 €`, to the euro.
    pub granted_text: String,
    /// The lines' distinct objects, shortened.
    pub objects: String,
}

fn euros(v: f64) -> String {
    format!("{}\u{a0}€", format::fr_number(v, 0))
}

/// Groups the ESS lines landing in `in_zone` communes by beneficiary and commune.
pub(super) fn grants(
    g: &Geography,
    lines: Vec<crate::db::EssGrant>,
    in_zone: impl Fn(usize) -> bool,
) -> Grants {
    let mut by: BTreeMap<(String, String), Beneficiary> = BTreeMap::new();
    for l in lines {
        let Some(position) = g.commune_position(&l.code_insee).filter(|&p| in_zone(p)) else {
            continue;
        };
        let b = by
            .entry((l.beneficiary_name.clone(), l.code_insee.clone()))
            .or_insert_with(|| Beneficiary {
                name: l.beneficiary_name.clone(),
                commune: g.communes[position].zone.name.clone(),
                family: l
                    .family
                    .as_deref()
                    .and_then(Family::from_id)
                    .map_or("", Family::singular)
                    .to_owned(),
                lines: 0,
                granted: 0.0,
                granted_text: String::new(),
                objects: String::new(),
            });
        b.lines += 1;
        b.granted += l.granted;
        if let Some(object) = l.object.filter(|o| !o.trim().is_empty())
            && !b.objects.split(" ; ").any(|o| o == object.trim())
        {
            if !b.objects.is_empty() {
                b.objects.push_str(" ; ");
            }
            b.objects.push_str(object.trim());
        }
    }
    let mut all: Vec<Beneficiary> = by.into_values().collect();
    // Cents: sums of two-decimal amounts, rounded so that totals match the indicator's.
    let cents = |v: f64| (v * 100.0).round() / 100.0;
    for b in &mut all {
        b.granted = cents(b.granted);
        b.granted_text = euros(b.granted);
        if b.objects.chars().count() > 90 {
            b.objects = b.objects.chars().take(89).collect::<String>() + "…";
        }
    }
    all.sort_by(|a, b| {
        b.granted
            .total_cmp(&a.granted)
            .then_with(|| a.name.cmp(&b.name))
    });
    let total_value = cents(all.iter().map(|b| b.granted).sum());
    let count = all.len();
    let listed: Vec<Beneficiary> = all.drain(..count.min(LISTED_BENEFICIARIES)).collect();
    let others_value = cents(all.iter().map(|b| b.granted).sum());
    Grants {
        beneficiaries: listed,
        count,
        others: all.len(),
        others_value,
        others_text: euros(others_value),
        total_value,
        total_text: euros(total_value),
    }
}
