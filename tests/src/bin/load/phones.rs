//! The phones' path: the load tool's default measurement.
//!
//! Real phones never act over the WebSocket. They run `app/script/phone.js`,
//! and this module does what it does, so the figures are the ones a hall
//! full of phones would see:
//!
//! - a phone joins over HTTP: it opens its page (`GET /p/<token>`) with its
//!   own device cookie, and reads from it the log position it was rendered
//!   at and its reflection form's fields (its `id` among them);
//! - it follows the room over the WebSocket (`/ws/p/<token>?epoch=&seq=`),
//!   reading frames only as signals: an event or a snapshot asks for the
//!   page again at once (after 50 ms, as the script does), totals within
//!   ten seconds; a lost link comes back with the script's backoff;
//! - it fetches a fresh copy as the script does, one at a time, with one
//!   more right after if a signal came meanwhile: the part every phone
//!   shares (`/p/<token>/shared?seen=`, brotli, with the ETag it has; a
//!   304 changes nothing) and, only when something of its own may have
//!   changed (at first, an event naming one of its cards, a snapshot, its
//!   link back, a stamp that differs), its own part (`/p/<token>/mine`);
//! - it posts a reflection through the plain form (`POST
//!   /p/<token>/reflect` with a form id it made, as the script does, the
//!   `step`, and the script's `Hearth-Parts` header), follows the redirect
//!   to its own part as `fetch` does, then asks for the shared part; a
//!   post the server could not take (no answer, 5xx, 429) is sent again
//!   with the same id after three seconds, so it is never stored twice.
//!
//! Every copy is checked: both parts must answer (200, or 304 for the
//! shared one) and, once its log position has reached a reveal the phone
//! was told of, it must hold that reveal's cards. Phones that got the same
//! bytes of a shared part share one unpacked copy (`read_shared`), so the
//! tool's own work stays small beside the server's. A post's latency is
//! from its first sending to the moment the last phone of its gathering
//! has a copy holding it.
//! The step reveals by itself (a facilitator's "Reveal by itself": batches
//! of at least three people's words), or with `--console-reveal` the console
//! reveals each acknowledged batch, as the socket path does. After posting,
//! the console reveals whatever still waits (once every post has its
//! answer, or none has come for 30 s), and then reads the room:
//! each acknowledged post must be there exactly once (`lost`, `dup`).

use super::map_storm::{action, answer, fresh_id, snapshot};
use super::{
    console, cpu_now, create_gatherings, deliver, drain, marks, open, post_at_rate, report_cpu,
    report_memory, report_opened, rss_kb, spread, too_many_files, total_posts, Args, Error, Seen,
    Shared, Target, Ws, MARK,
};
use futures_util::StreamExt;
use hearth_core::ids::StepId;
use hearth_core::protocol::Action;
use hearth_tests::Device;
use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::Ordering::Relaxed;
use std::sync::atomic::{AtomicBool, AtomicU64};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::sync::{mpsc, watch};
use tokio::task::JoinSet;
use tokio_tungstenite::tungstenite::Message;

/// After an event, the page is fetched again this soon (the script's `SOON_MS`).
const SOON: Duration = Duration::from_millis(50);
/// After totals, at most this late (the script's `TOTALS_MS`).
const TOTALS: Duration = Duration::from_secs(10);
/// A post the server could not take is sent again after this long.
const RESEND: Duration = Duration::from_secs(3);
/// How many times one post is sent before the phone gives up on it.
const MAX_SENDS: u32 = 20;
/// The longest wait before reconnecting (the script's `MAX_BACKOFF_MS`).
const MAX_BACKOFF: Duration = Duration::from_secs(15);
/// How many times a phone reconnects before it gives up.
const MAX_RECONNECTS: u32 = 50;
/// Least time between two fetches made only to get a fresh form.
const FORM_AGAIN: Duration = Duration::from_secs(1);
/// Longest one request may take before it counts as failed.
const REQUEST_LIMIT: Duration = Duration::from_secs(60);
/// Longest the tool waits for every post to be acknowledged before the
/// console reveals what still waits.
const ACK_PATIENCE: Duration = Duration::from_secs(30);

/// What every phone adds to.
#[derive(Default)]
struct Pages {
    fetched: AtomicU64,
    failed: AtomicU64,
    /// Pages at or past a reveal's log position that lacked its cards.
    wrong: AtomicU64,
    /// Pages older than the event that asked for them.
    stale: AtomicU64,
    /// Shared parts answered 304: the phone's copy was current.
    not_modified: AtomicU64,
    wire_bytes: AtomicU64,
    html_bytes: AtomicU64,
    /// Each fetch's time, in milliseconds.
    ms: Mutex<Vec<u64>>,
    resends: AtomicU64,
    reconnects: AtomicU64,
    /// When the last link came back (as the posts' times).
    last_back_ns: AtomicU64,
}

/// What a phone reads from its page.
#[derive(Default, Clone)]
pub(super) struct PageFacts {
    epoch: u64,
    seq: u64,
    /// The reflection form's `id` and `step`, when the step takes reflections.
    form: Option<(String, String)>,
    pub glance: Option<String>,
}

/// The value of the first `name="…"` attribute after `after` in `html`.
fn attribute<'a>(html: &'a str, after: &str) -> Option<&'a str> {
    let rest = &html[html.find(after)? + after.len()..];
    rest.split('"').next()
}

impl PageFacts {
    fn read(html: &str) -> Option<Self> {
        let number = |key: &str| attribute(html, key)?.parse().ok();
        let form = html.find("class=\"reflect").and_then(|at| {
            let form = &html[at..];
            let id = attribute(form, "name=\"id\" value=\"")?;
            let step = attribute(form, "name=\"step\" value=\"")?;
            Some((id.to_owned(), step.to_owned()))
        });
        Some(Self {
            epoch: number("data-epoch=\"")?,
            seq: number("data-seq=\"")?,
            form,
            glance: attribute(html, "data-glance=\"").map(|g| g.replace("&amp;", "&")),
        })
    }
}

