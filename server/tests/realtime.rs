//! The real-time contract: a view that reconnects gets exactly what it
//! missed (or a snapshot when that is simpler), and a client that floods the
//! server (with messages, binary frames, pings or pongs) is slowed and then
//! closed without disturbing anyone else.

use futures_util::{SinkExt, StreamExt};
use hearth_core::error::ErrorCode;
use hearth_core::gathering::{LogPosition, Waiting};
use hearth_core::protocol::{Action, ServerMsg};
use hearth_tests::{reflection, Device, RawSocket, TestServer, PATIENCE};
use std::time::{Duration, Instant};
use tokio_tungstenite::tungstenite::Message;

const BIN: &str = env!("CARGO_BIN_EXE_hearth");

#[tokio::test]
async fn a_view_that_reconnects_gets_exactly_what_it_missed() -> hearth_tests::Result<()> {
    let server = TestServer::start(BIN).await?;
    let g = server.create_gathering("Resume", "blank").await?;
    let screen = server.connect(&g.screen_ws(), None, None).await?;
    let (at, seen) = (
        screen.at.ok_or("no position")?,
        screen.view.clone().ok_or("no view")?,
    );
    drop(screen);

    // While the screen is away, three reflections are added and revealed.
    let mut phone = server
        .connect(&g.participant_ws(), Some(&Device::new()), None)
        .await?;
    for text in ["one", "two", "three"] {
        phone.act(reflection(text)).await??;
    }
    let mut console = server.connect(&g.console_ws(), None, None).await?;
    console.act(Action::Reveal).await??;
    // The reveal's events, and the figures after it (the reconnecting
    // screen gets the room's figures as they are now).
    console
        .wait_for("nothing waiting", |v| v.tally.waiting == Waiting::None)
        .await?;
    console.sync().await?;
    let now = console.at.ok_or("no position")?;

    let screen = server.reconnect(&g.screen_ws(), None, at, seen).await?;
    assert_eq!(
        screen.events_seen,
        ((at.seq + 1)..=now.seq).collect::<Vec<_>>(),
        "each missed event once, in order"
    );
    assert_eq!(
        screen.view, console.view,
        "replaying the missed events reaches the server's state"
    );
    Ok(())
}

#[tokio::test]
async fn a_view_from_another_epoch_gets_a_snapshot() -> hearth_tests::Result<()> {
    let server = TestServer::start(BIN).await?;
    let g = server.create_gathering("Epochs", "blank").await?;
    let console = server.connect(&g.console_ws(), None, None).await?;
    let at = console.at.ok_or("no position")?;
    let stale = LogPosition {
        epoch: at.epoch ^ 1,
        seq: at.seq,
    };
    let screen = server.connect(&g.screen_ws(), None, Some(stale)).await?;
    assert_eq!(
        screen.at,
        Some(at),
        "a fresh snapshot replaces history from another epoch"
    );
    assert_eq!(screen.view, console.view);
    Ok(())
}

#[tokio::test]
async fn a_flood_is_slowed_then_closed_and_nobody_else_notices() -> hearth_tests::Result<()> {
    let server = TestServer::start(BIN).await?;
    let g = server.create_gathering("Flood", "blank").await?;
    let mut calm = server
        .connect(&g.participant_ws(), Some(&Device::new()), None)
        .await?;
    let mut flood = server
        .connect(&g.participant_ws(), Some(&Device::new()), None)
        .await?;

    let mut limited = 0;
    let closed;
    for i in 0..400 {
        let text = format!(
            r#"{{"type":"act","id":"flood-{i:06}","action":{{"kind":"withdraw","card":"0000000000000000"}}}}"#
        );
        if flood.send_text(&text).await.is_err() {
            break;
        }
        // Takes what has come so far, without waiting for more.
        while let Ok(msg) = flood.next(Duration::from_millis(1)).await {
            if let ServerMsg::Error {
                code: ErrorCode::RateLimited,
                ..
            } = msg
            {
                limited += 1;
            }
        }
    }
    loop {
        match flood.next(PATIENCE).await {
            Ok(ServerMsg::Error {
                code: ErrorCode::RateLimited,
                ..
            }) => limited += 1,
            Ok(_) => {}
            Err(e) => {
                closed = Some(e.to_string());
                break;
            }
        }
    }
    assert!(limited > 0, "the flood was slowed");
    let closed = closed.unwrap_or_default();
    assert!(
        closed.contains("slow down"),
        "the flood was closed with a reason: {closed}"
    );

    // The calm phone was never held up.
    assert!(calm.act(reflection("still fine")).await?.is_ok());
    Ok(())
}

