//! The documents that describe the tiles: TileJSON 3.0 per layer and a MapLibre
//! style (version 8) that draws them without any external resource (no basemap, no
//! glyphs, no sprite), so that any MapLibre client — the web map, a GIS, maplibre-rs —
//! shows the département as it is.

use serde_json::{Value, json};

use super::{MAX_ZOOM, TILEJSON_MAX_ZOOM, TileLayer};
use crate::ess::palette::{NO_TERRITORY_COLOUR, UNKNOWN_FAMILY_COLOUR, family_colour, palettes};
use crate::ess::perimeter::Family;
use crate::geography::Geography;

/// The sea around the département (also `--sea` in web/css/app.css).
const SEA: &str = "#dfe9f0";
/// The shadow under the land.
const LAND_SHADOW: &str = "#7f98b0";
/// The territories' borders (also `--territory-border` in web/css/app.css, for the legend).
const TERRITORY_BORDER: &str = "#3b5876";

/// The fields of each layer's features, as TileJSON's `vector_layers` lists them.
fn fields(layer: TileLayer) -> Value {
    match layer {
        TileLayer::Territories => json!({
            "code": "String: territory code",
            "name": "String",
            "population": "Number: INSEE légale population",
        }),
        TileLayer::Epci => json!({
            "code": "String: SIREN of the EPCI",
            "name": "String",
            "short_name": "String",
            "kind": "String: CA, CC or CU",
            "territory": "String: territory code",
            "population": "Number",
        }),
        TileLayer::Communes => json!({
            "code": "String: INSEE code",
            "name": "String",
            "epci": "String: SIREN of the EPCI",
            "territory": "String: territory code",
            "population": "Number",
        }),
        TileLayer::Organisations => json!({
            "siret": "String (single establishments)",
            "name": "String (single establishments)",
            "family": "String: association, cooperative, mutuelle, fondation, societe_commerciale_ess",
            "naf": "String: NAF code",
            "employer": "Boolean",
            "approximate": "Boolean: placed inside its commune for lack of coordinates",
            "count": "Number (aggregates): establishments in the aggregate",
            "employers": "Number (aggregates)",
            "association": "Number (aggregates): per family",
            "cooperative": "Number (aggregates)",
            "mutuelle": "Number (aggregates)",
            "fondation": "Number (aggregates)",
            "societe_commerciale_ess": "Number (aggregates)",
        }),
    }
}

fn description(layer: TileLayer) -> &'static str {
    match layer {
        TileLayer::Territories => "Les 9 territoires du Département du Pas-de-Calais",
        TileLayer::Epci => "Les EPCI (intercommunalités) du Pas-de-Calais",
        TileLayer::Communes => "Les communes du Pas-de-Calais",
        TileLayer::Organisations => {
            "Établissements de l'ESS (publics, localisés), agrégés aux petites échelles"
        }
    }
}

/// TileJSON 3.0 of `layer`. `base` is the server's origin (`http://host:port`);
/// `query` the tiles' query string (version, edition, family), already encoded.
#[must_use]
pub fn tilejson(
    g: &Geography,
    layer: TileLayer,
    min_zoom: u8,
    base: &str,
    query: &str,
    demo: bool,
) -> Value {
    let b = g.department.bbox;
    let mut attribution = g.department.attribution.clone();
    if layer == TileLayer::Organisations {
        attribution.push_str(" · Établissements : INSEE SIRENE");
        if demo {
            attribution.push_str(" — données de démonstration");
        }
    }
    json!({
        "tilejson": "3.0.0",
        "name": format!("ess-atlas {}", layer.name()),
        "description": description(layer),
        "attribution": attribution,
        "scheme": "xyz",
        "tiles": [format!("{base}/tiles/{}/{{z}}/{{x}}/{{y}}.mvt?{query}", layer.name())],
        "minzoom": min_zoom,
        "maxzoom": TILEJSON_MAX_ZOOM,
        "bounds": b,
        "center": [f64::midpoint(b[0], b[2]), f64::midpoint(b[1], b[3]), 8],
        "vector_layers": [{
            "id": layer.name(),
            "description": description(layer),
            "minzoom": min_zoom,
            "maxzoom": MAX_ZOOM,
            "fields": fields(layer),
        }],
    })
}

