//! The 查询码 just issued, carried to the success page in an encrypted, short-lived cookie:
//! submitting answers with a redirect (POST-redirect-GET), so refreshing the success page shows
//! the code again instead of filing the opinion twice, and the code never appears in a URL.

use actix_web::{
    HttpRequest,
    cookie::{Cookie, CookieJar, Key, SameSite, time::Duration},
};

const COOKIE: &str = "lianxin_receipt";
pub const PAGE: &str = "/opinions/submitted";

/// The cookie to set with the redirect.
pub fn issue(key: &Key, code: &str, secure: bool) -> Cookie<'static> {
    let mut jar = CookieJar::new();
    jar.private_mut(key).add(
        Cookie::build(COOKIE, code.to_string())
            .path(PAGE)
            .http_only(true)
            .secure(secure)
            .same_site(SameSite::Lax)
            .max_age(Duration::hours(1))
            .finish(),
    );
    jar.get(COOKIE).cloned().unwrap_or_else(|| Cookie::new(COOKIE, ""))
}

/// The code in the visitor's receipt, if it decrypts.
pub fn read(req: &HttpRequest, key: &Key) -> Option<String> {
    let mut jar = CookieJar::new();
    jar.add_original(req.cookie(COOKIE)?);
    jar.private(key).get(COOKIE).map(|c| c.value().to_string())
}
