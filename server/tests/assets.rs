//! How the site's assets reach a phone: pages link them by their hashed
//! names (Leptos's hash files), a participant's pages the phone's small
//! script and never the WebAssembly, every other page the WebAssembly;
//! they are sent as the brotli or gzip copy the build left beside them,
//! with `Vary: Accept-Encoding`, and cached for a year; pages themselves
//! are never cached.
//!
//! The server runs against a small site made here (a hash file and three
//! assets with recognisable compressed copies), so the test needs no
//! WebAssembly build; `tests/size.sh` measures the real one.

use hearth_tests::{Device, Result, TestServer};
use reqwest::header::{ACCEPT_ENCODING, CACHE_CONTROL, CONTENT_ENCODING, CONTENT_TYPE, VARY};
use std::path::Path;

const BIN: &str = env!("CARGO_BIN_EXE_hearth");
const IMMUTABLE: &str = "public, max-age=31536000, immutable";
const HASHES: [(&str, &str); 3] = [
    ("js", "0a1b2c3d4e5f60718293"),
    ("wasm", "a4b5c6d7e8f901234567"),
    ("css", "ffeeddccbbaa99887766"),
];
/// The phone's script (`app::bundle`).
const PHONE_HASHES: [(&str, &str); 1] = [("js", "1111aaaa2222bbbb3333")];

