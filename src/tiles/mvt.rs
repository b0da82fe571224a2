//! Mapbox Vector Tile 2.1 encoding: one layer at a time, straight to protobuf bytes.
//!
//! Written by hand rather than through a protobuf crate: the subset MVT needs is five
//! varint/length-delimited fields, and encoding into one growing buffer without an
//! intermediate message tree is what keeps a cold tile cheap. Several encoded layers
//! concatenated form a valid multi-layer tile (`Tile.layers` is a repeated field),
//! which the `PMTiles` export relies on. Tests decode the output with independent
//! decoders (geozero here, `@mapbox/vector-tile` in the browser suite).

use std::collections::HashMap;

/// A property value.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Str(String),
    Int(i64),
    Double(f64),
    Bool(bool),
}

/// Hashable identity of a [`Value`] for the layer's value table.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum ValueKey {
    Str(String),
    Int(i64),
    Double(u64),
    Bool(bool),
}

impl From<&Value> for ValueKey {
    fn from(v: &Value) -> Self {
        match v {
            Value::Str(s) => Self::Str(s.clone()),
            Value::Int(i) => Self::Int(*i),
            Value::Double(d) => Self::Double(d.to_bits()),
            Value::Bool(b) => Self::Bool(*b),
        }
    }
}

/// Builds one MVT layer.
pub struct LayerBuilder {
    name: &'static str,
    extent: u32,
    keys: Vec<&'static str>,
    key_index: HashMap<&'static str, u32>,
    values: Vec<Value>,
    value_index: HashMap<ValueKey, u32>,
    features: Vec<u8>,
    count: usize,
    // Scratch buffers reused between features.
    tags: Vec<u32>,
    geometry: Vec<u32>,
}

const GEOM_POINT: u64 = 1;
const GEOM_POLYGON: u64 = 3;

impl LayerBuilder {
    #[must_use]
    pub fn new(name: &'static str, extent: u32) -> Self {
        Self {
            name,
            extent,
            keys: Vec::new(),
            key_index: HashMap::new(),
            values: Vec::new(),
            value_index: HashMap::new(),
            features: Vec::new(),
            count: 0,
            tags: Vec::new(),
            geometry: Vec::new(),
        }
    }

