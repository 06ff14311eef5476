//! The statements run: a hall answering statements through the real phone
//! path, the plain form a phone's script posts (`/p/<token>/mark`, asking
//! for its own part back, then fetching it as `fetch` does).
//!
//! One gathering on the community agenda moves to its statements step; the
//! console seeds `--cards` statements; `--participants` phones open their
//! page (which joins them); then answers go out at `--rate` a second in all
//! until every phone has answered `--answers` statements. Each phone
//! answers the statement its page shows it (the one with the fewest
//! answers it has not answered, kept until answered), then the one the own
//! part it is answered with shows next, one tap after another, leaning
//! with one of three planted opinion groups (a few answers against it). A
//! screen watches the landscape arrive. Last it prints:
//!
//! `STATEMENTS participants=… statements=… answers=… acked=… refused=… failed=… not_shown=… p50_ms=… p95_ms=… p99_ms=… max_ms=… own_p99_ms=… landscapes=… landscape_gap_max_ms=… groups=… seconds=… per_second=… server_rss_mb=…`
//!
//! `acked` answers were stored and answered with the phone's page;
//! `not_shown` answers could not be sent because the phone's page showed
//! no statement to answer; `p*_ms` are from sending the form to its answer
//! (the acknowledgement); `landscape_gap_max_ms` is the longest wait
//! between two landscapes on the screen while answers came in.

use super::map_storm::{answer, follow, post, snapshot};
use super::{open, server_rss_mb, Error, Target, Ws};
use futures_util::{SinkExt, StreamExt};
use hearth_core::ids::{ActionId, CardId};
use hearth_core::protocol::{Action, ClientMsg, ServerMsg};
use hearth_core::reflection::ReflectionText;
use hearth_core::statements::StatementsChange;
use hearth_tests::Device;
use std::collections::HashMap;
use std::sync::atomic::AtomicU64;
use std::sync::atomic::Ordering::Relaxed;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::sync::Semaphore;
use tokio::task::JoinSet;
use tokio_tungstenite::tungstenite::Message;

/// Answers in flight at once, at most (a hall's phones wait for their
/// answer before the next tap).
const IN_FLIGHT: usize = 512;

/// Least time between two statements the console seeds.
const SEED_GAP: Duration = Duration::from_millis(110);

/// What the run is made with.
pub struct Run {
    pub participants: usize,
    pub statements: usize,
    pub answers: usize,
    pub rate: f64,
    pub connect_batch: usize,
}

fn fresh_id() -> ActionId {
    hearth_tests::action_id()
}

fn action(id: &ActionId, action: Action) -> Result<Message, Error> {
    let msg = ClientMsg::Act {
        id: id.clone(),
        action,
    };
    Ok(Message::Text(serde_json::to_string(&msg)?.into()))
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

/// How phone `p` answers statement `s`: three planted groups, each
/// agreeing with its own third of the statements, one answer in eight
/// the other way, one in ten a pass.
fn vote(p: usize, s: usize) -> &'static str {
    let mix = (p.wrapping_mul(2_654_435_761) ^ s.wrapping_mul(40_503)) % 80;
    if mix < 8 {
        "pass"
    } else if (p % 3 == s % 3) != (mix < 18) {
        "agree"
    } else {
        "disagree"
    }
}

/// The statement a phone's page shows it to answer: its answer form's
/// card (`id="answer-<card>"`), if it shows one.
fn shown(html: &str) -> Option<String> {
    const FORM: &str = "id=\"answer-";
    let at = html.find(FORM)? + FORM.len();
    html[at..].split('"').next().map(str::to_owned)
}

