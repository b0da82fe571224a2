//! The action plan as a fiche shows it: the published orientations concerning the
//! zone and their actions, in the order a reader expects (the zone's own territory,
//! other plans naming it, the département's last).

use super::{ActionItem, Context, OrientationItem, Result, ZoneKind, format};
use crate::db::PlanFilter;

fn period(start: Option<&str>, end: Option<&str>) -> String {
    match (start, end) {
        (Some(s), Some(e)) => format!("{s} → {e}"),
        (Some(s), None) => format!("depuis {s}"),
        (None, Some(e)) => format!("jusqu'au {e}"),
        (None, None) => String::new(),
    }
}

/// Published orientations of the zone's territory (and the département's), with
/// their actions: all of them for a territory, those naming the EPCI for an EPCI.
pub(super) async fn plan_items(
    state: &Context,
    kind: ZoneKind,
    code: &str,
    territory_position: usize,
    edition: i64,
) -> Result<Vec<OrientationItem>> {
    let g = &state.geography;
    let territory = g.territories[territory_position].zone.code.as_str();
    let department = g.department.code.as_str();
    // One rule with `/api/actions?epci=`: an action concerns an EPCI when it names
    // it, whatever plan it belongs to (a territory's plan may name an EPCI of
    // another territory). A territory's pack shows its own plan and the
    // département's (actions are kept below by their orientation).
    let actions = state
        .db
        .actions(&PlanFilter {
            epci: (kind == ZoneKind::Epci).then(|| code.to_owned()),
            edition: Some(edition),
            published_only: true,
            ..PlanFilter::default()
        })
        .await?;
    let mut orientations = state
        .db
        .orientations(&PlanFilter {
            edition: Some(edition),
            published_only: true,
            ..PlanFilter::default()
        })
        .await?;
    // The zone's own territory first, then other plans naming it, the département's last.
    orientations.retain(|o| {
        let scope = o.fields.territory.as_str();
        scope == department
            || match kind {
                ZoneKind::Territory => scope == territory,
                ZoneKind::Epci => actions.iter().any(|a| a.fields.orientation_id == o.id),
            }
    });
    orientations.sort_by_key(|o| {
        let scope = o.fields.territory.as_str();
        (
            u8::from(scope != territory) + u8::from(scope == department),
            o.fields.territory.clone(),
        )
    });
    let mut out = Vec::new();
    for o in orientations {
        let items: Vec<ActionItem> = actions
            .iter()
            .filter(|a| a.fields.orientation_id == o.id)
            .map(action_item)
            .collect();
        out.push(OrientationItem {
            title: o.fields.title,
            period: format!("{}–{}", o.fields.period_start, o.fields.period_end),
            description: o.fields.description,
            actions: items,
        });
    }
    Ok(out)
}

fn action_item(a: &crate::db::ActionRow) -> ActionItem {
    let planned: f64 = a.fields.budgets.iter().filter_map(|b| b.planned).sum();
    let actual: f64 = a.fields.budgets.iter().filter_map(|b| b.actual).sum();
    ActionItem {
        title: a.fields.title.clone(),
        status: crate::portraits::ACTION_STATUSES
            .iter()
            .find(|(s, _)| *s == a.fields.status)
            .map_or("", |(_, l)| l),
        pilot: a.fields.pilot.clone(),
        flagship: a.fields.flagship,
        period: period(a.fields.start_date.as_deref(), a.fields.end_date.as_deref()),
        budget: if a.fields.budgets.is_empty() {
            String::new()
        } else {
            format!(
                "prévu {} · réalisé {}",
                format::fr_euros(planned),
                format::fr_euros(actual)
            )
        },
    }
}
