//! The deal: a hall's phones dealt into small groups at once, on the
//! phones' real path. One gathering on the introduction agenda, whose last
//! step is a practice triad; `--participants` phones join as the script
//! does (their page over HTTP, which joins them, then their live link);
//! then the console moves the room to the small groups step, which deals
//! everyone present. Each phone, told by its link, does what `phone.js`
//! does: asks for the shared part (with the position it was told of), and,
//! the shared part's stamp being new, its own part, which must show its
//! group's sign. Measured: the console's answer (the deal decided and its
//! checkpoint, with every phone's seat, stored), the time until every
//! phone has been told, and until every phone shows its sign. The last
//! line printed is:
//!
//! `DEAL participants=… groups=… acked_ms=… all_phones_ms=… all_signs_ms=… signs_p50_ms=… server_rss_mb=…`

use super::map_storm::{action, answer, follow, fresh_id, percentile};
use super::phones::{fetch_own, fetch_parts, open_phone, Joined};
use super::{server_rss_mb, Error, Target};
use futures_util::{SinkExt, StreamExt};
use hearth_core::exercise::ExerciseKind;
use hearth_core::ids::StepId;
use hearth_core::protocol::Action;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::task::JoinSet;
use tokio_tungstenite::tungstenite::Message;

/// Longest a phone may wait to hear of the groups.
const PATIENCE: Duration = Duration::from_secs(60);

pub async fn run(
    participants: usize,
    connect_batch: usize,
    target: &Target,
) -> Result<String, Error> {
    let (g, mut console, view) =
        super::gathering_with_console(target, "The deal", "introduction").await?;
    let mut view = Some(view);
    let step: StepId = view
        .as_ref()
        .and_then(|v| {
            v.steps
                .iter()
                .find(|s| s.exercise.kind() == ExerciseKind::SmallGroups)
        })
        .map(|s| s.id)
        .ok_or("the gathering has no small groups step")?;

    println!("joining {participants} phones");
    let page = Arc::new(format!("{}/p/{}", target.base, g.join_token));
    let live = Arc::new(format!("/ws/p/{}", g.join_token));
    let mut phones: Vec<Joined> = Vec::with_capacity(participants);
    while phones.len() < participants {
        let batch = connect_batch.min(participants - phones.len());
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

    // Every phone listens for the news of the groups, then fetches its
    // copy as the script does, until its own part shows its sign.
    let started = Instant::now();
    let mut told = JoinSet::new();
    for phone in phones {
        let (http, page) = (target.http.clone(), page.clone());
        told.spawn(async move {
            let Joined {
                cookie,
                facts,
                mut ws,
                ..
            } = phone;
            let deadline = Instant::now() + PATIENCE;
            let at = loop {
                let left = deadline.saturating_duration_since(Instant::now());
                let Ok(Some(frame)) = tokio::time::timeout(left, ws.next()).await else {
                    return Err::<(Duration, Duration), Error>(
                        "a phone never heard of the groups".into(),
                    );
                };
                if let Message::Text(text) = frame? {
                    // The event, or a snapshot holding the groups (a phone
                    // that fell behind is sent one instead).
                    let snapshot_with_groups =
                        text.contains("\"type\":\"snapshot\"") && text.contains("\"groups\":{");
                    if text.contains("\"groups_shown\"") || snapshot_with_groups {
                        break super::number_after(&text, "\"seq\":");
                    }
                }
            };
            let heard = started.elapsed();
            let seen = facts.glance.clone().unwrap_or_default();
            let shared = fetch_parts(&http, &page, &cookie, None, &seen, at, false).await?;
            if !shared.ok {
                return Err("a phone's shared part did not answer".into());
            }
            let own = fetch_own(&http, &page, &cookie).await?;
            if !own.contains("data-group=\"") {
                return Err("a phone's own part shows no group sign".into());
            }
            Ok((heard, started.elapsed()))
        });
    }
    let id = fresh_id();
    console.send(action(&id, Action::GoTo { step })?).await?;
    answer(&mut console, &id, &mut view).await??;
    let acked = started.elapsed();
    let mut last = Duration::ZERO;
    let mut signs: Vec<u64> = Vec::with_capacity(participants);
    while let Some(done) = told.join_next().await {
        let (heard, sign) = done??;
        last = last.max(heard);
        signs.push(sign.as_millis() as u64);
    }
    signs.sort_unstable();
    // The console hears of the groups too (its answer may come first).
    let deadline = Instant::now() + PATIENCE;
    let groups = loop {
        if let Some(shown) = view.as_ref().and_then(|v| v.groups) {
            break shown.groups;
        }
        let left = deadline.saturating_duration_since(Instant::now());
        match tokio::time::timeout(left, console.next()).await {
            Ok(Some(Ok(Message::Text(text)))) => follow(&mut view, serde_json::from_str(&text)?),
            Ok(Some(Ok(_))) => {}
            _ => return Err("the console was not told of the groups".into()),
        }
    };
    let rss = server_rss_mb(target);
    Ok(format!(
        "DEAL participants={participants} groups={groups} acked_ms={} all_phones_ms={} \
         all_signs_ms={} signs_p50_ms={} server_rss_mb={rss}",
        acked.as_millis(),
        last.as_millis(),
        signs.last().copied().unwrap_or(0),
        percentile(&signs, 0.5),
    ))
}
