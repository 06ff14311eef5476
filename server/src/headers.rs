//! Security headers on every response.
//!
//! These ask the browser to refuse what Hearth never does: being framed by
//! another site (a console inside someone else's page), guessing content
//! types, sending the page's address to other sites, posting forms to other
//! origins, or loading plugins. Pages set their own Content-Security-Policy
//! while rendering (it names their script nonce, see `app::policy`); every
//! other response gets the policy for things that are not pages.
//!
//! Nothing is cached unless it says so (the hashed assets, see `assets.rs`;
//! QR codes): a page carries a fresh script nonce and the room as it is
//! now, and a console page its secret link.

use axum::extract::Request;
use axum::http::{header, HeaderValue};
use axum::middleware::Next;
use axum::response::Response;

pub async fn security_headers(req: Request, next: Next) -> Response {
    let mut response = next.run(req).await;
    let headers = response.headers_mut();
    if !headers.contains_key(header::CONTENT_SECURITY_POLICY) {
        if let Ok(policy) = HeaderValue::from_str(&app::policy::not_a_page()) {
            headers.insert(header::CONTENT_SECURITY_POLICY, policy);
        }
    }
    if !headers.contains_key(header::CACHE_CONTROL) {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    for (name, value) in [
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::REFERRER_POLICY, "no-referrer"),
        (header::X_FRAME_OPTIONS, "DENY"),
    ] {
        headers.insert(name, HeaderValue::from_static(value));
    }
    headers.insert(
        header::HeaderName::from_static("permissions-policy"),
        HeaderValue::from_static("camera=(), microphone=(), geolocation=()"),
    );
    response
}
