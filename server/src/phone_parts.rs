//! A phone's page in two parts, so that a hall of phones costs one
//! rendering per change of the room instead of one per phone.
//!
//! When the room changes, every phone asks for a fresh copy of its page at
//! once (the phone's script, `app/script/phone.js`). Most of that page is
//! the same for every phone of the room: the prompt, the board, the totals.
//! So the script asks for two parts:
//!
//! - `GET /p/<token>/shared?seen=<glance>`: what every phone sees, in one
//!   language (`app::pages::participant::shared_html`), its live region
//!   saying what changed since the glance the phone had. It is rendered
//!   once per version of the room, language and glance (phones that kept
//!   up all had the same one), compressed once (brotli; gzip only if a
//!   phone that takes no brotli asks), and the
//!   same bytes go to every phone. Its ETag names all three: a phone that
//!   already has it is answered 304 Not Modified, and a bogus or old ETag
//!   is simply answered in full. `Hearth-Age` says how long ago it was
//!   made, so the timer in it counts from the right moment.
//! - `GET /p/<token>/mine`: what is the phone's own (its cards, the
//!   controls that show its marks, what its last post came to), rendered
//!   for that phone alone: small, and asked for only when something of the
//!   phone's own may have changed (see `own_html`).
//!
//! The script lays the phone's own parts over the shared ones with the
//! same id. The shared part asks the room's task nothing while it is
//! current, so a room's posts do not queue behind its pages. The whole
//! page (`/p/<token>`) stays as it was, for the first load and for every
//! phone without its script.

use crate::compress;
use crate::room::{Actor, RoomHandle, VersionWatch};
use crate::state::{AppState, ReachError};
use crate::storage::Lookup;
use app::api::{device_from_headers, Backend, PageError};
use app::pages::participant::{own_html, shared_html, Feedback};
use app::widgets::Glance;
use axum::body::{Body, Bytes};
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use hearth_core::locale::Locale;
use hearth_core::page::ParticipantPage;
use serde::Deserialize;
use std::collections::HashMap;
use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::sync::OnceCell;

/// A shared part nobody has asked for this long is let go by the sweep
/// (which also lets go of every part its room has moved past).
const UNUSED: Duration = Duration::from_secs(300);
/// How many glances one version is made for; phones further behind are
/// sent the copy that says nothing changed (their page still updates).
const GLANCES: usize = 8;

/// The shared parts made so far: for each room and language, the latest.
pub struct SharedParts {
    /// Names this run of the server in every ETag: versions start again
    /// from zero when it restarts.
    run: u64,
    made: Mutex<HashMap<(String, Locale), Slot>>,
}

/// One room's shared part in one language, made (or being made) once for
/// each glance phones had.
struct Slot {
    /// The room it was made from (a room started again counts afresh).
    room: u64,
    version: u64,
    /// The room's version as it goes on, to let the part go once the room
    /// has moved past it (see `sweep`).
    watch: VersionWatch,
    parts: HashMap<Option<String>, Arc<OnceCell<Made>>>,
    asked: Instant,
}

/// A shared part, ready to send.
struct Made {
    etag: HeaderValue,
    brotli: Bytes,
    /// Made the first time a phone without brotli asks.
    gzip: std::sync::OnceLock<Bytes>,
    at: Instant,
}