/// The MapLibre style (version 8) of the map: sea, territories coloured, EPCI and
/// commune lines, organisations by family. Sources point at the TileJSON documents;
/// features are identified by `code` (`promoteId`) for joins and feature-state.
///
/// The web map draws its zones with these layers (web/js/map/style.js takes them from
/// `/style.json`): it shows one level's fill at a time, recolours the fills by indicator,
/// and adds its interactive layers (hatching of masked zones, hover, selection). It draws
/// the organisations itself, clustered from GeoJSON, and skips the two layers here.
#[must_use]
pub fn style(g: &Geography, base: &str, communes_min_zoom: u8) -> Value {
    let source = |layer: TileLayer| {
        let mut s = json!({
            "type": "vector",
            "url": format!("{base}/tiles/{}.json", layer.name()),
        });
        if layer != TileLayer::Organisations {
            s["promoteId"] = json!({ layer.name(): "code" });
        }
        s
    };
    let mut territory_match = vec![json!("match"), json!(["get", "code"])];
    let mut by_territory = vec![json!("match"), json!(["get", "territory"])];
    let palette = palettes(g.territories.iter().map(|t| t.zone.code.as_str()));
    for t in &palette.territories {
        territory_match.extend([json!(t.code), json!(t.colour)]);
        by_territory.extend([json!(t.code), json!(t.colour)]);
    }
    territory_match.push(json!(NO_TERRITORY_COLOUR));
    by_territory.push(json!(NO_TERRITORY_COLOUR));
    let mut family_match = vec![json!("match"), json!(["get", "family"])];
    for f in Family::ALL {
        family_match.extend([json!(f.id()), json!(family_colour(f))]);
    }
    family_match.push(json!(UNKNOWN_FAMILY_COLOUR));
    json!({
        "version": 8,
        "name": "ess-atlas",
        "metadata": {"ess-atlas:territories": g.territories.iter().map(|t| &t.zone.code).collect::<Vec<_>>()},
        "center": [f64::midpoint(g.department.bbox[0], g.department.bbox[2]), f64::midpoint(g.department.bbox[1], g.department.bbox[3])],
        "zoom": 8,
        "sources": {
            "territories": source(TileLayer::Territories),
            "epci": source(TileLayer::Epci),
            "communes": source(TileLayer::Communes),
            "organisations": source(TileLayer::Organisations),
        },
        "layers": [
            {"id": "background", "type": "background", "paint": {"background-color": SEA}},
            // A soft offset shadow under the département: the land stands out from the sea.
            {"id": "land-shadow", "type": "fill", "source": "territories", "source-layer": "territories",
             "paint": {"fill-color": LAND_SHADOW, "fill-opacity": 0.45, "fill-translate": [2, 4], "fill-antialias": true}},
            {"id": "territories-fill", "type": "fill", "source": "territories", "source-layer": "territories",
             "paint": {"fill-color": territory_match, "fill-opacity": 0.92}},
            {"id": "epci-fill", "type": "fill", "source": "epci", "source-layer": "epci",
             "layout": {"visibility": "none"},
             "paint": {"fill-color": by_territory, "fill-opacity": 0.92}},
            {"id": "communes-fill", "type": "fill", "source": "communes", "source-layer": "communes",
             "minzoom": communes_min_zoom,
             "layout": {"visibility": "none"},
             "paint": {"fill-color": by_territory, "fill-opacity": 0.92}},
            {"id": "communes-line", "type": "line", "source": "communes", "source-layer": "communes",
             "minzoom": communes_min_zoom,
             "layout": {"line-join": "round"},
             "paint": {"line-color": "#ffffff", "line-opacity": 0.9,
                       "line-width": ["interpolate", ["linear"], ["zoom"], 7, 0.4, 10, 1, 13, 1.8]}},
            {"id": "epci-line", "type": "line", "source": "epci", "source-layer": "epci",
             "layout": {"line-join": "round"},
             "paint": {"line-color": "#ffffff", "line-width": ["interpolate", ["linear"], ["zoom"], 7, 1, 10, 1.8, 13, 2.6]}},
            {"id": "territories-line", "type": "line", "source": "territories", "source-layer": "territories",
             "layout": {"line-join": "round"},
             "paint": {"line-color": TERRITORY_BORDER,
                       "line-width": ["interpolate", ["linear"], ["zoom"], 7, 1.3, 10, 2.4, 13, 3.5]}},
            {"id": "organisations-aggregates", "type": "circle", "source": "organisations", "source-layer": "organisations",
             "filter": ["has", "count"],
             "paint": {
                "circle-color": "#1d3f66",
                "circle-opacity": 0.85,
                "circle-radius": ["interpolate", ["linear"], ["get", "count"], 2, 5, 50, 11, 500, 20],
                "circle-stroke-color": "#ffffff", "circle-stroke-width": 1.5}},
            {"id": "organisations-points", "type": "circle", "source": "organisations", "source-layer": "organisations",
             "filter": ["!", ["has", "count"]],
             "paint": {
                "circle-color": family_match,
                "circle-radius": ["interpolate", ["linear"], ["zoom"], 8, 3.5, 15, 7.5],
                "circle-stroke-color": "#ffffff", "circle-stroke-width": 1.2}},
        ],
    })
}
