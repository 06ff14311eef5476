//! The map storm: hundreds of phones placing the same cards on a worldview
//! map at once, the way a room does right after the stories are revealed.
//!
//! One gathering on the introduction agenda (or one given by `--console`
//! and `--join`) moves to its map step; the first `--cards` phones each
//! write a story and the console reveals them; then every phone places every
//! card once, as fast as the server's pace for one phone allows, each at a
//! spot near the card's own centre (half the cards split the room between
//! two far spots). A screen watches the totals stream. The tool prints
//! `PLACING` when the storm starts and `PLACED` when it ends (so a browser
//! measuring the screen's frame rate knows the window), and last:
//!
//! `MAP participants=… cards=… placements=… acked=… refused=… p50_ms=… p95_ms=… p99_ms=… max_ms=… totals_msgs=… seconds=… per_second=… server_rss_mb=…`

use super::phones::{open_phone, Joined};
use super::{open, server_rss_mb, Error, Target, Ws};
use futures_util::{SinkExt, StreamExt};
use hearth_core::gathering::GatheringView;
use hearth_core::ids::{ActionId, CardId, StepId};
use hearth_core::protocol::{Action, ClientMsg, Outcome, ServerMsg};
use hearth_tests::create_gathering_at;
use std::sync::atomic::AtomicU64;
use std::sync::atomic::Ordering::Relaxed;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::task::JoinSet;
use tokio_tungstenite::tungstenite::Message;

/// Least time between two placements from one phone: the server lets one
/// connection act about ten times a second.
const GAP: Duration = Duration::from_millis(120);
/// Longest one answer may take before the storm gives up on it.
const PATIENCE: Duration = Duration::from_secs(30);

/// What the storm is run with.
pub struct Storm {
    pub participants: usize,
    pub cards: usize,
    /// An existing gathering: its console secret and join token.
    pub console: Option<String>,
    pub join: Option<String>,
    pub connect_batch: usize,
}

/// A small, fast random source (the storm needs spread, not secrecy).
struct Dice(u64);

impl Dice {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
}

/// A new action id, never one an earlier run used.
pub(super) fn fresh_id() -> ActionId {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    let mut dice = Dice(nanos as u64 ^ COUNTER.fetch_add(1, Relaxed).wrapping_mul(0x9e37_79b9));
    ActionId::from_random(u128::from(dice.next()) << 64 | u128::from(dice.next()))
}

pub(super) fn action(id: &ActionId, action: Action) -> Result<Message, Error> {
    let msg = ClientMsg::Act {
        id: id.clone(),
        action,
    };
    Ok(Message::text(serde_json::to_string(&msg)?))
}

/// Reads messages until the answer to `id`, keeping `view` up to date.
pub(super) async fn answer(
    ws: &mut Ws,
    id: &ActionId,
    view: &mut Option<GatheringView>,
) -> Result<Result<Outcome, String>, Error> {
    let deadline = Instant::now() + PATIENCE;
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        let Ok(Some(frame)) = tokio::time::timeout(left, ws.next()).await else {
            return Err(format!("no answer to {} in time", id.as_str()).into());
        };
        let Message::Text(text) = frame? else {
            continue;
        };
        // A phone only needs its answer: everything else it skips unread.
        if view.is_none() && !text.contains(id.as_str()) {
            continue;
        }
        match serde_json::from_str::<ServerMsg>(&text)? {
            ServerMsg::Ack { id: got, outcome } if &got == id => return Ok(Ok(outcome)),
            ServerMsg::Error {
                id: Some(got),
                code,
            } if &got == id => return Ok(Err(code.to_string())),
            msg => follow(view, msg),
        }
    }
}

/// Applies what a message changes to a view.
pub(super) fn follow(view: &mut Option<GatheringView>, msg: ServerMsg) {
    match msg {
        ServerMsg::Snapshot { gathering, .. } => *view = Some(gathering),
        ServerMsg::Event { event, .. } => {
            if let Some(v) = view.as_mut() {
                v.apply(&event);
            }
        }
        ServerMsg::Totals { step, totals } => {
            if let Some(v) = view.as_mut() {
                v.totals.entry(step).or_default().merge(totals);
            }
        }
        _ => {}
    }
}

