//! The load tool: many phones in a few rooms, a steady stream of reflections,
//! and how long each one takes to reach every phone in its room.
//!
//! ```sh
//! cargo run --release -p hearth-tests --bin load -- --participants 2000 --gatherings 1 --rate 20 --duration 20
//! ```
//!
//! It starts Hearth itself (`--bin`, by default the workspace's release
//! build, else the debug build) or uses one already running on this machine
//! (`--server http://127.0.0.1:3000`). By default it drives the path real
//! phones use (see `phones`): each phone joins over HTTP with a device
//! cookie, posts through the plain form, follows its room over the
//! WebSocket and fetches its whole page again on each event, as
//! `app/script/phone.js` does. A post's latency is the time from sending it
//! to every phone of its gathering having fetched a page that holds it. The
//! last line printed is the summary:
//!
//! `LOAD participants=… gatherings=… posts=… acked=… lost=… dup=… p50_ms=… p95_ms=… p99_ms=… max_ms=… server_rss_mb=… kb_per_conn=… …`
//!
//! With `--socket-path` it measures the older way instead: one WebSocket
//! per participant sending `Act` messages, one screen per gathering, and a
//! post's latency until the reveal carrying it has reached every socket of
//! its gathering. No phone works that way; it is kept because it isolates
//! the room and its fan-out from page rendering.
//!
//! With `--map-storm` it runs the map storm instead (see `map_storm`):
//! every phone placing every revealed card on a worldview map at once.
//! With `--page-storm`, the page storm (see `page_storm`): every phone
//! fetching its page at once, as the phones' script does after a reveal.
//! With `--restart-storm`, the restart storm (see `restart_storm`): a full
//! room, its server killed and started again, and every phone back at once.
//! With `--statements`, the statements run (see `statements`): a hall
//! answering statements by the phone's plain form, the landscape watched.
//! With `--deal`, the deal (see `deal`): every phone dealt into small groups
//! at once.
//!
//! Every loop is bounded in count and time, and it only ever talks to
//! loopback addresses.

mod cluster;
mod deal;
mod map_storm;
mod page_storm;
mod phones;
mod restart_storm;
mod statements;

use futures_util::{SinkExt, StreamExt};
use hearth_core::error::ErrorCode;
use hearth_core::ids::{ActionId, StepId};
use hearth_core::protocol::{Action, ClientMsg, Outcome, ServerMsg};
use hearth_core::reflection::ReflectionText;
use hearth_tests::{create_gathering_at, workspace_root, Device, Gathering, TestServer};
use std::collections::HashMap;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::sync::atomic::Ordering::Relaxed;
use std::sync::atomic::{AtomicBool, AtomicU32, AtomicU64};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};
use tokio::sync::{mpsc, watch, Notify};
use tokio::task::JoinSet;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::HeaderValue;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;
use tokio_tungstenite::tungstenite::Message;

type Ws =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;
type Error = Box<dyn std::error::Error + Send + Sync>;

