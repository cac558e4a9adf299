use super::GeoPoint;

/// A circle on the map: a centre and a radius of more than 0 and at most 20,000 km.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct GeoRadius {
    center: GeoPoint,
    radius_km: f64,
}

impl GeoRadius {
    pub fn new(center: GeoPoint, radius_km: f64) -> Result<Self, String> {
        if !radius_km.is_finite() || radius_km <= 0.0 || radius_km > 20_000.0 {
            return Err(format!(
                "radius {radius_km} km must be more than 0 and at most 20000"
            ));
        }
        Ok(Self { center, radius_km })
    }

    pub fn center(self) -> GeoPoint {
        self.center
    }

    pub fn radius_km(self) -> f64 {
        self.radius_km
    }

    pub fn contains(self, point: GeoPoint) -> bool {
        self.center.distance_km(point) <= self.radius_km
    }
}

/// A latitude/longitude rectangle. `west > east` means the box crosses the antimeridian.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct BoundingBox {
    south: f64,
    west: f64,
    north: f64,
    east: f64,
}

impl BoundingBox {
    /// Fails when a corner is off the globe or `south` lies north of `north`.
    pub fn new(south: f64, west: f64, north: f64, east: f64) -> Result<Self, String> {
        GeoPoint::new(south, west)?;
        GeoPoint::new(north, east)?;
        if south > north {
            return Err(format!("south {south} lies north of north {north}"));
        }
        Ok(Self {
            south,
            west,
            north,
            east,
        })
    }

    pub fn contains(self, point: GeoPoint) -> bool {
        let lat_inside = (self.south..=self.north).contains(&point.lat());
        let lon_inside = if self.west <= self.east {
            (self.west..=self.east).contains(&point.lon())
        } else {
            point.lon() >= self.west || point.lon() <= self.east
        };
        lat_inside && lon_inside
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn point(lat: f64, lon: f64) -> GeoPoint {
        GeoPoint::new(lat, lon).unwrap()
    }

    #[test]
    fn a_radius_must_be_positive() {
        let oslo = point(59.91, 10.75);
        assert!(GeoRadius::new(oslo, 0.0).is_err());
        assert!(GeoRadius::new(oslo, -5.0).is_err());
        assert!(GeoRadius::new(oslo, f64::NAN).is_err());
        let near_oslo = GeoRadius::new(oslo, 50.0).unwrap();
        assert!(
            near_oslo.contains(point(59.74, 10.20)),
            "Drammen is ~36 km away"
        );
        assert!(!near_oslo.contains(point(60.39, 5.32)), "Bergen is not");
    }

    #[test]
    fn a_box_rejects_swapped_latitudes_and_may_cross_the_antimeridian() {
        assert!(BoundingBox::new(60.0, 0.0, 50.0, 10.0).is_err());
        assert!(BoundingBox::new(0.0, 0.0, 95.0, 10.0).is_err());
        let scandinavia = BoundingBox::new(55.0, 4.0, 71.0, 31.0).unwrap();
        assert!(scandinavia.contains(point(59.91, 10.75)));
        assert!(!scandinavia.contains(point(48.85, 2.35)));
        let pacific = BoundingBox::new(-50.0, 170.0, -30.0, -170.0).unwrap();
        assert!(pacific.contains(point(-36.85, 174.76)), "Auckland");
        assert!(!pacific.contains(point(-33.87, 151.21)), "Sydney");
    }
}
