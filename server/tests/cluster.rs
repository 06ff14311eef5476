//! Several Hearth nodes on one PostgreSQL database, end to end: real
//! processes, real sockets, the form path phones take.
//!
//! - any node answers for any gathering, and only the node holding its
//!   lease decides (the others relay its room);
//! - when the owner is killed, another node takes the lease once it runs
//!   out, and every acknowledged post is there exactly once, phones sending
//!   again what had no answer under the same ids;
//! - a paused owner, woken after another node took over, can write nothing
//!   and stops its room;
//! - a gathering deleted through one node ends on every node;
//! - a node whose database goes away acknowledges nothing, and takes posts
//!   again (each once) when it is back.
//!
//! These need PostgreSQL (`HEARTH_TEST_POSTGRES`, which `scripts/test.sh`
//! sets for its second pass); on the SQLite pass they say they are skipped.
//! They wait for facts (an acknowledgement, a log line, a message), never
//! for time: a lease running out is seen as the first post acknowledged
//! after it.

use hearth_core::gathering::Waiting;
use hearth_core::ids::{ActionId, CardId};
use hearth_core::protocol::Action;
use hearth_tests::store::on_postgres;
use hearth_tests::{action_id, Device, Gathering, TestServer, PATIENCE};
use std::time::Instant;

const BIN: &str = env!("CARGO_BIN_EXE_hearth");

/// Skips (saying so) on the SQLite pass: one file is one node's alone.
fn skipped() -> bool {
    if on_postgres() {
        return false;
    }
    hearth_tests::store::say("skipped: several nodes need PostgreSQL (HEARTH_TEST_POSTGRES)");
    true
}

/// How a post through the form came back.
#[derive(Debug, PartialEq)]
enum Answer {
    Stored(CardId),
    /// No answer, or "not now" (the gathering's owner is away): the phone
    /// keeps it in its outbox and sends it again.
    NotNow,
    Refused(String),
}

/// Posts a reflection through `node` as the phone's script does.
async fn post(
    node: &TestServer,
    g: &Gathering,
    device: &Device,
    id: &ActionId,
    text: &str,
) -> Answer {
    let step = g.page.gathering.current.0.to_string();
    let sent = node
        .http
        .post(format!("{}/p/{}/reflect", node.base, g.join_token))
        .header(reqwest::header::COOKIE, device.cookie())
        .header("hearth-parts", "1")
        .form(&[("id", id.as_str()), ("step", step.as_str()), ("text", text)])
        .send()
        .await;
    let Ok(response) = sent else {
        return Answer::NotNow;
    };
    if response.status().is_server_error() {
        return Answer::NotNow;
    }
    let to = hearth_tests::redirect_target(&response).unwrap_or_default();
    match to.split_once("done=received&card=") {
        Some((_, card)) => CardId::parse(card).map_or(Answer::Refused(to.clone()), Answer::Stored),
        None if to.contains("error=internal") => Answer::NotNow,
        None => Answer::Refused(to),
    }
}

/// Sends a post until it is acknowledged (as the phone's outbox does),
/// through `node`; fails on a refusal or past `PATIENCE`.
async fn post_until_stored(
    node: &TestServer,
    g: &Gathering,
    device: &Device,
    id: &ActionId,
    text: &str,
) -> hearth_tests::Result<CardId> {
    let deadline = Instant::now() + PATIENCE;
    loop {
        match post(node, g, device, id, text).await {
            Answer::Stored(card) => return Ok(card),
            Answer::Refused(why) => return Err(format!("{text:?} was refused: {why}").into()),
            Answer::NotNow if Instant::now() > deadline => {
                return Err(format!("{text:?} was never acknowledged").into())
            }
            // The outbox's own pace, between two tries of one post.
            Answer::NotNow => tokio::time::sleep(std::time::Duration::from_millis(100)).await,
        }
    }
}