/// How a flood of one kind of frame ended.
struct Flooded {
    /// The close frame's code and reason.
    code: u16,
    reason: String,
    /// Frames the server answered before it closed (pongs, error messages).
    answered: usize,
}

/// Sends `frame` 10,000 times on `socket` as fast as it goes, while
/// reading what comes back, until the server closes the connection.
async fn flood(socket: RawSocket, frame: Message) -> hearth_tests::Result<Flooded> {
    let (mut sink, mut stream) = socket.split();
    let sender = tokio::spawn(async move {
        for _ in 0..10_000 {
            if sink.send(frame.clone()).await.is_err() {
                break;
            }
        }
    });
    // A guard only: the flood is closed within a few seconds.
    let deadline = Instant::now() + PATIENCE;
    let mut answered = 0;
    let outcome = loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match tokio::time::timeout(left, stream.next()).await {
            Err(_) => break Err("the flood was never closed".into()),
            Ok(Some(Ok(Message::Close(Some(close))))) => {
                break Ok(Flooded {
                    code: close.code.into(),
                    reason: close.reason.as_str().to_owned(),
                    answered,
                })
            }
            Ok(Some(Ok(Message::Close(None)))) => break Err("closed without a reason".into()),
            Ok(Some(Ok(_))) => answered += 1,
            Ok(Some(Err(e))) => break Err(format!("the socket failed before a close: {e}").into()),
            Ok(None) => break Err("the connection ended without a close".into()),
        }
    };
    sender.abort();
    outcome
}

#[tokio::test]
async fn binary_frames_and_pings_are_paced_and_a_flood_of_them_is_closed(
) -> hearth_tests::Result<()> {
    let server = TestServer::start(BIN).await?;
    let g = server.create_gathering("Frames", "blank").await?;
    let mut calm = server
        .connect(&g.participant_ws(), Some(&Device::new()), None)
        .await?;

    let floods = [
        ("binary", Message::Binary(vec![0u8; 64].into())),
        ("ping", Message::Ping(b"are you there".to_vec().into())),
        ("pong", Message::Pong(Vec::new().into())),
    ];
    for (kind, frame) in floods {
        let socket = server
            .connect_raw(&g.participant_ws(), Some(&Device::new()))
            .await?;
        let started = Instant::now();
        let flooded = flood(socket, frame).await?;
        println!(
            "FLOOD kind={kind} answered={} closed_after_ms={}",
            flooded.answered,
            started.elapsed().as_millis()
        );
        assert_eq!(flooded.code, 1008, "{kind}: closed as a policy violation");
        assert!(
            flooded.reason.contains("slow down"),
            "{kind}: closed with a reason: {:?}",
            flooded.reason
        );
        // 30 at once, then about one in two while it is slowed (20 more),
        // and what a phone gets on connecting: nowhere near the 10,000 sent.
        assert!(
            flooded.answered <= 100,
            "{kind}: {} frames were answered",
            flooded.answered
        );
    }

    // A socket that pings now and then, as a keep-alive would, is answered
    // each time and stays open.
    let mut keeper = server
        .connect_raw(&g.participant_ws(), Some(&Device::new()))
        .await?;
    for i in 0..5u8 {
        keeper.send(Message::Ping(vec![i].into())).await?;
        let deadline = Instant::now() + PATIENCE;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match tokio::time::timeout(left, keeper.next()).await {
                Ok(Some(Ok(Message::Pong(payload)))) if payload.as_ref() == &[i][..] => break,
                Ok(Some(Ok(Message::Close(close)))) => {
                    return Err(format!("a calm socket was closed: {close:?}").into())
                }
                Ok(Some(Ok(_))) => {}
                other => return Err(format!("no pong for ping {i}: {other:?}").into()),
            }
        }
    }

    // Nobody else noticed: the calm phone acts as ever.
    assert!(calm.act(reflection("still here")).await?.is_ok());
    Ok(())
}

