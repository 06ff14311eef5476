//! The deal: a hall's phones dealt into small groups at once. One
//! gathering on the introduction agenda, whose last step is a practice
//! triad; `--participants` phones join over the WebSocket; then the
//! console moves the room to the small groups step, which deals everyone
//! present. Measured: the console's answer (the deal decided and its
//! checkpoint, with every phone's seat, stored), and the time until every
//! phone has been told the groups exist. The last line printed is:
//!
//! `DEAL participants=… groups=… acked_ms=… all_phones_ms=… server_rss_mb=…`

use super::map_storm::{action, answer, follow, fresh_id, snapshot};
use super::{open, server_rss_mb, Error, Target, Ws};
use futures_util::{SinkExt, StreamExt};
use hearth_core::exercise::ExerciseKind;
use hearth_core::ids::StepId;
use hearth_core::protocol::Action;
use hearth_tests::Device;
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

    println!("connecting {participants} phones");
    let mut phones: Vec<Ws> = Vec::with_capacity(participants);
    while phones.len() < participants {
        let batch = connect_batch.min(participants - phones.len());
        let mut opening = JoinSet::new();
        for _ in 0..batch {
            let addr = target.addr;
            let path = format!("/ws/p/{}", g.join_token);
            opening.spawn(async move {
                let mut ws = open(addr, &path, Some(&Device::new())).await?;
                snapshot(&mut ws).await?;
                Ok::<_, Error>(ws)
            });
        }
        while let Some(done) = opening.join_next().await {
            phones.push(done??);
        }
    }

    // Every phone listens for the news of the groups.
    let started = Instant::now();
    let mut told = JoinSet::new();
    for mut phone in phones {
        told.spawn(async move {
            let deadline = Instant::now() + PATIENCE;
            loop {
                let left = deadline.saturating_duration_since(Instant::now());
                let Ok(Some(frame)) = tokio::time::timeout(left, phone.next()).await else {
                    return Err::<Duration, Error>("a phone never heard of the groups".into());
                };
                if let Message::Text(text) = frame? {
                    // The event, or a snapshot holding the groups (a phone
                    // that fell behind is sent one instead).
                    let snapshot_with_groups =
                        text.contains("\"type\":\"snapshot\"") && text.contains("\"groups\":{");
                    if text.contains("\"groups_shown\"") || snapshot_with_groups {
                        return Ok(started.elapsed());
                    }
                }
            }
        });
    }
    let id = fresh_id();
    console.send(action(&id, Action::GoTo { step })?).await?;
    answer(&mut console, &id, &mut view).await??;
    let acked = started.elapsed();
    let mut last = Duration::ZERO;
    while let Some(done) = told.join_next().await {
        last = last.max(done??);
    }
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
        "DEAL participants={participants} groups={groups} acked_ms={} all_phones_ms={} server_rss_mb={rss}",
        acked.as_millis(),
        last.as_millis(),
    ))
}