/// Reads until the first snapshot.
pub(super) async fn snapshot(ws: &mut Ws) -> Result<GatheringView, Error> {
    let mut view = None;
    let deadline = Instant::now() + PATIENCE;
    while view.is_none() {
        let left = deadline.saturating_duration_since(Instant::now());
        let Ok(Some(frame)) = tokio::time::timeout(left, ws.next()).await else {
            return Err("no snapshot in time".into());
        };
        if let Message::Text(text) = frame? {
            follow(&mut view, serde_json::from_str(&text)?);
        }
    }
    view.ok_or_else(|| "no snapshot".into())
}

/// Posts a phone's plain form (`<page>/<form>`) as the script does, asking
/// to be answered with its own part, and returns where the answer sends it
/// (`…done=…` when taken, `…error=…` when refused).
pub(super) async fn post(
    http: &reqwest::Client,
    page: &str,
    cookie: &str,
    form: &str,
    fields: &[(&str, String)],
) -> Result<String, Error> {
    let response = http
        .post(format!("{page}/{form}"))
        .header("cookie", cookie)
        .header("hearth-parts", "1")
        .form(fields)
        .send()
        .await?;
    hearth_tests::redirect_target(&response)
        .ok_or_else(|| format!("a {form} post answered {}", response.status()).into())
}

