//! A participant's pages, sent compressed; every other page, not.
//!
//! A phone fetches its page again whenever the room changes (the phone's
//! script, `app/script/phone.js`), and a page with many cards is mostly
//! the same markup over and over: a map step with 40 cards is some 280 KB
//! of HTML and under 20 KB compressed. So these pages are compressed (brotli
//! or gzip, whichever the phone accepts), at a quick level.
//!
//! Other pages are not, because of BREACH-style guessing: a response that
//! holds both a secret and words someone else chose lets an eavesdropper
//! who sees only encrypted lengths try guesses at the secret. A console
//! page holds the console's secret link beside everyone's words. A
//! participant's page holds no secret of that kind: its only token is the
//! join link everybody in the room has, its form ids are worth nothing to
//! anyone else (an action id counts only for its own author), and its
//! length already says as much as its compressed length would.

use app::bundle::Bundle;
use axum::extract::Request;
use axum::http::Extensions;
use axum::middleware::Next;
use axum::response::Response;
use tower_http::compression::predicate::{DefaultPredicate, Predicate};
use tower_http::compression::{CompressionLayer, CompressionLevel};

/// Marks a response as a participant's page.
#[derive(Clone, Copy)]
struct PhonePage;

/// Marks the responses to a participant's pages, for the layer below.
pub async fn mark_phone_pages(req: Request, next: Next) -> Response {
    let phone = Bundle::for_path(req.uri().path()) == Bundle::Phone;
    let mut response = next.run(req).await;
    if phone {
        response.extensions_mut().insert(PhonePage);
    }
    response
}

/// Marks a response that is a part of a participant's page (see
/// `phone_parts`), for the layer below.
pub fn compress_this(response: &mut Response) {
    response.extensions_mut().insert(PhonePage);
}

/// Compresses what `mark_phone_pages` marked (when worth it), and nothing
/// else. Goes outside it.
pub fn phone_pages() -> CompressionLayer<impl Predicate> {
    let marked = |_: axum::http::StatusCode,
                  _: axum::http::Version,
                  _: &axum::http::HeaderMap,
                  extensions: &Extensions| extensions.get::<PhonePage>().is_some();
    CompressionLayer::new()
        .no_deflate()
        .quality(CompressionLevel::Precise(4))
        .compress_when(DefaultPredicate::new().and(marked))
}
