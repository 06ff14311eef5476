//! A crash in the middle of a busy room: twenty phones keep posting, the
//! server is killed without warning (SIGKILL), and started again. Every
//! phone reconnects and resends what it had sent but not seen acknowledged,
//! under the same action ids. After the reveal, every acknowledged
//! reflection is on every view and in the database exactly once, and every
//! view shows the same cards in the same order.

use hearth_core::error::ErrorCode;
use hearth_core::gathering::GatheringView;
use hearth_core::ids::{ActionId, CardId};
use hearth_core::protocol::{Action, Outcome};
use hearth_tests::{action_id, reflection, Client, Counter, Device, TestServer, PATIENCE};
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use std::time::Duration;

const BIN: &str = env!("CARGO_BIN_EXE_hearth");
const PHONES: usize = 20;
/// Acknowledged posts before the facilitator reveals once, mid-stream.
const REVEAL_AFTER: usize = 60;
/// Acknowledged posts before the server is killed.
const KILL_AFTER: usize = 150;
/// Posts one phone sends at once, before reading the answers: at the
/// crash, several are in flight, some stored and some not.
const BURST: usize = 5;
/// The most bursts a phone sends, so the test ends even if the kill never
/// comes.
const MAX_BURSTS: usize = 40;
/// A pause between one phone's bursts, to stay within the server's pace for
/// one connection (about 10 messages a second): a rate, not a wait.
const BETWEEN_BURSTS: Duration = Duration::from_millis(600);

/// One post as its phone saw it.
#[derive(Debug)]
struct Sent {
    id: ActionId,
    text: String,
    /// The card it was stored as, once acknowledged.
    acked: Option<CardId>,
    /// Refused (slowed down): not stored, not to be retried.
    refused: bool,
}

/// Posts in bursts until the connection breaks (the crash) or
/// `MAX_BURSTS`.
async fn post_until_cut(
    mut client: Client,
    phone: usize,
    acks: Arc<Counter>,
) -> (Client, Vec<Sent>) {
    let mut sent: Vec<Sent> = Vec::new();
    'posting: for _ in 0..MAX_BURSTS {
        let burst = sent.len();
        for _ in 0..BURST {
            let id = action_id();
            let text = format!("phone {phone:02}, reflection {:03}", sent.len());
            sent.push(Sent {
                id: id.clone(),
                text: text.clone(),
                acked: None,
                refused: false,
            });
            if client.send_act(&id, reflection(&text)).await.is_err() {
                // The server is gone: this one may or may not have left.
                break 'posting;
            }
        }
        for _ in 0..BURST {
            let Ok((id, answer)) = client.next_answer(PATIENCE).await else {
                // The server is gone with answers outstanding.
                break 'posting;
            };
            let post = sent[burst..]
                .iter_mut()
                .find(|s| s.id == id)
                .unwrap_or_else(|| panic!("an answer to an action never sent: {id:?}"));
            assert!(post.acked.is_none() && !post.refused, "answered twice");
            match answer {
                Ok(Outcome::Added { card }) => {
                    assert_eq!(card.text, post.text);
                    post.acked = Some(card.id);
                    acks.add();
                }
                Ok(other) => panic!("a reflection was answered with {other:?}"),
                Err(ErrorCode::RateLimited) => post.refused = true,
                Err(code) => panic!("a reflection was refused: {code:?}"),
            }
        }
        tokio::time::sleep(BETWEEN_BURSTS).await;
    }
    (client, sent)
}

/// Connects every phone at once.
async fn connect_phones(
    server: &TestServer,
    path: &str,
    phones: &[Device],
) -> hearth_tests::Result<Vec<Client>> {
    futures_util::future::join_all(
        phones
            .iter()
            .map(|phone| server.connect(path, Some(phone), None)),
    )
    .await
    .into_iter()
    .collect()
}