/// Why a part could not be made.
#[derive(Debug, thiserror::Error)]
enum PartError {
    #[error("{0}")]
    Page(#[from] PageError),
    #[error("compressing a page failed: {0}")]
    Compress(#[from] std::io::Error),
}

impl SharedParts {
    pub fn new() -> Self {
        Self {
            run: rand::random(),
            made: Mutex::new(HashMap::new()),
        }
    }

    /// The shared part of `token`'s room in `locale`, saying what changed
    /// since `seen`, made now if the room has changed since it was last
    /// made. However many phones ask at once, it is made once.
    async fn get(
        &self,
        token: &str,
        locale: Locale,
        seen: Option<String>,
        room: &RoomHandle,
    ) -> Result<Arc<OnceCell<Made>>, PartError> {
        let (id, version) = (room.id(), room.version());
        let (cell, seen) = {
            let mut made = self.made.lock().unwrap_or_else(|e| e.into_inner());
            let key = (token.to_owned(), locale);
            let now = Instant::now();
            let fresh = || Slot {
                room: id,
                version,
                watch: room.version_watch(),
                parts: HashMap::new(),
                asked: now,
            };
            let slot = made.entry(key).or_insert_with(fresh);
            if (slot.room, slot.version) != (id, version) {
                *slot = fresh();
            }
            slot.asked = now;
            // A glance this version is not made for yet, once it is made
            // for enough: the copy that says nothing changed.
            let seen = seen.filter(|s| {
                slot.parts.len() < GLANCES || slot.parts.contains_key(&Some(s.clone()))
            });
            (slot.parts.entry(seen.clone()).or_default().clone(), seen)
        };
        cell.get_or_try_init(|| self.make(token, locale, seen, room))
            .await?;
        Ok(cell)
    }

    /// Renders and compresses the shared part from the room as it is now.
    async fn make(
        &self,
        token: &str,
        locale: Locale,
        seen: Option<String>,
        room: &RoomHandle,
    ) -> Result<Made, PartError> {
        let view = room.view(Actor::Screen).await.map_err(PageError::from)?;
        let page = ParticipantPage {
            at: view.at,
            gathering: view.gathering.for_phone(|_| false),
            now: view.now,
            mine: Vec::new(),
            marks: Vec::new(),
            form_id: crate::secrets::action_id(),
            ballot: None,
            // A group's board is its members' alone: never in what every
            // phone of the room is served.
            group: None,
        };
        // A glance is digits, a colon and perhaps a dash (`Glance::key`).
        let glance = seen.clone().unwrap_or_default();
        let html = shared_html(page, token.to_owned(), locale, seen);
        let etag = format!(
            "\"{:x}-{:x}-{}-{}-{glance}\"",
            self.run,
            room.id(),
            view.version,
            locale.tag()
        );
        Ok(Made {
            etag: HeaderValue::from_str(&etag).map_err(std::io::Error::other)?,
            brotli: brotli(html.as_bytes())?,
            gzip: std::sync::OnceLock::new(),
            at: Instant::now(),
        })
    }
}

impl SharedParts {
    /// Lets go of every part the room has moved past, or whose room is
    /// gone: a withdrawn card's words, or a deleted gathering's, are not
    /// kept in memory once nobody can be sent them.
    pub fn sweep(&self) {
        let now = Instant::now();
        self.made
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .retain(|_, slot| {
                slot.watch.now() == Some(slot.version) && now.duration_since(slot.asked) < UNUSED
            });
    }

    /// Lets go of a gathering's parts at once (it was deleted).
    pub fn forget(&self, token: &str) {
        self.made
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .retain(|(t, _), _| t != token);
    }
}

/// Sweeps the shared parts every few seconds, for as long as Hearth runs.
pub fn sweep_every(parts: Arc<SharedParts>, every: Duration) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(every);
        loop {
            tick.tick().await;
            parts.sweep();
        }
    });
}

impl Default for SharedParts {
    fn default() -> Self {
        Self::new()
    }
}

/// The query of a request for the shared part.
#[derive(Deserialize)]
pub struct SharedQuery {
    seen: Option<String>,
    /// The newest position of the log the phone was told of (by whichever
    /// node its live link reaches); anything but a number is ignored.
    at: Option<String>,
}

/// How long a shared part waits for its node to hear of the event the
/// phone was told of (a relaying node, a few milliseconds behind another).
const CATCH_UP: Duration = Duration::from_secs(2);

/// `GET /p/<token>/shared`: what every phone of the room sees.
pub async fn shared(
    State(state): State<AppState>,
    Path(token): Path<String>,
    Query(query): Query<SharedQuery>,
    headers: HeaderMap,
) -> Response {
    let locale = app::language::from_headers(&headers);
    // Only a glance as the page gives it out; anything else says nothing.
    let seen = query
        .seen
        .and_then(|s| Glance::from_key(&s).map(|g| g.key()));
    let room = match state.reach(Lookup::JoinToken(&token)).await {
        Ok((_, room)) => room,
        Err(e) => return PageError::from(e).status().into_response(),
    };
    if let Some(at) = query.at.and_then(|at| at.parse().ok()) {
        // Past the wait, the part as this node has it (a position from
        // another epoch, or made up, only slows its own asker).
        room.reached(at, CATCH_UP).await;
    }
    let cell = match state.shared_parts.get(&token, locale, seen, &room).await {
        Ok(cell) => cell,
        Err(PartError::Page(e)) => return e.status().into_response(),
        Err(e) => {
            tracing::error!("a phone's shared part could not be made: {e}");
            return StatusCode::INTERNAL_SERVER_ERROR.into_response();
        }
    };
    let Some(made) = cell.get() else {
        return StatusCode::SERVICE_UNAVAILABLE.into_response();
    };
    let mut response = if already_has(&headers, &made.etag) {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        match encoding(&headers) {
            Encoding::Brotli => with_encoding(made.brotli.clone(), "br"),
            Encoding::Gzip => match made.gzipped() {
                Ok(gzip) => with_encoding(gzip, "gzip"),
                Err(e) => return unpack_failed(e),
            },
            Encoding::Identity => match unbrotli(&made.brotli) {
                Ok(html) => with_encoding(Bytes::from(html), ""),
                Err(e) => return unpack_failed(e),
            },
        }
    };
    let age = made.at.elapsed().as_millis().to_string();
    let headers = response.headers_mut();
    headers.insert(header::ETAG, made.etag.clone());
    if let Ok(age) = HeaderValue::from_str(&age) {
        headers.insert("hearth-age", age);
    }
    // Kept by the phone, and asked about again each time (the ETag).
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    headers.insert(
        header::VARY,
        HeaderValue::from_static("Accept-Encoding, Cookie"),
    );
    response
}

