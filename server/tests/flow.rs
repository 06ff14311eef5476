//! The foundation flow, end to end against the real binary: a facilitator
//! starts a gathering, a phone joins by code and adds a reflection, the
//! facilitator reveals, every view sees it; then a restart loses nothing.

use hearth_core::error::ErrorCode;
use hearth_core::exercise::Place;
use hearth_core::gathering::{Joining, Waiting};
use hearth_core::ids::{CardId, StepId};
use hearth_core::protocol::{Action, Outcome};
use hearth_tests::{action_id, redirect_target, reflection, Device, TestServer, PATIENCE};

const BIN: &str = env!("CARGO_BIN_EXE_hearth");

#[tokio::test]
async fn a_reflection_travels_from_phone_to_screen_and_survives_a_restart(
) -> hearth_tests::Result<()> {
    let mut server = TestServer::start(BIN).await?;
    let g = server.create_gathering("Tuesday training", "blank").await?;
    assert_eq!(g.code.len(), 6);
    assert!(
        g.console_secret.len() >= 32 && g.screen_secret.len() >= 32 && g.join_token.len() >= 32
    );

    // The phone types the code and lands on the participant page.
    let joined = server
        .get(&format!("/join?code={}", g.code.to_lowercase()), None)
        .await?;
    assert_eq!(
        redirect_target(&joined).as_deref(),
        Some(format!("/p/{}", g.join_token).as_str())
    );
    let phone = Device::new();
    let page = server
        .get(&format!("/p/{}", g.join_token), Some(&phone))
        .await?;
    assert!(page.status().is_success());
    let html = page.text().await?;
    assert!(
        html.contains("What&#x27;s bringing you here today?")
            || html.contains("What's bringing you here today?")
    );
    assert!(
        html.contains(r#"<label for="reflection""#),
        "the form has a real label"
    );

    let mut screen = server.connect(&g.screen_ws(), None, None).await?;
    let mut console = server.connect(&g.console_ws(), None, None).await?;
    let mut participant = server
        .connect(&g.participant_ws(), Some(&phone), None)
        .await?;
    let mut other_phone = server
        .connect(&g.participant_ws(), Some(&Device::new()), None)
        .await?;

    let added = participant.act(reflection("I came to listen.")).await??;
    let Outcome::Added { card } = added else {
        panic!("expected a stored card, got {added:?}")
    };
    assert_eq!(card.text, "I came to listen.");

    // Before the reveal the screen knows only that something waits.
    screen
        .wait_for("a waiting reflection", |v| v.tally.waiting == Waiting::Some)
        .await?;
    assert!(screen.card_texts().is_empty());

    assert_eq!(console.act(Action::Reveal).await??, Outcome::Done);
    for view in [&mut screen, &mut participant, &mut other_phone] {
        view.wait_for("the revealed card", |v| {
            v.cards.iter().any(|c| c.text == "I came to listen.")
        })
        .await?;
    }

    // A crash and a restart: every card is still there, every view resumes.
    // The screen has what the server will resume it from: the figures sent
    // after the reveal (the room's own, which a reconnection gets whole).
    screen
        .wait_for("nothing waiting", |v| v.tally.waiting == Waiting::None)
        .await?;
    screen.sync().await?;
    let before = screen.at.ok_or("no log position")?;
    let seen = screen.view.clone().ok_or("the screen has no view")?;
    server.restart().await?;
    // The screen resumes from where it was: nothing missed, so nothing resent.
    let mut screen = server
        .reconnect(&g.screen_ws(), None, before, seen.clone())
        .await?;
    assert!(screen.events_seen.is_empty(), "nothing was resent");
    assert_eq!(screen.view.as_ref(), Some(&seen));
    let page: hearth_core::page::ScreenPage = server
        .api("screen", &[("secret", &g.screen_secret)], None)
        .await?;
    assert_eq!(page.at.seq, before.seq, "the log survives a restart");
    if hearth_tests::store::on_postgres() {
        // On PostgreSQL every start of a room is a new lease holder, and
        // a new holder is a new epoch (views resume from a snapshot).
        assert_ne!(page.at.epoch, before.epoch, "a new owner, a new epoch");
    } else {
        assert_eq!(page.at, before, "the log position survives a restart");
    }
    assert_eq!(page.gathering.cards.len(), 1);
    assert_eq!(page.gathering.cards[0].text, "I came to listen.");

    let mut participant = server
        .connect(&g.participant_ws(), Some(&phone), None)
        .await?;
    assert_eq!(
        participant.mine.len(),
        1,
        "the phone still sees its own reflection"
    );
    assert!(participant.mine[0].revealed);
    participant.act(reflection("And to be heard.")).await??;
    let mut console = server.connect(&g.console_ws(), None, None).await?;
    console.act(Action::Reveal).await??;
    screen
        .wait_for("the card posted after the restart", |v| v.cards.len() == 2)
        .await?;
    Ok(())
}

#[tokio::test]
async fn bad_reflections_get_clear_errors_and_store_nothing() -> hearth_tests::Result<()> {
    let server = TestServer::start(BIN).await?;
    let g = server.create_gathering("Bad input", "blank").await?;
    let phone = Device::new();
    let mut participant = server
        .connect(&g.participant_ws(), Some(&phone), None)
        .await?;
    let mut screen = server.connect(&g.screen_ws(), None, None).await?;
    let seq = screen.at.ok_or("no position")?.seq;

    let id = action_id();
    let empty = format!(
        r#"{{"type":"act","id":"{}","action":{{"kind":"add_reflection","step":1,"text":"   "}}}}"#,
        id.as_str()
    );
    participant.send_text(&empty).await?;
    assert_eq!(participant.answer(&id).await?, Err(ErrorCode::Empty));

    let id = action_id();
    let long = format!(
        r#"{{"type":"act","id":"{}","action":{{"kind":"add_reflection","step":1,"text":"{}"}}}}"#,
        id.as_str(),
        "x".repeat(501)
    );
    participant.send_text(&long).await?;
    assert_eq!(participant.answer(&id).await?, Err(ErrorCode::TooLong));

    participant.send_text("{this is not json").await?;
    let reply = participant.next(PATIENCE).await?;
    assert_eq!(
        reply,
        hearth_core::protocol::ServerMsg::Error {
            id: None,
            code: ErrorCode::Malformed
        }
    );

    let unknown_step = hearth_tests::reflection_at(StepId(9), "hi", Place::Board);
    assert_eq!(
        participant.act(unknown_step).await?,
        Err(ErrorCode::UnknownStep)
    );
    let unknown_card = Action::Withdraw {
        card: CardId::from_random(42),
    };
    assert_eq!(
        participant.act(unknown_card).await?,
        Err(ErrorCode::UnknownCard)
    );

    // Nothing changed anywhere, and the connection is still good.
    screen.sync().await?;
    assert_eq!(screen.at.ok_or("no position")?.seq, seq);
    let page = server.participant_page(&g, &phone).await?;
    assert!(page.mine.is_empty());
    assert!(participant
        .act(reflection("Now a real one."))
        .await?
        .is_ok());
    Ok(())
}

#[tokio::test]
async fn a_retried_action_is_applied_once() -> hearth_tests::Result<()> {
    let server = TestServer::start(BIN).await?;
    let g = server.create_gathering("Retries", "blank").await?;
    let phone = Device::new();
    let mut participant = server
        .connect(&g.participant_ws(), Some(&phone), None)
        .await?;
    let id = action_id();
    let first = participant
        .act_as(id.clone(), reflection("Only once"))
        .await??;
    let mut again = server
        .connect(&g.participant_ws(), Some(&phone), None)
        .await?;
    let second = again.act_as(id, reflection("Only once")).await??;
    assert_eq!(
        first, second,
        "the retry is answered with the first outcome"
    );
    assert_eq!(server.participant_page(&g, &phone).await?.mine.len(), 1);

    // Sent twice back to back, both land in the same round: still once.
    let twice = action_id();
    let text = serde_json::to_string(&hearth_core::protocol::ClientMsg::Act {
        id: twice.clone(),
        action: reflection("Sent twice"),
    })?;
    participant.send_text(&text).await?;
    participant.send_text(&text).await?;
    let a = participant.answer(&twice).await??;
    let b = participant.answer(&twice).await??;
    assert_eq!(a, b);
    let page = server.participant_page(&g, &phone).await?;
    assert_eq!(
        page.mine.iter().filter(|c| c.text == "Sent twice").count(),
        1
    );
    Ok(())
}

#[tokio::test]
async fn each_connection_may_do_only_what_its_role_allows() -> hearth_tests::Result<()> {
    let server = TestServer::start(BIN).await?;
    let g = server.create_gathering("Roles", "blank").await?;
    let mut participant = server
        .connect(&g.participant_ws(), Some(&Device::new()), None)
        .await?;
    let mut screen = server.connect(&g.screen_ws(), None, None).await?;
    let mut console = server.connect(&g.console_ws(), None, None).await?;

    for action in [
        Action::Reveal,
        Action::SetJoiningLocked { locked: true },
        Action::SetCollecting {
            step: StepId(1),
            open: false,
        },
    ] {
        assert_eq!(
            participant.act(action.clone()).await?,
            Err(ErrorCode::NotAllowed)
        );
        assert_eq!(screen.act(action).await?, Err(ErrorCode::NotAllowed));
    }
    assert_eq!(
        screen.act(reflection("from the screen")).await?,
        Err(ErrorCode::NotAllowed)
    );
    assert_eq!(
        console.act(reflection("from the console")).await?,
        Err(ErrorCode::NotAllowed)
    );
    console.sync().await?;
    let view = console.view.as_ref().ok_or("no view")?;
    assert_eq!(view.joining, Joining::Open);
    assert!(view.steps[0].collecting);
    Ok(())
}

#[tokio::test]
async fn join_codes_that_do_not_work_say_why() -> hearth_tests::Result<()> {
    let server = TestServer::start(BIN).await?;
    let g = server.create_gathering("Codes", "blank").await?;

    let mistyped = server.get("/join?code=AB0O1", None).await?;
    assert_eq!(
        redirect_target(&mistyped).as_deref(),
        Some("/?error=format&code=AB0O1")
    );
    let unknown_code = if g.code == "222222" {
        "333333"
    } else {
        "222222"
    };
    let unknown = server
        .get(&format!("/join?code={unknown_code}"), None)
        .await?;
    assert_eq!(
        redirect_target(&unknown),
        Some(format!("/?error=unknown&code={unknown_code}"))
    );

    let home = server
        .get("/?error=unknown&code=222222", None)
        .await?
        .text()
        .await?;
    assert!(
        home.contains("couldn") && home.contains("role=\"alert\""),
        "the front door explains the problem"
    );
    assert!(
        home.contains(r#"value="222222""#),
        "what was typed is kept for another try"
    );

    // A locked gathering keeps out new phones but not those already in.
    let inside = Device::new();
    server.participant_page(&g, &inside).await?;
    let mut console = server.connect(&g.console_ws(), None, None).await?;
    console
        .act(Action::SetJoiningLocked { locked: true })
        .await??;
    let newcomer = server
        .get(&format!("/p/{}", g.join_token), Some(&Device::new()))
        .await?;
    assert_eq!(newcomer.status(), reqwest::StatusCode::FORBIDDEN);
    assert!(newcomer.text().await?.contains("Joining is closed"));
    let returning = server
        .get(&format!("/p/{}", g.join_token), Some(&inside))
        .await?;
    assert!(returning.status().is_success());
    Ok(())
}

#[tokio::test]
async fn a_phone_without_javascript_can_post_and_see_it_was_received() -> hearth_tests::Result<()> {
    let server = TestServer::start(BIN).await?;
    let g = server.create_gathering("No script", "blank").await?;
    let phone = Device::new();
    let cookie = phone.cookie();
    let form = [
        ("id", "form-post-0001"),
        ("step", "1"),
        ("text", "Written, \"quoted\" & sent\r\nwithout script"),
    ];
    let post = || {
        server
            .http
            .post(format!("{}/p/{}/reflect", server.base, g.join_token))
            .header("cookie", cookie.clone())
            .form(&form)
            .send()
    };
    let response = post().await?;
    let target = redirect_target(&response).ok_or("the form post did not redirect")?;
    assert!(
        target.starts_with(&format!("/p/{}/received?card=", g.join_token)),
        "{target}"
    );
    let received = server.get(&target, Some(&phone)).await?.text().await?;
    assert!(received.contains("Your reflection was received"));
    assert!(received.contains("without script"));

    // The browser resends the same form: still one card.
    let again = post().await?;
    assert_eq!(redirect_target(&again), Some(target));
    let page = server.participant_page(&g, &phone).await?;
    assert_eq!(page.mine.len(), 1);
    assert_eq!(
        page.mine[0].text,
        "Written, \"quoted\" & sent\nwithout script"
    );

    // An empty form post comes back with a clear reason and stores nothing.
    let empty = server
        .http
        .post(format!("{}/p/{}/reflect", server.base, g.join_token))
        .header("cookie", cookie.clone())
        .form(&[("id", "form-post-0002"), ("step", "1"), ("text", "  ")])
        .send()
        .await?;
    let back = redirect_target(&empty).ok_or("no redirect")?;
    assert_eq!(back, format!("/p/{}?error=empty", g.join_token));
    let shown = server.get(&back, Some(&phone)).await?.text().await?;
    assert!(shown.contains("Write something first"));

    // A damaged post (no step) gets our own answer, not a framework error.
    let damaged = server
        .http
        .post(format!("{}/p/{}/reflect", server.base, g.join_token))
        .header("cookie", cookie.clone())
        .form(&[("id", "form-post-0003"), ("text", "hello")])
        .send()
        .await?;
    assert_eq!(
        redirect_target(&damaged),
        Some(format!("/p/{}?error=malformed", g.join_token))
    );
    assert_eq!(server.participant_page(&g, &phone).await?.mine.len(), 1);

    // A post to a gathering that does not exist lands on a kind page.
    let unknown = server
        .http
        .post(format!("{}/p/{}/reflect", server.base, "0".repeat(32)))
        .header("cookie", cookie.clone())
        .form(&[("id", "form-post-0004"), ("step", "1"), ("text", "hello")])
        .send()
        .await?;
    let target = redirect_target(&unknown).ok_or("no redirect")?;
    let page = server.get(&target, Some(&phone)).await?;
    assert_eq!(page.status(), reqwest::StatusCode::NOT_FOUND);
    assert!(page.text().await?.contains("couldn"));
    Ok(())
}

#[tokio::test]
async fn cross_site_websockets_are_refused() -> hearth_tests::Result<()> {
    let server = TestServer::start(BIN).await?;
    let g = server.create_gathering("Origin", "blank").await?;
    let refused = server
        .connect_from(Some("https://evil.example"), &g.console_ws(), None, None)
        .await;
    assert!(
        refused.is_err(),
        "a page from another site must not connect"
    );
    let same_site = server
        .connect_from(Some(&server.base), &g.console_ws(), None, None)
        .await?;
    assert!(same_site.view.is_some());
    Ok(())
}

#[tokio::test]
async fn the_database_is_a_real_sqlite_file_in_wal_mode() -> hearth_tests::Result<()> {
    if hearth_tests::skip_on_postgres("reads the SQLite file's journal mode") {
        return Ok(());
    }
    let server = TestServer::start(BIN).await?;
    let g = server.create_gathering("Storage", "blank").await?;
    let mut participant = server
        .connect(&g.participant_ws(), Some(&Device::new()), None)
        .await?;
    participant.act(reflection("kept on disk")).await??;
    let hearth_tests::Store::Sqlite(file) = server.store() else {
        return Err("not a SQLite file".into());
    };
    let db =
        rusqlite::Connection::open_with_flags(file, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)?;
    let mode: String = db.query_row("PRAGMA journal_mode", [], |r| r.get(0))?;
    assert_eq!(mode, "wal");
    let texts: Vec<String> = db
        .prepare("SELECT text FROM cards")?
        .query_map([], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    assert_eq!(texts, vec!["kept on disk".to_owned()]);
    Ok(())
}

#[tokio::test]
async fn every_page_renders_under_concurrent_requests_without_a_panic() -> hearth_tests::Result<()>
{
    let server = TestServer::start(BIN).await?;
    let g = server.create_gathering("Busy", "blank").await?;
    let paths = [
        format!("/console/{}", g.console_secret),
        format!("/screen/{}", g.screen_secret),
        format!("/p/{}", g.join_token),
        "/".to_owned(),
        "/start".to_owned(),
    ];
    let mut requests = Vec::new();
    for _ in 0..20 {
        for path in &paths {
            let device = Device::new();
            let (server, path) = (&server, path.clone());
            requests.push(async move {
                let response = server.get(&path, Some(&device)).await?;
                let status = response.status();
                let body = response.text().await?;
                Ok::<_, hearth_tests::Error>((path, status, body.len()))
            });
        }
    }
    for result in futures_util::future::join_all(requests).await {
        let (path, status, len) = result?;
        assert!(
            status.is_success() && len > 0,
            "{path} answered {status} with {len} bytes"
        );
    }
    assert!(
        !server.log().contains("panicked"),
        "the server panicked:\n{}",
        server.log()
    );
    Ok(())
}

#[tokio::test]
async fn every_page_carries_the_security_headers() -> hearth_tests::Result<()> {
    let server = TestServer::start(BIN).await?;
    let g = server.create_gathering("Headers", "blank").await?;
    for path in [
        "/".to_owned(),
        format!("/console/{}", g.console_secret),
        format!("/p/{}", g.join_token),
    ] {
        let response = server.get(&path, Some(&Device::new())).await?;
        let headers = response.headers().clone();
        let header = |name: &str| {
            headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default()
                .to_owned()
        };
        let policy = header("content-security-policy");
        assert!(policy.contains("frame-ancestors 'none'"), "{path}");
        // Only scripts with this response's nonce may run, and the page's
        // script (the hydration module, or the phone's on a participant's
        // page) carries exactly that nonce.
        let nonce = policy
            .split("'nonce-")
            .nth(1)
            .and_then(|rest| rest.split('\'').next())
            .ok_or(format!("{path}: no script nonce in {policy}"))?
            .to_owned();
        assert!(policy.contains("'wasm-unsafe-eval'"), "{path}");
        let html = response.text().await?;
        let script = if path.starts_with("/console/") {
            html.contains(&format!(r#"<script type="module" nonce="{nonce}""#))
        } else {
            html.split("<script ")
                .skip(1)
                .filter_map(|tag| tag.split('>').next())
                .any(|tag| {
                    tag.contains("/hearth-phone.") && tag.contains(&format!(r#"nonce="{nonce}""#))
                })
        };
        assert!(
            script,
            "{path}: the page's script carries the nonce:\n{html}"
        );
        assert_eq!(header("x-content-type-options"), "nosniff", "{path}");
        assert_eq!(header("referrer-policy"), "no-referrer", "{path}");
        assert_eq!(header("x-frame-options"), "DENY", "{path}");
    }
    // Two pages never share a nonce; what is not a page allows nothing.
    let nonce_of = |r: &reqwest::Response| {
        r.headers()
            .get("content-security-policy")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned()
    };
    let a = nonce_of(&server.get("/", None).await?);
    let b = nonce_of(&server.get("/", None).await?);
    assert_ne!(a, b);
    let qr = server.get(&format!("/qr/{}", g.join_token), None).await?;
    assert!(nonce_of(&qr).starts_with("default-src 'none'"));
    Ok(())
}
