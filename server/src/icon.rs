//! The site's icon: a small hearth in the accent colour, as SVG for the
//! pages' `<link rel="icon">` and as an ICO at `/favicon.ico`, the address
//! browsers and bookmarks ask for whatever a page says. Without it every
//! page load logged a 404.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use std::sync::OnceLock;

/// The icon's address never changes, so it is kept a day, not a year.
const A_DAY: &str = "public, max-age=86400";

/// The icon's drawing: a flame on a rounded square, in the stylesheet's
/// accent colour.
pub const SVG: &str = r##"<svg xmlns="http://www.w3.org/2000/svg" width="32" height="32" viewBox="0 0 32 32"><rect width="32" height="32" rx="7" fill="#8a3b12"/><path d="M16 5c1 5 7 7 7 14a7 7 0 0 1-14 0c0-4 2-6 3-8 0 3 1 4 2 5 1-4 1-7 2-11z" fill="#fbf8f3"/></svg>"##;

/// `GET /favicon.svg`.
pub async fn svg() -> Response {
    cached("image/svg+xml", SVG.as_bytes().to_vec())
}

/// `GET /favicon.ico`: the same drawing, 32 px, as an ICO holding a PNG
/// (drawn once, on first request).
pub async fn ico() -> Response {
    static ICO: OnceLock<Option<Vec<u8>>> = OnceLock::new();
    match ICO.get_or_init(|| crate::map_image::png(SVG).ok().map(|png| ico_of(&png))) {
        Some(bytes) => cached("image/x-icon", bytes.clone()),
        None => StatusCode::NOT_FOUND.into_response(),
    }
}

fn cached(kind: &'static str, body: Vec<u8>) -> Response {
    (
        [
            (header::CONTENT_TYPE, HeaderValue::from_static(kind)),
            (header::CACHE_CONTROL, HeaderValue::from_static(A_DAY)),
        ],
        body,
    )
        .into_response()
}

/// An ICO file with one 32x32 image stored as PNG (allowed since Windows
/// Vista, read by every browser): a 6-byte header, one 16-byte entry, the
/// PNG.
fn ico_of(png: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(22 + png.len());
    out.extend_from_slice(&[0, 0, 1, 0, 1, 0]);
    out.extend_from_slice(&[32, 32, 0, 0, 1, 0, 32, 0]);
    out.extend_from_slice(&(png.len() as u32).to_le_bytes());
    out.extend_from_slice(&22u32.to_le_bytes());
    out.extend_from_slice(png);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_ico_holds_the_drawing_as_a_png() {
        let png = crate::map_image::png(SVG).expect("the icon draws");
        let ico = ico_of(&png);
        assert_eq!(&ico[..6], &[0, 0, 1, 0, 1, 0]);
        assert_eq!(&ico[22..30], b"\x89PNG\r\n\x1a\n");
        assert_eq!(
            u32::from_le_bytes([ico[14], ico[15], ico[16], ico[17]]) as usize,
            png.len()
        );
    }
}