/// What a request for the phone's own part says about its last post.
#[derive(Deserialize)]
pub struct OwnQuery {
    done: Option<String>,
    error: Option<String>,
    /// The card whose mini-map the phone asked for (a map's "Place it").
    place: Option<String>,
}

/// `GET /p/<token>/mine`: what is this phone's own. It joins the phone as
/// its whole page does.
pub async fn own(
    State(state): State<AppState>,
    Path(token): Path<String>,
    Query(query): Query<OwnQuery>,
    headers: HeaderMap,
) -> Response {
    let locale = app::language::from_headers(&headers);
    let device = device_from_headers(&headers);
    let page = match Backend::participant(&state, token.clone(), device).await {
        Ok(page) => page,
        Err(e) => return e.status().into_response(),
    };
    let feedback = Feedback::from(query.done.as_deref(), query.error);
    let mut response = (
        [
            (header::CONTENT_TYPE, "text/html; charset=utf-8"),
            (header::CACHE_CONTROL, "no-store"),
        ],
        own_html(page, token, locale, feedback, query.place),
    )
        .into_response();
    compress::compress_this(&mut response);
    response
}

impl From<ReachError> for PartError {
    fn from(e: ReachError) -> Self {
        PartError::Page(e.into())
    }
}

impl Made {
    /// The part gzipped, made once, the first time it is asked for.
    fn gzipped(&self) -> std::io::Result<Bytes> {
        if let Some(gzip) = self.gzip.get() {
            return Ok(gzip.clone());
        }
        let made = gzip(&unbrotli(&self.brotli)?)?;
        Ok(self.gzip.get_or_init(|| made).clone())
    }
}

fn unpack_failed(e: std::io::Error) -> Response {
    tracing::error!("a phone's shared part could not be unpacked: {e}");
    StatusCode::INTERNAL_SERVER_ERROR.into_response()
}

/// A body already compressed with `encoding` (or none, when empty).
fn with_encoding(body: Bytes, encoding: &'static str) -> Response {
    let mut response = Response::new(Body::from(body));
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    if !encoding.is_empty() {
        headers.insert(header::CONTENT_ENCODING, HeaderValue::from_static(encoding));
    }
    response
}

/// Whether the request's `If-None-Match` names this ETag (weak or strong).
fn already_has(headers: &HeaderMap, etag: &HeaderValue) -> bool {
    let Ok(etag) = etag.to_str() else {
        return false;
    };
    headers
        .get_all(header::IF_NONE_MATCH)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(|tag| tag.trim().trim_start_matches("W/"))
        .any(|tag| tag == etag || tag == "*")
}

/// How a response may be compressed, best first.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Encoding {
    Brotli,
    Gzip,
    Identity,
}

/// The best encoding `Accept-Encoding` allows (a `q=0` refuses one).
fn encoding(headers: &HeaderMap) -> Encoding {
    let accepted = |name: &str| {
        headers
            .get_all(header::ACCEPT_ENCODING)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .any(|item| {
                let mut parts = item.split(';').map(str::trim);
                let coding = parts.next().unwrap_or_default();
                let refused = parts.any(|p| {
                    p.strip_prefix("q=")
                        .and_then(|q| q.trim().parse::<f32>().ok())
                        .is_some_and(|q| q <= 0.0)
                });
                coding.eq_ignore_ascii_case(name) && !refused
            })
    };
    if accepted("br") {
        Encoding::Brotli
    } else if accepted("gzip") {
        Encoding::Gzip
    } else {
        Encoding::Identity
    }
}