/// A whole page as fetched (a phone's first load): its words.
pub(super) struct Fetched {
    pub html: String,
    /// Answered 200, gzipped.
    pub ok: bool,
}

/// Fetches a whole page as a phone does on its first load, accepting
/// gzip, and unpacks it.
pub(super) async fn fetch_page(
    http: &reqwest::Client,
    url: &str,
    cookie: &str,
) -> Result<Fetched, Error> {
    let response = http
        .get(url)
        .header("cookie", cookie)
        .header("accept-encoding", "gzip")
        .send()
        .await?;
    let gzipped = response
        .headers()
        .get("content-encoding")
        .is_some_and(|e| e == "gzip");
    let ok = response.status().is_success() && gzipped;
    let wire = response.bytes().await?;
    let mut html = String::new();
    if gzipped {
        std::io::Read::read_to_string(&mut flate2::read::GzDecoder::new(&wire[..]), &mut html)?;
    } else {
        html = String::from_utf8_lossy(&wire).into_owned();
    }
    Ok(Fetched { html, ok })
}

/// A shared part, unpacked and read once for every phone that got the
/// same bytes: the tool runs two thousand phones on two cores beside the
/// server, and unpacking the same 100 KB page for each of them would
/// measure the tool, not the server. Each phone's bytes are compared with
/// the first copy's before it is taken as the same.
pub(super) struct SharedCopy {
    pub html: String,
    /// The posts it holds.
    held: Vec<usize>,
    facts: Option<PageFacts>,
    stamp: Option<String>,
}

/// The shared parts read so far, by ETag, with the bytes they came as.
type Copies = Mutex<HashMap<String, (Vec<u8>, Arc<SharedCopy>)>>;

fn copies() -> &'static Copies {
    static COPIES: std::sync::OnceLock<Copies> = std::sync::OnceLock::new();
    COPIES.get_or_init(Default::default)
}

/// The shared part these bytes unpack to, read once per ETag.
fn read_shared(
    etag: &str,
    encoding: Option<&str>,
    wire: Vec<u8>,
) -> Result<Arc<SharedCopy>, Error> {
    if let Some((bytes, copy)) = copies().lock().unwrap_or_else(|p| p.into_inner()).get(etag) {
        if *bytes == wire {
            return Ok(copy.clone());
        }
    }
    let html = unpack(encoding, &wire)?;
    let copy = Arc::new(SharedCopy {
        held: marks(&html).collect(),
        facts: PageFacts::read(&html),
        stamp: attribute(&html, "data-stamp=\"").map(str::to_owned),
        html,
    });
    let mut all = copies().lock().unwrap_or_else(|p| p.into_inner());
    if all.len() > 512 {
        all.clear();
    }
    all.insert(etag.to_owned(), (wire, copy.clone()));
    Ok(copy)
}

/// A body as it came, unpacked.
fn unpack(encoding: Option<&str>, wire: &[u8]) -> Result<String, Error> {
    let mut html = Vec::new();
    match encoding {
        Some("br") => brotli::BrotliDecompress(&mut &wire[..], &mut html)?,
        Some("gzip") => {
            std::io::Read::read_to_end(&mut flate2::read::GzDecoder::new(wire), &mut html)?;
        }
        _ => html = wire.to_vec(),
    }
    Ok(String::from_utf8_lossy(&html).into_owned())
}

/// A fresh copy as the phone's script gets it: the part every phone
/// shares (asked for with the ETag it has) and its own part, at once.
pub(super) struct Parts {
    /// The shared part and its ETag; `None` when the server answered 304
    /// (the phone's copy is current).
    pub shared: Option<(Arc<SharedCopy>, String)>,
    /// The phone's own part (`None` if it was not asked for).
    pub own: Option<String>,
    /// Bytes of both bodies, as they came (compressed).
    pub wire: usize,
    /// Both answered as they should (200 or 304).
    pub ok: bool,
    pub ms: u64,
}

/// One part as it came: its status, ETag, encoding and body.
async fn fetch_part(
    http: &reqwest::Client,
    url: &str,
    cookie: &str,
    etag: Option<&str>,
) -> Result<(u16, Option<String>, Option<String>, Vec<u8>), Error> {
    let mut request = http
        .get(url)
        .header("cookie", cookie)
        .header("accept-encoding", "gzip, deflate, br");
    if let Some(etag) = etag {
        request = request.header("if-none-match", etag);
    }
    let response = request.send().await?;
    let status = response.status().as_u16();
    let header = |name: &str| {
        response
            .headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };
    let (encoding, etag) = (header("content-encoding"), header("etag"));
    Ok((status, etag, encoding, response.bytes().await?.to_vec()))
}

/// Fetches the phone's own part (`<page>/mine`) as the script does, and
/// unpacks it; an answer other than 200 is an error.
pub(super) async fn fetch_own(
    http: &reqwest::Client,
    page: &str,
    cookie: &str,
) -> Result<String, Error> {
    let (status, _, encoding, body) =
        fetch_part(http, &format!("{page}/mine"), cookie, None).await?;
    if status != 200 {
        return Err(format!("the own part answered {status}").into());
    }
    unpack(encoding.as_deref(), &body)
}