#[tokio::test]
async fn acknowledged_reflections_survive_a_crash_exactly_once() -> hearth_tests::Result<()> {
    let mut server = TestServer::start(BIN).await?;
    let g = server.create_gathering("Crash drill", "blank").await?;
    let phones: Vec<Device> = (0..PHONES).map(|_| Device::new()).collect();
    let clients = connect_phones(&server, &g.participant_ws(), &phones).await?;
    let mut screen = server.connect(&g.screen_ws(), None, None).await?;
    let mut console = server.connect(&g.console_ws(), None, None).await?;

    // The screen keeps reading, as a real one would, until the crash cuts it.
    let screen_task = tokio::spawn(async move {
        let error = loop {
            if let Err(e) = screen.next(PATIENCE).await {
                break e.to_string();
            }
        };
        (screen, error)
    });
    let acks = Arc::new(Counter::default());
    let posting: Vec<_> = clients
        .into_iter()
        .enumerate()
        .map(|(i, client)| tokio::spawn(post_until_cut(client, i, Arc::clone(&acks))))
        .collect();

    // Mid-stream: one reveal, more posts, then the crash.
    acks.reach(REVEAL_AFTER).await?;
    assert_eq!(console.act(Action::Reveal).await??, Outcome::Done);
    acks.reach(KILL_AFTER).await?;
    server.kill()?;

    let mut sent_by_phone = Vec::new();
    for task in posting {
        let (_, sent) = task.await?;
        sent_by_phone.push(sent);
    }
    let (old_screen, why) = screen_task.await?;
    assert!(
        !why.starts_with("event"),
        "the screen saw the log out of order before the crash: {why}"
    );
    let screen_at = old_screen.at.ok_or("the screen had no log position")?;
    let screen_view: GatheringView = old_screen.view.clone().ok_or("the screen had no view")?;
    let acked_before = acks.get();
    let in_doubt: usize = sent_by_phone
        .iter()
        .flatten()
        .filter(|s| s.acked.is_none() && !s.refused)
        .count();
    assert!(acked_before >= KILL_AFTER);
    eprintln!("killed with {acked_before} reflections acknowledged and {in_doubt} in doubt");

    server.start_again().await?;

    // Every view comes back; the screen resumes from where it was.
    let screen = server
        .reconnect(&g.screen_ws(), None, screen_at, screen_view)
        .await?;
    let mut clients = connect_phones(&server, &g.participant_ws(), &phones).await?;

    // Each phone finds its acknowledged reflections kept, and resends what
    // it had no answer for, under the same id. One that was stored before
    // the crash is answered with the card it was stored as.
    let mut stored_unanswered = 0;
    for (client, sent) in clients.iter_mut().zip(sent_by_phone.iter_mut()) {
        let mine: BTreeMap<String, CardId> = client
            .mine
            .iter()
            .map(|c| (c.text.clone(), c.id.clone()))
            .collect();
        assert_eq!(mine.len(), client.mine.len(), "a reflection stored twice");
        for post in sent.iter_mut() {
            if let Some(card) = &post.acked {
                assert_eq!(
                    mine.get(&post.text),
                    Some(card),
                    "an acknowledged reflection was lost"
                );
                continue;
            }
            if post.refused {
                assert!(
                    !mine.contains_key(&post.text),
                    "a refused reflection was stored"
                );
                continue;
            }
            let stored = mine.get(&post.text);
            stored_unanswered += usize::from(stored.is_some());
            match client
                .act_as(post.id.clone(), reflection(&post.text))
                .await??
            {
                Outcome::Added { card } => {
                    assert_eq!(card.text, post.text);
                    if let Some(stored) = stored {
                        assert_eq!(&card.id, stored, "a retry was stored again");
                    }
                    post.acked = Some(card.id);
                }
                other => panic!("a retried reflection was answered with {other:?}"),
            }
        }
    }
    eprintln!("{stored_unanswered} of those in doubt had been stored before the crash");
    let expected: BTreeMap<String, CardId> = sent_by_phone
        .iter()
        .flatten()
        .filter_map(|s| s.acked.clone().map(|card| (s.text.clone(), card)))
        .collect();
    assert_eq!(
        expected.len(),
        acked_before + in_doubt,
        "every post is acknowledged once the phones have retried"
    );

    let mut console = server.connect(&g.console_ws(), None, None).await?;
    assert_eq!(console.act(Action::Reveal).await??, Outcome::Done);
    let fresh_screen = server.connect(&g.screen_ws(), None, None).await?;

    // Every view: each acknowledged card exactly once, nothing else, and
    // all in the same order.
    let mut views = vec![("the resumed screen".to_owned(), screen)];
    views.push(("a fresh screen".to_owned(), fresh_screen));
    views.push(("the console".to_owned(), console));
    for (i, client) in clients.into_iter().enumerate() {
        views.push((format!("phone {i}"), client));
    }
    let want = expected.len();
    let caught_up =
        futures_util::future::join_all(views.iter_mut().map(|(name, view)| async move {
            view.wait_for("every acknowledged card", |v| v.cards.len() >= want)
                .await
                .map_err(|e| format!("{name}: {e}"))?;
            // Anything more (a card twice) would have come before a pong.
            view.sync().await
        }))
        .await;
    for result in caught_up {
        result?;
    }
    let mut order: Option<Vec<String>> = None;
    for (name, view) in &views {
        let cards = &view.view.as_ref().ok_or("no view")?.cards;
        let texts: Vec<String> = cards.iter().map(|c| c.text.clone()).collect();
        let unique: BTreeSet<&String> = texts.iter().collect();
        assert_eq!(unique.len(), texts.len(), "{name} shows a card twice");
        for card in cards {
            assert_eq!(
                expected.get(&card.text),
                Some(&card.id),
                "{name} shows {:?}, which is not an acknowledged card",
                card.text
            );
        }
        assert_eq!(texts.len(), expected.len(), "{name} misses cards");
        match &order {
            None => order = Some(texts),
            Some(first) => assert_eq!(first, &texts, "{name} shows another order"),
        }
    }

    // Each phone still sees exactly its own acknowledged reflections.
    for (phone, sent) in phones.iter().zip(&sent_by_phone) {
        let page = server.participant_page(&g, phone).await?;
        let mine: BTreeSet<String> = page.mine.iter().map(|c| c.text.clone()).collect();
        let acked: BTreeSet<String> = sent
            .iter()
            .filter(|s| s.acked.is_some())
            .map(|s| s.text.clone())
            .collect();
        assert_eq!(mine, acked);
        assert_eq!(page.mine.len(), acked.len());
    }

    // The database holds each acknowledged reflection exactly once.
    let rows = server.store().card_texts().await?;
    for (text, count) in &rows {
        assert_eq!(*count, 1, "{text:?} is stored {count} times");
    }
    let stored: Vec<&String> = rows.keys().collect();
    let wanted: Vec<&String> = expected.keys().collect();
    assert_eq!(
        stored, wanted,
        "the database holds exactly the acknowledged reflections"
    );
    Ok(())
}