pub(super) fn percentile(sorted: &[u64], p: f64) -> u64 {
    if sorted.is_empty() {
        return 0;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

pub async fn run(storm: &Storm, target: &Target) -> Result<String, Error> {
    let (console_secret, join_token) = match (&storm.console, &storm.join) {
        (Some(c), Some(j)) => (c.clone(), j.clone()),
        _ => {
            let g = create_gathering_at(
                &target.http,
                &target.base,
                &[("name", "Map storm"), ("agenda", "introduction")],
            )
            .await?;
            (g.console_secret, g.join_token)
        }
    };
    let mut console = open(target.addr, &format!("/ws/console/{console_secret}"), None).await?;
    let mut view = Some(snapshot(&mut console).await?);
    let step: StepId = view
        .as_ref()
        .and_then(|v| v.steps.iter().find(|s| s.exercise.axes().is_some()))
        .map(|s| s.id)
        .ok_or("the gathering has no map step")?;
    let id = fresh_id();
    console.send(action(&id, Action::GoTo { step })?).await?;
    answer(&mut console, &id, &mut view).await??;

    // The phones, in batches, as the script joins: the page, then the link.
    println!("connecting {} phones", storm.participants);
    let page = Arc::new(format!("{}/p/{join_token}", target.base));
    let live = Arc::new(format!("/ws/p/{join_token}"));
    let mut phones: Vec<Joined> = Vec::with_capacity(storm.participants);
    while phones.len() < storm.participants {
        let batch = storm.connect_batch.min(storm.participants - phones.len());
        let mut opening = JoinSet::new();
        for _ in 0..batch {
            let (http, addr, page, live) =
                (target.http.clone(), target.addr, page.clone(), live.clone());
            opening.spawn(async move { open_phone(&http, addr, &page, &live).await });
        }
        while let Some(done) = opening.join_next().await {
            phones.push(done??);
        }
    }
    let screen_secret = {
        let page: hearth_core::page::ConsolePage = serde_json::from_str(
            &target
                .http
                .post(format!("{}/api/console", target.base))
                .form(&[("secret", console_secret.as_str())])
                .send()
                .await?
                .text()
                .await?,
        )?;
        page.screen_url
            .rsplit('/')
            .next()
            .map(str::to_owned)
            .ok_or("no screen link")?
    };
    let mut screen = open(target.addr, &format!("/ws/screen/{screen_secret}"), None).await?;
    snapshot(&mut screen).await?;

    // The stories, each through the phone's reflection form, then the reveal.
    let cards = storm.cards.min(phones.len());
    for (i, phone) in phones.iter().take(cards).enumerate() {
        let form = [
            ("id", fresh_id().as_str().to_owned()),
            ("step", step.0.to_string()),
            (
                "text",
                format!("Story {i}: something I was told about asking for help"),
            ),
        ];
        let landed = post(&target.http, &page, &phone.cookie, "reflect", &form).await?;
        if !landed.contains("done=received") {
            return Err(format!("a story was not taken: {landed}").into());
        }
    }
    let id = fresh_id();
    console.send(action(&id, Action::Reveal)?).await?;
    answer(&mut console, &id, &mut view).await??;
    let deadline = Instant::now() + PATIENCE;
    let card_ids: Vec<CardId> = loop {
        let ids: Vec<CardId> = view
            .as_ref()
            .map(|v| v.visible_cards(step).map(|c| c.id.clone()).collect())
            .unwrap_or_default();
        if ids.len() >= cards {
            break ids;
        }
        let left = deadline.saturating_duration_since(Instant::now());
        match tokio::time::timeout(left, console.next()).await {
            Ok(Some(Ok(Message::Text(text)))) => follow(&mut view, serde_json::from_str(&text)?),
            Ok(Some(Ok(_))) => {}
            _ => return Err("the stories were not revealed in time".into()),
        }
    };

    // The storm.
    let totals_msgs = Arc::new(AtomicU64::new(0));
    let watching = {
        let totals_msgs = totals_msgs.clone();
        tokio::spawn(async move {
            while let Some(Ok(frame)) = screen.next().await {
                if let Message::Text(text) = frame {
                    if text.contains("\"type\":\"totals\"") {
                        totals_msgs.fetch_add(1, Relaxed);
                    }
                }
            }
        })
    };
    println!("PLACING");
    let started = Instant::now();
    let mut storming = JoinSet::new();
    for (n, phone) in phones.into_iter().enumerate() {
        let (card_ids, http, page) = (card_ids.clone(), target.http.clone(), page.clone());
        storming.spawn(async move {
            let Joined { cookie, mut ws, .. } = phone;
            // The phone's link stays open and is read, as the script reads
            // it; the page storm measures the copies it then fetches.
            let link = tokio::spawn(async move { while let Some(Ok(_)) = ws.next().await {} });
            let mut dice = Dice(0x9e37_79b9_7f4a_7c15 ^ (n as u64 + 1).wrapping_mul(0x2545_f491));
            let mut latencies = Vec::with_capacity(card_ids.len());
            let mut refused = 0u64;
            let start = dice.below(card_ids.len() as u64) as usize;
            for k in 0..card_ids.len() {
                let c = (start + k) % card_ids.len();
                // Each card has its own centre; odd cards split the room.
                let x = (c % 6) as u8;
                let y = if c % 2 == 1 {
                    if dice.below(2) == 0 {
                        5
                    } else {
                        95
                    }
                } else {
                    (20 + (c * 13) % 60) as u8 + dice.below(10) as u8
                };
                // The mini-map's square, through the plain form the script
                // posts; then the own part the answer names, as `fetch` does.
                let form = [
                    ("id", fresh_id().as_str().to_owned()),
                    ("mark", "place".to_owned()),
                    ("card", card_ids[c].as_str().to_owned()),
                    ("spot", format!("{x},{y}")),
                ];
                let sent = Instant::now();
                let landed = post(&http, &page, &cookie, "mark", &form).await?;
                if landed.contains("done=marked") {
                    latencies.push(sent.elapsed().as_millis() as u64);
                    let base = page.split("/p/").next().unwrap_or_default();
                    http.get(format!("{base}{landed}"))
                        .header("cookie", &cookie)
                        .send()
                        .await?;
                } else {
                    refused += 1;
                }
                tokio::time::sleep(GAP.saturating_sub(sent.elapsed())).await;
            }
            link.abort();
            Ok::<_, Error>((latencies, refused))
        });
    }
    let mut latencies = Vec::new();
    let mut refused = 0;
    while let Some(done) = storming.join_next().await {
        let (l, r) = done??;
        latencies.extend(l);
        refused += r;
    }
    let seconds = started.elapsed().as_secs_f64();
    println!("PLACED");
    // Let the last totals reach the screen.
    tokio::time::sleep(Duration::from_secs(2)).await;
    watching.abort();
    latencies.sort_unstable();
    let placements = card_ids.len() * storm.participants;
    let rss = server_rss_mb(target);
    Ok(format!(
        "MAP participants={} cards={} placements={placements} acked={} refused={refused} p50_ms={} p95_ms={} p99_ms={} max_ms={} totals_msgs={} seconds={seconds:.1} per_second={:.0} server_rss_mb={rss}",
        storm.participants,
        card_ids.len(),
        latencies.len(),
        percentile(&latencies, 0.5),
        percentile(&latencies, 0.95),
        percentile(&latencies, 0.99),
        latencies.last().copied().unwrap_or(0),
        totals_msgs.load(Relaxed),
        latencies.len() as f64 / seconds.max(0.001),
    ))
}
