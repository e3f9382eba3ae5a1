//! Multipart forms (forms with files): read within limits, CSRF-checked like any other form.

use std::collections::HashMap;
use std::{future::Future, pin::Pin};

use actix_multipart::Multipart;
use actix_web::{FromRequest, HttpRequest, dev::Payload};
use futures_util::StreamExt;

use crate::error::AppError;
use crate::evidence::{MAX_FILE_BYTES, MAX_FILES, Upload};
use crate::web::csrf;

/// The text fields and the files of a multipart form whose CSRF token checked out.
pub struct CsrfMultipart {
    pub fields: HashMap<String, String>,
    pub files: Vec<Upload>,
}

impl CsrfMultipart {
    pub fn text(&self, name: &str) -> &str {
        self.fields.get(name).map(String::as_str).unwrap_or("")
    }
}

const TEXT_LIMIT: usize = csrf::FORM_LIMIT;
/// A file over the per-file limit is read past (not kept) so the form can say which one it was
/// and keep what was typed; past this many bytes in all, the request is refused.
const REQUEST_LIMIT: usize = 64 * 1024 * 1024;

impl FromRequest for CsrfMultipart {
    type Error = AppError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, AppError>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let expected = csrf::token_of(req);
        let multipart = Multipart::new(req.headers(), payload.take());
        Box::pin(async move {
            let form = read(multipart).await?;
            csrf::verify(&expected, form.fields.get(csrf::FIELD).map(String::as_str))?;
            Ok(form)
        })
    }
}

async fn read(mut multipart: Multipart) -> Result<CsrfMultipart, AppError> {
    let malformed = || AppError::BadRequest("上传的表单格式有误，请重新提交。".into());
    let mut fields = HashMap::new();
    let mut files = Vec::new();
    let mut text_bytes = 0;
    let mut total = 0;
    while let Some(part) = multipart.next().await {
        let mut part = part.map_err(|_| malformed())?;
        let name = part.name().unwrap_or_default().to_string();
        let file_name = part.content_disposition().and_then(|d| d.get_filename()).map(str::to_string);
        let mut bytes = Vec::new();
        let mut too_large = false;
        while let Some(chunk) = part.next().await {
            let chunk = chunk.map_err(|_| malformed())?;
            total += chunk.len();
            if total > REQUEST_LIMIT {
                return Err(AppError::PayloadTooLarge);
            }
            match &file_name {
                Some(_) if too_large || bytes.len() + chunk.len() > MAX_FILE_BYTES => {
                    too_large = true;
                    bytes = Vec::new();
                }
                Some(_) => bytes.extend_from_slice(&chunk),
                None if bytes.len() + chunk.len() > TEXT_LIMIT - text_bytes => return Err(AppError::PayloadTooLarge),
                None => bytes.extend_from_slice(&chunk),
            }
        }
        match file_name {
            Some(file_name) => {
                if !bytes.is_empty() || too_large {
                    if files.len() >= MAX_FILES {
                        return Err(AppError::BadRequest(format!("最多上传 {MAX_FILES} 个文件。")));
                    }
                    files.push(Upload { file_name, bytes, too_large });
                }
            }
            None => {
                text_bytes += bytes.len();
                fields.insert(name, String::from_utf8_lossy(&bytes).into_owned());
            }
        }
    }
    Ok(CsrfMultipart { fields, files })
}