/// The node whose lease on the gathering is current, by its address.
async fn owner_of<'a>(nodes: &'a [&'a TestServer]) -> hearth_tests::Result<&'a TestServer> {
    let owners = nodes[0]
        .store()
        .strings(
            "SELECT n.address FROM leases l JOIN nodes n ON n.id = l.node
             WHERE l.expires_at > now()",
            &[],
        )
        .await?;
    let [address] = owners.as_slice() else {
        return Err(format!("not exactly one owner: {owners:?}").into());
    };
    nodes
        .iter()
        .copied()
        .find(|n| &n.base == address)
        .ok_or_else(|| format!("the owner {address} is none of the nodes").into())
}

/// Two nodes on one database and a gathering whose room the first post,
/// `text` by `device`, started: its owner, the other node, the gathering.
async fn two_nodes(
    name: &str,
    device: &Device,
    text: &str,
) -> hearth_tests::Result<(TestServer, TestServer, Gathering)> {
    let a = TestServer::start(BIN).await?;
    let b = a.beside().await?;
    let g = a.create_gathering(name, "blank").await?;
    post_until_stored(&a, &g, device, &action_id(), text).await?;
    if std::ptr::eq(owner_of(&[&a, &b]).await?, &a) {
        Ok((a, b, g))
    } else {
        Ok((b, a, g))
    }
}

#[tokio::test]
async fn any_node_answers_and_only_the_owner_decides() -> hearth_tests::Result<()> {
    if skipped() {
        return Ok(());
    }
    let a = TestServer::start(BIN).await?;
    let b = a.beside().await?;
    let c = b.beside().await?;
    let g = a.create_gathering("Three nodes", "blank").await?;

    // The console on one node, the screen on another, phones on all three.
    let mut console = b.connect(&g.console_ws(), None, None).await?;
    let mut screen = c.connect(&g.screen_ws(), None, None).await?;
    let nodes = [&a, &b, &c];
    let mut cards = Vec::new();
    for (i, node) in nodes.iter().enumerate() {
        let device = Device::new();
        let id = action_id();
        let text = format!("written through node {i}");
        let card = post_until_stored(node, &g, &device, &id, &text).await?;
        // The same post again, through the next node: the same card, once.
        let again = post(nodes[(i + 1) % 3], &g, &device, &id, &text).await;
        assert_eq!(
            again,
            Answer::Stored(card.clone()),
            "a resent post through another node"
        );
        cards.push(text);
    }
    console.act(Action::Reveal).await??;
    // A phone told of the reveal by one node may ask any node for its page
    // at once: each waits until it has heard of the reveal too.
    console
        .wait_for("the reveal", |v| v.cards.len() == 3)
        .await?;
    let at = console.at.ok_or("no position")?.seq;
    for node in nodes {
        let part = node
            .get(
                &format!("/p/{}/shared?at={at}", g.join_token),
                Some(&Device::new()),
            )
            .await?;
        let html = part.text().await?;
        assert!(
            cards.iter().all(|t| html.contains(t.as_str())),
            "{}: {html}",
            node.base
        );
    }
    screen
        .wait_for("the three cards on the screen", |v| {
            v.cards.len() == 3 && v.tally.waiting == Waiting::None
        })
        .await?;
    // In one order everywhere: the screen relayed through one node, the
    // console through another, and a phone's page from the third.
    let order = screen.card_texts();
    console
        .wait_for("the three cards", |v| v.cards.len() == 3)
        .await?;
    assert_eq!(console.card_texts(), order, "the console's order");
    let page = a.participant_page(&g, &Device::new()).await?;
    let on_phone: Vec<String> = page
        .gathering
        .cards
        .iter()
        .map(|c| c.text.clone())
        .collect();
    assert_eq!(on_phone, order, "a phone's order");
    let mut seen = order.clone();
    seen.sort();
    assert_eq!(seen, cards);

    // One node decided: it holds the lease, and the others relayed to it.
    let owner = owner_of(&nodes).await?;
    for node in nodes {
        let owns = node.log().contains("this node owns the gathering now");
        assert_eq!(
            owns,
            std::ptr::eq(node, owner),
            "{}:\n{}",
            node.base,
            node.log()
        );
    }
    let stored = a.store().card_texts().await?;
    assert!(
        cards.iter().all(|t| stored.get(t) == Some(&1)),
        "{stored:?}"
    );

    // A phone's page, its two parts, from a node that does not own it.
    let relay = nodes
        .iter()
        .find(|n| !std::ptr::eq(**n, owner))
        .ok_or("no relay")?;
    let page = relay
        .get(&format!("/p/{}/shared", g.join_token), Some(&Device::new()))
        .await?;
    assert!(page.status().is_success(), "{}", page.status());
    let html = page.text().await?;
    assert!(cards.iter().all(|t| html.contains(t.as_str())), "{html}");

    // Internal questions need the cluster's key.
    let stranger = relay
        .http
        .post(format!("{}/internal/g/any/ask", relay.base))
        .body("{}")
        .send()
        .await?;
    assert_eq!(stranger.status(), 404);
    Ok(())
}

#[tokio::test]
async fn when_the_owner_dies_another_node_takes_over_and_nothing_acknowledged_is_lost(
) -> hearth_tests::Result<()> {
    if skipped() {
        return Ok(());
    }
    let devices: Vec<Device> = (0..4).map(|_| Device::new()).collect();
    let (mut owner, mut survivor, g) = two_nodes("Failover", &devices[0], "before, 0").await?;
    let mut acknowledged = vec!["before, 0".to_owned()];
    for (i, device) in devices.iter().enumerate().skip(1) {
        let text = format!("before, {i}");
        post_until_stored(&survivor, &g, device, &action_id(), &text).await?;
        acknowledged.push(text);
    }
    let mut screen = survivor.connect(&g.screen_ws(), None, None).await?;
    let before = screen.at.ok_or("no position")?;

    // The owner dies with posts on their way through the other node: they
    // are answered "not now" until the lease runs out and the survivor
    // takes the gathering, then stored, each once.
    owner.kill()?;
    let later: Vec<(ActionId, String)> = (0..4)
        .map(|i| (action_id(), format!("after, {i}")))
        .collect();
    let stored = futures_util::future::join_all(
        devices
            .iter()
            .zip(&later)
            .map(|(device, (id, text))| post_until_stored(&survivor, &g, device, id, text)),
    )
    .await;
    for result in stored {
        result?;
    }
    acknowledged.extend(later.iter().map(|(_, t)| t.clone()));
    survivor
        .wait_for_log("this node owns the gathering now")
        .await?;
    assert!(std::ptr::eq(owner_of(&[&survivor]).await?, &survivor));

    // Everything acknowledged is stored exactly once.
    let texts = survivor.store().card_texts().await?;
    for text in &acknowledged {
        assert_eq!(texts.get(text), Some(&1), "{text:?} in {texts:?}");
    }
    assert_eq!(texts.len(), acknowledged.len(), "{texts:?}");

    // The screen was relayed from the dead owner: it reconnects, and the
    // new owner's epoch sends it a snapshot.
    let mut screen_again = survivor
        .reconnect(
            &g.screen_ws(),
            None,
            before,
            screen.view.take().ok_or("no view")?,
        )
        .await?;
    let now = screen_again.at.ok_or("no position")?;
    assert_ne!(now.epoch, before.epoch, "a new owner, a new epoch");
    screen_again.sync().await?;
    drop(screen);

    // The dead node comes back (same address): it relays, it does not own.
    owner.restart().await?;
    let device = Device::new();
    post_until_stored(
        &owner,
        &g,
        &device,
        &action_id(),
        "through the node that came back",
    )
    .await?;
    assert!(std::ptr::eq(
        owner_of(&[&survivor, &owner]).await?,
        &survivor
    ));
    Ok(())
}

#[tokio::test]
async fn a_paused_owner_cannot_write_once_another_node_took_over() -> hearth_tests::Result<()> {
    if skipped() {
        return Ok(());
    }
    let first = Device::new();
    let (mut paused, survivor, g) = two_nodes("Paused", &first, "before the pause").await?;
    let pid = paused.pid().ok_or("not running")?;
    signal("STOP", pid)?;
    // Past the lease, the survivor takes the gathering.
    post_until_stored(
        &survivor,
        &g,
        &Device::new(),
        &action_id(),
        "during the pause",
    )
    .await?;
    signal("CONT", pid)?;
    // Woken, the old owner finds the lease gone and stops its room; what
    // reaches it afterwards is relayed to the new owner.
    paused.wait_for_log("its room here stops").await?;
    post_until_stored(&paused, &g, &first, &action_id(), "after the pause").await?;
    assert!(std::ptr::eq(
        owner_of(&[&survivor, &paused]).await?,
        &survivor
    ));
    let texts = survivor.store().card_texts().await?;
    for text in ["before the pause", "during the pause", "after the pause"] {
        assert_eq!(texts.get(text), Some(&1), "{text:?} in {texts:?}");
    }
    Ok(())
}

#[tokio::test]
async fn a_gathering_deleted_through_one_node_ends_on_every_node() -> hearth_tests::Result<()> {
    if skipped() {
        return Ok(());
    }
    let a = TestServer::start(BIN).await?;
    let b = a.beside().await?;
    let g = a.create_gathering("Gone", "blank").await?;
    // A screen on each node: one owns the room, the other relays it.
    let mut on_a = a.connect(&g.screen_ws(), None, None).await?;
    let mut on_b = b.connect(&g.screen_ws(), None, None).await?;
    let deleted = b
        .http
        .post(format!("{}/console/{}/delete", b.base, g.console_secret))
        .form(&[("confirm", "yes")])
        .send()
        .await?;
    assert!(
        deleted.status().is_redirection() || deleted.status().is_success(),
        "{}",
        deleted.status()
    );
    for screen in [&mut on_a, &mut on_b] {
        let deadline = Instant::now() + PATIENCE;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Err("a screen stayed connected to a deleted gathering".into());
            }
            if screen.next(left).await.is_err() {
                break;
            }
        }
    }
    for node in [&a, &b] {
        let page = node.get(&format!("/p/{}", g.join_token), None).await?;
        assert_eq!(page.status(), 404, "{}", node.base);
    }
    Ok(())
}