const USAGE: &str = "\
usage: load [flags]
  --participants N      phones in all (default 200)
  --gatherings G        gatherings to spread them over (default 2)
  --rate R              reflections per second in all (default 50)
  --duration S          seconds of posting (default 10)
  --server URL          an already running Hearth on this machine, e.g. http://127.0.0.1:3000
  --server-pid PID      its process id, for its memory use (found from the port if omitted)
  --bin PATH            the hearth binary to start instead (default target/release/hearth,
                        else target/debug/hearth, under the workspace root)
  --connect-batch N     connections opened at once (default 200)
  --connect-timeout S   seconds one connection may take to open (default 20)
  --drain S             seconds to wait after posting for the last cards (default 30;
                        10 with --socket-path)
  --console-reveal      the console reveals each acknowledged batch (default: the step
                        reveals by itself, as with the console's Reveal by itself)
  --socket-path         instead: participants act over the WebSocket, as no phone does
  --map-storm           instead: every phone places every card of a map step at once
  --page-storm          instead: every phone fetches its page at once, after a reveal
  --restart-storm       instead: a full room, a SIGKILL and restart, every phone back at once
  --statements          instead: phones answer statements by the plain form at --rate a second
  --answers N           the statements run's answers per phone (default 100; statements by --cards)
  --deal                instead: every phone dealt into small groups at once
  --sigterm             the restart storm stops the server with SIGTERM instead of SIGKILL
  --cards N             the map storm's stories, the page storm's cards (default 40);
                        the restart storm's cards in all (default 3000)
  --current N           the restart storm's cards on the step the room is on (default 100)
  --marks N             the restart storm's resonances (default 20000)
  --rounds N            the page storm's rounds (default 5)
  --map                 the page storm on the map step (default: the first, a board)
  --console SECRET      the map storm's gathering (else it starts one)
  --join TOKEN          that gathering's join token (with --console)
  --nodes N             start N nodes on one PostgreSQL database (HEARTH_TEST_POSTGRES) behind
                        nginx round-robin, and drive them through nginx (default 1: one node)
  --kill-owner-after S  with --nodes: SIGKILL the node owning the busiest gathering S seconds
                        into the posting
  --strict              the phones' path: exit 1 unless every post was acknowledged and
                        reached every phone exactly once";

/// How long the room may take to let all connections in, beyond a per
/// connection allowance.
const READY_BASE: Duration = Duration::from_secs(30);
/// The per-connection allowance (each join is one durable write).
const READY_PER_CONN: Duration = Duration::from_millis(20);
/// Longest the tool spends opening connections.
const CONNECT_PHASE_LIMIT: Duration = Duration::from_secs(600);
/// Longest a reveal may stay unanswered before the console tries again.
const REVEAL_PATIENCE: Duration = Duration::from_secs(10);
/// Least time between two reveals of one console: the server lets one
/// connection act about 10 times a second.
const REVEAL_GAP: Duration = Duration::from_millis(110);
/// Marks a post's number inside its text: `~p<n>~`.
const MARK: &str = "~p";

struct Args {
    socket_path: bool,
    console_reveal: bool,
    map_storm: bool,
    page_storm: bool,
    restart_storm: bool,
    statements: bool,
    answers: usize,
    deal: bool,
    sigterm: bool,
    current: usize,
    marks: usize,
    rounds: usize,
    map: bool,
    cards: usize,
    console: Option<String>,
    join: Option<String>,
    participants: usize,
    gatherings: usize,
    rate: f64,
    duration: f64,
    server: Option<String>,
    server_pid: Option<u32>,
    bin: Option<PathBuf>,
    connect_batch: usize,
    connect_timeout: Duration,
    /// `None`: the measurement's own default.
    drain: Option<Duration>,
    /// Nodes on one PostgreSQL database behind nginx (1: a single node).
    nodes: usize,
    kill_owner_after: Option<Duration>,
    /// Fail unless every post was acknowledged and reached every phone once.
    strict: bool,
}

fn parse_args() -> Result<Args, String> {
    let mut args = Args {
        socket_path: false,
        console_reveal: false,
        map_storm: false,
        page_storm: false,
        restart_storm: false,
        statements: false,
        answers: 100,
        deal: false,
        sigterm: false,
        current: 100,
        marks: 20_000,
        rounds: 5,
        map: false,
        cards: 40,
        console: None,
        join: None,
        participants: 200,
        gatherings: 2,
        rate: 50.0,
        duration: 10.0,
        server: None,
        server_pid: None,
        bin: None,
        connect_batch: 200,
        connect_timeout: Duration::from_secs(20),
        drain: None,
        nodes: 1,
        kill_owner_after: None,
        strict: false,
    };
    let mut it = std::env::args().skip(1);
    let mut cards = None;
    while let Some(flag) = it.next() {
        if flag == "--help" || flag == "-h" {
            println!("{USAGE}");
            std::process::exit(0);
        }
        if flag == "--socket-path" {
            args.socket_path = true;
            continue;
        }
        if flag == "--console-reveal" {
            args.console_reveal = true;
            continue;
        }
        if flag == "--map-storm" {
            args.map_storm = true;
            continue;
        }
        if flag == "--page-storm" {
            args.page_storm = true;
            continue;
        }
        if flag == "--restart-storm" {
            args.restart_storm = true;
            continue;
        }
        if flag == "--statements" {
            args.statements = true;
            continue;
        }
        if flag == "--deal" {
            args.deal = true;
            continue;
        }
        if flag == "--sigterm" {
            args.sigterm = true;
            continue;
        }
        if flag == "--strict" {
            args.strict = true;
            continue;
        }
        if flag == "--map" {
            args.map = true;
            continue;
        }
        let (name, inline) = match flag.split_once('=') {
            Some((n, v)) => (n.to_owned(), Some(v.to_owned())),
            None => (flag.clone(), None),
        };
        let value = match inline {
            Some(v) => v,
            None => it.next().ok_or_else(|| format!("{name} needs a value"))?,
        };
        match name.as_str() {
            "--participants" => args.participants = number(&name, &value)?,
            "--cards" => cards = Some(number(&name, &value)?),
            "--current" => args.current = number(&name, &value)?,
            "--marks" => args.marks = number(&name, &value)?,
            "--rounds" => args.rounds = number(&name, &value)?,
            "--answers" => args.answers = number(&name, &value)?,
            "--console" => args.console = Some(value),
            "--join" => args.join = Some(value),
            "--gatherings" => args.gatherings = number(&name, &value)?,
            "--rate" => args.rate = number(&name, &value)?,
            "--duration" => args.duration = number(&name, &value)?,
            "--server" => args.server = Some(value),
            "--server-pid" => args.server_pid = Some(number(&name, &value)?),
            "--bin" => args.bin = Some(PathBuf::from(value)),
            "--connect-batch" => args.connect_batch = number(&name, &value)?,
            "--connect-timeout" => {
                args.connect_timeout = Duration::from_secs_f64(number(&name, &value)?)
            }
            "--drain" => args.drain = Some(Duration::from_secs_f64(number(&name, &value)?)),
            "--nodes" => args.nodes = number(&name, &value)?,
            "--kill-owner-after" => {
                args.kill_owner_after = Some(Duration::from_secs_f64(number(&name, &value)?))
            }
            _ => return Err(format!("unknown flag {name}")),
        }
    }
    args.cards = cards.unwrap_or(if args.restart_storm { 3000 } else { 40 });
    let check = |ok: bool, what: &str| if ok { Ok(()) } else { Err(what.to_owned()) };
    check((1..=8).contains(&args.nodes), "--nodes must be 1 to 8")?;
    check(
        args.kill_owner_after.is_none()
            || (args.nodes > 1
                && !(args.socket_path || args.map_storm || args.page_storm || args.restart_storm)),
        "--kill-owner-after needs --nodes 2 or more, on the phones' path",
    )?;
    check(
        args.nodes == 1 || args.server.is_none(),
        "--nodes starts its own nodes: leave --server out",
    )?;
    check(
        (1..=100_000).contains(&args.participants),
        "--participants must be 1 to 100000",
    )?;
    if args.restart_storm {
        check(
            (2..=100_000).contains(&args.cards),
            "--cards must be 2 to 100000 for the restart storm",
        )?;
        check(
            (1..args.cards).contains(&args.current) && args.current <= args.participants,
            "--current must be 1 to min(cards - 1, participants)",
        )?;
        check(
            args.marks <= 10 * args.participants && args.marks <= 10 * (args.cards - args.current),
            "--marks must be at most 10 per participant and 10 per card of the first step",
        )?;
    } else if args.statements {
        check(
            (1..=2000).contains(&args.cards),
            "--cards must be 1 to 2000 for the statements run",
        )?;
        check(
            (1..=args.cards).contains(&args.answers),
            "--answers must be 1 to --cards",
        )?;
    } else if args.map_storm || args.page_storm {
        check(
            (1..=args.participants.min(200)).contains(&args.cards),
            "--cards must be 1 to min(participants, 200)",
        )?;
    }
    check(
        (1..=100).contains(&args.rounds),
        "--rounds must be 1 to 100",
    )?;
    check(
        [
            args.socket_path,
            args.map_storm,
            args.page_storm,
            args.restart_storm,
            args.statements,
            args.deal,
        ]
        .iter()
        .filter(|on| **on)
        .count()
            <= 1,
        "give one of --socket-path, --map-storm, --page-storm, --restart-storm, --statements and --deal",
    )?;
    check(
        args.console.is_some() == args.join.is_some(),
        "give --console and --join together",
    )?;
    check(
        (1..=args.participants.min(1000)).contains(&args.gatherings),
        "--gatherings must be 1 to min(participants, 1000)",
    )?;
    check(
        args.rate > 0.0 && args.rate <= 100_000.0,
        "--rate must be above 0 and at most 100000",
    )?;
    check(
        args.duration > 0.0 && args.duration <= 3600.0,
        "--duration must be above 0 and at most 3600 seconds",
    )?;
    check(
        args.rate * args.duration <= 5_000_000.0,
        "rate × duration must be at most 5,000,000 posts",
    )?;
    check(
        (1..=5000).contains(&args.connect_batch),
        "--connect-batch must be 1 to 5000",
    )?;
    check(
        args.connect_timeout >= Duration::from_secs(1)
            && args.connect_timeout <= Duration::from_secs(300),
        "--connect-timeout must be 1 to 300 seconds",
    )?;
    check(
        args.drain.is_none_or(|d| d <= Duration::from_secs(600)),
        "--drain must be at most 600 seconds",
    )?;
    if args.server.is_some() && args.bin.is_some() {
        return Err("give --server or --bin, not both".into());
    }
    Ok(args)
}

fn number<T: std::str::FromStr>(name: &str, value: &str) -> Result<T, String> {
    value
        .trim()
        .parse()
        .map_err(|_| format!("{name}: `{value}` is not a valid number"))
}

/// Reads `http://host:port` and refuses anything but this machine.
fn loopback(url: &str) -> Result<SocketAddr, String> {
    let refuse = || {
        format!(
            "--server {url}: the load tool only talks to a Hearth on this machine; \
             give http://127.0.0.1:<port> or http://localhost:<port>"
        )
    };
    let rest = url.strip_prefix("http://").ok_or_else(refuse)?;
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    if authority.contains('@') {
        return Err(refuse());
    }
    let (host, port) = if let Some(v6) = authority.strip_prefix('[') {
        let (host, after) = v6.split_once(']').ok_or_else(refuse)?;
        (host, after.strip_prefix(':').unwrap_or("80"))
    } else {
        authority.rsplit_once(':').unwrap_or((authority, "80"))
    };
    let ip: IpAddr = if host.eq_ignore_ascii_case("localhost") {
        IpAddr::V4(Ipv4Addr::LOCALHOST)
    } else {
        host.parse().map_err(|_| refuse())?
    };
    if !ip.is_loopback() {
        return Err(refuse());
    }
    let port: u16 = port.parse().map_err(|_| refuse())?;
    Ok(SocketAddr::new(ip, port))
}

/// Raises this process's open-file limit (inherited by a server it starts)
/// with `prlimit`, so thousands of sockets can be open.
fn raise_open_files(needed: u64) {
    let read = || -> Option<(u64, u64)> {
        let limits = std::fs::read_to_string("/proc/self/limits").ok()?;
        let line = limits.lines().find(|l| l.starts_with("Max open files"))?;
        let mut fields = line.split_whitespace().skip(3);
        let value = |f: Option<&str>| match f? {
            "unlimited" => Some(u64::MAX),
            n => n.parse().ok(),
        };
        Some((value(fields.next())?, value(fields.next())?))
    };
    let Some((soft, hard)) = read() else { return };
    let want = needed + 512;
    if soft >= want {
        return;
    }
    let nr_open = std::fs::read_to_string("/proc/sys/fs/nr_open")
        .ok()
        .and_then(|s| s.trim().parse::<u64>().ok())
        .unwrap_or(1 << 20);
    let new_soft = want.max(65_536).min(nr_open);
    let new_hard = hard.max(new_soft);
    let hard_text = if new_hard == u64::MAX {
        "unlimited".to_owned()
    } else {
        new_hard.to_string()
    };
    let attempt = |soft: u64, hard: &str| {
        std::process::Command::new("prlimit")
            .arg("--pid")
            .arg(std::process::id().to_string())
            .arg(format!("--nofile={soft}:{hard}"))
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    };
    if !attempt(new_soft, &hard_text) && hard != u64::MAX {
        // Not allowed to raise the hard limit: go as far as it allows.
        attempt(hard.min(new_soft), &hard.to_string());
    }
    let now = read().map(|(s, _)| s).unwrap_or(soft);
    if now >= want {
        println!("open-file limit raised from {soft} to {now}");
    } else {
        println!(
            "warning: the open-file limit is {now} (hard limit {hard}, which this process may \
             not raise) but about {want} are needed; if connections fail with \"Too many open \
             files\", run `ulimit -n 65536` (as a user allowed to) and try again"
        );
    }
}

/// The server's resident memory in MB, as a storm's summary prints it.
fn server_rss_mb(target: &Target) -> String {
    target
        .pid
        .and_then(rss_kb)
        .map(|kb| format!("{:.0}", kb as f64 / 1024.0))
        .unwrap_or_else(|| "unknown".into())
}

/// The resident memory of a process, in KiB.
fn rss_kb(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// CPU seconds a process has used (user + system), assuming the usual
/// 100 clock ticks a second.
fn cpu_seconds(pid: u32) -> Option<f64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The command name may hold spaces; the fields after it do not.
    let rest = &stat[stat.rfind(')')? + 2..];
    let mut fields = rest.split_whitespace().skip(11);
    let user: f64 = fields.next()?.parse().ok()?;
    let system: f64 = fields.next()?.parse().ok()?;
    Some((user + system) / 100.0)
}

/// The process listening on a local TCP port, found through `/proc`.
fn find_listening_pid(port: u16) -> Option<u32> {
    let mut inodes = Vec::new();
    for table in ["/proc/net/tcp", "/proc/net/tcp6"] {
        let Ok(text) = std::fs::read_to_string(table) else {
            continue;
        };
        for line in text.lines().skip(1) {
            let fields: Vec<&str> = line.split_whitespace().collect();
            let (Some(local), Some(state), Some(inode)) =
                (fields.get(1), fields.get(3), fields.get(9))
            else {
                continue;
            };
            let listening_here = *state == "0A"
                && local
                    .rsplit_once(':')
                    .and_then(|(_, p)| u16::from_str_radix(p, 16).ok())
                    == Some(port);
            if listening_here {
                inodes.push(format!("socket:[{inode}]"));
            }
        }
    }
    if inodes.is_empty() {
        return None;
    }
    for entry in std::fs::read_dir("/proc").ok()?.flatten().take(100_000) {
        let Some(pid) = entry
            .file_name()
            .to_str()
            .and_then(|s| s.parse::<u32>().ok())
        else {
            continue;
        };
        let Ok(fds) = std::fs::read_dir(entry.path().join("fd")) else {
            continue;
        };
        for fd in fds.flatten().take(1_000_000) {
            if let Ok(target) = std::fs::read_link(fd.path()) {
                if inodes.iter().any(|i| target.as_os_str() == i.as_str()) {
                    return Some(pid);
                }
            }
        }
    }
    None
}

/// One planned reflection.
#[derive(Default)]
struct Post {
    gathering: AtomicU32,
    /// Nanoseconds since the start, plus one; zero while unsent.
    sent_ns: AtomicU64,
    acks: AtomicU32,
    /// When its first acknowledgement arrived (as `sent_ns`).
    ack_ns: AtomicU64,
    card: OnceLock<String>,
    refused: AtomicBool,
    /// Clients of its gathering that have it.
    seen: AtomicU32,
    /// When the last of them got it (as `sent_ns`); zero until then.
    done_ns: AtomicU64,
}

/// One gathering's figures.
#[derive(Default)]
struct Room {
    /// Clients (participants and the screen) every card must reach.
    target: AtomicU32,
    /// Acknowledged reflections no reveal has been sent for yet.
    pending: AtomicU64,
    wake: Notify,
    reveals: AtomicU64,
    reveal_ns: AtomicU64,
    /// When each reveal was sent (as `sent_ns`), in order.
    reveals_sent: Mutex<Vec<u64>>,
}

struct Shared {
    start: Instant,
    run: String,
    posts: Vec<Post>,
    rooms: Vec<Room>,
    sent: AtomicU64,
    acked: AtomicU64,
    dup: AtomicU64,
    /// Cards that reached a client of another gathering.
    crossed: AtomicU64,
    /// Snapshots after the first: the server resynchronised a slow client.
    resyncs: AtomicU64,
    /// Events that did not follow the previous one.
    gaps: AtomicU64,
    disconnects: AtomicU64,
    send_failures: AtomicU64,
    errors: Mutex<HashMap<String, u64>>,
}

impl Shared {
    /// The bookkeeping for `posts` planned reflections in `rooms` gatherings.
    fn new(posts: usize, rooms: usize) -> Self {
        Self {
            start: Instant::now(),
            // Tells this run's action ids apart from any earlier run's.
            run: Device::new().token[24..].to_owned(),
            posts: (0..posts).map(|_| Post::default()).collect(),
            rooms: (0..rooms).map(|_| Room::default()).collect(),
            sent: AtomicU64::new(0),
            acked: AtomicU64::new(0),
            dup: AtomicU64::new(0),
            crossed: AtomicU64::new(0),
            resyncs: AtomicU64::new(0),
            gaps: AtomicU64::new(0),
            disconnects: AtomicU64::new(0),
            send_failures: AtomicU64::new(0),
            errors: Mutex::default(),
        }
    }

    /// Posts sent but not yet settled: unanswered, or acknowledged and not
    /// yet everywhere (a post handed to its sender but not sent is open too).
    fn open_posts(&self) -> usize {
        self.posts
            .iter()
            .filter(|p| {
                let sent = p.sent_ns.load(Relaxed) != 0;
                let acked = p.acks.load(Relaxed) > 0;
                let refused = p.refused.load(Relaxed);
                !sent || (!acked && !refused) || (acked && p.done_ns.load(Relaxed) == 0)
            })
            .count()
    }

    fn now_ns(&self) -> u64 {
        self.start.elapsed().as_nanos() as u64 + 1
    }

    fn error(&self, what: impl Into<String>) {
        let mut errors = self.errors.lock().unwrap_or_else(|p| p.into_inner());
        *errors.entry(what.into()).or_default() += 1;
    }

    fn post_id(&self, n: usize) -> String {
        format!("load-{}-{n}", self.run)
    }

    /// The post an action id names, if it is one of ours.
    fn post_of(&self, id: &str) -> Option<usize> {
        let n: usize = id
            .strip_prefix("load-")?
            .strip_prefix(self.run.as_str())?
            .strip_prefix('-')?
            .parse()
            .ok()?;
        (n < self.posts.len()).then_some(n)
    }
}

/// What one client has seen, kept small: a bit per post.
struct Seen {
    bits: Vec<u64>,
    last_seq: Option<u64>,
    snapshots: u32,
}

impl Seen {
    fn new() -> Self {
        Self {
            bits: Vec::new(),
            last_seq: None,
            snapshots: 0,
        }
    }

    /// Marks post `n` as seen; says whether it already was.
    fn mark(&mut self, n: usize) -> bool {
        let (word, bit) = (n / 64, 1u64 << (n % 64));
        if self.bits.len() <= word {
            self.bits.resize(word + 1, 0);
        }
        let was = self.bits[word] & bit != 0;
        self.bits[word] |= bit;
        was
    }
}

/// The number after the first `key` in `text`.
fn number_after(text: &str, key: &str) -> Option<u64> {
    let rest = &text[text.find(key)? + key.len()..];
    let end = rest
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(rest.len());
    rest[..end].parse().ok()
}

/// The post numbers marked in a message's card texts.
fn marks(text: &str) -> impl Iterator<Item = usize> + '_ {
    text.match_indices(MARK).filter_map(move |(at, _)| {
        let rest = &text[at + MARK.len()..];
        let end = rest.find('~')?;
        rest[..end].parse().ok()
    })
}