/// Fetches a fresh copy as the script does: `<page>/shared?seen=&at=` with
/// `etag`, and `<page>/mine` if `own` (the script asks for its own part
/// only when something of its own may have changed). `at` is the newest
/// position the phone's link told of.
pub(super) async fn fetch_parts(
    http: &reqwest::Client,
    page: &str,
    cookie: &str,
    etag: Option<&str>,
    seen: &str,
    at: Option<u64>,
    own: bool,
) -> Result<Parts, Error> {
    let asked = Instant::now();
    let at = at.map(|at| at.to_string()).unwrap_or_default();
    let shared_url = format!("{page}/shared?seen={}&at={at}", encode(seen));
    let shared = fetch_part(http, &shared_url, cookie, etag);
    let own = async {
        if own {
            Some(fetch_part(http, &format!("{page}/mine"), cookie, None).await)
        } else {
            None
        }
    };
    let (shared, own) = tokio::join!(shared, own);
    let (status, etag, encoding, body) = shared?;
    let mut wire = body.len();
    let mut ok = status == 200 || status == 304;
    let shared = match status {
        200 => {
            let etag = etag.unwrap_or_default();
            Some((read_shared(&etag, encoding.as_deref(), body)?, etag))
        }
        _ => None,
    };
    let own = match own {
        Some(own) => {
            let (status, _, encoding, body) = own?;
            ok &= status == 200;
            wire += body.len();
            Some(unpack(encoding.as_deref(), &body)?)
        }
        None => None,
    };
    Ok(Parts {
        shared,
        own,
        wire,
        ok,
        ms: asked.elapsed().as_millis() as u64,
    })
}

/// How the server answered a post.
enum Posted {
    /// Stored, as this card; with the phone's own part it was answered
    /// with (and its size on the wire).
    Stored(String, Option<(String, usize)>),
    /// Refused, with the page's error code.
    Refused(String),
    /// Not taken (no answer, or busy): send it again.
    Later,
}