/// Sends a signal to a process, as `kill -<name>` does.
fn signal(name: &str, pid: u32) -> hearth_tests::Result<()> {
    let status = std::process::Command::new("kill")
        .arg(format!("-{name}"))
        .arg(pid.to_string())
        .status()?;
    if !status.success() {
        return Err(format!("kill -{name} {pid}: {status}").into());
    }
    Ok(())
}

#[tokio::test]
async fn a_node_whose_database_goes_away_acknowledges_nothing_and_comes_back_with_it(
) -> hearth_tests::Result<()> {
    if skipped() {
        return Ok(());
    }
    let node = TestServer::start(BIN).await?;
    let g = node.create_gathering("Database away", "blank").await?;
    let device = Device::new();
    post_until_stored(&node, &g, &device, &action_id(), "before").await?;
    let hearth_tests::store::Store::Postgres { name, .. } = node.store() else {
        return Err("not on PostgreSQL".into());
    };
    let admin =
        hearth_tests::store::connect(&std::env::var(hearth_tests::store::POSTGRES_ENV)?).await?;
    // The database turns everyone away, and Hearth's connections are cut.
    admin
        .batch_execute(&format!(
            r#"ALTER DATABASE "{name}" ALLOW_CONNECTIONS false"#
        ))
        .await?;
    admin
        .execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1",
            &[name],
        )
        .await?;
    let away = action_id();
    assert_eq!(
        post(&node, &g, &device, &away, "while away").await,
        Answer::NotNow,
        "nothing is acknowledged that could not be stored"
    );
    // Back: the same post, sent again, is stored once.
    admin
        .batch_execute(&format!(
            r#"ALTER DATABASE "{name}" ALLOW_CONNECTIONS true"#
        ))
        .await?;
    post_until_stored(&node, &g, &device, &away, "while away").await?;
    let texts = node.store().card_texts().await?;
    assert_eq!(texts.get("before"), Some(&1), "{texts:?}");
    assert_eq!(texts.get("while away"), Some(&1), "{texts:?}");
    Ok(())
}