#[tokio::test]
async fn live_figures_are_coalesced_and_hidden_in_small_rooms() -> hearth_tests::Result<()> {
    use hearth_core::gathering::Tally;
    let server = TestServer::start(BIN).await?;
    let g = server.create_gathering("Figures", "blank").await?;
    let mut screen = server.connect(&g.screen_ws(), None, None).await?;

    // Four people: no counts at all, only that something waits.
    let mut phones = Vec::new();
    for _ in 0..4 {
        phones.push(
            server
                .connect(&g.participant_ws(), Some(&Device::new()), None)
                .await?,
        );
    }
    phones[0].act(reflection("first")).await??;
    screen
        .wait_for("some waiting", |v| {
            v.tally
                == Tally {
                    people: None,
                    writers: None,
                    waiting: Waiting::Some,
                }
        })
        .await?;

    // Six people posting thirty reflections as fast as they can: the screen
    // hears the figures a few times, not thirty times, and ends exact.
    for _ in 0..2 {
        phones.push(
            server
                .connect(&g.participant_ws(), Some(&Device::new()), None)
                .await?,
        );
    }
    // The figures for six people, before the bursts are counted.
    screen
        .wait_for("six people", |v| v.tally.people == Some(6))
        .await?;
    let before = screen.tallies_seen;
    for round in 0..5 {
        for (i, phone) in phones.iter_mut().enumerate() {
            phone
                .act(reflection(&format!("burst {round}-{i}")))
                .await??;
        }
    }
    let expected = Tally {
        people: Some(6),
        writers: Some(6),
        waiting: Waiting::Count(31),
    };
    screen
        .wait_for("the final figures", |v| v.tally == expected)
        .await?;
    let heard = screen.tallies_seen - before;
    assert!(
        heard < 15,
        "figures were coalesced: {heard} messages for 30 posts"
    );
    Ok(())
}

#[tokio::test]
async fn a_view_that_falls_behind_is_resynchronised_and_holds_up_nobody() -> hearth_tests::Result<()>
{
    use hearth_core::ids::StepId;
    let server = TestServer::start_with(BIN, &["--lag-limit", "8"]).await?;
    let g = server.create_gathering("Stalls", "blank").await?;
    let mut console = server.connect(&g.console_ws(), None, None).await?;

    // A full board makes a large snapshot (about 400 KB): 100 phones, 8
    // long reflections each.
    let devices: Vec<Device> = (0..100).map(|_| Device::new()).collect();
    let path = g.participant_ws();
    let connected = futures_util::future::join_all(
        devices.iter().map(|d| server.connect(&path, Some(d), None)),
    )
    .await;
    let mut phones = connected.into_iter().collect::<Result<Vec<_>, _>>()?;
    for round in 0..8 {
        let posted = futures_util::future::join_all(phones.iter_mut().enumerate().map(
            |(i, phone)| async move {
                let text = format!(
                    "{i}-{round} {}",
                    "a long and careful reflection ".repeat(16)
                );
                phone.act(reflection(&text)).await
            },
        ))
        .await;
        for result in posted {
            result??;
        }
        console.act(Action::Reveal).await??;
    }

    // One screen reads along; another sits on a stalled network.
    let mut reading = server.connect(&g.screen_ws(), None, None).await?;
    let mut stalled = server.connect_stalled(&g.screen_ws()).await?;

    // Twelve changes: more than the stalled screen may fall behind.
    for i in 0..12 {
        console
            .act(Action::SetCollecting {
                step: StepId(1),
                open: i % 2 == 1,
            })
            .await??;
    }
    reading
        .wait_for("all twenty changes", |v| v.steps[0].collecting)
        .await?;
    // The console has the present: the last change, and the figures after
    // the last reveal.
    console
        .wait_for("nothing waiting", |v| v.tally.waiting == Waiting::None)
        .await?;
    console.sync().await?;

    // Back on the network: it is brought to the present with a snapshot.
    stalled.reach(console.at.ok_or("no position")?).await?;
    assert!(
        stalled.snapshots_seen >= 2,
        "resynchronised ({} snapshots)",
        stalled.snapshots_seen
    );
    assert_eq!(stalled.view, console.view);
    assert_eq!(stalled.view.as_ref().map(|v| v.cards.len()), Some(800));
    Ok(())
}
