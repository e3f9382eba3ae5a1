//! CSRF protection for every state-changing form: a random token in an HttpOnly cookie,
//! echoed in a hidden field, compared on submit (double submit; SameSite=Lax adds a second wall).

use actix_web::{
    Error, FromRequest, HttpMessage, HttpRequest,
    body::MessageBody,
    cookie::{Cookie, SameSite},
    dev::{Payload, ServiceRequest, ServiceResponse},
    middleware::Next,
    web,
};
use futures_util::StreamExt;
use rand::RngExt;
use serde::de::DeserializeOwned;
use std::{future::Future, pin::Pin};

use crate::{error::AppError, state::AppState};

const COOKIE: &str = "lianxin_csrf";
pub const FIELD: &str = "csrf_token";
const TOKEN_LEN: usize = 32;
/// Forms are small; uploads have their own limit.
pub const FORM_LIMIT: usize = 64 * 1024;

#[derive(Debug, Clone)]
pub struct CsrfToken(pub String);

fn generate() -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    let mut rng = rand::rng();
    (0..TOKEN_LEN).map(|_| ALPHABET[rng.random_range(0..ALPHABET.len())] as char).collect()
}

fn well_formed(token: &str) -> bool {
    token.len() == TOKEN_LEN && token.bytes().all(|b| b.is_ascii_alphanumeric())
}

/// Middleware: every visitor gets a token; a new one is set as a cookie.
pub async fn issue(req: ServiceRequest, next: Next<impl MessageBody>) -> Result<ServiceResponse<impl MessageBody>, Error> {
    let existing = req.cookie(COOKIE).map(|c| c.value().to_string()).filter(|t| well_formed(t));
    let fresh = existing.is_none();
    let token = existing.unwrap_or_else(generate);
    let secure = req.app_data::<web::Data<AppState>>().is_some_and(|s| s.config.cookie_secure);
    req.extensions_mut().insert(CsrfToken(token.clone()));
    let mut response = next.call(req).await?;
    if fresh {
        let cookie = Cookie::build(COOKIE, token).path("/").http_only(true).same_site(SameSite::Lax).secure(secure).finish();
        response.response_mut().add_cookie(&cookie)?;
    }
    Ok(response)
}

/// The token to embed in forms on this page.
pub fn token_of(req: &HttpRequest) -> String {
    req.extensions().get::<CsrfToken>().map(|t| t.0.clone()).unwrap_or_default()
}

fn same(a: &str, b: &str) -> bool {
    // Constant time: no early exit on the first differing byte.
    a.len() == b.len() && a.bytes().zip(b.bytes()).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// The token in the visitor's cookie.
pub fn cookie_token(req: &HttpRequest) -> Option<String> {
    req.cookie(COOKIE).map(|c| c.value().to_string())
}

/// Refuses unless the submitted token is the cookie's.
pub fn verify(cookie: Option<&str>, sent: Option<&str>) -> Result<(), AppError> {
    match (cookie, sent) {
        (Some(cookie), Some(sent)) if well_formed(cookie) && same(cookie, sent) => Ok(()),
        _ => Err(AppError::Csrf),
    }
}

/// A url-encoded form whose CSRF token has been checked. Replaces `web::Form`.
pub struct CsrfForm<T>(pub T);

impl<T: DeserializeOwned + 'static> FromRequest for CsrfForm<T> {
    type Error = AppError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, AppError>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let checked = checked_body(req, payload);
        Box::pin(async move {
            let (body, _) = checked.await?;
            serde_urlencoded::from_bytes::<T>(&body)
                .map(CsrfForm)
                .map_err(|_| AppError::BadRequest("表单内容不完整或格式有误，请检查后重新提交。".into()))
        })
    }
}

/// Reads a request body, refusing more than `limit` bytes.
pub async fn read_limited(payload: &mut Payload, limit: usize) -> Result<web::BytesMut, AppError> {
    let mut body = web::BytesMut::new();
    while let Some(chunk) = payload.next().await {
        let chunk = chunk.map_err(|_| AppError::BadRequest("请求内容不完整。".into()))?;
        if body.len() + chunk.len() > limit {
            return Err(AppError::PayloadTooLarge);
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

/// Reads a url-encoded body and checks its CSRF token: the body and its pairs.
fn checked_body(
    req: &HttpRequest,
    payload: &mut Payload,
) -> impl Future<Output = Result<(web::BytesMut, Vec<(String, String)>), AppError>> + 'static {
    let cookie = cookie_token(req);
    let mut payload = payload.take();
    async move {
        let body = read_limited(&mut payload, FORM_LIMIT).await?;
        let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(&body).unwrap_or_default();
        verify(cookie.as_deref(), pairs.iter().find(|(k, _)| k == FIELD).map(|(_, v)| v.as_str()))?;
        Ok((body, pairs))
    }
}

/// A url-encoded form as its raw pairs (for repeated fields such as checkboxes), CSRF-checked.
pub struct CsrfPairs(pub Vec<(String, String)>);

impl CsrfPairs {
    pub fn get(&self, name: &str) -> &str {
        self.0.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str()).unwrap_or("")
    }

    pub fn all(&self, name: &str) -> Vec<&str> {
        self.0.iter().filter(|(k, _)| k == name).map(|(_, v)| v.as_str()).collect()
    }
}

impl FromRequest for CsrfPairs {
    type Error = AppError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, AppError>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let checked = checked_body(req, payload);
        Box::pin(async move { Ok(CsrfPairs(checked.await?.1)) })
    }
}