    /// Number of features added so far.
    #[must_use]
    pub fn len(&self) -> usize {
        self.count
    }

    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.count == 0
    }

    fn set_tags(&mut self, properties: &[(&'static str, Value)]) {
        self.tags.clear();
        for (key, value) in properties {
            let k = *self.key_index.entry(key).or_insert_with(|| {
                self.keys.push(key);
                (self.keys.len() - 1) as u32
            });
            let v = if let Some(&v) = self.value_index.get(&ValueKey::from(value)) {
                v
            } else {
                self.values.push(value.clone());
                let v = (self.values.len() - 1) as u32;
                self.value_index.insert(ValueKey::from(value), v);
                v
            };
            self.tags.push(k);
            self.tags.push(v);
        }
    }

    /// Adds a polygon feature. `rings` are open rings in tile coordinates, each
    /// exterior followed by its holes, already oriented (exterior: positive area in
    /// y-down coordinates) and with at least three points.
    pub fn add_polygon(&mut self, properties: &[(&'static str, Value)], rings: &[Vec<[i64; 2]>]) {
        if rings.is_empty() {
            return;
        }
        self.set_tags(properties);
        self.geometry.clear();
        let (mut cx, mut cy) = (0i64, 0i64);
        for ring in rings {
            let Some(first) = ring.first() else { continue };
            self.geometry.push(command(1, 1));
            self.geometry.push(zigzag(first[0] - cx));
            self.geometry.push(zigzag(first[1] - cy));
            (cx, cy) = (first[0], first[1]);
            self.geometry.push(command(2, ring.len() - 1));
            for p in &ring[1..] {
                self.geometry.push(zigzag(p[0] - cx));
                self.geometry.push(zigzag(p[1] - cy));
                (cx, cy) = (p[0], p[1]);
            }
            self.geometry.push(command(7, 1));
        }
        self.push_feature(GEOM_POLYGON);
    }

    /// Adds a point feature at tile coordinates `p`.
    pub fn add_point(&mut self, properties: &[(&'static str, Value)], p: [i64; 2]) {
        self.set_tags(properties);
        self.geometry.clear();
        self.geometry.push(command(1, 1));
        self.geometry.push(zigzag(p[0]));
        self.geometry.push(zigzag(p[1]));
        self.push_feature(GEOM_POINT);
    }

    fn push_feature(&mut self, geom_type: u64) {
        let mut body = Vec::with_capacity(16 + 5 * (self.tags.len() + self.geometry.len()));
        packed(&mut body, 2, &self.tags);
        key(&mut body, 3, 0);
        varint(&mut body, geom_type);
        packed(&mut body, 4, &self.geometry);
        key(&mut self.features, 2, 2);
        varint(&mut self.features, body.len() as u64);
        self.features.extend_from_slice(&body);
        self.count += 1;
    }

    /// Appends the layer, as a `Tile.layers` field, to `out`. Nothing when empty.
    pub fn finish(self, out: &mut Vec<u8>) {
        if self.count == 0 {
            return;
        }
        let mut layer = Vec::with_capacity(self.features.len() + 64 * self.values.len());
        key(&mut layer, 15, 0);
        varint(&mut layer, 2);
        bytes(&mut layer, 1, self.name.as_bytes());
        layer.extend_from_slice(&self.features);
        for k in &self.keys {
            bytes(&mut layer, 3, k.as_bytes());
        }
        let mut v = Vec::new();
        for value in &self.values {
            v.clear();
            match value {
                Value::Str(s) => bytes(&mut v, 1, s.as_bytes()),
                Value::Double(d) => {
                    key(&mut v, 3, 1);
                    v.extend_from_slice(&d.to_le_bytes());
                }
                Value::Int(i) => {
                    key(&mut v, 6, 0);
                    varint(&mut v, zigzag64(*i));
                }
                Value::Bool(b) => {
                    key(&mut v, 7, 0);
                    varint(&mut v, u64::from(*b));
                }
            }
            bytes(&mut layer, 4, &v);
        }
        key(&mut layer, 5, 0);
        varint(&mut layer, u64::from(self.extent));
        bytes(out, 3, &layer);
    }
}

fn command(id: u32, count: usize) -> u32 {
    (id & 0x7) | ((count as u32) << 3)
}

fn zigzag(n: i64) -> u32 {
    let n = n as i32;
    ((n << 1) ^ (n >> 31)) as u32
}

fn zigzag64(n: i64) -> u64 {
    ((n << 1) ^ (n >> 63)) as u64
}

fn varint(out: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        out.push((v as u8) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

fn key(out: &mut Vec<u8>, field: u32, wire: u32) {
    varint(out, u64::from((field << 3) | wire));
}

fn bytes(out: &mut Vec<u8>, field: u32, data: &[u8]) {
    key(out, field, 2);
    varint(out, data.len() as u64);
    out.extend_from_slice(data);
}

fn packed(out: &mut Vec<u8>, field: u32, values: &[u32]) {
    if values.is_empty() {
        return;
    }
    let mut buf = Vec::with_capacity(values.len() * 2);
    for &v in values {
        varint(&mut buf, u64::from(v));
    }
    bytes(out, field, &buf);
}

#[cfg(test)]
mod tests {
    use super::*;
    use geozero::mvt::{Message, Tile, tile::GeomType};

    #[test]
    fn encodes_what_an_independent_decoder_reads() {
        let mut layer = LayerBuilder::new("communes", 4096);
        let ring = vec![[10, 10], [100, 10], [100, 100], [10, 100]];
        let hole = vec![[20, 20], [20, 40], [40, 40], [40, 20]];
        layer.add_polygon(
            &[
                ("code", Value::Str("62041".into())),
                ("population", Value::Int(41_694)),
                ("share", Value::Double(0.25)),
                ("approximate", Value::Bool(false)),
            ],
            &[ring, hole],
        );
        layer.add_point(&[("code", Value::Str("62041".into()))], [-5, 4100]);
        let mut out = Vec::new();
        layer.finish(&mut out);
        let tile = Tile::decode(out.as_slice()).expect("valid protobuf");
        assert_eq!(tile.layers.len(), 1);
        let l = &tile.layers[0];
        assert_eq!(
            (l.name.as_str(), l.version, l.extent),
            ("communes", 2, Some(4096))
        );
        assert_eq!(l.features.len(), 2);
        assert_eq!(l.features[0].r#type, Some(GeomType::Polygon as i32));
        // The shared value "62041" is stored once.
        assert_eq!(
            l.values
                .iter()
                .filter(|v| v.string_value.as_deref() == Some("62041"))
                .count(),
            1
        );
        assert_eq!(l.values.iter().find_map(|v| v.sint_value), Some(41_694));
        // MoveTo(10,10) LineTo×3 ClosePath, then the hole relative to the cursor (10,100).
        assert_eq!(
            &l.features[0].geometry[..3],
            &[command(1, 1), zigzag(10), zigzag(10)]
        );
        assert_eq!(l.features[0].geometry[10], command(7, 1));
        assert_eq!(l.features[1].geometry, vec![9, zigzag(-5), zigzag(4100)]);
    }

    #[test]
    fn an_empty_layer_writes_nothing() {
        let mut out = Vec::new();
        LayerBuilder::new("epci", 4096).finish(&mut out);
        assert!(out.is_empty());
    }
}
