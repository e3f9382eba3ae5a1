//! Evidence files: checked by their content (not their name), stored once by hash in the
//! data directory, and served back with headers that keep the browser from running them.

use std::io::Write;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use crate::service::FieldErrors;

pub const OWNER_PROGRESS: &str = "progress_update";
/// A citizen's photo of what they report: staff see it; the public only once the office shows it.
pub const OWNER_OPINION: &str = "opinion";
/// Photos are shrunk to fit this many pixels on their longer side.
pub const MAX_SIDE: u32 = 1600;
/// The largest picture decoded at all: a 50-megapixel phone camera's.
const MAX_PIXELS: u64 = 52_000_000;
pub const MAX_FILE_BYTES: usize = 5 * 1024 * 1024;
pub const MAX_FILES: usize = 5;

pub struct Upload {
    pub file_name: String,
    /// Empty when the file was over `MAX_FILE_BYTES`: it is refused by name, the form kept.
    pub bytes: Vec<u8>,
    pub too_large: bool,
}

pub struct Checked {
    pub file_name: String,
    pub content_type: &'static str,
    pub bytes: Vec<u8>,
    pub sha256: String,
}

/// The type the bytes really are, among the ones accepted as evidence.
pub fn sniff(bytes: &[u8]) -> Option<&'static str> {
    if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some("image/jpeg")
    } else if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some("image/png")
    } else if bytes.len() > 12 && &bytes[0..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
        Some("image/webp")
    } else if bytes.starts_with(b"%PDF-") {
        Some("application/pdf")
    } else {
        None
    }
}

/// A file name fit to show: no path, no control characters, at most 80 characters.
fn display_name(raw: &str, content_type: &str) -> String {
    let base = raw.rsplit(['/', '\\']).next().unwrap_or("");
    let cleaned = crate::domain::text::line(base, 80).unwrap_or_default();
    if cleaned.is_empty() {
        let ext = match content_type {
            "image/jpeg" => "jpg",
            "image/png" => "png",
            "image/webp" => "webp",
            _ => "pdf",
        };
        format!("证明材料.{ext}")
    } else {
        cleaned
    }
}

/// A photo decoded and written again, turned upright and shrunk to `MAX_SIDE`: what leaves is
/// pixels only, without EXIF (place, time, camera) or anything else the file carried. PNG stays
/// PNG; JPEG and WebP become JPEG.
fn redraw(bytes: &[u8], content_type: &str) -> Result<(Vec<u8>, &'static str), image::ImageError> {
    use image::{DynamicImage, ImageDecoder, ImageReader, Limits};
    // A small file can claim a huge picture (a 388 KB PNG of 20000×20000 took a core for a
    // minute): its size is read from the header and judged before any pixel is decoded.
    let (width, height) = ImageReader::new(std::io::Cursor::new(bytes)).with_guessed_format()?.into_dimensions()?;
    if u64::from(width) * u64::from(height) > MAX_PIXELS {
        return Err(image::ImageError::Limits(image::error::LimitError::from_kind(image::error::LimitErrorKind::DimensionError)));
    }
    let mut reader = ImageReader::new(std::io::Cursor::new(bytes)).with_guessed_format()?;
    let mut limits = Limits::default();
    limits.max_image_width = Some(12_000);
    limits.max_image_height = Some(12_000);
    limits.max_alloc = Some(256 * 1024 * 1024);
    reader.limits(limits);
    let mut decoder = reader.into_decoder()?;
    let orientation = decoder.orientation()?;
    let mut picture = DynamicImage::from_decoder(decoder)?;
    picture.apply_orientation(orientation);
    if picture.width() > MAX_SIDE || picture.height() > MAX_SIDE {
        picture = picture.resize(MAX_SIDE, MAX_SIDE, image::imageops::FilterType::Triangle);
    }
    let mut out = Vec::new();
    if content_type == "image/png" {
        picture.write_with_encoder(image::codecs::png::PngEncoder::new(&mut out))?;
        Ok((out, "image/png"))
    } else {
        picture.into_rgb8().write_with_encoder(image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 85))?;
        Ok((out, "image/jpeg"))
    }
}

/// `check`, on a thread of its own: decoding photos is work for a core, not for a request worker.
pub async fn check_apart(uploads: Vec<Upload>, field: &'static str, errors: &mut FieldErrors) -> Vec<Checked> {
    if uploads.is_empty() {
        return Vec::new();
    }
    let joined = tokio::task::spawn_blocking(move || {
        let mut found = FieldErrors::default();
        let checked = check(uploads, field, &mut found);
        (checked, found)
    })
    .await;
    match joined {
        Ok((checked, found)) => {
            errors.0.extend(found.0);
            checked
        }
        Err(_) => {
            errors.add(field, "unreadable", "图片无法读取，请换一张再试");
            Vec::new()
        }
    }
}