/// Applies one message from the server to a client's bookkeeping.
fn absorb(text: &str, gathering: usize, seen: &mut Seen, ready: &AtomicBool, shared: &Shared) {
    if text.starts_with(r#"{"type":"event""#) {
        let seq = number_after(text, r#""seq":"#);
        if let (Some(last), Some(seq)) = (seen.last_seq, seq) {
            if seq != last + 1 {
                shared.gaps.fetch_add(1, Relaxed);
            }
        }
        if seq.is_some() {
            seen.last_seq = seq;
        }
        if text.contains(r#""type":"cards_revealed""#) {
            for n in marks(text) {
                deliver(n, true, gathering, seen, shared);
            }
        }
    } else if text.starts_with(r#"{"type":"snapshot""#) {
        seen.snapshots += 1;
        if seen.snapshots > 1 {
            shared.resyncs.fetch_add(1, Relaxed);
        }
        seen.last_seq = number_after(text, r#""seq":"#);
        for n in marks(text) {
            deliver(n, false, gathering, seen, shared);
        }
        ready.store(true, Relaxed);
    } else if text.starts_with(r#"{"type":"ack""#) || text.starts_with(r#"{"type":"error""#) {
        match serde_json::from_str::<ServerMsg>(text) {
            Ok(ServerMsg::Ack { id, outcome }) => {
                if let Some(n) = shared.post_of(id.as_str()) {
                    let card = match outcome {
                        Outcome::Added { card } => card.id.as_str().to_owned(),
                        other => format!("{other:?}"),
                    };
                    acked(n, gathering, card, shared);
                }
            }
            Ok(ServerMsg::Error { id, code }) => {
                shared.error(format!("{code:?}"));
                if let Some(n) = id.and_then(|id| shared.post_of(id.as_str())) {
                    shared.posts[n].refused.store(true, Relaxed);
                }
            }
            _ => shared.error("unreadable message"),
        }
    }
}

/// Post `n` reached this client.
fn deliver(n: usize, by_event: bool, gathering: usize, seen: &mut Seen, shared: &Shared) {
    let Some(post) = shared.posts.get(n) else {
        return;
    };
    if seen.mark(n) {
        // A snapshot repeats what the client had; an event must not.
        if by_event {
            shared.dup.fetch_add(1, Relaxed);
        }
        return;
    }
    if post.gathering.load(Relaxed) as usize != gathering {
        shared.crossed.fetch_add(1, Relaxed);
        return;
    }
    let have = post.seen.fetch_add(1, Relaxed) + 1;
    if have == shared.rooms[gathering].target.load(Relaxed) {
        post.done_ns.store(shared.now_ns(), Relaxed);
    }
}

/// Post `n` was acknowledged as stored as `card`; a second answer must
/// name the same card.
fn acked(n: usize, gathering: usize, card: String, shared: &Shared) {
    let post = &shared.posts[n];
    if post.acks.fetch_add(1, Relaxed) == 0 {
        post.ack_ns.store(shared.now_ns(), Relaxed);
        let _ = post.card.set(card);
        shared.acked.fetch_add(1, Relaxed);
        let room = &shared.rooms[gathering];
        room.pending.fetch_add(1, Relaxed);
        room.wake.notify_one();
    } else if post.card.get() != Some(&card) {
        shared.dup.fetch_add(1, Relaxed);
    }
}

fn reflection_json(shared: &Shared, n: usize, gathering: usize) -> Option<String> {
    let text = ReflectionText::parse(&format!(
        "Load reflection {MARK}{n}~ in room {gathering}: I noticed my breath slow down."
    ))
    .ok()?;
    let msg = ClientMsg::Act {
        id: ActionId::parse(&shared.post_id(n)).ok()?,
        action: Action::AddReflection {
            step: StepId(1),
            text,
            place: hearth_core::exercise::Place::Board,
            sensitive: false,
        },
    };
    serde_json::to_string(&msg).ok()
}

async fn next_post(posts: &mut Option<mpsc::Receiver<u32>>) -> Option<u32> {
    match posts {
        Some(rx) => rx.recv().await,
        None => std::future::pending().await,
    }
}

/// One participant or screen: reads everything, sends the posts it is given.
async fn client(
    mut ws: Ws,
    gathering: usize,
    ready: Arc<AtomicBool>,
    mut posts: Option<mpsc::Receiver<u32>>,
    shared: Arc<Shared>,
    mut stop: watch::Receiver<bool>,
) {
    let mut seen = Seen::new();
    loop {
        tokio::select! {
            _ = stop.changed() => return,
            message = ws.next() => match message {
                Some(Ok(Message::Text(text))) => {
                    absorb(text.as_str(), gathering, &mut seen, &ready, &shared)
                }
                Some(Ok(Message::Close(_))) | None | Some(Err(_)) => {
                    shared.disconnects.fetch_add(1, Relaxed);
                    return;
                }
                Some(Ok(_)) => {}
            },
            post = next_post(&mut posts) => {
                let Some(n) = post else {
                    posts = None;
                    continue;
                };
                let n = n as usize;
                let Some(json) = reflection_json(&shared, n, gathering) else {
                    shared.error("could not build a reflection");
                    continue;
                };
                shared.posts[n].sent_ns.store(shared.now_ns(), Relaxed);
                shared.sent.fetch_add(1, Relaxed);
                if ws.send(Message::Text(json.into())).await.is_err() {
                    shared.send_failures.fetch_add(1, Relaxed);
                    shared.disconnects.fetch_add(1, Relaxed);
                    return;
                }
            }
        }
    }
}

/// One gathering's console: reveals whenever reflections were acknowledged
/// since the last reveal, one reveal at a time and no more often than the
/// server lets one connection act.
async fn console(
    mut ws: Ws,
    gathering: usize,
    ready: Arc<AtomicBool>,
    shared: Arc<Shared>,
    mut stop: watch::Receiver<bool>,
) {
    let room = &shared.rooms[gathering];
    let mut in_flight: Option<(String, Instant)> = None;
    let mut next_allowed = Instant::now();
    let mut count = 0u64;
    let mut tick = tokio::time::interval(Duration::from_secs(1));
    loop {
        let want = in_flight.is_none() && room.pending.load(Relaxed) > 0;
        let mut answered = None;
        tokio::select! {
            _ = stop.changed() => return,
            message = ws.next() => match message {
                Some(Ok(Message::Text(text))) => {
                    let text = text.as_str();
                    if text.starts_with(r#"{"type":"ack""#) || text.starts_with(r#"{"type":"error""#) {
                        match serde_json::from_str::<ServerMsg>(text) {
                            Ok(ServerMsg::Ack { id, .. }) => answered = Some((id, None)),
                            Ok(ServerMsg::Error { id: Some(id), code }) => {
                                shared.error(format!("reveal: {code:?}"));
                                answered = Some((id, Some(code)));
                            }
                            _ => shared.error("console: unreadable answer"),
                        }
                    } else if text.starts_with(r#"{"type":"snapshot""#) {
                        // The console is not one of the views measured.
                        ready.store(true, Relaxed);
                    }
                }
                Some(Ok(Message::Close(_))) | None | Some(Err(_)) => {
                    shared.disconnects.fetch_add(1, Relaxed);
                    shared.error("the console was disconnected");
                    return;
                }
                Some(Ok(_)) => {}
            },
            _ = room.wake.notified() => {}
            _ = tokio::time::sleep_until(next_allowed.into()), if want => {}
            _ = tick.tick() => {}
        }
        if let (Some((id, refusal)), Some((waiting, at))) = (&answered, &in_flight) {
            if id.as_str() == waiting {
                if let Some(code) = refusal {
                    // Try again, later if the server asked us to slow down.
                    room.pending.fetch_add(1, Relaxed);
                    if *code == ErrorCode::RateLimited {
                        next_allowed = Instant::now() + Duration::from_millis(500);
                    }
                } else {
                    room.reveals.fetch_add(1, Relaxed);
                    room.reveal_ns
                        .fetch_add(at.elapsed().as_nanos() as u64, Relaxed);
                }
                in_flight = None;
            }
        }
        if let Some((_, at)) = &in_flight {
            if at.elapsed() > REVEAL_PATIENCE {
                shared.error("a reveal went unanswered");
                room.pending.fetch_add(1, Relaxed);
                in_flight = None;
            }
        }
        let now = Instant::now();
        if in_flight.is_none() && now >= next_allowed && room.pending.swap(0, Relaxed) > 0 {
            count += 1;
            let id = format!("load-{}-reveal-{gathering}-{count}", shared.run);
            let Ok(action_id) = ActionId::parse(&id) else {
                shared.error("bad reveal id");
                return;
            };
            let msg = ClientMsg::Act {
                id: action_id,
                action: Action::Reveal,
            };
            let Ok(json) = serde_json::to_string(&msg) else {
                return;
            };
            if ws.send(Message::Text(json.into())).await.is_err() {
                shared.error("the console could not send");
                return;
            }
            in_flight = Some((id, now));
            room.reveals_sent
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .push(shared.now_ns());
            next_allowed = now + REVEAL_GAP;
        }
    }
}

/// Opens one WebSocket with small buffers.
async fn open(addr: SocketAddr, path: &str, device: Option<&Device>) -> Result<Ws, Error> {
    let mut request = format!("ws://{addr}{path}").into_client_request()?;
    if let Some(device) = device {
        request
            .headers_mut()
            .insert("cookie", HeaderValue::from_str(&device.cookie())?);
    }
    let config = WebSocketConfig::default()
        .read_buffer_size(4 * 1024)
        .write_buffer_size(0);
    let (ws, _) = tokio_tungstenite::connect_async_with_config(request, Some(config), true).await?;
    Ok(ws)
}

fn too_many_files(e: &Error) -> bool {
    let text = e.to_string();
    text.contains("Too many open files") || text.contains("os error 24")
}

#[derive(Clone, Copy)]
enum Kind {
    Console,
    Screen,
    Participant,
}

struct Conn {
    kind: Kind,
    gathering: usize,
    ready: Arc<AtomicBool>,
    task: tokio::task::AbortHandle,
    posts: Option<mpsc::Sender<u32>>,
}

struct Target {
    addr: SocketAddr,
    base: String,
    http: reqwest::Client,
    pid: Option<u32>,
    own: Option<TestServer>,
    /// With `--nodes`: the nodes and nginx (the target is nginx).
    cluster: Option<cluster::Cluster>,
}

/// Starts a gathering on `agenda` as the start page does, and opens its
/// console: the gathering, the console's socket and the room as it first
/// sees it.
async fn gathering_with_console(
    target: &Target,
    name: &str,
    agenda: &str,
) -> Result<(Gathering, Ws, hearth_core::gathering::GatheringView), Error> {
    let g = create_gathering_at(
        &target.http,
        &target.base,
        &[("name", name), ("agenda", agenda)],
    )
    .await?;
    let mut console = open(target.addr, &g.console_ws(), None).await?;
    let view = map_storm::snapshot(&mut console).await?;
    Ok((g, console, view))
}

async fn target(args: &Args) -> Result<Target, Error> {
    if let Some(url) = &args.server {
        let addr = loopback(url)?;
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(Duration::from_secs(10))
            .build()?;
        let pid = args.server_pid.or_else(|| find_listening_pid(addr.port()));
        if pid.is_none() {
            println!(
                "note: the server's process was not found; give --server-pid for its memory use"
            );
        }
        return Ok(Target {
            addr,
            base: format!("http://{addr}"),
            http,
            pid,
            own: None,
            cluster: None,
        });
    }
    let bin = match &args.bin {
        Some(bin) => bin.clone(),
        None => {
            let release = workspace_root().join("target/release/hearth");
            if release.exists() {
                release
            } else {
                workspace_root().join("target/debug/hearth")
            }
        }
    };
    if !bin.exists() {
        return Err(format!(
            "{} does not exist; build it (cargo build --release -p server) or give --bin or --server",
            bin.display()
        )
        .into());
    }
    if args.nodes > 1 {
        return cluster::start(bin, args.nodes).await;
    }
    println!("starting {}", bin.display());
    let server = TestServer::start(&bin).await?;
    Ok(Target {
        addr: server.addr,
        base: server.base.clone(),
        http: server.http.clone(),
        pid: server.pid(),
        own: Some(server),
        cluster: None,
    })
}

/// The reveal that most likely carried a post: the first one sent after its
/// acknowledgement arrived, or else the last one sent before everyone had it.
fn covering_reveal(times: &[u64], acked: u64, done: u64) -> Option<u64> {
    let first_after = times.partition_point(|&t| t < acked);
    match times.get(first_after) {
        Some(&t) if t <= done => Some(t),
        _ => times[..times.partition_point(|&t| t <= done)]
            .last()
            .copied(),
    }
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

fn main() {
    let args = match parse_args() {
        Ok(args) => args,
        Err(e) => {
            eprintln!("load: {e}\n\n{USAGE}");
            std::process::exit(2);
        }
    };
    // Each process (this one, and a server it starts) holds one socket per
    // connection; a phone holds up to three (its WebSocket, a page being
    // fetched and a post being sent).
    raise_open_files((3 * args.participants + 2 * args.gatherings) as u64);
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("load: cannot start the runtime: {e}");
            std::process::exit(1);
        }
    };
    let code = match runtime.block_on(run(args)) {
        Ok(line) => {
            println!("{line}");
            0
        }
        Err(e) => {
            eprintln!("load: {e}");
            1
        }
    };
    // Connection tasks end with the runtime, without waiting for peers.
    runtime.shutdown_timeout(Duration::from_secs(2));
    std::process::exit(code);
}

async fn run(args: Args) -> Result<String, Error> {
    let mut target = target(&args).await?;
    let result = if args.map_storm {
        let storm = map_storm::Storm {
            participants: args.participants,
            cards: args.cards,
            console: args.console.clone(),
            join: args.join.clone(),
            connect_batch: args.connect_batch,
        };
        map_storm::run(&storm, &target).await
    } else if args.page_storm {
        let storm = page_storm::Storm {
            participants: args.participants,
            cards: args.cards,
            rounds: args.rounds,
            map: args.map,
            connect_batch: args.connect_batch,
        };
        page_storm::run(&storm, &target).await
    } else if args.restart_storm {
        let storm = restart_storm::Storm {
            participants: args.participants,
            cards: args.cards,
            current: args.current,
            marks: args.marks,
            connect_batch: args.connect_batch,
            sigterm: args.sigterm,
        };
        restart_storm::run(&storm, &mut target).await
    } else if args.statements {
        let run = statements::Run {
            participants: args.participants,
            statements: args.cards,
            answers: args.answers,
            rate: args.rate,
            connect_batch: args.connect_batch,
        };
        statements::run(&run, &target).await
    } else if args.deal {
        deal::run(args.participants, args.connect_batch, &target).await
    } else if args.socket_path {
        measure_sockets(&args, &target).await
    } else {
        phones::measure(&args, &target).await
    };
    let nodes = target.cluster.as_mut().map(|c| &mut c.nodes);
    for server in target.own.iter_mut().chain(nodes.into_iter().flatten()) {
        let log = server.log();
        let troubles: Vec<&str> = log
            .lines()
            .filter(|l| l.contains("ERROR") || l.contains("WARN") || l.contains("panicked"))
            .collect();
        if !troubles.is_empty() {
            println!(
                "server log: {} error/warning lines, the first ones:",
                troubles.len()
            );
            for line in troubles.iter().take(5) {
                println!("  {line}");
            }
        }
        server.kill()?;
    }
    result
}

/// The socket-only path (`--socket-path`): participants act over the
/// WebSocket, as no phone does.
async fn measure_sockets(args: &Args, target: &Target) -> Result<String, Error> {
    let total_posts = total_posts(args);
    let shared = Arc::new(Shared::new(total_posts, args.gatherings));
    let gatherings = create_gatherings(args, target).await?;
    println!(
        "created {} gatherings on {}; opening {} participant connections (+{} screens, +{} consoles)",
        args.gatherings, target.base, args.participants, args.gatherings, args.gatherings
    );

    tokio::time::sleep(Duration::from_millis(300)).await;
    let rss_before = target.pid.and_then(rss_kb);
    let (stop_tx, stop_rx) = watch::channel(false);
    let mut conns: Vec<Conn> = Vec::new();
    let mut tasks = JoinSet::new();
    let mut failures: HashMap<String, u64> = HashMap::new();
    let mut out_of_files = false;

    // Consoles and screens first, then the participants, in batches.
    let mut plan: Vec<(Kind, usize)> = Vec::new();
    for g in 0..args.gatherings {
        plan.push((Kind::Console, g));
        plan.push((Kind::Screen, g));
    }
    for p in 0..args.participants {
        plan.push((Kind::Participant, p % args.gatherings));
    }
    let connect_started = Instant::now();
    for (b, batch) in plan.chunks(args.connect_batch).enumerate() {
        let mut opening = JoinSet::new();
        for (i, (kind, g)) in batch.iter().enumerate() {
            let (path, device) = match kind {
                Kind::Console => (gatherings[*g].console_ws(), None),
                Kind::Screen => (gatherings[*g].screen_ws(), None),
                Kind::Participant => (gatherings[*g].participant_ws(), Some(Device::new())),
            };
            let addr = target.addr;
            let timeout = args.connect_timeout;
            opening.spawn(async move {
                let opened = tokio::time::timeout(timeout, open(addr, &path, device.as_ref()))
                    .await
                    .unwrap_or_else(|_| Err("timed out".into()));
                (i, opened)
            });
        }
        let mut opened = Vec::new();
        while let Some(done) = opening.join_next().await {
            match done {
                Ok(pair) => opened.push(pair),
                Err(e) => *failures.entry(format!("task: {e}")).or_default() += 1,
            }
        }
        opened.sort_by_key(|(i, _)| *i);
        for (i, result) in opened {
            let (kind, g) = &batch[i];
            let ws = match result {
                Ok(ws) => ws,
                Err(e) => {
                    out_of_files |= too_many_files(&e);
                    *failures.entry(e.to_string()).or_default() += 1;
                    continue;
                }
            };
            let ready = Arc::new(AtomicBool::new(false));
            let stop = stop_rx.clone();
            let shared = Arc::clone(&shared);
            let (task, posts) = match kind {
                Kind::Console => (
                    tasks.spawn(console(ws, *g, Arc::clone(&ready), shared, stop)),
                    None,
                ),
                Kind::Screen => (
                    tasks.spawn(client(ws, *g, Arc::clone(&ready), None, shared, stop)),
                    None,
                ),
                Kind::Participant => {
                    let (tx, rx) = mpsc::channel(16);
                    let task =
                        tasks.spawn(client(ws, *g, Arc::clone(&ready), Some(rx), shared, stop));
                    (task, Some(tx))
                }
            };
            conns.push(Conn {
                kind: *kind,
                gathering: *g,
                ready,
                task,
                posts,
            });
        }
        if connect_started.elapsed() > CONNECT_PHASE_LIMIT {
            println!(
                "error: opening connections took over {}s; going on with {}",
                CONNECT_PHASE_LIMIT.as_secs(),
                conns.len()
            );
            break;
        }
        if out_of_files {
            println!(
                "error: out of open files after {} connections; run `ulimit -n 65536` (or higher) and try again",
                conns.len()
            );
            break;
        }
        let done = ((b + 1) * args.connect_batch).min(plan.len());
        if (b + 1) % 10 == 0 || done == plan.len() {
            report_opened(
                "connected",
                conns.len(),
                plan.len(),
                &failures,
                connect_started,
            );
        }
    }
    for (why, n) in &failures {
        println!("connection failures: {n} × {why}");
    }

    // Every connection is in once the server has sent its first snapshot
    // (a participant's join is a durable write, so this takes a while).
    let ready_deadline = Instant::now() + READY_BASE + READY_PER_CONN * conns.len() as u32;
    let mut last_report = Instant::now();
    loop {
        let ready = conns.iter().filter(|c| c.ready.load(Relaxed)).count();
        if ready == conns.len() || Instant::now() > ready_deadline {
            break;
        }
        if last_report.elapsed() > Duration::from_secs(5) {
            println!(
                "{ready}/{} connections have their first state ({:.0}s)",
                conns.len(),
                connect_started.elapsed().as_secs_f64()
            );
            last_report = Instant::now();
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let before = conns.len();
    conns.retain(|c| {
        let ready = c.ready.load(Relaxed);
        if !ready {
            c.task.abort();
        }
        ready
    });
    if conns.len() < before {
        println!(
            "{} connections never got their first state and were dropped",
            before - conns.len()
        );
    }
    let connections = conns.len();
    let disconnected_while_joining = shared.disconnects.swap(0, Relaxed);
    if disconnected_while_joining > 0 {
        println!(
            "{disconnected_while_joining} connections were closed by the server while joining"
        );
    }
    println!(
        "{connections} connections ready after {:.1}s",
        connect_started.elapsed().as_secs_f64()
    );
    // Let the join announcements settle before measuring memory.
    tokio::time::sleep(Duration::from_secs(1)).await;
    let rss_connected = target.pid.and_then(rss_kb);

    for c in &conns {
        if !matches!(c.kind, Kind::Console) && !c.task.is_finished() {
            shared.rooms[c.gathering].target.fetch_add(1, Relaxed);
        }
    }
    let senders: Vec<(usize, mpsc::Sender<u32>)> = conns
        .iter()
        .filter(|c| !c.task.is_finished())
        .filter_map(|c| c.posts.clone().map(|tx| (c.gathering, tx)))
        .collect();
    let participants = senders.len();
    if participants == 0 {
        let _ = stop_tx.send(true);
        return Err("no participant could connect".into());
    }
    let targets: Vec<u32> = shared
        .rooms
        .iter()
        .map(|r| r.target.load(Relaxed))
        .collect();
    let (fewest, most) = (
        targets.iter().min().copied().unwrap_or(0),
        targets.iter().max().copied().unwrap_or(0),
    );
    if fewest == most {
        println!("in every gathering, each card must reach {most} views");
    } else {
        println!("each card must reach {fewest} to {most} views, by gathering: {targets:?}");
    }

    // Post at the given rate, round robin over the participants (and so
    // over the gatherings).
    println!(
        "posting {total_posts} reflections at {}/s for {}s",
        args.rate, args.duration
    );
    let posting_started = Instant::now();
    let cpu_before = cpu_now(target);
    let not_handed = post_at_rate(args, &shared, &senders, posting_started).await;

    // Wait for the last acknowledgements and reveals.
    drain(
        &shared,
        args.drain.unwrap_or(Duration::from_secs(10)),
        posting_started,
    )
    .await;
    let rss_end = target.pid.and_then(rss_kb);
    report_cpu(cpu_before, target, posting_started.elapsed().as_secs_f64());
    let _ = stop_tx.send(true);
    tasks.abort_all();

    // The figures.
    let mut latencies = Vec::new();
    let mut ack_latencies = Vec::new();
    let mut from_reveal = Vec::new();
    let reveals_sent: Vec<Vec<u64>> = shared
        .rooms
        .iter()
        .map(|r| r.reveals_sent.lock().map(|v| v.clone()).unwrap_or_default())
        .collect();
    let (mut acked, mut lost, mut unacked, mut refused) = (0u64, 0u64, 0u64, 0u64);
    for p in &shared.posts {
        let sent = p.sent_ns.load(Relaxed);
        if sent == 0 {
            continue;
        }
        if p.acks.load(Relaxed) > 0 {
            acked += 1;
            ack_latencies.push(p.ack_ns.load(Relaxed).saturating_sub(sent) as f64 / 1e6);
            let done = p.done_ns.load(Relaxed);
            if done == 0 {
                lost += 1;
            } else {
                latencies.push(done.saturating_sub(sent) as f64 / 1e6);
                let times = &reveals_sent[p.gathering.load(Relaxed) as usize];
                if let Some(reveal) = covering_reveal(times, p.ack_ns.load(Relaxed), done) {
                    from_reveal.push(done.saturating_sub(reveal) as f64 / 1e6);
                }
            }
        } else if p.refused.load(Relaxed) {
            refused += 1;
        } else {
            unacked += 1;
        }
    }
    latencies.sort_by(f64::total_cmp);
    ack_latencies.sort_by(f64::total_cmp);
    from_reveal.sort_by(f64::total_cmp);
    let posts = shared.sent.load(Relaxed);
    let errors = shared.errors.lock().map(|e| e.clone()).unwrap_or_default();
    let mut reveals = 0;
    let mut reveal_ns = 0;
    for room in &shared.rooms {
        reveals += room.reveals.load(Relaxed);
        reveal_ns += room.reveal_ns.load(Relaxed);
    }
    println!(
        "posting took {:.1}s; {} posts could not be handed to their connection; {} refused, {} never answered",
        posting_started.elapsed().as_secs_f64(),
        not_handed,
        refused,
        unacked
    );
    println!("until acknowledged (stored): {}", spread(&ack_latencies));
    println!(
        "from the reveal to every view (approx.): {}",
        spread(&from_reveal)
    );
    println!(
        "reveals={} reveal_avg_ms={:.1} resyncs={} gaps={} crossed={} disconnects={} send_failures={}",
        reveals,
        if reveals > 0 {
            reveal_ns as f64 / reveals as f64 / 1e6
        } else {
            0.0
        },
        shared.resyncs.load(Relaxed),
        shared.gaps.load(Relaxed),
        shared.crossed.load(Relaxed),
        shared.disconnects.load(Relaxed),
        shared.send_failures.load(Relaxed),
    );
    for (what, n) in &errors {
        println!("server said: {n} × {what}");
    }
    let (rss_mb, kb_per_conn) = report_memory([rss_before, rss_connected, rss_end], connections);
    Ok(format!(
        "LOAD participants={participants} gatherings={} posts={posts} acked={acked} lost={lost} dup={} {} server_rss_mb={rss_mb:.1} kb_per_conn={kb_per_conn:.1}",
        args.gatherings,
        shared.dup.load(Relaxed),
        spread(&latencies),
    ))
}

/// A sorted list of milliseconds, as the summary lines give it.
fn spread(sorted: &[f64]) -> String {
    format!(
        "p50_ms={:.1} p95_ms={:.1} p99_ms={:.1} max_ms={:.1}",
        percentile(sorted, 50.0),
        percentile(sorted, 95.0),
        percentile(sorted, 99.0),
        sorted.last().copied().unwrap_or(0.0),
    )
}

/// CPU seconds so far of the server (if known) and of this tool.
fn cpu_now(target: &Target) -> (Option<f64>, Option<f64>) {
    (
        target.pid.and_then(cpu_seconds),
        cpu_seconds(std::process::id()),
    )
}

/// Prints the CPU used over `busy` seconds; gives the server's, if known.
fn report_cpu(before: (Option<f64>, Option<f64>), target: &Target, busy: f64) -> Option<f64> {
    let ((Some(s0), Some(l0)), (Some(s1), Some(l1))) = (before, cpu_now(target)) else {
        return None;
    };
    println!(
        "CPU while posting and draining ({busy:.1}s): server {:.0}%, this tool {:.0}% (of one core)",
        (s1 - s0) / busy * 100.0,
        (l1 - l0) / busy * 100.0
    );
    Some(s1 - s0)
}

/// Prints the server's memory (KiB before connecting, connected, at the
/// end); gives its MB at the end and its KB per connection.
fn report_memory(rss: [Option<u64>; 3], connections: usize) -> (f64, f64) {
    match rss {
        [Some(a), Some(b), Some(c)] => println!(
            "server RSS: {:.1} MB before connecting, {:.1} MB connected, {:.1} MB at the end",
            a as f64 / 1024.0,
            b as f64 / 1024.0,
            c as f64 / 1024.0
        ),
        _ => println!("server RSS: unknown (no process id)"),
    }
    let kb_per_conn = match rss {
        [Some(a), Some(b), _] if connections > 0 => b.saturating_sub(a) as f64 / connections as f64,
        _ => 0.0,
    };
    let [_, connected, end] = rss;
    (end.or(connected).unwrap_or(0) as f64 / 1024.0, kb_per_conn)
}

/// Says how far opening connections (or joining phones) has come.
fn report_opened(
    what: &str,
    opened: usize,
    planned: usize,
    failures: &HashMap<String, u64>,
    since: Instant,
) {
    println!(
        "{what} {opened}/{planned} ({} failed) in {:.1}s",
        failures.values().sum::<u64>(),
        since.elapsed().as_secs_f64()
    );
}

/// How many reflections a run posts.
fn total_posts(args: &Args) -> usize {
    ((args.rate * args.duration).round() as usize).max(1)
}

/// Creates the run's gatherings, each on the blank agenda (one board).
async fn create_gatherings(args: &Args, target: &Target) -> Result<Vec<Gathering>, Error> {
    let mut gatherings = Vec::new();
    for i in 0..args.gatherings {
        let g = create_gathering_at(
            &target.http,
            &target.base,
            &[("name", &format!("Load test {i}")), ("agenda", "blank")],
        )
        .await
        .map_err(|e| format!("creating gathering {i} failed: {e}"))?;
        gatherings.push(g);
    }
    Ok(gatherings)
}

/// Hands the planned posts to their senders at the given total rate, round
/// robin (and so over the gatherings); says how many could not be handed.
async fn post_at_rate(
    args: &Args,
    shared: &Shared,
    senders: &[(usize, mpsc::Sender<u32>)],
    started: Instant,
) -> u64 {
    let total = shared.posts.len();
    let mut next = 0usize;
    let mut not_handed = 0u64;
    let mut last_report = Instant::now();
    if senders.is_empty() {
        return total as u64;
    }
    while next < total {
        let due = ((started.elapsed().as_secs_f64() * args.rate).floor() as usize + 1).min(total);
        while next < due {
            let (g, tx) = &senders[next % senders.len()];
            shared.posts[next].gathering.store(*g as u32, Relaxed);
            if tx.try_send(next as u32).is_err() {
                not_handed += 1;
            }
            next += 1;
        }
        if last_report.elapsed() >= Duration::from_secs(1) {
            report_progress(shared, started);
            last_report = Instant::now();
        }
        if next < total {
            let at = started + Duration::from_secs_f64(next as f64 / args.rate);
            tokio::time::sleep_until(at.into()).await;
        }
    }
    not_handed
}

/// Waits, at most `patience`, until every post is settled.
async fn drain(shared: &Shared, patience: Duration, since: Instant) {
    let deadline = Instant::now() + patience;
    let mut last_report = Instant::now();
    while shared.open_posts() > 0 && Instant::now() < deadline {
        if last_report.elapsed() >= Duration::from_secs(1) {
            report_progress(shared, since);
            last_report = Instant::now();
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

fn report_progress(shared: &Shared, since: Instant) {
    let delivered = shared
        .posts
        .iter()
        .filter(|p| p.done_ns.load(Relaxed) != 0)
        .count();
    println!(
        "t={:.0}s sent={} acked={} delivered_everywhere={} resyncs={} disconnects={}",
        since.elapsed().as_secs_f64(),
        shared.sent.load(Relaxed),
        shared.acked.load(Relaxed),
        delivered,
        shared.resyncs.load(Relaxed),
        shared.disconnects.load(Relaxed),
    );
}