/// The named asset's plain bytes and its compressed copies' bytes, each
/// distinct so a response says which file was sent.
fn variants(kind: &str) -> [(&'static str, Vec<u8>); 3] {
    [
        ("", format!("plain {kind}").into_bytes()),
        (".br", format!("brotli {kind}").into_bytes()),
        (".gz", format!("gzip {kind}").into_bytes()),
    ]
}

/// Writes a site as `scripts/build.sh` leaves it, under `dir`: the whole
/// WebAssembly's files and hash file, and the phone script's.
fn make_site(dir: &Path) -> Result<()> {
    let pkg = dir.join("site").join("pkg");
    std::fs::create_dir_all(&pkg)?;
    for (name, hashes, hash_file) in [
        ("hearth", &HASHES[..], "hash.txt"),
        ("hearth-phone", &PHONE_HASHES[..], "phone-hash.txt"),
    ] {
        let mut lines = String::new();
        for (kind, hash) in hashes {
            for (suffix, bytes) in variants(kind) {
                std::fs::write(pkg.join(format!("{name}.{hash}.{kind}{suffix}")), bytes)?;
            }
            lines.push_str(&format!("{kind}: {hash}\n"));
        }
        std::fs::write(dir.join(hash_file), lines)?;
    }
    Ok(())
}

/// A server reading its site and hash file from `dir`.
async fn serve_site(dir: &Path) -> Result<TestServer> {
    let site = dir.join("site").display().to_string();
    let hashes = dir.join("hash.txt").display().to_string();
    TestServer::start_with_env(
        BIN,
        &[],
        &[
            ("LEPTOS_SITE_ROOT", site.as_str()),
            ("LEPTOS_HASH_FILE", hashes.as_str()),
        ],
    )
    .await
}

fn header(response: &reqwest::Response, name: reqwest::header::HeaderName) -> &str {
    response
        .headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
}

#[tokio::test]
async fn pages_link_hashed_assets_and_are_not_cached() -> Result<()> {
    let dir = tempfile::tempdir()?;
    make_site(dir.path())?;
    let server = serve_site(dir.path()).await?;
    let g = server.create_gathering("Assets", "blank").await?;
    let device = Device::new();
    let whole = HASHES.map(|(kind, hash)| format!("/pkg/hearth.{hash}.{kind}"));
    let phone = PHONE_HASHES.map(|(kind, hash)| format!("/pkg/hearth-phone.{hash}.{kind}"));
    let css = whole[2].clone();
    let pages = [
        (
            "/".to_owned(),
            vec![phone[0].clone(), css.clone()],
            whole[..2].to_vec(),
        ),
        (
            format!("/p/{}", g.join_token),
            vec![phone[0].clone(), css.clone()],
            whole[..2].to_vec(),
        ),
        (
            format!("/console/{}", g.console_secret),
            whole.to_vec(),
            phone.to_vec(),
        ),
        ("/start".to_owned(), whole.to_vec(), phone.to_vec()),
    ];
    for (path, linked, not_linked) in pages {
        let response = server.get(&path, Some(&device)).await?;
        assert!(
            response.status().is_success(),
            "{path}: {}",
            response.status()
        );
        assert_eq!(header(&response, CACHE_CONTROL), "no-store", "{path}");
        let html = response.text().await?;
        for name in linked {
            assert!(html.contains(&name), "{path} does not link {name}:\n{html}");
        }
        for name in not_linked {
            assert!(
                !html.contains(&name),
                "{path} links the other kind's {name}:\n{html}"
            );
        }
        assert!(!html.contains("_bg.wasm"), "{path} links an unhashed name");
    }
    Ok(())
}

#[tokio::test]
async fn assets_are_sent_compressed_as_built_and_cached_for_a_year() -> Result<()> {
    let dir = tempfile::tempdir()?;
    make_site(dir.path())?;
    let server = serve_site(dir.path()).await?;
    let types = [
        ("js", "javascript"),
        ("wasm", "application/wasm"),
        ("css", "text/css"),
    ];
    let assets = HASHES
        .into_iter()
        .zip(types)
        .map(|((kind, hash), (_, content_type))| {
            (format!("hearth.{hash}.{kind}"), kind, content_type)
        })
        .chain(
            PHONE_HASHES
                .into_iter()
                .zip(types)
                .map(|((kind, hash), (_, content_type))| {
                    (format!("hearth-phone.{hash}.{kind}"), kind, content_type)
                }),
        );
    for (file, kind, content_type) in assets {
        let path = format!("{}/pkg/{file}", server.base);
        let [plain, br, gz] = variants(kind);
        for (accept, encoding, body) in [
            ("br, gzip", "br", &br.1),
            ("gzip", "gzip", &gz.1),
            ("identity", "", &plain.1),
        ] {
            let response = server
                .http
                .get(&path)
                .header(ACCEPT_ENCODING, accept)
                .send()
                .await?;
            assert_eq!(response.status(), 200, "{path} ({accept})");
            assert_eq!(
                header(&response, CONTENT_ENCODING),
                encoding,
                "{path} ({accept})"
            );
            assert!(
                header(&response, CONTENT_TYPE).contains(content_type),
                "{path}: {}",
                header(&response, CONTENT_TYPE)
            );
            assert!(
                header(&response, VARY)
                    .to_ascii_lowercase()
                    .contains("accept-encoding"),
                "{path} ({accept}) lacks Vary: Accept-Encoding"
            );
            assert_eq!(
                header(&response, CACHE_CONTROL),
                IMMUTABLE,
                "{path} ({accept})"
            );
            assert_eq!(&response.bytes().await?.to_vec(), body, "{path} ({accept})");
        }
    }
    // A name no build made is not found, and that answer is not kept.
    let response = server
        .http
        .get(format!(
            "{}/pkg/hearth.00000000000000000000.js",
            server.base
        ))
        .header(ACCEPT_ENCODING, "br")
        .send()
        .await?;
    assert_eq!(response.status(), 404);
    assert_ne!(header(&response, CACHE_CONTROL), IMMUTABLE);
    Ok(())
}

#[tokio::test]
async fn without_a_built_site_pages_still_serve() -> Result<()> {
    // As after `cargo build -p server` alone: hashing is on in Leptos.toml
    // but there is no hash file. Leptos would panic on every page.
    let dir = tempfile::tempdir()?;
    let missing = dir.path().join("no-hash.txt").display().to_string();
    let server = TestServer::start_with_env(BIN, &[], &[("LEPTOS_HASH_FILE", &missing)]).await?;
    let g = server.create_gathering("No site", "blank").await?;
    let response = server
        .get(&format!("/p/{}", g.join_token), Some(&Device::new()))
        .await?;
    assert_eq!(response.status(), 200);
    assert!(response.text().await?.contains("<form"));
    assert!(server.log().contains("no asset hashes"), "{}", server.log());
    Ok(())
}

#[tokio::test]
async fn a_participants_page_comes_compressed_and_no_other_page_does() -> Result<()> {
    let server = TestServer::start(BIN).await?;
    let g = server.create_gathering("Compressed", "blank").await?;
    let device = Device::new();
    let fetch = |path: String, accept: &'static str| {
        server
            .http
            .get(format!("{}{path}", server.base))
            .header("cookie", device.cookie())
            .header(ACCEPT_ENCODING, accept)
            .send()
    };
    let participant = format!("/p/{}", g.join_token);
    for (accept, encoding, magic) in [("br", "br", None), ("gzip", "gzip", Some([0x1f, 0x8b]))] {
        let response = fetch(participant.clone(), accept).await?;
        assert_eq!(response.status(), 200);
        assert_eq!(header(&response, CONTENT_ENCODING), encoding, "{accept}");
        assert!(
            header(&response, VARY)
                .to_ascii_lowercase()
                .contains("accept-encoding"),
            "{accept}"
        );
        let body = response.bytes().await?;
        assert!(
            !body.starts_with(b"<!DOCTYPE"),
            "{accept}: the page came plain"
        );
        if let Some(magic) = magic {
            assert_eq!(body[..2], magic, "{accept}");
        }
    }
    // Asked for plainly, it comes plainly.
    let plain = fetch(participant.clone(), "identity").await?;
    assert_eq!(header(&plain, CONTENT_ENCODING), "");
    assert!(plain.text().await?.contains("<form"));
    // A page that holds a secret link beside other people's words never
    // comes compressed (see server/src/compress.rs).
    for path in [
        format!("/console/{}", g.console_secret),
        "/start".to_owned(),
    ] {
        let response = fetch(path.clone(), "br, gzip").await?;
        assert_eq!(response.status(), 200, "{path}");
        assert_eq!(header(&response, CONTENT_ENCODING), "", "{path}");
        assert!(response.text().await?.starts_with("<!DOCTYPE"), "{path}");
    }
    Ok(())
}
