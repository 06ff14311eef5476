//! A restart: a room comes back exactly as it was (from its checkpoint and
//! the events after it, or from its whole log), words that were hidden or
//! withdrawn do not come back with it, and a room that many views wait for
//! at once is loaded once.

use futures_util::future::try_join_all;
use hearth_core::gathering::{GatheringView, LogPosition};
use hearth_core::ids::StepId;
use hearth_core::marks::Mark;
use hearth_core::protocol::{Action, Moderation};
use hearth_tests::{contains_bytes, reflection, Client, Device, TestServer};

const BIN: &str = env!("CARGO_BIN_EXE_hearth");

/// The gathering's own settings for a test: the default checkpoints (none
/// is written in these short tests), or one with every round.
const SETTINGS: [&[&str]; 2] = [&[], &["--checkpoint-every", "1"]];

/// Three people write on the board; their cards are revealed; the one
/// holding `secret` is hidden by the facilitator. Returns the console and
/// the screen's position and view from before the reveal.
async fn reveal_then_hide(
    server: &TestServer,
    console: &mut Client,
    participant_ws: &str,
    screen_ws: &str,
    secret: &str,
) -> hearth_tests::Result<(LogPosition, GatheringView)> {
    let screen = server.connect(screen_ws, None, None).await?;
    let before = (
        screen.at.ok_or("no position")?,
        screen.view.clone().ok_or("no view")?,
    );
    drop(screen);
    for text in [secret, "the kitchen table", "a long walk home"] {
        let mut phone = server
            .connect(participant_ws, Some(&Device::new()), None)
            .await?;
        phone.act(reflection(text)).await??;
    }
    console.act(Action::Reveal).await??;
    console
        .wait_for("the reveal", |v| v.cards.len() == 3)
        .await?;
    let card = console
        .view
        .as_ref()
        .and_then(|v| v.cards.iter().find(|c| c.text == secret))
        .map(|c| c.id.clone())
        .ok_or("the secret card was not revealed")?;
    console
        .act(Action::Moderate {
            card: card.clone(),
            change: Moderation::Hide,
        })
        .await??;
    console
        .wait_for("the card hidden", |v| {
            v.card(&card).is_some_and(|c| c.hidden)
        })
        .await?;
    Ok(before)
}

#[tokio::test]
async fn a_hidden_card_stays_hidden_from_a_view_that_catches_up_after_a_restart(
) -> hearth_tests::Result<()> {
    for flags in SETTINGS {
        let mut server = TestServer::start_with(BIN, flags).await?;
        let g = server.create_gathering("Hidden", "blank").await?;
        let mut console = server.connect(&g.console_ws(), None, None).await?;
        let secret = "words that were taken off the screen";
        let (at, seen) = reveal_then_hide(
            &server,
            &mut console,
            &g.participant_ws(),
            &g.screen_ws(),
            secret,
        )
        .await?;

        // Before the restart, a view from before the reveal is sent a
        // snapshot without the words.
        let screen = server
            .reconnect(&g.screen_ws(), None, at, seen.clone())
            .await?;
        assert!(
            !screen.card_texts().iter().any(|t| t == secret),
            "before the restart ({flags:?}): {:?}",
            screen.card_texts()
        );
        drop(screen);

        server.restart().await?;
        let screen = server.reconnect(&g.screen_ws(), None, at, seen).await?;
        assert!(
            !screen.card_texts().iter().any(|t| t == secret),
            "after the restart ({flags:?}), a view from before the reveal was sent the hidden words: {:?}",
            screen.card_texts()
        );
        assert_eq!(screen.view.as_ref().map(|v| v.cards.len()), Some(3));
    }
    Ok(())
}

#[tokio::test]
async fn a_room_comes_back_from_a_restart_exactly_as_it_was() -> hearth_tests::Result<()> {
    for flags in SETTINGS {
        let mut server = TestServer::start_with(BIN, flags).await?;
        let g = server.create_gathering("Whole", "introduction").await?;
        let mut console = server.connect(&g.console_ws(), None, None).await?;
        reveal_then_hide(
            &server,
            &mut console,
            &g.participant_ws(),
            &g.screen_ws(),
            "hidden, and shown again",
        )
        .await?;
        let hidden = console
            .view
            .as_ref()
            .and_then(|v| v.cards.iter().find(|c| c.hidden))
            .map(|c| c.id.clone())
            .ok_or("no hidden card")?;
        console
            .act(Action::Moderate {
                card: hidden,
                change: Moderation::Unhide,
            })
            .await??;
        // Five people resonate with a card (totals show from five), and one
        // withdraws a revealed card of their own.
        let board = StepId(1);
        let target = console.card_ids_of(board)[0].clone();
        let mut phones = Vec::new();
        for _ in 0..5 {
            let mut phone = server
                .connect(&g.participant_ws(), Some(&Device::new()), None)
                .await?;
            phone
                .act(Action::Mark {
                    mark: Mark::Resonate {
                        card: target.clone(),
                        on: true,
                    },
                })
                .await??;
            phones.push(phone);
        }
        let own = phones[0]
            .add(board, "mine to take back", Default::default())
            .await?;
        console.act(Action::Reveal).await??;
        console
            .wait_for("the last reveal", |v| v.card(&own).is_some())
            .await?;
        phones[0]
            .act(Action::Withdraw { card: own.clone() })
            .await??;
        console.act(Action::GoTo { step: StepId(2) }).await??;
        console
            .wait_for("the withdrawal and the next step", |v| {
                v.card(&own).is_none() && v.current == StepId(2)
            })
            .await?;
        console
            .wait_for("the totals", |v| v.totals_of(board).card(&target) == 5)
            .await?;
        let before = console.view.clone().ok_or("no view")?;
        drop(console);
        drop(phones);

        server.restart().await?;
        let console = server.connect(&g.console_ws(), None, None).await?;
        assert_eq!(
            console.view.as_ref(),
            Some(&before),
            "the room after a restart ({flags:?})"
        );
        let stored = server.stored_bytes().await?;
        assert!(
            !contains_bytes(&stored, b"mine to take back"),
            "withdrawn words on disk ({flags:?})"
        );
    }
    Ok(())
}