/// Checks uploads sent in the form field `field` (errors are recorded under it).
pub fn check(uploads: Vec<Upload>, field: &'static str, errors: &mut FieldErrors) -> Vec<Checked> {
    let uploads: Vec<Upload> = uploads.into_iter().filter(|u| !u.bytes.is_empty() || u.too_large).collect();
    if uploads.len() > MAX_FILES {
        errors.add(field, "too_many", format!("最多上传 {MAX_FILES} 个文件"));
        return Vec::new();
    }
    let mut checked = Vec::new();
    for upload in uploads {
        if upload.too_large || upload.bytes.len() > MAX_FILE_BYTES {
            errors.add(field, "too_large", format!("“{}”超过 5 MB", display_name(&upload.file_name, "")));
            continue;
        }
        let Some(content_type) = sniff(&upload.bytes) else {
            let accepted = if field == "evidence" { "JPEG、PNG、WebP 图片或 PDF 文件" } else { "JPEG、PNG 或 WebP 图片" };
            errors.add(field, "bad_type", format!("“{}”不是 {accepted}", display_name(&upload.file_name, "")));
            continue;
        };
        let (bytes, content_type) = if content_type.starts_with("image/") {
            match redraw(&upload.bytes, content_type) {
                Ok(redrawn) => redrawn,
                Err(_) => {
                    errors.add(
                        field,
                        "bad_image",
                        format!("“{}”无法作为图片打开（或超过 5000 万像素），请换一张再试", display_name(&upload.file_name, "")),
                    );
                    continue;
                }
            }
        } else {
            (upload.bytes, content_type)
        };
        let sha256 = hex::encode(Sha256::digest(&bytes));
        checked.push(Checked { file_name: display_name(&upload.file_name, content_type), content_type, bytes, sha256 });
    }
    checked
}

/// A stored file, as its attachment row records it.
#[derive(Debug, Clone)]
pub struct Stored {
    pub file_name: String,
    pub content_type: &'static str,
    pub size_bytes: i64,
    pub sha256: String,
}

/// Stores every checked file; what the rows that refer to them need.
pub fn store_all(data_dir: &Path, files: &[Checked]) -> std::io::Result<Vec<Stored>> {
    files
        .iter()
        .map(|f| {
            store(data_dir, f)?;
            Ok(Stored {
                file_name: f.file_name.clone(),
                content_type: f.content_type,
                size_bytes: f.bytes.len() as i64,
                sha256: f.sha256.clone(),
            })
        })
        .collect()
}

pub fn path(data_dir: &Path, sha256: &str) -> PathBuf {
    data_dir.join("evidence").join(&sha256[..2]).join(sha256)
}

/// Writes the file unless the same content is already stored; via a temporary file and a
/// rename, so a crash never leaves half a file under the final name.
pub fn store(data_dir: &Path, file: &Checked) -> std::io::Result<()> {
    let target = path(data_dir, &file.sha256);
    if target.exists() {
        return Ok(());
    }
    let dir = target.parent().expect("evidence paths have a parent");
    std::fs::create_dir_all(dir)?;
    let mut temp = tempfile_in(dir)?;
    temp.1.write_all(&file.bytes)?;
    temp.1.sync_all()?;
    std::fs::rename(&temp.0, &target)
}

fn tempfile_in(dir: &Path) -> std::io::Result<(PathBuf, std::fs::File)> {
    use rand::RngExt;
    let name = dir.join(format!(".upload-{:016x}", rand::rng().random::<u64>()));
    let file = std::fs::OpenOptions::new().write(true).create_new(true).open(&name)?;
    Ok((name, file))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_are_judged_by_content() {
        assert_eq!(sniff(b"%PDF-1.7 ..."), Some("application/pdf"));
        assert_eq!(sniff(b"\x89PNG\r\n\x1a\nrest"), Some("image/png"));
        assert_eq!(sniff(b"<html><script>"), None);
        assert_eq!(sniff(b"MZ\x90\x00"), None);
    }

    // Photos losing their EXIF and being shrunk: `tests/api/photos.rs`, through the form.

    #[test]
    fn a_file_that_only_looks_like_a_picture_is_refused() {
        let mut errors = FieldErrors::default();
        let fake = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR garbage".to_vec();
        assert!(check(vec![Upload { file_name: "a.png".into(), bytes: fake, too_large: false }], "photos", &mut errors).is_empty());
        assert!(errors.summary().contains("无法作为图片打开"), "{}", errors.summary());
    }

    #[test]
    fn names_lose_their_paths() {
        assert_eq!(display_name("C:\\fakepath\\现场照片.jpg", "image/jpeg"), "现场照片.jpg");
        assert_eq!(display_name("../../etc/passwd", "application/pdf"), "passwd");
        assert_eq!(display_name("", "image/png"), "证明材料.png");
    }
}
