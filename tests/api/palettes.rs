//! `/api/palettes`: one palette for the web map and the tiles' style.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::helpers::spawn_app;

/// The `(key, colour)` pairs of a MapLibre `match` expression, without its fallback.
fn match_pairs(expr: &Value) -> BTreeMap<String, String> {
    let items = expr.as_array().unwrap();
    assert_eq!(items[0], "match");
    items[2..items.len() - 1]
        .chunks(2)
        .map(|p| {
            (
                p[0].as_str().unwrap().to_owned(),
                p[1].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

fn layer<'a>(style: &'a Value, id: &str) -> &'a Value {
    style["layers"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["id"] == id)
        .unwrap_or_else(|| panic!("no layer {id}"))
}

#[tokio::test]
async fn palettes_are_the_styles_colours_for_every_family_and_territory() {
    let app = spawn_app().await;
    let palettes = app.get_json("/api/palettes", 200).await;
    let style = app.get_json("/style.json", 200).await;

    let families = palettes["families"].as_array().unwrap();
    let ids: Vec<&str> = families.iter().map(|f| f["id"].as_str().unwrap()).collect();
    assert_eq!(
        ids,
        [
            "association",
            "cooperative",
            "mutuelle",
            "fondation",
            "societe_commerciale_ess"
        ]
    );
    assert_eq!(families[0]["label"], "Associations");
    assert_eq!(families[4]["short_label"], "Sociétés commerciales ESS");
    assert_eq!(families[4]["in_statistical_totals"], false);
    let served: BTreeMap<String, String> = families
        .iter()
        .map(|f| {
            (
                f["id"].as_str().unwrap().to_owned(),
                f["colour"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    let points = layer(&style, "organisations-points");
    assert_eq!(match_pairs(&points["paint"]["circle-color"]), served);
    assert_eq!(
        points["paint"]["circle-color"]
            .as_array()
            .unwrap()
            .last()
            .unwrap(),
        &palettes["unknown_family"]
    );

    let territories: BTreeMap<String, String> = palettes["territories"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            (
                t["code"].as_str().unwrap().to_owned(),
                t["colour"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(territories.len(), app.geography.territories.len());
    let fill = &layer(&style, "territories-fill")["paint"]["fill-color"];
    assert_eq!(match_pairs(fill), territories);
    // Nine territories, nine different fills.
    let mut colours: Vec<&String> = territories.values().collect();
    colours.dedup();
    colours.sort();
    colours.dedup();
    assert_eq!(colours.len(), territories.len().min(9));
}
