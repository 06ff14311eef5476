//! The site's compiled assets: the browser code and the stylesheet.
//!
//! `scripts/build.sh` names each asset by a hash of its content
//! (`hearth.<hash>.js`, `.wasm`, `.css`, and the phone's script as
//! `hearth-phone.<hash>.js`), leaves a brotli and a gzip copy
//! beside it, and writes the hashes to Leptos's hash files next to this
//! binary, where Leptos reads the names the page links to. A new build
//! means new names, so the assets can be cached for a year without ever
//! being served stale, and sent compressed as built: a phone on venue
//! Wi-Fi downloads the brotli copy once. Pages are the opposite: never
//! cached (see `headers.rs`).

use app::bundle::Bundle;
use axum::http::{header, HeaderValue, Response, StatusCode};
use axum::routing::Router;
use leptos::config::LeptosOptions;
use std::path::PathBuf;
use tower_http::services::fs::ServeFileSystemResponseBody;
use tower_http::set_header::SetResponseHeaderLayer;

/// How long browsers may keep an asset: a year, without asking again.
pub const IMMUTABLE: &str = "public, max-age=31536000, immutable";

/// Where Leptos looks for a build's hashes: its hash file beside the
/// running binary (an absolute path is used as it is). There are two, one
/// for the WebAssembly and the stylesheet, one for the phone's script
/// (`app::bundle`).
fn hash_file(options: &LeptosOptions, bundle: Bundle) -> Option<PathBuf> {
    let exe = std::env::current_exe().ok()?;
    Some(exe.parent()?.join(bundle.hash_file(&options.hash_file)))
}

/// Leptos panics on every page if hashing is on and its hash file is
/// missing, as it is when the server was built without the site (`cargo
/// build -p server` alone). Then the pages are served without their
/// script, which they work without, and the log says how to build it.
pub fn use_hashes_if_built(options: &mut LeptosOptions) {
    if !options.hash_files {
        return;
    }
    for bundle in [Bundle::Whole, Bundle::Phone] {
        match hash_file(options, bundle) {
            Some(path) if path.is_file() => {}
            path => {
                tracing::warn!(
                    "no asset hashes at {}: pages will be served without their script and style; \
                     build the site with scripts/build.sh",
                    path.map(|p| p.display().to_string()).unwrap_or_default()
                );
                options.hash_files = false;
                return;
            }
        }
    }
}

/// The router serving `/<site-pkg-dir>/…` from the site folder, compressed
/// copies first (`Vary: Accept-Encoding`, since the answer depends on it),
/// and cacheable for a year when found.
pub fn router<S: Clone + Send + Sync + 'static>(options: &LeptosOptions) -> Router<S> {
    let files = tower::ServiceBuilder::new()
        .layer(SetResponseHeaderLayer::overriding(
            header::VARY,
            HeaderValue::from_static("accept-encoding"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::CACHE_CONTROL,
            |response: &Response<ServeFileSystemResponseBody>| {
                let found =
                    response.status().is_success() || response.status() == StatusCode::NOT_MODIFIED;
                found.then_some(HeaderValue::from_static(IMMUTABLE))
            },
        ))
        .service(leptos_axum::site_pkg_dir_service(options));
    Router::new().route_service(
        &leptos_axum::site_pkg_dir_service_route_path(options),
        files,
    )
}
