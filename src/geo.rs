//! The city's districts drawn as an SVG map, from a GeoJSON the office gives in settings: no map
//! tiles, nothing fetched. Districts are matched to regions by their `name` property.

use serde::{Deserialize, Serialize};

use crate::service::{FieldErrors, ServiceError};
use crate::settings::Group;

/// Width of the drawing in SVG units (about a phone's width in pixels, so 18-unit labels read
/// as 16 px or more there); the height follows the city's shape.
const WIDTH: f64 = 400.0;
/// A map of a city's districts has no business being bigger than this.
pub const MAX_GEOJSON_BYTES: usize = 2 * 1024 * 1024;

/// The districts' outlines as GeoJSON (a FeatureCollection of Polygons and MultiPolygons, each
/// with a `name`), versioned like every setting. Empty: no map is shown.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct MapSettings {
    pub geojson: String,
}

impl Group for MapSettings {
    const KEY: &'static str = "map";
}

impl MapSettings {
    /// The demo city's six districts.
    pub fn demo() -> Self {
        Self { geojson: include_str!("demo/districts.geojson").to_string() }
    }

    pub fn validate(&self) -> Result<(), ServiceError> {
        let mut errors = FieldErrors::default();
        if self.geojson.len() > MAX_GEOJSON_BYTES {
            errors.add("geojson", "too_large", "区划边界：GeoJSON 不能超过 2 MB");
        } else if !self.geojson.trim().is_empty() {
            match draw(&self.geojson) {
                Err(why) => errors.add("geojson", "invalid", format!("区划边界：{why}")),
                Ok(map) if map.districts.is_empty() => errors.add("geojson", "empty", "区划边界：没有找到带 name 属性的多边形"),
                Ok(_) => {}
            }
        }
        errors.check()
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct District {
    pub name: String,
    /// SVG path data in the map's units.
    pub path: String,
    /// Where its label goes: the mean of its outline's points.
    pub label: (f64, f64),
}

#[derive(Debug, Clone, Serialize)]
pub struct DistrictMap {
    pub width: f64,
    pub height: f64,
    pub districts: Vec<District>,
}

type Ring = Vec<(f64, f64)>;

fn rings_of(geometry: &serde_json::Value) -> Result<Vec<Ring>, String> {
    let ring = |r: &serde_json::Value| -> Result<Ring, String> {
        let points = r.as_array().ok_or("坐标应为数组")?;
        points
            .iter()
            .map(|p| match p.as_array().map(|a| (a.first().and_then(|v| v.as_f64()), a.get(1).and_then(|v| v.as_f64()))) {
                Some((Some(lon), Some(lat))) if (-180.0..=180.0).contains(&lon) && (-90.0..=90.0).contains(&lat) => Ok((lon, lat)),
                _ => Err("坐标应为 [经度, 纬度]".to_string()),
            })
            .collect()
    };
    let polygon =
        |p: &serde_json::Value| -> Result<Vec<Ring>, String> { p.as_array().ok_or("多边形应为数组")?.iter().map(ring).collect() };
    let coordinates = &geometry["coordinates"];
    match geometry["type"].as_str() {
        Some("Polygon") => polygon(coordinates),
        Some("MultiPolygon") => {
            Ok(coordinates.as_array().ok_or("多边形应为数组")?.iter().map(polygon).collect::<Result<Vec<_>, _>>()?.concat())
        }
        _ => Err("只支持 Polygon 和 MultiPolygon".into()),
    }
}

/// Projects the districts onto a `WIDTH`-wide drawing (equirectangular, corrected for latitude,
/// which is true enough at a city's size).
pub fn draw(geojson: &str) -> Result<DistrictMap, String> {
    let parsed: serde_json::Value = serde_json::from_str(geojson).map_err(|_| "不是有效的 GeoJSON（JSON 格式有误）".to_string())?;
    let features = parsed["features"].as_array().ok_or("应为 FeatureCollection")?;
    let mut shapes = Vec::new();
    for f in features {
        let Some(name) = f["properties"]["name"].as_str().map(str::trim).filter(|n| !n.is_empty()) else { continue };
        let rings: Vec<Ring> = rings_of(&f["geometry"])?.into_iter().filter(|r| r.len() >= 3).collect();
        if !rings.is_empty() {
            shapes.push((name.chars().take(32).collect::<String>(), rings));
        }
    }
    let points = || shapes.iter().flat_map(|(_, rings)| rings.iter().flatten());
    let (min_lon, max_lon) = points().fold((f64::MAX, f64::MIN), |(lo, hi), p| (lo.min(p.0), hi.max(p.0)));
    let (min_lat, max_lat) = points().fold((f64::MAX, f64::MIN), |(lo, hi), p| (lo.min(p.1), hi.max(p.1)));
    if shapes.is_empty() || max_lon <= min_lon || max_lat <= min_lat {
        return Ok(DistrictMap { width: WIDTH, height: 0.0, districts: Vec::new() });
    }
    let squash = ((min_lat + max_lat) / 2.0).to_radians().cos();
    let scale = WIDTH / ((max_lon - min_lon) * squash);
    let at = |(lon, lat): (f64, f64)| ((lon - min_lon) * squash * scale, (max_lat - lat) * scale);
    let districts = shapes
        .into_iter()
        .map(|(name, rings)| {
            let mut path = String::new();
            for ring in &rings {
                for (i, p) in ring.iter().enumerate() {
                    let (x, y) = at(*p);
                    path.push_str(&format!("{}{x:.1} {y:.1} ", if i == 0 { 'M' } else { 'L' }));
                }
                path.push('Z');
            }
            let outline = &rings[0];
            let n = outline.len() as f64;
            let (x, y) = outline.iter().map(|p| at(*p)).fold((0.0, 0.0), |(sx, sy), (x, y)| (sx + x / n, sy + y / n));
            District { name, path, label: ((x * 10.0).round() / 10.0, (y * 10.0).round() / 10.0) }
        })
        .collect();
    Ok(DistrictMap { width: WIDTH, height: ((max_lat - min_lat) * scale).ceil(), districts })
}

/// The city map in settings with each district's problems and satisfaction, for the public page;
/// `None` while no map is set. `regions` are the region rows of the score view.
pub async fn city_map(
    db: &impl sea_orm::ConnectionTrait,
    regions: &[serde_json::Value],
) -> Result<Option<serde_json::Value>, sea_orm::DbErr> {
    use sea_orm::{ColumnTrait, EntityTrait, QuerySelect};
    let (settings, _) = crate::settings::current::<MapSettings>(db).await?;
    let Ok(map) = draw(&settings.geojson) else { return Ok(None) };
    if map.districts.is_empty() {
        return Ok(None);
    }
    let counts: Vec<(Option<String>, i64)> = entity::problem::Entity::find()
        .select_only()
        .column(entity::problem::Column::Region)
        .column_as(entity::problem::Column::Id.count(), "n")
        .group_by(entity::problem::Column::Region)
        .into_tuple()
        .all(db)
        .await?;
    let districts: Vec<_> = map
        .districts
        .iter()
        .map(|d| {
            let score = regions.iter().find(|r| r["subject"].as_str() == Some(d.name.as_str()));
            let problems = counts.iter().find(|(r, _)| r.as_deref() == Some(d.name.as_str())).map_or(0, |(_, n)| *n);
            serde_json::json!({
                "name": d.name, "path": d.path, "x": d.label.0, "y": d.label.1, "problems": problems,
                "score": score.map(|s| s["score"].clone()), "n": score.map(|s| s["n"].clone()),
                "ranked": score.is_some_and(|s| s["rank"].is_u64()),
            })
        })
        .collect();
    Ok(Some(serde_json::json!({ "width": map.width, "height": map.height, "districts": districts })))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_demo_city_draws_six_districts_within_the_frame() {
        let map = draw(&MapSettings::demo().geojson).unwrap();
        assert_eq!(map.districts.len(), 6);
        assert!(map.height > 100.0 && map.height < 1000.0, "{}", map.height);
        for d in &map.districts {
            assert!(d.path.starts_with('M') && d.path.ends_with('Z'), "{}", d.path);
            assert!((0.0..=map.width).contains(&d.label.0) && (0.0..=map.height).contains(&d.label.1), "{} {:?}", d.name, d.label);
        }
        assert!(MapSettings::demo().validate().is_ok());
    }

    #[test]
    fn bad_geojson_is_refused_with_a_reason() {
        for (text, why) in [
            ("{", "JSON 格式有误"),
            (r#"{"type":"Feature"}"#, "FeatureCollection"),
            (r#"{"features":[{"properties":{"name":"甲"},"geometry":{"type":"Point","coordinates":[1,2]}}]}"#, "只支持"),
        ] {
            let err = MapSettings { geojson: text.into() }.validate().unwrap_err();
            assert!(format!("{err:?}").contains(why), "{text}: {err:?}");
        }
        let nameless = r#"{"features":[{"properties":{},"geometry":{"type":"Polygon","coordinates":[[[1,1],[2,1],[2,2],[1,1]]]}}]}"#;
        assert!(format!("{:?}", MapSettings { geojson: nameless.into() }.validate().unwrap_err()).contains("name"));
        assert!(MapSettings::default().validate().is_ok(), "no map at all is fine");
    }
}
