//! The restart storm: a full room, a crash, and every phone back at once.
//!
//! It builds the evening a hall has had by the time something goes wrong:
//! one gathering on the community agenda whose first step holds `--cards`
//! reflections (all but the last `--current` of them) with `--marks`
//! resonances spread over them, and whose closing board, where the room is
//! now, holds the last `--current` cards. Then `--participants` phones
//! connect and follow the room. The server is killed (SIGKILL) and started
//! again on the same database, and every phone reconnects at the same
//! instant with the position it had (as the phone's script does), waits
//! for its catch-up to end (its own cards and marks come last), then
//! fetches its page again (as the script does after a reconnect) and checks
//! it holds the newest card. It prints last:
//!
//! `RESTART participants=… cards=… marks=… events=… load_ms=… resynced=… ws_p50_ms=… ws_p99_ms=… ws_max_ms=… pages=… pages_max_ms=… server_rss_mb_peak=…`
//!
//! `load_ms` is what the server logged for loading the room; the `ws_`
//! figures are from the server accepting connections again to each phone's
//! catch-up; `pages_max_ms` to the last phone holding its fresh page;
//! `server_rss_mb_peak` is the server's largest resident memory during the
//! storm, sampled every 50 ms.

use super::map_storm::{action, fresh_id, percentile};
use super::{open, rss_kb, Error, Target, Ws};
use futures_util::{SinkExt, StreamExt};
use hearth_core::gathering::LogPosition;
use hearth_core::ids::{CardId, StepId};
use hearth_core::marks::Mark;
use hearth_core::protocol::Action;
use hearth_tests::{create_gathering_at, Device};
use serde::Deserialize;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering::Relaxed};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::task::JoinSet;
use tokio_tungstenite::tungstenite::Message;

/// Longest one phase of building the room may take.
const PHASE: Duration = Duration::from_secs(600);
/// Longest a phone may take to be back after the restart.
const BACK: Duration = Duration::from_secs(120);

/// What the storm is run with.
pub struct Storm {
    pub participants: usize,
    pub cards: usize,
    pub current: usize,
    pub marks: usize,
    pub connect_batch: usize,
    /// Stop the server with SIGTERM, as a service manager does, instead of
    /// killing it.
    pub sigterm: bool,
}

/// What a phone reads of a message: its kind and where it puts the view.
/// Everything else is skipped unread.
#[derive(Deserialize)]
struct Head {
    #[serde(rename = "type")]
    kind: String,
    #[serde(default)]
    seq: Option<u64>,
    #[serde(default)]
    at: Option<LogPosition>,
    #[serde(default)]
    id: Option<String>,
}

/// Reads until the answer to action `id`; an error answer is an error.
async fn acked(ws: &mut Ws, id: &str) -> Result<String, Error> {
    let deadline = Instant::now() + PHASE;
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        let Ok(Some(frame)) = tokio::time::timeout(left, ws.next()).await else {
            return Err(format!("no answer to {id}").into());
        };
        let Message::Text(text) = frame? else {
            continue;
        };
        if !text.contains(id) {
            continue;
        }
        let head: Head = serde_json::from_str(&text)?;
        match (head.kind.as_str(), head.id.as_deref()) {
            ("ack", Some(got)) if got == id => return Ok(text.as_str().to_owned()),
            ("error", Some(got)) if got == id => return Err(format!("refused: {text}").into()),
            _ => {}
        }
    }
}

/// Sends one action and waits for its acknowledgement.
async fn act(ws: &mut Ws, a: Action) -> Result<String, Error> {
    let id = fresh_id();
    ws.send(action(&id, a)?).await?;
    acked(ws, id.as_str()).await
}

/// Has a console act, on a connection of its own (one held open and left
/// unread through a long phase would be let go by the server).
async fn console_act(target: &Target, console_path: &str, a: Action) -> Result<String, Error> {
    let mut ws = open(target.addr, console_path, None).await?;
    act(&mut ws, a).await
}