pub async fn run(run: &Run, target: &Target) -> Result<String, Error> {
    let (g, mut console, view) =
        super::gathering_with_console(target, "Statements run", "community").await?;
    let mut view = Some(view);
    let step = view
        .as_ref()
        .and_then(|v| {
            v.steps.iter().find(|s| {
                matches!(
                    s.exercise,
                    hearth_core::exercise::Exercise::Statements { .. }
                )
            })
        })
        .cloned()
        .ok_or("the community agenda has no statements step")?;
    // Without the ready step's own seeds: the run counts exactly the
    // statements it seeds, as its figures in the README did.
    let mut spec = step.spec();
    spec.exercise = hearth_core::exercise::Exercise::Statements {
        pre_screen: false,
        seeds: Vec::new(),
    };
    let step = step.id;
    let id = fresh_id();
    console
        .send(action(&id, Action::EditStep { step, spec })?)
        .await?;
    answer(&mut console, &id, &mut view).await??;
    let id = fresh_id();
    console.send(action(&id, Action::GoTo { step })?).await?;
    answer(&mut console, &id, &mut view).await??;

    println!("seeding {} statements", run.statements);
    for i in 0..run.statements {
        // The server lets one connection act about ten times a second.
        if i > 0 {
            tokio::time::sleep(SEED_GAP).await;
        }
        let id = fresh_id();
        let text = ReflectionText::parse(&format!("Statement {i}: what our street needs"))?;
        let change = StatementsChange::Seed { text };
        console
            .send(action(&id, Action::Statements { step, change })?)
            .await?;
        answer(&mut console, &id, &mut view).await??;
    }
    // An answer can come before its event: read on until every statement
    // is in the console's view.
    let deadline = Instant::now() + Duration::from_secs(30);
    let cards: Vec<CardId> = loop {
        let ids: Vec<CardId> = view
            .as_ref()
            .map(|v| v.visible_cards(step).map(|c| c.id.clone()).collect())
            .unwrap_or_default();
        if ids.len() >= run.statements {
            break ids;
        }
        let left = deadline.saturating_duration_since(Instant::now());
        match tokio::time::timeout(left, console.next()).await {
            Ok(Some(Ok(Message::Text(text)))) => follow(&mut view, serde_json::from_str(&text)?),
            Ok(Some(Ok(_))) => {}
            _ => {
                return Err(format!("{} of {} statements seeded", ids.len(), run.statements).into())
            }
        }
    };

    // The screen, counting landscapes and the longest wait between two.
    let mut screen: Ws = open(target.addr, &g.screen_ws(), None).await?;
    snapshot(&mut screen).await?;
    let landscapes = Arc::new(AtomicU64::new(0));
    let gap_max = Arc::new(AtomicU64::new(0));
    let groups = Arc::new(AtomicU64::new(0));
    let answering = Arc::new(AtomicU64::new(0));
    let watching = {
        let (landscapes, gap_max, groups, answering) = (
            landscapes.clone(),
            gap_max.clone(),
            groups.clone(),
            answering.clone(),
        );
        tokio::spawn(async move {
            let mut last: Option<Instant> = None;
            while let Some(Ok(msg)) = screen.next().await {
                let Message::Text(text) = msg else { continue };
                if let Ok(ServerMsg::Landscape { landscape, .. }) = serde_json::from_str(&text) {
                    landscapes.fetch_add(1, Relaxed);
                    groups.store(landscape.groups.len() as u64, Relaxed);
                    let now = Instant::now();
                    if answering.load(Relaxed) == 1 {
                        if let Some(at) = last {
                            gap_max.fetch_max(now.duration_since(at).as_millis() as u64, Relaxed);
                        }
                    }
                    last = Some(now);
                }
            }
        })
    };

    // The phones: each opens its page (which joins it), in batches.
    println!("joining {} phones", run.participants);
    let page = Arc::new(format!("{}/p/{}", target.base, g.join_token));
    let mut phones: Vec<(String, Option<String>)> = Vec::with_capacity(run.participants);
    while phones.len() < run.participants {
        let batch = run.connect_batch.min(run.participants - phones.len());
        let mut joining = JoinSet::new();
        for _ in 0..batch {
            let (http, page) = (target.http.clone(), page.clone());
            joining.spawn(async move {
                let cookie = Device::new().cookie();
                let response = http
                    .get(page.as_str())
                    .header("cookie", &cookie)
                    .send()
                    .await?;
                if !response.status().is_success() {
                    return Err::<(String, Option<String>), Error>(
                        format!("a page answered {}", response.status()).into(),
                    );
                }
                let first = shown(&response.text().await?);
                Ok((cookie, first))
            });
        }
        while let Some(done) = joining.join_next().await {
            phones.push(done??);
        }
    }

    // The answers, paced in all; each phone answers statements from its own
    // starting point, so every statement gathers answers.
    // Each phone answers the statement its page shows, then the one its
    // own part shows next, one after another, as a person does.
    let phones: Arc<Vec<(String, tokio::sync::Mutex<Option<String>>)>> = Arc::new(
        phones
            .into_iter()
            .map(|(cookie, first)| (cookie, tokio::sync::Mutex::new(first)))
            .collect(),
    );
    let index: Arc<HashMap<String, usize>> = Arc::new(
        cards
            .iter()
            .enumerate()
            .map(|(s, c)| (c.as_str().to_owned(), s))
            .collect(),
    );
    let not_shown = Arc::new(AtomicU64::new(0));
    let total = run.participants * run.answers.min(cards.len());
    println!("answering: {total} answers at {} a second", run.rate);
    let cards = Arc::new(cards);
    let latencies = Arc::new(Mutex::new(Vec::with_capacity(total)));
    let own_latencies = Arc::new(Mutex::new(Vec::with_capacity(total)));
    let (acked, refused, failed) = (
        Arc::new(AtomicU64::new(0)),
        Arc::new(AtomicU64::new(0)),
        Arc::new(AtomicU64::new(0)),
    );
    let slots = Arc::new(Semaphore::new(IN_FLIGHT));
    let started = Instant::now();
    answering.store(1, Relaxed);
    let mut sending = JoinSet::new();
    for i in 0..total {
        let at = started + Duration::from_secs_f64(i as f64 / run.rate);
        tokio::time::sleep_until(at.into()).await;
        let p = i % run.participants;
        let permit = slots.clone().acquire_owned().await?;
        let (http, page, phones, index) = (
            target.http.clone(),
            page.clone(),
            phones.clone(),
            index.clone(),
        );
        let not_shown = not_shown.clone();
        let (latencies, own_latencies) = (latencies.clone(), own_latencies.clone());
        let (acked, refused, failed) = (acked.clone(), refused.clone(), failed.clone());
        let base = target.base.clone();
        sending.spawn(async move {
            let _permit = permit;
            let (cookie, next) = &phones[p];
            // One tap after another: the phone's last answer and the page
            // it brought come first.
            let mut next = next.lock().await;
            let Some(card) = next.take() else {
                not_shown.fetch_add(1, Relaxed);
                return;
            };
            let Some(&s) = index.get(&card) else {
                not_shown.fetch_add(1, Relaxed);
                return;
            };
            let form = [
                ("id", fresh_id().as_str().to_owned()),
                ("mark", "answer".to_owned()),
                ("card", card.clone()),
                ("vote", vote(p, s).to_owned()),
            ];
            let sent = Instant::now();
            let location = post(&http, &page, cookie, "mark", &form)
                .await
                .unwrap_or_default();
            let took = sent.elapsed().as_secs_f64() * 1000.0;
            if !location.contains("done=marked") {
                if location.contains("error=") {
                    refused.fetch_add(1, Relaxed);
                } else {
                    failed.fetch_add(1, Relaxed);
                }
                *next = Some(card);
                return;
            }
            acked.fetch_add(1, Relaxed);
            if let Ok(mut l) = latencies.lock() {
                l.push(took);
            }
            // What the script does next: fetch the own part it names, and
            // answer the statement it shows next.
            let own = Instant::now();
            let part = http
                .get(format!("{base}{location}"))
                .header("cookie", cookie)
                .send()
                .await;
            let Ok(part) = part
                .map_err(|_| ())
                .and_then(|r| r.error_for_status().map_err(|_| ()))
            else {
                return;
            };
            if let Ok(html) = part.text().await {
                if let Ok(mut l) = own_latencies.lock() {
                    l.push(own.elapsed().as_secs_f64() * 1000.0);
                }
                *next = shown(&html);
            }
        });
        // Finished sends are reaped as the run goes, not held to the end.
        while sending.try_join_next().is_some() {}
    }
    while sending.join_next().await.is_some() {}
    let seconds = started.elapsed().as_secs_f64();
    // One more landscape after the last answer, at most two periods on.
    let last = landscapes.load(Relaxed);
    let deadline = Instant::now() + Duration::from_secs(5);
    while landscapes.load(Relaxed) == last && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    answering.store(0, Relaxed);
    watching.abort();

    let mut sorted = latencies.lock().map(|l| l.clone()).unwrap_or_default();
    sorted.sort_by(f64::total_cmp);
    let mut own = own_latencies.lock().map(|l| l.clone()).unwrap_or_default();
    own.sort_by(f64::total_cmp);
    Ok(format!(
        "STATEMENTS participants={} statements={} answers={total} acked={} refused={} failed={} not_shown={} \
         p50_ms={:.0} p95_ms={:.0} p99_ms={:.0} max_ms={:.0} own_p99_ms={:.0} landscapes={} \
         landscape_gap_max_ms={} groups={} seconds={seconds:.1} per_second={:.0} server_rss_mb={}",
        run.participants,
        cards.len(),
        acked.load(Relaxed),
        refused.load(Relaxed),
        failed.load(Relaxed),
        not_shown.load(Relaxed),
        percentile(&sorted, 0.5),
        percentile(&sorted, 0.95),
        percentile(&sorted, 0.99),
        sorted.last().copied().unwrap_or(0.0),
        percentile(&own, 0.99),
        landscapes.load(Relaxed),
        gap_max.load(Relaxed),
        groups.load(Relaxed),
        acked.load(Relaxed) as f64 / seconds.max(0.001),
        server_rss_mb(target),
    ))
}
