//! The district map on `/satisfaction`: drawn from the GeoJSON the office uploads, no tiles.

use crate::fixtures::{PASSWORD, small_city};
use crate::on_both_databases;

const TWO_DISTRICTS: &str = r#"{"type":"FeatureCollection","features":[
 {"type":"Feature","properties":{"name":"城关区"},"geometry":{"type":"Polygon","coordinates":[[[112.90,28.15],[113.00,28.15],[113.00,28.25],[112.90,28.25],[112.90,28.15]]]}},
 {"type":"Feature","properties":{"name":"江北区"},"geometry":{"type":"MultiPolygon","coordinates":[[[[112.90,28.25],[113.00,28.25],[113.00,28.35],[112.90,28.35],[112.90,28.25]]]]}}]}"#;

on_both_databases! {
    async fn the_office_uploads_the_districts_and_the_public_sees_them_drawn(app) {
        small_city(app.ctx()).await;
        assert!(!app.get("/satisfaction").await.text().await.unwrap().contains("district-map"), "no map until one is given");
        let office = app.another_client();
        office.login("office1", PASSWORD).await;
        let bad = office.post_multipart("/office/map", &[], &[("file", "city.geojson", b"{\"type\":\"Feature\"}".to_vec())]).await;
        assert_eq!(bad.status(), 400);
        assert!(bad.text().await.unwrap().contains("区划边界：应为 FeatureCollection"));
        let empty = office.post_multipart("/office/map", &[("geojson", "")], &[]).await;
        assert_eq!(empty.status(), 400, "an empty box does not wipe the map");

        let saved = office.post_multipart("/office/map", &[], &[("file", "city.geojson", TWO_DISTRICTS.as_bytes().to_vec())]).await;
        assert_eq!(saved.status(), 303);
        assert!(office.get("/office/map").await.text().await.unwrap().contains("预览（2 个区县）"));
        let public = app.get("/satisfaction").await.text().await.unwrap();
        assert!(public.contains("district-map") && public.matches("<path").count() == 2, "two districts drawn");
        assert!(public.contains("/lists?region=%E5%9F%8E%E5%85%B3%E5%8C%BA"), "a district opens its list");
        assert!(public.contains(">问题 0 项<"), "each district says its numbers in words");

        assert_eq!(office.post_multipart("/office/map", &[("geojson", ""), ("clear", "on")], &[]).await.status(), 303);
        assert!(!app.get("/satisfaction").await.text().await.unwrap().contains("district-map"), "cleared on request");
    }
}