#[tokio::test]
async fn a_room_many_views_wait_for_is_loaded_once() -> hearth_tests::Result<()> {
    let mut server = TestServer::start(BIN).await?;
    let g = server.create_gathering("Once", "blank").await?;
    let mut phone = server
        .connect(&g.participant_ws(), Some(&Device::new()), None)
        .await?;
    phone.act(reflection("one card")).await??;
    drop(phone);
    server.restart().await?;
    let loads_before = server.log().matches("room loaded in").count();

    let screen_ws = g.screen_ws();
    let views = try_join_all((0..60).map(|_| server.connect(&screen_ws, None, None))).await?;
    assert!(views.iter().all(|v| v.at.is_some()));
    let loads = server.log().matches("room loaded in").count() - loads_before;
    assert_eq!(loads, 1, "sixty views, one load:\n{}", server.log());
    Ok(())
}

/// The load tool's restart storm, small: a room with cards and marks, its
/// server killed, and every phone back (caught up, with a fresh page that
/// holds the newest card). The figures are the tool's business; here it
/// must simply bring everyone back. `scripts/test.sh` builds the tool
/// beside the server.
#[tokio::test]
async fn the_restart_storm_brings_every_phone_back() -> hearth_tests::Result<()> {
    load_tool(SMALL_STORM, "RESTART ", STORM_FACTS).await
}

/// The same storm with the server stopped as a service manager stops it
/// (SIGTERM): it must stop with forty phones connected, not hang on their
/// sockets, and every phone must come back as after a crash.
#[tokio::test]
async fn a_server_stopped_with_sigterm_stops_and_every_phone_comes_back() -> hearth_tests::Result<()>
{
    let args: Vec<&str> = SMALL_STORM.iter().copied().chain(["--sigterm"]).collect();
    load_tool(&args, "RESTART ", STORM_FACTS).await
}

/// A restart storm small enough for the suite.
const SMALL_STORM: &[&str] = &[
    "--restart-storm",
    "--participants",
    "40",
    "--cards",
    "120",
    "--current",
    "20",
    "--marks",
    "300",
    "--connect-batch",
    "20",
];
/// What its summary must say: every phone back, caught up, with its page.
const STORM_FACTS: &[&str] = &["resynced=40 ", "pages=40 ", "failed=0 "];

/// Runs the load tool (built beside the server) against a server of its
/// own with `args`; its last line must start with `summary` and hold
/// every one of `facts`.
async fn load_tool(args: &[&str], summary: &str, facts: &[&str]) -> hearth_tests::Result<()> {
    let load = std::path::Path::new(BIN).with_file_name("load");
    if !load.exists() {
        return Err(format!(
            "{} is missing: build it with `cargo build -p hearth-tests`",
            load.display()
        )
        .into());
    }
    let out = tokio::process::Command::new(&load)
        .args(args)
        .arg("--bin")
        .arg(BIN)
        .output()
        .await?;
    let stdout = String::from_utf8_lossy(&out.stdout);
    let last = stdout.lines().last().unwrap_or_default();
    assert!(
        out.status.success() && last.starts_with(summary),
        "the load tool failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for fact in facts {
        assert!(last.contains(fact), "{fact}missing from: {last}");
    }
    Ok(())
}

/// The load tool's default measurement, small: phones on the path real
/// phones use (their page over HTTP, posts through the form, the page
/// fetched again on each event) must see every post, once, with every
/// page they fetch holding what it must. `scripts/test.sh` builds the
/// tool beside the server.
#[tokio::test]
async fn the_load_tool_answers_statements_through_the_phone_path() -> hearth_tests::Result<()> {
    load_tool(
        &[
            "--statements",
            "--participants",
            "30",
            "--cards",
            "12",
            "--answers",
            "12",
            "--rate",
            "400",
        ],
        "STATEMENTS ",
        &[
            "participants=30 ",
            "statements=12 ",
            "answers=360 ",
            "acked=360 ",
            "refused=0 ",
            "failed=0 ",
            "groups=3 ",
        ],
    )
    .await
}

#[tokio::test]
async fn the_load_tool_drives_the_phone_path() -> hearth_tests::Result<()> {
    load_tool(
        &[
            "--participants",
            "20",
            "--gatherings",
            "1",
            "--rate",
            "10",
            "--duration",
            "2",
        ],
        "LOAD ",
        &[
            "participants=20 ",
            "posts=20 ",
            "acked=20 ",
            "lost=0 ",
            "dup=0 ",
            "path=phones ",
            "unreached=0 ",
            "pages_failed=0 ",
            "pages_wrong=0 ",
        ],
    )
    .await
}
