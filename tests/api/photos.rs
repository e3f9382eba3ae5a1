//! A citizen's photo: redrawn without its EXIF and shrunk before it is stored, seen by the staff
//! on the case, and by the public only after the office shows it.

use entity::{attachment, opinion};
use image::ImageEncoder;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

use crate::fixtures::{PASSWORD, small_city};
use crate::on_both_databases;

/// A phone photo: 2400×1800 with an EXIF block naming a place and a camera.
fn phone_photo() -> Vec<u8> {
    let picture = image::RgbImage::from_fn(2400, 1800, |x, y| image::Rgb([(x % 200) as u8, (y % 200) as u8, 120]));
    let mut jpeg = Vec::new();
    picture.write_with_encoder(image::codecs::jpeg::JpegEncoder::new_with_quality(&mut jpeg, 80)).unwrap();
    let exif = b"Exif\0\0MM\0*\0\0\0\x08GPSLatitude 28.1940 GPSLongitude 112.9720 Make Xiaomi";
    let mut segment = vec![0xFF, 0xE1];
    segment.extend_from_slice(&((exif.len() + 2) as u16).to_be_bytes());
    segment.extend_from_slice(exif);
    jpeg.splice(2..2, segment);
    jpeg
}

fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = 0xFFFF_FFFFu32;
    for b in bytes {
        crc ^= u32::from(*b);
        for _ in 0..8 {
            crc = if crc & 1 == 1 { (crc >> 1) ^ 0xEDB8_8320 } else { crc >> 1 };
        }
    }
    !crc
}

const FIELDS: &[(&str, &str)] = &[("kind", "complaint"), ("title", "人行道井盖缺失"), ("content", "建设路人行道上有个井盖没了，很危险。")];

on_both_databases! {
    async fn a_photo_loses_its_exif_and_is_public_only_once_the_office_shows_it(app) {
        small_city(app.ctx()).await;
        let sent = app.post_multipart("/opinions/new", FIELDS, &[("photos", "IMG_2031.jpg", phone_photo())]).await;
        assert_eq!(sent.status(), 303, "filed with its photo");
        let o = opinion::Entity::find().filter(opinion::Column::Title.eq("人行道井盖缺失")).one(&app.db).await.unwrap().unwrap();
        let files = attachment::Entity::find().filter(attachment::Column::OwnerId.eq(o.id)).filter(attachment::Column::OwnerType.eq("opinion")).all(&app.db).await.unwrap();
        assert_eq!(files.len(), 1);
        let stored = std::fs::read(lianxin::evidence::path(app.data_dir(), &files[0].sha256)).unwrap();
        assert!(!stored.windows(4).any(|w| w == b"Exif") && !stored.windows(6).any(|w| w == b"Xiaomi"), "no EXIF is stored");
        let redrawn = image::load_from_memory(&stored).unwrap();
        assert_eq!((redrawn.width(), redrawn.height()), (1600, 1200), "shrunk to 1600 px");
        let url = format!("/photos/{}", files[0].id);

        // The public sees neither the photo nor a link to it; the office does.
        assert_eq!(app.get(&url).await.status(), 404);
        assert!(!app.get(&format!("/opinions/{}", o.id)).await.text().await.unwrap().contains("/photos/"));
        let office = app.another_client();
        office.login("office1", PASSWORD).await;
        let seen = office.get(&url).await;
        assert_eq!((seen.status().as_u16(), seen.headers()["content-type"].to_str().unwrap()), (200, "image/jpeg"));
        assert!(office.get(&format!("/office/opinions/{}", o.id)).await.text().await.unwrap().contains(&url), "the office's page shows it");
        let other_unit = app.another_client();
        other_unit.login("unitb", PASSWORD).await;
        assert_eq!(other_unit.get(&url).await.status(), 404, "a unit not on the case does not see it");

        // Shown by the office: on the public page too.
        assert_eq!(office.post_form(&format!("/office/opinions/{}/publish_photos", o.id), &[]).await.status(), 303);
        assert_eq!(app.get(&url).await.status(), 200);
        assert!(app.get(&format!("/opinions/{}", o.id)).await.text().await.unwrap().contains(&url));

        // Only pictures, really pictures.
        let pdf = app.post_multipart("/opinions/new", FIELDS, &[("photos", "scan.pdf", b"%PDF-1.7 fake".to_vec())]).await;
        assert_eq!(pdf.status(), 400);
        assert!(pdf.text().await.unwrap().contains("只能上传 JPEG、PNG 或 WebP 图片"));
        let fake = app.post_multipart("/opinions/new", FIELDS, &[("photos", "a.png", b"\x89PNG\r\n\x1a\nnot really".to_vec())]).await;
        assert_eq!(fake.status(), 400);
        assert!(fake.text().await.unwrap().contains("无法作为图片打开"));
        let big = app.post_multipart("/opinions/new", FIELDS, &[("photos", "IMG_9.jpg", vec![0xFF; 6 * 1024 * 1024])]).await;
        assert_eq!(big.status(), 400);
        let page = big.text().await.unwrap();
        assert!(page.contains("“IMG_9.jpg”超过 5 MB") && page.contains("人行道井盖缺失"), "a photo too big is named, and nothing typed is lost");
        // A picture that claims 20000×20000 pixels in a few hundred bytes is refused before it is decoded.
        let mut bomb = Vec::new();
        image::codecs::png::PngEncoder::new(&mut bomb)
            .write_image(&vec![0u8; 20_000 * 4], 20_000, 4, image::ExtendedColorType::L8)
            .unwrap();
        // The header's height says 20000 (its checksum made right), the data holds four rows.
        bomb[20..24].copy_from_slice(&20_000u32.to_be_bytes());
        let crc = crc32(&bomb[12..29]);
        bomb[29..33].copy_from_slice(&crc.to_be_bytes());
        let refused = app.post_multipart("/opinions/new", FIELDS, &[("photos", "huge.png", bomb)]).await;
        assert_eq!(refused.status(), 400, "a decompression bomb is refused");
        assert_eq!(opinion::Entity::find().filter(opinion::Column::Title.eq("人行道井盖缺失")).all(&app.db).await.unwrap().len(), 1, "refused forms file nothing");
    }
}