/// Runs `work` for every device, `batch` at a time, each on a connection
/// of its own that is closed afterwards.
async fn each_device<F, Fut>(
    target: &Target,
    join: &str,
    devices: &[Device],
    batch: usize,
    work: F,
) -> Result<(), Error>
where
    F: Fn(usize, Ws) -> Fut,
    Fut: std::future::Future<Output = Result<(), Error>> + Send + 'static,
{
    let path = format!("/ws/p/{join}");
    for (n, chunk) in devices.chunks(batch.max(1)).enumerate() {
        let mut running = JoinSet::new();
        for (i, device) in chunk.iter().enumerate() {
            let ws = open(target.addr, &path, Some(device)).await?;
            running.spawn(work(n * batch + i, ws));
        }
        while let Some(done) = running.join_next().await {
            done??;
        }
    }
    Ok(())
}

/// The room as a console that connects now is shown it: every action
/// acknowledged so far is in it.
async fn room_view(
    target: &Target,
    console_path: &str,
) -> Result<hearth_core::gathering::GatheringView, Error> {
    let mut ws = open(target.addr, console_path, None).await?;
    super::map_storm::snapshot(&mut ws).await
}

/// Where the room's log is now, as a console that connects is told.
async fn position(target: &Target, console_path: &str) -> Result<LogPosition, Error> {
    let mut ws = open(target.addr, console_path, None).await?;
    let deadline = Instant::now() + PHASE;
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        let Ok(Some(frame)) = tokio::time::timeout(left, ws.next()).await else {
            return Err("no snapshot for the console".into());
        };
        if let Message::Text(text) = frame? {
            let head: Head = serde_json::from_str(&text)?;
            if let ("snapshot", Some(at)) = (head.kind.as_str(), head.at) {
                return Ok(at);
            }
        }
    }
}

/// A phone following the room: reads every message, keeping its position,
/// and says on `caught_up` when its catch-up has ended (its own cards and
/// marks come last).
async fn follow(
    mut ws: Ws,
    at: Arc<AtomicU64>,
    caught_up: tokio::sync::mpsc::UnboundedSender<()>,
) -> Result<(), Error> {
    while let Some(frame) = ws.next().await {
        let Ok(Message::Text(text)) = frame else {
            continue;
        };
        let head: Head = serde_json::from_str(&text)?;
        match head.kind.as_str() {
            "snapshot" => {
                if let Some(p) = head.at {
                    at.store(p.seq, Relaxed);
                }
            }
            "event" => {
                if let Some(s) = head.seq {
                    at.store(s, Relaxed);
                }
            }
            "mine" => {
                let _ = caught_up.send(());
            }
            _ => {}
        }
    }
    Ok(())
}

