//! CSRF protection for every state-changing request: a token in every form that is a keyed digest
//! of the visitor's session (or, before login, of a visitor cookie), so it cannot be chosen by an
//! attacker and changes at login and logout; and an Origin/Referer check before any handler runs.
//! SameSite=Lax cookies add a third wall.

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

use crate::{error::AppError, state::AppState, web::session::CurrentSession};

/// The visitor cookie that binds anonymous visitors' tokens (logged-in visitors' tokens are
/// bound to their session instead).
fn visitor_cookie(secure: bool) -> &'static str {
    if secure { "__Host-lianxin_visitor" } else { "lianxin_visitor" }
}
pub const FIELD: &str = "csrf_token";
const VISITOR_LEN: usize = 32;
/// Forms are small; uploads have their own limit.
pub const FORM_LIMIT: usize = 64 * 1024;

/// This request's token: the keyed digest of its binding.
#[derive(Debug, Clone)]
pub struct CsrfToken(pub String);

fn generate() -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    let mut rng = rand::rng();
    (0..VISITOR_LEN).map(|_| ALPHABET[rng.random_range(0..ALPHABET.len())] as char).collect()
}

fn well_formed(id: &str) -> bool {
    id.len() == VISITOR_LEN && id.bytes().all(|b| b.is_ascii_alphanumeric())
}

/// A fresh visitor cookie: issued to new visitors and at logout, so tokens rotate.
pub fn new_visitor_cookie(secure: bool) -> Cookie<'static> {
    Cookie::build(visitor_cookie(secure), generate()).path("/").http_only(true).same_site(SameSite::Lax).secure(secure).finish()
}

/// Middleware (inside `session::identify`): every visitor gets a token bound to their session,
/// or to a visitor cookie set on their first request.
pub async fn issue<B: MessageBody + 'static>(req: ServiceRequest, next: Next<B>) -> Result<ServiceResponse<impl MessageBody>, Error> {
    let Some(state) = req.app_data::<web::Data<AppState>>().cloned() else { return Ok(next.call(req).await?.map_into_left_body()) };
    let secure = state.config.cookie_secure;
    let session = req.extensions().get::<CurrentSession>().map(|s| s.token.clone());
    let visitor = req.cookie(visitor_cookie(secure)).map(|c| c.value().to_string()).filter(|t| well_formed(t));
    let fresh = visitor.is_none().then(|| new_visitor_cookie(secure));
    let binding = match (&session, &visitor, &fresh) {
        (Some(token), _, _) => format!("session:{token}"),
        (None, Some(id), _) => format!("visitor:{id}"),
        (None, None, cookie) => format!("visitor:{}", cookie.as_ref().map(|c| c.value()).unwrap_or_default()),
    };
    req.extensions_mut().insert(CsrfToken(state.secrets.csrf_token(&binding)));
    let mut response = next.call(req).await?;
    if let Some(cookie) = fresh {
        response.response_mut().add_cookie(&cookie)?;
    }
    Ok(response.map_into_right_body())
}

/// The token to embed in forms on this page.
pub fn token_of(req: &HttpRequest) -> String {
    req.extensions().get::<CsrfToken>().map(|t| t.0.clone()).unwrap_or_default()
}

fn same(a: &str, b: &str) -> bool {
    // Constant time: no early exit on the first differing byte.
    a.len() == b.len() && a.bytes().zip(b.bytes()).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Refuses unless the submitted token is this request's own.
pub fn verify(expected: &str, sent: Option<&str>) -> Result<(), AppError> {
    match sent {
        Some(sent) if !expected.is_empty() && same(expected, sent) => Ok(()),
        _ => Err(AppError::Csrf),
    }
}

/// The origin a request was sent to, as the browser saw it.
fn own_origin(req: &ServiceRequest) -> String {
    let info = req.connection_info();
    format!("{}://{}", info.scheme(), info.host())
}

/// Middleware: a state-changing request whose `Origin` (or, without one, `Referer`) names
/// another site is refused before any handler runs. Requests with neither (old clients,
/// command-line tools) still need their CSRF token.
pub async fn same_origin<B: MessageBody + 'static>(req: ServiceRequest, next: Next<B>) -> Result<ServiceResponse<impl MessageBody>, Error> {
    use actix_web::http::Method;
    if matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS) {
        return Ok(next.call(req).await?.map_into_left_body());
    }
    let public = req.app_data::<web::Data<AppState>>().map(|s| s.config.public_origin()).unwrap_or_default();
    let origin = |value: &str| url::Url::parse(value).ok().map(|u| u.origin().ascii_serialization());
    let claimed = match (req.headers().get("origin"), req.headers().get("referer")) {
        (Some(o), _) => Some(o.to_str().ok().and_then(origin).unwrap_or_else(|| "null".into())),
        (None, Some(r)) => Some(r.to_str().ok().and_then(origin).unwrap_or_else(|| "null".into())),
        (None, None) => None,
    };
    if let Some(claimed) = claimed
        && claimed != public
        && claimed != own_origin(&req)
    {
        let (http, _) = req.into_parts();
        let response = actix_web::ResponseError::error_response(&AppError::Csrf);
        return Ok(ServiceResponse::new(http, response).map_into_right_body());
    }
    Ok(next.call(req).await?.map_into_left_body())
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
    let expected = token_of(req);
    let mut payload = payload.take();
    async move {
        let body = read_limited(&mut payload, FORM_LIMIT).await?;
        let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(&body).unwrap_or_default();
        verify(&expected, pairs.iter().find(|(k, _)| k == FIELD).map(|(_, v)| v.as_str()))?;
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