/// Sends a reflection through the plain form as the script does (asking
/// to be answered with its own part), and follows the redirect to that
/// part as `fetch` does.
async fn post_form(
    http: reqwest::Client,
    page: Arc<String>,
    cookie: String,
    form: Vec<(&'static str, String)>,
) -> Posted {
    let sent = http
        .post(format!("{page}/reflect"))
        .header("cookie", &cookie)
        .header("hearth-parts", "1")
        .form(&form)
        .send()
        .await;
    let Ok(response) = sent else {
        return Posted::Later;
    };
    let status = response.status();
    if status.is_server_error() || status.as_u16() == 429 {
        return Posted::Later;
    }
    let location = response
        .headers()
        .get("location")
        .and_then(|l| l.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    if let Some((_, card)) = location.split_once("done=received&card=") {
        let card = card.split('&').next().unwrap_or_default().to_owned();
        // What `fetch` does with a 303: it asks for the part it names.
        let own = match page.split("/p/").next() {
            Some(base) => {
                match fetch_part(&http, &format!("{base}{location}"), &cookie, None).await {
                    Ok((_, _, encoding, body)) => unpack(encoding.as_deref(), &body)
                        .ok()
                        .map(|html| (html, body.len())),
                    Err(_) => None,
                }
            }
            None => None,
        };
        return Posted::Stored(card, own);
    }
    let code = location
        .split_once("error=")
        .map_or_else(|| format!("answered {status}"), |(_, code)| code.to_owned());
    Posted::Refused(code)
}

/// A post in the outbox: its number, the form fields (`id`, `step`) it
/// goes with once it has them, and how many times it was sent.
type Outgoing = (usize, Option<(String, String)>, u32);

type Pending<T> = Pin<Box<dyn Future<Output = T> + Send>>;

/// Waits on `f` if there is one, else forever.
async fn maybe<T>(f: &mut Option<Pending<T>>) -> T {
    match f {
        Some(f) => f.await,
        None => std::future::pending().await,
    }
}

/// The next frame of the link, if there is one; else waits forever.
async fn next_frame(ws: &mut Option<Ws>) -> Option<Result<Message, String>> {
    match ws {
        Some(ws) => ws.next().await.map(|r| r.map_err(|e| e.to_string())),
        None => std::future::pending().await,
    }
}

/// Sleeps until `at`, or forever without one.
async fn until(at: Option<Instant>) {
    match at {
        Some(at) => tokio::time::sleep_until(at.into()).await,
        None => std::future::pending().await,
    }
}

/// One phone, as it is between its page and its link.
struct Phone {
    gathering: usize,
    device: Device,
    cookie: String,
    /// `http://…/p/<token>`.
    page: Arc<String>,
    /// `/ws/p/<token>`.
    live: String,
    facts: PageFacts,
    /// The form id of the last post stored: a page still showing it is
    /// older than that post, and its form is not used again.
    used_id: Option<String>,
    /// The reflection form's id, as the script keeps it: the page's at
    /// first, a fresh one after each post stored (the shared part has none).
    form_id: String,
    /// The shared part as last fetched, and its ETag.
    shared: Option<Arc<SharedCopy>>,
    etag: Option<String>,
    /// The own part a post was answered with, for the next copy.
    own_from_post: Option<String>,
    /// The own part as last fetched, and whether it must be asked for
    /// again (at first, after an event naming one of the phone's cards, a
    /// snapshot, a new stamp).
    own_html: String,
    need_own: bool,
    seen: Seen,
}

/// A phone just joined, as the script starts: its device and cookie, what
/// its page said, and its live link, open, after the link has sent it its
/// own things (the last of what a link sends on opening).
pub(super) struct Joined {
    pub device: Device,
    pub cookie: String,
    pub facts: PageFacts,
    pub ws: Ws,
}

/// Joins one phone: its page (`page`, `http://…/p/<token>`), then its
/// link (`live`, `/ws/p/<token>`) from the position the page was made at.
pub(super) async fn open_phone(
    http: &reqwest::Client,
    addr: std::net::SocketAddr,
    page: &str,
    live: &str,
) -> Result<Joined, Error> {
    let device = Device::new();
    let cookie = device.cookie();
    let first = fetch_page(http, page, &cookie).await?;
    if !first.ok {
        return Err("joining did not answer with a page".into());
    }
    let facts = PageFacts::read(&first.html).ok_or("the page has no live link")?;
    let path = format!("{live}?epoch={}&seq={}", facts.epoch, facts.seq);
    let mut ws = open(addr, &path, Some(&device)).await?;
    while let Some(frame) = ws.next().await {
        if let Message::Text(text) = frame? {
            if text.starts_with(r#"{"type":"mine""#) {
                return Ok(Joined {
                    device,
                    cookie,
                    facts,
                    ws,
                });
            }
        }
    }
    Err("the link closed while joining".into())
}

/// Joins one phone of gathering `gathering` (see `open_phone`).
async fn join(
    http: reqwest::Client,
    addr: std::net::SocketAddr,
    page: Arc<String>,
    live: String,
    gathering: usize,
) -> Result<(Phone, Ws), Error> {
    let Joined {
        device,
        cookie,
        facts,
        ws,
    } = open_phone(&http, addr, &page, &live).await?;
    let form_id = facts
        .form
        .as_ref()
        .map(|(id, _)| id.clone())
        .unwrap_or_default();
    let phone = Phone {
        gathering,
        device,
        cookie,
        page,
        live,
        facts,
        used_id: None,
        form_id,
        shared: None,
        etag: None,
        own_from_post: None,
        own_html: String::new(),
        need_own: true,
        seen: Seen::new(),
    };
    Ok((phone, ws))
}

/// What the phone's task shares.
struct Context {
    shared: Arc<Shared>,
    pages: Arc<Pages>,
    http: reqwest::Client,
    addr: std::net::SocketAddr,
}

/// A phone following its room and posting what it is given, with the
/// script's rules, until told to stop.
async fn phone(
    mut me: Phone,
    ws: Ws,
    mut posts: mpsc::Receiver<u32>,
    cx: Arc<Context>,
    mut stop: watch::Receiver<bool>,
) {
    let (shared, pages) = (&cx.shared, &cx.pages);
    let mut ws = Some(ws);
    // The page fetch: when it is due, the one in flight (with the log
    // position the phone had asked for), and whether another is wanted.
    let mut due: Option<Instant> = None;
    let mut fetching: Option<Pending<Result<Parts, String>>> = None;
    let mut asked_at_seq = 0u64;
    let mut again = false;
    // The newest reveal the link told of: its position and its posts.
    let mut revealed: Option<(u64, Vec<usize>)> = None;
    // The outbox: posts waiting, the one in flight, when to send again.
    let mut outbox: std::collections::VecDeque<Outgoing> = Default::default();
    let mut posting: Option<Pending<Posted>> = None;
    let mut resend_at: Option<Instant> = None;
    let mut posts_open = true;
    // When a page was last asked for only for a fresh form.
    let mut form_asked: Option<Instant> = None;
    // The link's backoff.
    let mut reconnect_at: Option<Instant> = None;
    let mut attempt = 0u32;
    let mut reconnecting: Option<Pending<Result<Ws, String>>> = None;

    loop {
        // Start what can start: a post with a form id of its own, a fetch
        // that is due and not in flight.
        if posting.is_none() && resend_at.is_none_or(|t| t <= Instant::now()) {
            resend_at = None;
            if let Some((n, form, sends)) = outbox.front_mut() {
                if form.is_none() {
                    // A fresh form (an id not yet used) comes with the page.
                    *form = me
                        .facts
                        .form
                        .clone()
                        .filter(|(id, _)| me.used_id.as_ref() != Some(id));
                    // At most once a second: a step that takes no
                    // reflections now has no form to wait for.
                    let now = Instant::now();
                    if form.is_none()
                        && fetching.is_none()
                        && due.is_none()
                        && form_asked.is_none_or(|t| now >= t + FORM_AGAIN)
                    {
                        form_asked = Some(now);
                        due = Some(now);
                    }
                }
                if let Some((id, step)) = form.clone() {
                    let post = &shared.posts[*n];
                    if *sends == 0 {
                        post.sent_ns.store(shared.now_ns(), Relaxed);
                        shared.sent.fetch_add(1, Relaxed);
                    } else {
                        pages.resends.fetch_add(1, Relaxed);
                    }
                    *sends += 1;
                    let text = format!(
                        "Load reflection {MARK}{n}~ in room {}: I noticed my breath slow down.",
                        me.gathering
                    );
                    posting = Some(Box::pin(post_form(
                        cx.http.clone(),
                        me.page.clone(),
                        me.cookie.clone(),
                        vec![("id", id), ("step", step), ("text", text)],
                    )));
                }
            }
        }
        if fetching.is_none() && due.is_some_and(|t| t <= Instant::now()) {
            due = None;
            asked_at_seq = me.facts.seq;
            let at = Some(me.facts.seq);
            let seen = me.facts.glance.clone().unwrap_or_default();
            let in_hand = me.own_from_post.take();
            let own = in_hand.is_none() && std::mem::take(&mut me.need_own);
            let (http, cookie, page, etag) = (
                cx.http.clone(),
                me.cookie.clone(),
                me.page.clone(),
                me.etag.clone(),
            );
            fetching = Some(Box::pin(async move {
                let mut parts = fetch_parts(&http, &page, &cookie, etag.as_deref(), &seen, at, own)
                    .await
                    .map_err(|e| e.to_string())?;
                parts.own = parts.own.or(in_hand);
                Ok(parts)
            }));
        }

        let wake = [due, resend_at, reconnect_at].into_iter().flatten().min();
        tokio::select! {
            _ = stop.changed() => return,
            frame = next_frame(&mut ws) => match frame {
                Some(Ok(Message::Text(text))) => {
                    let text = text.as_str();
                    let soon = Instant::now() + SOON;
                    if text.starts_with(r#"{"type":"event""#) {
                        if names_mine(text, &me.own_html) {
                            me.need_own = true;
                        }
                        if let Some(seq) = super::number_after(text, r#""seq":"#) {
                            me.facts.seq = me.facts.seq.max(seq);
                            if text.contains(r#""type":"cards_revealed""#) {
                                revealed = Some((seq, marks(text).collect()));
                            }
                        }
                        due = Some(due.map_or(soon, |d| d.min(soon)));
                    } else if text.starts_with(r#"{"type":"snapshot""#) {
                        shared.resyncs.fetch_add(1, Relaxed);
                        me.need_own = true;
                        due = Some(due.map_or(soon, |d| d.min(soon)));
                    } else if text.starts_with(r#"{"type":"totals""#) {
                        let later = Instant::now() + TOTALS;
                        due = Some(due.map_or(later, |d| d.min(later)));
                    }
                }
                Some(Ok(_)) => {}
                Some(Err(_)) | None => {
                    ws = None;
                    shared.disconnects.fetch_add(1, Relaxed);
                    attempt += 1;
                    if attempt <= MAX_RECONNECTS {
                        let wait = backoff(attempt, &me.device);
                        reconnect_at = Some(Instant::now() + wait);
                    }
                }
            },
            _ = until(wake) => {}
            got = maybe(&mut fetching) => {
                fetching = None;
                match got {
                    Ok(parts) if parts.ok => {
                        let ms = parts.ms;
                        if take_page(&mut me, parts, asked_at_seq, &mut revealed, shared, pages) {
                            // As the script does: its own part, at once.
                            me.need_own = true;
                            again = true;
                        }
                        pages.ms.lock().unwrap_or_else(|p| p.into_inner()).push(ms);
                    }
                    // The script keeps the page as it is; the next event tries again.
                    _ => {
                        pages.failed.fetch_add(1, Relaxed);
                        me.need_own = true;
                    }
                }
                if std::mem::take(&mut again) {
                    due = Some(Instant::now());
                }
            }
            n = posts.recv(), if posts_open => match n {
                Some(n) => outbox.push_back((n as usize, None, 0)),
                None => posts_open = false,
            },
            answered = maybe(&mut posting) => {
                posting = None;
                let Some((n, form, sends)) = outbox.front().cloned() else { continue };
                match answered {
                    Posted::Stored(card, own) => {
                        outbox.pop_front();
                        super::acked(n, me.gathering, card, shared);
                        me.used_id = form.map(|(id, _)| id);
                        // The script gives the form a fresh id at once.
                        me.form_id = fresh_id().as_str().to_owned();
                        if let Some((_, step)) = me.facts.form.take() {
                            me.facts.form = Some((me.form_id.clone(), step));
                        }
                        if let Some((html, wire)) = own {
                            pages.wire_bytes.fetch_add(wire as u64, Relaxed);
                            me.own_from_post = Some(html);
                        }
                        due = Some(Instant::now());
                    }
                    Posted::Refused(code) => {
                        outbox.pop_front();
                        shared.error(format!("a post was refused: {code}"));
                        shared.posts[n].refused.store(true, Relaxed);
                        due = Some(Instant::now());
                    }
                    Posted::Later if sends >= MAX_SENDS => {
                        outbox.pop_front();
                        shared.send_failures.fetch_add(1, Relaxed);
                    }
                    Posted::Later => resend_at = Some(Instant::now() + RESEND),
                }
            }
            back = maybe(&mut reconnecting) => {
                reconnecting = None;
                match back {
                    Ok(link) => {
                        ws = Some(link);
                        attempt = 0;
                        me.need_own = true;
                        pages.reconnects.fetch_add(1, Relaxed);
                        pages.last_back_ns.fetch_max(shared.now_ns(), Relaxed);
                        due = Some(Instant::now() + SOON);
                    }
                    Err(_) if attempt < MAX_RECONNECTS => {
                        attempt += 1;
                        reconnect_at = Some(Instant::now() + backoff(attempt, &me.device));
                    }
                    Err(_) => {}
                }
            }
        }
        if fetching.is_some() && due.is_some_and(|t| t <= Instant::now()) {
            // Asked for while one is in flight: one more right after it.
            due = None;
            again = true;
        }
        if ws.is_none()
            && reconnecting.is_none()
            && reconnect_at.is_some_and(|t| t <= Instant::now())
        {
            reconnect_at = None;
            let (addr, device) = (cx.addr, me.device.clone());
            let path = format!("{}?epoch={}&seq={}", me.live, me.facts.epoch, me.facts.seq);
            reconnecting = Some(Box::pin(async move {
                open(addr, &path, Some(&device))
                    .await
                    .map_err(|e| e.to_string())
            }));
        }
    }
}

/// The script's wait before reconnecting: doubling from a second, at most
/// fifteen, jittered (here from the device's token, which is random).
fn backoff(attempt: u32, device: &Device) -> Duration {
    let full = Duration::from_millis(500u64.saturating_mul(1 << attempt.min(10))).min(MAX_BACKOFF);
    let jitter = device.token.bytes().fold(attempt, |h, b| {
        h.wrapping_mul(31).wrapping_add(u32::from(b))
    }) % 1000;
    full.mul_f64(0.5 + f64::from(jitter) / 2000.0)
}

/// Percent-encodes a query value (the glance is letters, digits and a few marks).
fn encode(value: &str) -> String {
    value
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// Whether a frame from the room names one of the phone's cards (as its
/// own part lists them, `id="own-<card>"`).
fn names_mine(frame: &str, own: &str) -> bool {
    own.split("id=\"own-")
        .skip(1)
        .filter_map(|rest| rest.split('"').next())
        .any(|card| !card.is_empty() && frame.contains(card))
}

/// Takes in a fresh copy: what it says, the posts it holds, and whether
/// it holds what it must. Returns whether the phone's own part must be
/// asked for at once (it was made for another step).
fn take_page(
    me: &mut Phone,
    parts: Parts,
    asked_at_seq: u64,
    revealed: &mut Option<(u64, Vec<usize>)>,
    shared: &Shared,
    pages: &Pages,
) -> bool {
    pages.wire_bytes.fetch_add(parts.wire as u64, Relaxed);
    let fresh_own = parts.own.is_some();
    if parts.shared.is_none() {
        pages.not_modified.fetch_add(1, Relaxed);
        // Nothing new: the script leaves the page as it is.
        if !fresh_own {
            return false;
        }
    }
    if let Some((copy, etag)) = parts.shared {
        me.shared = Some(copy);
        me.etag = Some(etag);
    }
    if let Some(own) = parts.own {
        me.own_html = own;
    }
    let Some(copy) = me.shared.clone() else {
        pages.wrong.fetch_add(1, Relaxed);
        return false;
    };
    pages.fetched.fetch_add(1, Relaxed);
    pages
        .html_bytes
        .fetch_add((copy.html.len() + me.own_html.len()) as u64, Relaxed);
    let Some(mut facts) = copy.facts.clone() else {
        pages.wrong.fetch_add(1, Relaxed);
        return false;
    };
    // The shared part's form has no id: the script gives it its own.
    facts.form = facts.form.map(|(_, step)| (me.form_id.clone(), step));
    if facts.seq < asked_at_seq {
        pages.stale.fetch_add(1, Relaxed);
    }
    let own_stamp = attribute(&me.own_html, "data-stamp=\"");
    let mismatched = copy.stamp.as_deref() != own_stamp;
    let held: Vec<usize> = copy
        .held
        .iter()
        .copied()
        .chain(marks(&me.own_html))
        .collect();
    if let Some((seq, posts)) = revealed.as_ref() {
        if facts.seq >= *seq {
            if posts.iter().all(|n| held.contains(n)) {
                *revealed = None;
            } else {
                pages.wrong.fetch_add(1, Relaxed);
            }
        }
    }
    for n in held {
        deliver(n, false, me.gathering, &mut me.seen, shared);
    }
    // The script keeps the position its link has reached, if further.
    let seq = me.facts.seq.max(facts.seq);
    me.facts = PageFacts { seq, ..facts };
    mismatched && !fresh_own
}

pub async fn measure(args: &Args, target: &Target) -> Result<String, Error> {
    let shared = Arc::new(Shared::new(total_posts(args), args.gatherings));
    let gatherings = create_gatherings(args, target).await?;
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(REQUEST_LIMIT)
        .build()?;
    let pages = Arc::new(Pages::default());
    let cx = Arc::new(Context {
        shared: shared.clone(),
        pages: pages.clone(),
        http: http.clone(),
        addr: target.addr,
    });
    let (stop_tx, stop_rx) = watch::channel(false);
    let mut tasks = JoinSet::new();

    // Each gathering's console: it sets the step to reveal by itself, or
    // (with --console-reveal) reveals each acknowledged batch.
    let mut steps: Vec<StepId> = Vec::new();
    for (g, gathering) in gatherings.iter().enumerate() {
        let mut ws = open(target.addr, &gathering.console_ws(), None).await?;
        let mut view = Some(snapshot(&mut ws).await?);
        let step = view
            .as_ref()
            .and_then(|v| v.current_step())
            .map(|s| s.id)
            .ok_or("the gathering has no step")?;
        steps.push(step);
        if args.console_reveal {
            let ready = Arc::new(AtomicBool::new(true));
            tasks.spawn(console(ws, g, ready, shared.clone(), stop_rx.clone()));
        } else {
            let id = fresh_id();
            futures_util::SinkExt::send(
                &mut ws,
                action(&id, Action::SetLive { step, live: true })?,
            )
            .await?;
            answer(&mut ws, &id, &mut view)
                .await?
                .map_err(|e| format!("the step would not reveal by itself: {e}"))?;
        }
    }
    println!(
        "created {} gatherings on {} ({}); joining {} phones",
        args.gatherings,
        target.base,
        if args.console_reveal {
            "the console reveals"
        } else {
            "each step reveals by itself"
        },
        args.participants
    );

    tokio::time::sleep(Duration::from_millis(300)).await;
    let rss_before = target.pid.and_then(rss_kb);
    let joining_started = Instant::now();
    let mut senders: Vec<(usize, mpsc::Sender<u32>)> = Vec::new();
    let mut failures: HashMap<String, u64> = HashMap::new();
    let plan: Vec<usize> = (0..args.participants)
        .map(|p| p % args.gatherings)
        .collect();
    for (b, batch) in plan.chunks(args.connect_batch).enumerate() {
        let mut opening = JoinSet::new();
        for &g in batch {
            let page = Arc::new(format!("{}/p/{}", target.base, gatherings[g].join_token));
            let live = format!("/ws/p/{}", gatherings[g].join_token);
            let (http, addr, timeout) = (http.clone(), target.addr, args.connect_timeout);
            opening.spawn(async move {
                tokio::time::timeout(timeout, join(http, addr, page, live, g))
                    .await
                    .unwrap_or_else(|_| Err("timed out".into()))
            });
        }
        let mut out_of_files = false;
        while let Some(done) = opening.join_next().await {
            match done {
                Ok(Ok((me, ws))) => {
                    let (tx, rx) = mpsc::channel(16);
                    senders.push((me.gathering, tx));
                    shared.rooms[me.gathering].target.fetch_add(1, Relaxed);
                    tasks.spawn(phone(me, ws, rx, cx.clone(), stop_rx.clone()));
                }
                Ok(Err(e)) => {
                    out_of_files |= too_many_files(&e);
                    *failures.entry(e.to_string()).or_default() += 1;
                }
                Err(e) => *failures.entry(format!("task: {e}")).or_default() += 1,
            }
        }
        let done = ((b + 1) * args.connect_batch).min(plan.len());
        if (b + 1) % 5 == 0 || done == plan.len() {
            report_opened(
                "joined",
                senders.len(),
                plan.len(),
                &failures,
                joining_started,
            );
        }
        if out_of_files || joining_started.elapsed() > super::CONNECT_PHASE_LIMIT {
            println!("error: joining stopped early (out of open files, or too slow)");
            break;
        }
    }
    for (why, n) in &failures {
        println!("joining failures: {n} × {why}");
    }
    let participants = senders.len();
    if participants == 0 {
        let _ = stop_tx.send(true);
        return Err("no phone could join".into());
    }
    // Let the joins settle before measuring memory.
    tokio::time::sleep(Duration::from_secs(1)).await;
    let rss_connected = target.pid.and_then(rss_kb);
    let (fetched_joining, bytes_joining) = (
        pages.fetched.swap(0, Relaxed),
        pages.wire_bytes.swap(0, Relaxed),
    );
    pages.html_bytes.store(0, Relaxed);
    pages.failed.store(0, Relaxed);
    pages.ms.lock().unwrap_or_else(|p| p.into_inner()).clear();
    if fetched_joining > 0 {
        println!(
            "while joining, {fetched_joining} pages were fetched again ({bytes_joining} bytes)"
        );
    }
    let total_posts = shared.posts.len();
    println!(
        "{participants} phones in; posting {total_posts} reflections through the form at {}/s for {}s",
        args.rate, args.duration
    );

    let posting_started = Instant::now();
    let cpu_before = cpu_now(target);
    // With --kill-owner-after, the owner dies in the middle of the posting.
    let kill = async {
        let (Some(after), Some(cluster)) = (args.kill_owner_after, target.cluster.as_ref()) else {
            return None;
        };
        tokio::time::sleep(after).await;
        let at = shared.now_ns();
        // The busiest gathering's: phones are dealt to gatherings in turn,
        // so the first has the most.
        match super::cluster::kill_owner(cluster, &gatherings[0].join_token).await {
            Ok(owner) => {
                println!(
                    "killed the gathering's owner ({owner}) {:.1}s into the posting",
                    after.as_secs_f64()
                );
                Some(at)
            }
            Err(e) => {
                shared.error(format!("killing the owner: {e}"));
                None
            }
        }
    };
    let (not_handed, killed_ns) =
        tokio::join!(post_at_rate(args, &shared, &senders, posting_started), kill);
    drop(senders);

    // What waits for a batch of three people is revealed by the console,
    // as a facilitator would, once every post has its answer. A server
    // behind its posts is waited for while it makes progress: the patience
    // runs from the last answer, not from the end of handing posts out.
    let unanswered = || {
        shared
            .posts
            .iter()
            .filter(|p| {
                p.sent_ns.load(Relaxed) == 0
                    || (p.acks.load(Relaxed) == 0 && !p.refused.load(Relaxed))
            })
            .count()
    };
    let mut left = unanswered();
    let mut patience = Instant::now() + ACK_PATIENCE;
    while left > 0 && Instant::now() < patience {
        tokio::time::sleep(Duration::from_millis(50)).await;
        let now_left = unanswered();
        if now_left < left {
            patience = Instant::now() + ACK_PATIENCE;
        }
        left = now_left;
    }
    if !args.console_reveal {
        for gathering in &gatherings {
            let mut ws = open(target.addr, &gathering.console_ws(), None).await?;
            let id = fresh_id();
            futures_util::SinkExt::send(&mut ws, action(&id, Action::Reveal)?).await?;
            let mut view = None;
            if let Err(e) = answer(&mut ws, &id, &mut view).await? {
                shared.error(format!("the last reveal: {e}"));
            }
        }
    }
    drain(
        &shared,
        args.drain.unwrap_or(Duration::from_secs(30)),
        posting_started,
    )
    .await;
    let busy = posting_started.elapsed().as_secs_f64();
    let rss_end = target.pid.and_then(rss_kb);
    let server_cpu = report_cpu(cpu_before, target, busy);
    let _ = stop_tx.send(true);
    tasks.abort_all();
    let pages_fetched = pages.fetched.load(Relaxed);
    let server_cpu_ms_per_page = match server_cpu {
        Some(s) if pages_fetched > 0 => format!("{:.2}", s * 1000.0 / pages_fetched as f64),
        _ => "unknown".to_owned(),
    };

    // The room as the console sees it: each acknowledged post exactly once.
    let mut copies = vec![0u32; total_posts];
    let mut still_waiting = 0;
    for (g, gathering) in gatherings.iter().enumerate() {
        let mut ws = open(target.addr, &gathering.console_ws(), None).await?;
        let view = snapshot(&mut ws).await?;
        if view.tally.waiting != hearth_core::gathering::Waiting::None {
            still_waiting += 1;
        }
        for card in view.cards_of(steps[g]) {
            for n in marks(&card.text) {
                match shared.posts.get(n) {
                    Some(p) if p.gathering.load(Relaxed) as usize == g => copies[n] += 1,
                    _ => {
                        shared.crossed.fetch_add(1, Relaxed);
                    }
                }
            }
        }
    }

    if still_waiting > 0 {
        println!("{still_waiting} gatherings still had cards waiting for a reveal at the end");
    }

    // The figures.
    let (mut latencies, mut ack_latencies) = (Vec::new(), Vec::new());
    let (mut acked, mut lost, mut dup, mut unreached, mut unacked, mut refused) =
        (0u64, 0u64, shared.dup.load(Relaxed), 0u64, 0u64, 0u64);
    for (n, p) in shared.posts.iter().enumerate() {
        let sent = p.sent_ns.load(Relaxed);
        dup += u64::from(copies[n].saturating_sub(1));
        if sent == 0 {
            continue;
        }
        if p.acks.load(Relaxed) > 0 {
            acked += 1;
            if copies[n] == 0 {
                lost += 1;
            }
            ack_latencies.push(p.ack_ns.load(Relaxed).saturating_sub(sent) as f64 / 1e6);
            match p.done_ns.load(Relaxed) {
                0 => unreached += 1,
                done => latencies.push(done.saturating_sub(sent) as f64 / 1e6),
            }
        } else if p.refused.load(Relaxed) {
            refused += 1;
        } else {
            unacked += 1;
        }
    }
    latencies.sort_by(f64::total_cmp);
    ack_latencies.sort_by(f64::total_cmp);
    // The pace posts were acknowledged at: from the first sent to the last
    // acknowledged (the drain after it is not the server storing posts).
    let first_sent = shared
        .posts
        .iter()
        .map(|p| p.sent_ns.load(Relaxed))
        .filter(|&t| t > 0)
        .min();
    let last_acked = shared.posts.iter().map(|p| p.ack_ns.load(Relaxed)).max();
    if let (Some(first), Some(last)) = (first_sent, last_acked) {
        let seconds = last.saturating_sub(first) as f64 / 1e9;
        if seconds > 0.0 {
            println!(
                "acknowledged: {acked} posts in {seconds:.1}s from the first sent to the last acknowledged, {:.0} a second",
                acked as f64 / seconds
            );
        }
    }
    let mut fetch_ms: Vec<f64> = pages
        .ms
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .iter()
        .map(|&ms| ms as f64)
        .collect();
    fetch_ms.sort_by(f64::total_cmp);
    println!(
        "posting took {busy:.1}s; {not_handed} posts could not be handed to their phone; {refused} refused, {unacked} never answered, {} resent, {} given up",
        pages.resends.load(Relaxed),
        shared.send_failures.load(Relaxed),
    );
    println!("until acknowledged (stored): {}", spread(&ack_latencies));
    println!("one page fetch: {}", spread(&fetch_ms));
    println!(
        "pages: {pages_fetched} fresh copies (each the shared part and the phone's own), {} with the shared part unchanged (304), {} failed, {} wrong, {} stale; links: {} disconnects, {} reconnects, {} snapshots",
        pages.not_modified.load(Relaxed),
        pages.failed.load(Relaxed),
        pages.wrong.load(Relaxed),
        pages.stale.load(Relaxed),
        shared.disconnects.load(Relaxed),
        pages.reconnects.load(Relaxed),
        shared.resyncs.load(Relaxed),
    );
    let errors = shared.errors.lock().map(|e| e.clone()).unwrap_or_default();
    for (what, n) in &errors {
        println!("server said: {n} × {what}");
    }
    let (rss_mb, kb_per_conn) = report_memory([rss_before, rss_connected, rss_end], participants);
    let per_page = |total: u64| {
        if pages_fetched == 0 {
            0.0
        } else {
            total as f64 / pages_fetched as f64 / 1024.0
        }
    };
    // With several nodes: how many, and how long posts went unanswered
    // after the owner was killed.
    let cluster = match &target.cluster {
        None => String::new(),
        Some(c) => {
            let outage = killed_ns.and_then(|at| {
                // The killed owner's gathering (the first): the others may
                // have owners that lived.
                let of_first = shared
                    .posts
                    .iter()
                    .filter(|p| p.gathering.load(Relaxed) == 0);
                super::cluster::outage_ms(of_first.map(|p| p.ack_ns.load(Relaxed)), at)
            });
            // Every link back: from the kill to the last phone's link coming
            // back (each fetches its page as it does).
            let back = pages.last_back_ns.load(Relaxed);
            let links_back = match killed_ns {
                Some(at) if back > at => format!("{:.0}", (back - at) as f64 / 1e6),
                _ => "none".to_owned(),
            };
            format!(
                " nodes={} owner_killed={} outage_ms={} links_back_ms={links_back}",
                c.nodes.len(),
                killed_ns.is_some(),
                outage.map_or("none".to_owned(), |ms| format!("{ms:.0}"))
            )
        }
    };
    let line = format!(
        "LOAD participants={participants} gatherings={} posts={} acked={acked} lost={lost} dup={dup} {} server_rss_mb={rss_mb:.1} kb_per_conn={kb_per_conn:.1} path=phones reveal={} unreached={unreached} pages={pages_fetched} pages_failed={} pages_wrong={} kb_per_page={:.1} html_kb_per_page={:.1} server_cpu_ms_per_page={server_cpu_ms_per_page}{cluster}",
        args.gatherings,
        shared.sent.load(Relaxed),
        spread(&latencies),
        if args.console_reveal { "console" } else { "live" },
        pages.failed.load(Relaxed),
        pages.wrong.load(Relaxed),
        per_page(pages.wire_bytes.load(Relaxed)),
        per_page(pages.html_bytes.load(Relaxed)),
    );
    // --strict: a run that lost, doubled or left out anything fails (the
    // test script's cluster run).
    let sent = shared.sent.load(Relaxed);
    let wrong = pages.wrong.load(Relaxed);
    if args.strict && (lost > 0 || dup > 0 || acked < sent || unreached > 0 || wrong > 0) {
        return Err(format!("not every acknowledged post reached every phone once: {line}").into());
    }
    Ok(line)
}