pub async fn run(storm: &Storm, target: &mut Target) -> Result<String, Error> {
    if target.own.is_none() {
        return Err(
            "the restart storm kills and restarts its own server: leave out --server".into(),
        );
    }
    let g = create_gathering_at(
        &target.http,
        &target.base,
        &[("name", "Restart storm"), ("agenda", "community")],
    )
    .await?;
    let console_path = format!("/ws/console/{}", g.console_secret);
    let view = room_view(target, &console_path).await?;
    let (first, last) = {
        let v = &view;
        let boards: Vec<StepId> = v
            .steps
            .iter()
            .filter(|s| s.exercise.takes_reflections() && s.exercise.axes().is_none())
            .map(|s| s.id)
            .collect();
        match (boards.first(), boards.last()) {
            (Some(f), Some(l)) if f != l => (*f, *l),
            _ => return Err("the community agenda needs two boards".into()),
        }
    };
    if view.current != first {
        console_act(target, &console_path, Action::GoTo { step: first }).await?;
    }
    let devices: Arc<Vec<Device>> =
        Arc::new((0..storm.participants).map(|_| Device::new()).collect());
    let earlier = storm.cards - storm.current;
    let people = storm.participants;

    // 1. The first step's reflections, revealed a few hundred at a time.
    println!("posting {earlier} reflections on step {}", first.0);
    let began = Instant::now();
    let per_reveal = storm.connect_batch.max(1);
    for (round, chunk) in devices.chunks(per_reveal).enumerate() {
        let base = round * per_reveal;
        each_device(
            target,
            &g.join_token,
            chunk,
            storm.connect_batch,
            move |i, mut ws| async move {
                let mut n = base + i;
                while n < earlier {
                    act(
                        &mut ws,
                        reflection(
                            first,
                            &format!("Restart storm {n}: a story about where I learned it"),
                        ),
                    )
                    .await?;
                    n += people;
                }
                Ok(())
            },
        )
        .await?;
        console_act(target, &console_path, Action::Reveal).await?;
    }
    let revealed = room_view(target, &console_path).await?;
    let cards: Arc<Vec<CardId>> =
        Arc::new(revealed.cards_of(first).map(|c| c.id.clone()).collect());
    if cards.len() != earlier {
        return Err(format!("{} of {earlier} cards revealed", cards.len()).into());
    }
    println!("revealed in {:.1} s", began.elapsed().as_secs_f64());

    // 2. The resonances, spread over the cards.
    println!("marking {} resonances", storm.marks);
    let began = Instant::now();
    let marks = storm.marks;
    each_device(target, &g.join_token, &devices, storm.connect_batch, {
        let cards = cards.clone();
        move |i, mut ws| {
            let cards = cards.clone();
            async move {
                let mut n = i;
                let mut k = 0;
                while n < marks && !cards.is_empty() {
                    // Each phone's marks on distinct cards.
                    let card = cards[(i * 7919 + k * 104_729) % cards.len()].clone();
                    act(
                        &mut ws,
                        Action::Mark {
                            mark: Mark::Resonate { card, on: true },
                        },
                    )
                    .await?;
                    n += people;
                    k += 1;
                }
                Ok(())
            }
        }
    })
    .await?;

    println!("marked in {:.1} s", began.elapsed().as_secs_f64());

    // 3. The room moves on to its closing board, where the last cards are.
    console_act(target, &console_path, Action::GoTo { step: last }).await?;
    let current = storm.current;
    let newest = format!("Restart storm, the newest card {}", fresh_id().as_str());
    println!("posting {current} reflections on step {}", last.0);
    {
        let newest = newest.clone();
        each_device(
            target,
            &g.join_token,
            &devices[..current],
            storm.connect_batch,
            move |i, mut ws| {
                let text = if i + 1 == current {
                    newest.clone()
                } else {
                    format!("Restart storm, closing {i}: what we are learning together")
                };
                async move {
                    act(&mut ws, reflection(last, &text)).await?;
                    Ok(())
                }
            },
        )
        .await?;
    }
    console_act(target, &console_path, Action::Reveal).await?;
    // Totals reach the room's state a few times a second: wait for the
    // last of them.
    let deadline = Instant::now() + PHASE;
    loop {
        let now = room_view(target, &console_path).await?;
        if now.cards_of(last).count() != current {
            return Err("the closing board was not revealed".into());
        }
        let marked: u64 = now
            .totals
            .get(&first)
            .map(|t| t.cards.values().map(|n| u64::from(*n)).sum())
            .unwrap_or(0);
        if marked as usize == storm.marks {
            break;
        }
        if Instant::now() > deadline {
            return Err(format!("the room shows {marked} resonances, not {}", storm.marks).into());
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }

    // 4. Every phone connects and follows the room.
    println!("connecting {} phones", storm.participants);
    let at_head = position(target, &console_path).await?;
    let path = format!("/ws/p/{}", g.join_token);
    let mut phones = Vec::with_capacity(people);
    let mut following = JoinSet::new();
    let (caught_up, mut caught) = tokio::sync::mpsc::unbounded_channel();
    for chunk in devices.chunks(storm.connect_batch.max(1)) {
        for device in chunk {
            let ws = open(target.addr, &path, Some(device)).await?;
            let at = Arc::new(AtomicU64::new(0));
            phones.push(at.clone());
            following.spawn(follow(ws, at, caught_up.clone()));
        }
        // Each phone of the batch says once when it has caught up.
        for _ in chunk {
            match tokio::time::timeout(PHASE, caught.recv()).await {
                Ok(Some(())) => {}
                _ => return Err("phones did not catch up in time".into()),
            }
        }
    }
    if let Some(at) = phones.iter().find(|at| at.load(Relaxed) != at_head.seq) {
        return Err(format!(
            "a phone is at {} instead of {}",
            at.load(Relaxed),
            at_head.seq
        )
        .into());
    }

    // 5. The crash, and everyone back at once.
    println!(
        "{} the server",
        if storm.sigterm {
            "stopping (SIGTERM)"
        } else {
            "killing (SIGKILL)"
        }
    );
    let server = target.own.as_mut().ok_or("no server")?;
    if storm.sigterm {
        server.stop().await?;
    } else {
        server.kill()?;
    }
    following.abort_all();
    while following.join_next().await.is_some() {}
    server.start_again().await?;
    let pid = server.pid();
    let started = Instant::now();
    println!("the server is back; {} phones reconnect", people);
    let peak = Arc::new(AtomicU64::new(0));
    let sampling = Arc::new(AtomicBool::new(true));
    let sampler = {
        let (peak, sampling) = (peak.clone(), sampling.clone());
        tokio::spawn(async move {
            while sampling.load(Relaxed) {
                if let Some(kb) = pid.and_then(rss_kb) {
                    peak.fetch_max(kb, Relaxed);
                }
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
        })
    };
    let page = Arc::new(format!("{}/p/{}", target.base, g.join_token));
    let newest = Arc::new(newest);
    let mut back = JoinSet::new();
    for device in devices.iter() {
        let (addr, http, page, newest, cookie) = (
            target.addr,
            target.http.clone(),
            page.clone(),
            newest.clone(),
            device.cookie(),
        );
        let device = device.clone();
        let query = format!("?epoch={}&seq={}", at_head.epoch, at_head.seq);
        let path = format!("{path}{query}");
        back.spawn(async move {
            let mut ws = open(addr, &path, Some(&device)).await?;
            let deadline = Instant::now() + BACK;
            let mut at = at_head.seq;
            loop {
                let left = deadline.saturating_duration_since(Instant::now());
                let Ok(Some(frame)) = tokio::time::timeout(left, ws.next()).await else {
                    return Err::<_, Error>("no catch-up after the restart".into());
                };
                let Message::Text(text) = frame? else {
                    continue;
                };
                let head: Head = serde_json::from_str(&text)?;
                match head.kind.as_str() {
                    "snapshot" => at = head.at.map_or(at, |p| p.seq),
                    "event" => at = head.seq.unwrap_or(at),
                    "mine" => break,
                    _ => {}
                }
            }
            let resynced = started.elapsed();
            if at < at_head.seq {
                return Err(format!("a phone came back at {at}, before {}", at_head.seq).into());
            }
            // As the script does when its link comes back: both parts.
            let got =
                super::phones::fetch_parts(&http, &page, &cookie, None, "", None, true).await?;
            let holds = got
                .shared
                .is_some_and(|(copy, _)| copy.html.contains(newest.as_str()));
            if !got.ok || !holds {
                return Err("a phone's page after the restart lacks the newest card".into());
            }
            Ok((resynced, started.elapsed()))
        });
    }
    let (mut ws_ms, mut page_ms, mut failed) = (Vec::new(), Vec::new(), 0usize);
    while let Some(done) = back.join_next().await {
        match done? {
            Ok((ws, page)) => {
                ws_ms.push(ws.as_millis() as u64);
                page_ms.push(page.as_millis() as u64);
            }
            Err(e) => {
                if failed == 0 {
                    println!("a phone failed: {e}");
                }
                failed += 1;
            }
        }
    }
    sampling.store(false, Relaxed);
    let _ = sampler.await;
    ws_ms.sort_unstable();
    page_ms.sort_unstable();
    let log = target.own.as_ref().map(|s| s.log()).unwrap_or_default();
    let load_ms = log
        .lines()
        .rev()
        .find_map(|l| {
            l.split("room loaded in ")
                .nth(1)?
                .split_whitespace()
                .next()
                .map(str::to_owned)
        })
        .unwrap_or_else(|| "unknown".into());
    Ok(format!(
        "RESTART participants={people} cards={} marks={} events={} load_ms={load_ms} resynced={} ws_p50_ms={} ws_p99_ms={} ws_max_ms={} pages={} pages_max_ms={} failed={failed} server_rss_mb_peak={:.0}",
        storm.cards,
        storm.marks,
        at_head.seq,
        ws_ms.len(),
        percentile(&ws_ms, 0.5),
        percentile(&ws_ms, 0.99),
        ws_ms.last().copied().unwrap_or(0),
        page_ms.len(),
        page_ms.last().copied().unwrap_or(0),
        peak.load(Relaxed) as f64 / 1024.0,
    ))
}

/// A reflection on `step`.
fn reflection(step: StepId, text: &str) -> Action {
    hearth_tests::reflection_at(step, text, Default::default())
}
