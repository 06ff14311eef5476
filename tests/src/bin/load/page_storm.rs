//! The page storm: what the phones' way of staying live costs the server.
//!
//! A participant's page is rendered on the server, and the phone's script
//! fetches a fresh copy whenever the room changes (`app/script/phone.js`):
//! the part every phone shares, asked for with the ETag and the glance it
//! had, and its own part when the change names one of its cards
//! (`server/src/phone_parts.rs`). So a reveal to a full room means every
//! phone asking at once. This mode builds that moment: one gathering on
//! the introduction agenda, on its first step (a board) or with `--map` its
//! worldview map, `--participants` phones that have joined over HTTP (each
//! its own device), `--cards` of them posting a reflection through the
//! plain form, the console revealing them; then, `--rounds` times, one more
//! card is written and revealed and every phone asks for its fresh copy at
//! the same instant (its writer its own part too), accepting brotli as
//! phones do. Each copy must hold the newest card's words. It prints last:
//!
//! `PAGES step=… participants=… cards=… rounds=… fetches=… failed=… bytes_per_page=… html_bytes_per_page=… p50_ms=… p95_ms=… p99_ms=… max_ms=… burst_ms=… pages_per_second=… server_cpu_ms_per_page=… server_rss_mb=…`
//!
//! `burst_ms` is the slowest round, from the first request to the last
//! copy; `server_cpu_ms_per_page` is the server's user and system time
//! over the rounds (from `/proc`, at Linux's 100 ticks a second), the
//! reveals included, divided by the copies served, when the server runs on
//! this machine.

use super::map_storm::{action, answer, fresh_id, percentile};
use super::phones::{fetch_parts, SharedCopy};
use super::{server_rss_mb, Error, Target};
use futures_util::StreamExt;
use hearth_core::ids::StepId;
use hearth_core::protocol::Action;
use hearth_tests::Device;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::task::JoinSet;
use tokio_tungstenite::tungstenite::Message;

/// Longest the reveal may take to reach the console.
const PATIENCE: Duration = Duration::from_secs(30);

/// What the storm is run with.
pub struct Storm {
    pub participants: usize,
    pub cards: usize,
    pub rounds: usize,
    /// On the map step instead of the first.
    pub map: bool,
    pub connect_batch: usize,
}

/// The server's CPU time so far (user + system), in milliseconds.
fn cpu_ms(pid: u32) -> Option<u64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The fields after the command's closing parenthesis; utime and stime
    // are the 14th and 15th of the whole line.
    let rest = stat.rsplit_once(')')?.1;
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks: u64 = fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?;
    Some(ticks * 10)
}

