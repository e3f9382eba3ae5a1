//! Evidence files: checked by their content (not their name), stored once by hash in the
//! data directory, and served back with headers that keep the browser from running them.

use std::io::Write;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use crate::service::FieldErrors;

pub const OWNER_PROGRESS: &str = "progress_update";
pub const MAX_FILE_BYTES: usize = 5 * 1024 * 1024;
pub const MAX_FILES: usize = 5;

pub struct Upload {
    pub file_name: String,
    pub bytes: Vec<u8>,
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

pub fn check(uploads: Vec<Upload>, errors: &mut FieldErrors) -> Vec<Checked> {
    let uploads: Vec<Upload> = uploads.into_iter().filter(|u| !u.bytes.is_empty()).collect();
    if uploads.len() > MAX_FILES {
        errors.add("evidence", "too_many", format!("最多上传 {MAX_FILES} 个文件"));
        return Vec::new();
    }
    let mut checked = Vec::new();
    for upload in uploads {
        if upload.bytes.len() > MAX_FILE_BYTES {
            errors.add("evidence", "too_large", format!("“{}”超过 5 MB", display_name(&upload.file_name, "")));
            continue;
        }
        let Some(content_type) = sniff(&upload.bytes) else {
            errors.add("evidence", "bad_type", format!("“{}”不是 JPEG、PNG、WebP 图片或 PDF 文件", display_name(&upload.file_name, "")));
            continue;
        };
        let sha256 = hex::encode(Sha256::digest(&upload.bytes));
        checked.push(Checked { file_name: display_name(&upload.file_name, content_type), content_type, bytes: upload.bytes, sha256 });
    }
    checked
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

    #[test]
    fn names_lose_their_paths() {
        assert_eq!(display_name("C:\\fakepath\\现场照片.jpg", "image/jpeg"), "现场照片.jpg");
        assert_eq!(display_name("../../etc/passwd", "application/pdf"), "passwd");
        assert_eq!(display_name("", "image/png"), "证明材料.png");
    }
}
