//! Locations in the index: each point is packed into one u64 (32 bits each for latitude and
//! longitude, about 5 mm of precision) in a multi-valued fast field, so a practice in several
//! cities keeps every point and both halves of a point stay together.

use tantivy::columnar::Column;
use tantivy::query::doc_predicate_query::{DocPredicateQuery, FunctionPredicate};
use tantivy::{DocId, SegmentReader};

use super::fields;
use crate::domain::{BoundingBox, GeoPoint, GeoRadius};

const SCALE: f64 = u32::MAX as f64;

pub fn encode(point: GeoPoint) -> u64 {
    let lat = ((point.lat() + 90.0) / 180.0 * SCALE).round() as u64;
    let lon = ((point.lon() + 180.0) / 360.0 * SCALE).round() as u64;
    (lat << 32) | lon
}

pub fn decode(packed: u64) -> GeoPoint {
    let lat = (packed >> 32) as f64 / SCALE * 180.0 - 90.0;
    let lon = (packed & 0xffff_ffff) as f64 / SCALE * 360.0 - 180.0;
    GeoPoint::new(lat.clamp(-90.0, 90.0), lon.clamp(-180.0, 180.0))
        .expect("clamped coordinates are valid")
}

/// Where results must lie: every given shape must hold at least one of a document's points.
#[derive(Clone, Copy, Debug, Default)]
pub struct GeoFilter {
    pub near: Option<GeoRadius>,
    pub bbox: Option<BoundingBox>,
}

impl GeoFilter {
    pub fn is_empty(&self) -> bool {
        self.near.is_none() && self.bbox.is_none()
    }

    fn accepts(&self, point: GeoPoint) -> bool {
        self.near.is_none_or(|near| near.contains(point))
            && self.bbox.is_none_or(|bbox| bbox.contains(point))
    }

    /// A query matching the documents with a point inside the filter. Documents without a
    /// location never match.
    pub fn query(self) -> DocPredicateQuery {
        FunctionPredicate::from(move |segment: &SegmentReader| {
            let column = segment.fast_fields().u64(fields::GEO)?;
            Ok(move |doc: DocId| {
                column
                    .values_for_doc(doc)
                    .any(|packed| self.accepts(decode(packed)))
            })
        })
        .into()
    }
}

/// The distance from `center` to the nearest point of a document, if it has any.
pub fn nearest_km(column: &Column<u64>, doc: DocId, center: GeoPoint) -> Option<f64> {
    column
        .values_for_doc(doc)
        .map(|packed| center.distance_km(decode(packed)))
        .min_by(f64::total_cmp)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn packing_keeps_points_within_a_centimetre() {
        for (lat, lon) in [
            (59.9139, 10.7522),
            (-33.87, 151.21),
            (90.0, -180.0),
            (-90.0, 180.0),
        ] {
            let point = GeoPoint::new(lat, lon).unwrap();
            let back = decode(encode(point));
            assert!(point.distance_km(back) < 0.00001, "{lat},{lon} -> {back:?}");
        }
    }
}
