//! Security headers on every response.
//!
//! These ask the browser to refuse what Hearth never does: being framed by
//! another site (a console inside someone else's page), guessing content
//! types, sending the page's address to other sites, posting forms to other
//! origins, or loading plugins. The script policy is deliberately not set
//! here yet: hydration runs one inline module script, so a script policy
//! needs a per-request nonce (left to the security issue, #6).

use axum::extract::Request;
use axum::http::{header, HeaderValue};
use axum::middleware::Next;
use axum::response::Response;

const POLICY: &str =
    "frame-ancestors 'none'; base-uri 'none'; form-action 'self'; object-src 'none'";

pub async fn security_headers(req: Request, next: Next) -> Response {
    let mut response = next.run(req).await;
    let headers = response.headers_mut();
    for (name, value) in [
        (header::CONTENT_SECURITY_POLICY, POLICY),
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