fn brotli(html: &[u8]) -> std::io::Result<Bytes> {
    let mut out = Vec::with_capacity(html.len() / 8);
    {
        // Quality 5 and a 512 KB window: most of the size for a fraction
        // of the time (and of the memory each compression sets up) that
        // higher settings take; a page is made once per change.
        let mut writer = brotli::CompressorWriter::new(&mut out, 4096, 5, 19);
        writer.write_all(html)?;
        writer.flush()?;
    }
    Ok(Bytes::from(out))
}

fn gzip(html: &[u8]) -> std::io::Result<Bytes> {
    let mut encoder = flate2::write::GzEncoder::new(
        Vec::with_capacity(html.len() / 6),
        flate2::Compression::new(6),
    );
    encoder.write_all(html)?;
    Ok(Bytes::from(encoder.finish()?))
}

fn unbrotli(packed: &[u8]) -> std::io::Result<Vec<u8>> {
    let mut html = Vec::new();
    brotli::BrotliDecompress(&mut &packed[..], &mut html)?;
    Ok(html)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(header::HeaderName, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.append(name.clone(), HeaderValue::from_str(value).unwrap());
        }
        map
    }

    #[test]
    fn parts_the_room_has_moved_past_or_left_are_let_go() {
        use std::sync::atomic::{AtomicU64, Ordering};
        let parts = SharedParts::new();
        let shown = Arc::new(AtomicU64::new(3));
        let keep = |version| {
            parts.made.lock().unwrap().insert(
                ("token".to_owned(), Locale::En),
                Slot {
                    room: 1,
                    version,
                    watch: VersionWatch::of(&shown),
                    parts: HashMap::new(),
                    asked: Instant::now(),
                },
            );
        };
        let kept = || parts.made.lock().unwrap().len();
        keep(3);
        parts.sweep();
        assert_eq!(kept(), 1, "current: kept");
        shown.store(4, Ordering::Release);
        parts.sweep();
        assert_eq!(kept(), 0, "the room moved on (a card withdrawn): let go");
        keep(4);
        parts.forget("another");
        assert_eq!(kept(), 1);
        parts.forget("token");
        assert_eq!(kept(), 0, "a deleted gathering's parts go at once");
        keep(4);
        drop(shown);
        parts.sweep();
        assert_eq!(kept(), 0, "the room is gone: let go");
    }

    #[test]
    fn the_best_encoding_the_phone_takes() {
        let accept = |v: &str| encoding(&headers(&[(header::ACCEPT_ENCODING, v)]));
        assert_eq!(accept("gzip, deflate, br, zstd"), Encoding::Brotli);
        assert_eq!(accept("gzip"), Encoding::Gzip);
        assert_eq!(accept("br;q=0, gzip;q=0.5"), Encoding::Gzip);
        assert_eq!(accept("gzip;q=0"), Encoding::Identity);
        assert_eq!(accept("identity"), Encoding::Identity);
        assert_eq!(encoding(&HeaderMap::new()), Encoding::Identity);
    }

    #[test]
    fn only_the_same_etag_is_not_sent_again() {
        let etag = HeaderValue::from_static("\"a-1-7-en\"");
        let asks = |v: &str| already_has(&headers(&[(header::IF_NONE_MATCH, v)]), &etag);
        assert!(asks("\"a-1-7-en\""));
        assert!(asks("W/\"a-1-7-en\""));
        assert!(asks("\"x\", \"a-1-7-en\""));
        assert!(!asks("\"a-1-6-en\""), "an older version is sent in full");
        assert!(!asks("bogus"));
        assert!(!asks(""));
        assert!(!already_has(&HeaderMap::new(), &etag));
    }

    #[test]
    fn what_is_packed_unpacks_to_the_same() {
        let html = "<main>".repeat(500);
        let packed = brotli(html.as_bytes()).unwrap();
        assert!(packed.len() < html.len() / 10);
        assert_eq!(unbrotli(&packed).unwrap(), html.as_bytes());
        let mut unpacked = Vec::new();
        let gzipped = gzip(html.as_bytes()).unwrap();
        std::io::Read::read_to_end(
            &mut flate2::read::GzDecoder::new(&gzipped[..]),
            &mut unpacked,
        )
        .unwrap();
        assert_eq!(unpacked, html.as_bytes());
    }
}