/// The glance a shared part gives out (`data-glance`), for the next ask.
fn glance_of(html: &str) -> String {
    html.split("data-glance=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap_or_default()
        .to_owned()
}

/// Posts each `(phone, words)` through the plain form, and has the
/// console reveal them; returns once the console sees them all.
async fn reveal(
    target: &Target,
    page: &str,
    step: StepId,
    console: &mut super::Ws,
    view: &mut Option<hearth_core::gathering::GatheringView>,
    posts: &[(&Device, String)],
) -> Result<(), Error> {
    for (device, words) in posts {
        let response = target
            .http
            .post(format!("{page}/reflect"))
            .header("cookie", device.cookie())
            .form(&[
                ("id", fresh_id().as_str()),
                ("step", &step.0.to_string()),
                ("text", words),
            ])
            .send()
            .await?;
        let stored = response
            .headers()
            .get("location")
            .and_then(|l| l.to_str().ok())
            .is_some_and(|l| l.contains("/received"));
        if !stored {
            return Err(format!("{words:?} was not stored: {}", response.status()).into());
        }
    }
    let id = fresh_id();
    futures_util::SinkExt::send(console, action(&id, Action::Reveal)?).await?;
    answer(console, &id, view).await??;
    let deadline = Instant::now() + PATIENCE;
    let shown = |view: &Option<hearth_core::gathering::GatheringView>| {
        posts.iter().all(|(_, words)| {
            view.as_ref()
                .is_some_and(|v| v.visible_cards(step).any(|c| c.text.as_str() == words))
        })
    };
    while !shown(view) {
        let left = deadline.saturating_duration_since(Instant::now());
        match tokio::time::timeout(left, console.next()).await {
            Ok(Some(Ok(Message::Text(text)))) => {
                super::map_storm::follow(view, serde_json::from_str(&text)?)
            }
            Ok(Some(Ok(_))) => {}
            _ => return Err("the reflections were not revealed in time".into()),
        }
    }
    Ok(())
}

pub async fn run(storm: &Storm, target: &Target) -> Result<String, Error> {
    let (g, mut console, view) =
        super::gathering_with_console(target, "Page storm", "introduction").await?;
    let mut view = Some(view);
    let step: StepId = view
        .as_ref()
        .and_then(|v| match storm.map {
            true => v.steps.iter().find(|s| s.exercise.axes().is_some()),
            false => v.current_step(),
        })
        .map(|s| s.id)
        .ok_or("the gathering has no such step")?;
    if storm.map {
        let id = fresh_id();
        futures_util::SinkExt::send(&mut console, action(&id, Action::GoTo { step })?).await?;
        answer(&mut console, &id, &mut view).await??;
    }
    let page = Arc::new(format!("{}/p/{}", target.base, g.join_token));

    // The phones join by opening their page, in batches.
    println!("joining {} phones", storm.participants);
    let devices: Vec<Device> = (0..storm.participants).map(|_| Device::new()).collect();
    for batch in devices.chunks(storm.connect_batch) {
        let mut joining = JoinSet::new();
        for device in batch {
            let (http, page, cookie) = (target.http.clone(), page.clone(), device.cookie());
            joining.spawn(async move {
                let response = http
                    .get(page.as_str())
                    .header("cookie", cookie)
                    .send()
                    .await?;
                if !response.status().is_success() {
                    return Err(format!("joining answered {}", response.status()).into());
                }
                Ok::<_, Error>(())
            });
        }
        while let Some(done) = joining.join_next().await {
            done??;
        }
    }

    // The reflections, through the plain form, then the reveal.
    let cards = storm.cards.min(storm.participants).max(1);
    let first: Vec<(&Device, String)> = devices
        .iter()
        .take(cards)
        .enumerate()
        .map(|(i, d)| (d, format!("Page storm card {i}: why I came today")))
        .collect();
    reveal(target, &page, step, &mut console, &mut view, &first).await?;
    // What every phone last saw: the shared part's ETag and its glance.
    let seen = fetch_parts(
        &target.http,
        &page,
        &devices[0].cookie(),
        None,
        "",
        None,
        false,
    )
    .await?;
    let (copy, mut etag) = seen.shared.ok_or("the shared part did not come")?;
    let mut glance = glance_of(&copy.html);

    // The storm, `--rounds` times: one more card is revealed, and every
    // phone asks for its fresh copy at once, as the script does after an
    // event: the shared part with the ETag and glance it had; the writer
    // of the new card its own part too (the event names its card).
    println!("FETCHING");
    let cpu_before = target.pid.and_then(cpu_ms);
    let (mut latencies, mut failed, mut burst_ms) = (Vec::new(), 0u64, 0u64);
    let (mut bytes, mut html_bytes) = (0u64, 0u64);
    for round in 0..storm.rounds {
        let writer = round % cards;
        let newest = format!("Page storm round {round}: one more card");
        reveal(
            target,
            &page,
            step,
            &mut console,
            &mut view,
            &[(&devices[writer], newest.clone())],
        )
        .await?;
        let newest = Arc::new(newest);
        let started = Instant::now();
        let mut fetching = JoinSet::new();
        for (i, device) in devices.iter().enumerate() {
            let (http, page, cookie) = (target.http.clone(), page.clone(), device.cookie());
            let (etag, glance) = (etag.clone(), glance.clone());
            fetching.spawn(async move {
                let got = fetch_parts(
                    &http,
                    &page,
                    &cookie,
                    Some(&etag),
                    &glance,
                    None,
                    i == writer,
                )
                .await?;
                let own = got.own.as_ref().map_or(0, String::len);
                Ok::<_, Error>((got.ok, got.wire as u64, own as u64, got.ms, got.shared))
            });
        }
        // Each copy is checked once the burst is over, so checking costs
        // the storm nothing (phones that got the same bytes share a copy).
        let mut copies = Vec::new();
        while let Some(done) = fetching.join_next().await {
            match done? {
                Ok((true, wire, own, ms, Some((copy, tag)))) => {
                    latencies.push(ms);
                    bytes += wire;
                    html_bytes += own + copy.html.len() as u64;
                    copies.push((copy, tag));
                }
                _ => failed += 1,
            }
        }
        burst_ms = burst_ms.max(started.elapsed().as_millis() as u64);
        let mut checked: Vec<*const SharedCopy> = Vec::new();
        for (copy, _) in &copies {
            let at = Arc::as_ptr(copy);
            if checked.contains(&at) {
                continue;
            }
            checked.push(at);
            if !copy.html.contains(newest.as_str()) {
                let lacking = copies.iter().filter(|(c, _)| Arc::as_ptr(c) == at).count();
                failed += lacking as u64;
            }
        }
        if let Some((copy, tag)) = copies.into_iter().next() {
            glance = glance_of(&copy.html);
            etag = tag;
        }
    }
    let cpu_after = target.pid.and_then(cpu_ms);
    println!("FETCHED");
    latencies.sort_unstable();
    let pages = latencies.len() as u64;
    let per_page = |total: u64| {
        if pages == 0 {
            0.0
        } else {
            total as f64 / pages as f64
        }
    };
    let cpu = match (cpu_before, cpu_after) {
        (Some(before), Some(after)) => format!("{:.2}", per_page(after.saturating_sub(before))),
        _ => "unknown".into(),
    };
    let rss = server_rss_mb(target);
    Ok(format!(
        "PAGES step={} participants={} cards={cards} rounds={} fetches={} failed={failed} bytes_per_page={:.0} html_bytes_per_page={:.0} p50_ms={} p95_ms={} p99_ms={} max_ms={} burst_ms={burst_ms} pages_per_second={:.0} server_cpu_ms_per_page={cpu} server_rss_mb={rss}",
        if storm.map { "map" } else { "board" },
        storm.participants,
        storm.rounds,
        pages + failed,
        per_page(bytes),
        per_page(html_bytes),
        percentile(&latencies, 0.5),
        percentile(&latencies, 0.95),
        percentile(&latencies, 0.99),
        latencies.last().copied().unwrap_or(0),
        storm.participants as f64 / (burst_ms.max(1) as f64 / 1000.0),
    ))
}
