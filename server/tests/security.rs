//! Security and privacy against the real binary: guessing join codes is
//! throttled while the join link, and phones that were in, still get in;
//! the organiser passphrase; deleting a gathering (at once, and after the
//! retention period) leaves nothing of it on disk; oversized requests are
//! refused.

use futures_util::future::join_all;
use hearth_core::ids::{JOIN_CODE_ALPHABET, JOIN_CODE_LEN};
use hearth_core::protocol::Action;
use hearth_tests::{contains_bytes, redirect_target, reflection, Device, TestServer, PATIENCE};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

const BIN: &str = env!("CARGO_BIN_EXE_hearth");

/// `n` well-formed join codes, none of them one of `taken`.
fn wrong_codes(taken: &[&str], n: usize) -> Vec<String> {
    let base = JOIN_CODE_ALPHABET.len();
    (0..)
        .map(|i: usize| {
            let mut rest = i;
            (0..JOIN_CODE_LEN)
                .map(|_| {
                    let c = JOIN_CODE_ALPHABET[rest % base] as char;
                    rest /= base;
                    c
                })
                .collect::<String>()
        })
        .filter(|code| !taken.contains(&code.as_str()))
        .take(n)
        .collect()
}

/// How many gatherings the database holds.
async fn gatherings(server: &TestServer) -> hearth_tests::Result<i64> {
    server
        .store()
        .count("SELECT COUNT(*) FROM gatherings", &[])
        .await
}

/// The stored id of the gathering a join link belongs to.
async fn gathering_id(server: &TestServer, join_token: &str) -> hearth_tests::Result<String> {
    server
        .store()
        .strings(
            "SELECT id FROM gatherings WHERE join_token = $1",
            &[join_token],
        )
        .await?
        .pop()
        .ok_or_else(|| "no gathering has that join link".into())
}

/// Rows in each table that belong to gathering `id`.
async fn rows_of(server: &TestServer, id: &str) -> hearth_tests::Result<i64> {
    let mut total = 0;
    for (table, column) in [
        ("gatherings", "id"),
        ("events", "gathering_id"),
        ("cards", "gathering_id"),
        ("participants", "gathering_id"),
        ("applied_actions", "gathering_id"),
    ] {
        total += server
            .store()
            .count(
                &format!("SELECT COUNT(*) FROM {table} WHERE {column} = $1"),
                &[id],
            )
            .await?;
    }
    Ok(total)
}

fn count(results: &[hearth_tests::Result<String>], prefix: &str) -> usize {
    results
        .iter()
        .filter(|r| r.as_ref().is_ok_and(|target| target.starts_with(prefix)))
        .count()
}

#[tokio::test]
async fn a_guesser_is_throttled_while_a_hall_behind_the_same_address_joins(
) -> hearth_tests::Result<()> {
    let server = TestServer::start(BIN).await?;
    let g = server.create_gathering("The hall", "blank").await?;
    let next_door = server.create_gathering("Next door", "blank").await?;
    let welcome = format!("/p/{}", g.join_token);

    // The first person in the hall joins; then, from the same venue
    // address, someone guesses codes while 39 more people join.
    assert_eq!(server.join_by_code(&g.code, None).await?, welcome);
    let wrong = wrong_codes(&[&g.code, &next_door.code], 200);
    let lowercase = g.code.to_lowercase();
    let started = Instant::now();
    let (guesses, hall) = tokio::join!(
        join_all(wrong.iter().map(|code| server.join_by_code(code, None))),
        join_all((0..39).map(|_| server.join_by_code(&lowercase, None))),
    );
    let elapsed = started.elapsed();
    for joined in hall {
        assert_eq!(joined?, welcome, "everyone in the hall gets in");
    }
    let (unknown, busy) = (
        count(&guesses, "/?error=unknown"),
        count(&guesses, "/?error=busy"),
    );
    assert_eq!(unknown + busy, 200, "every guess was answered");
    // 30 at once, then 2 a second.
    let allowed = 30 + (elapsed.as_secs_f64() * 2.0).ceil() as usize;
    assert!(
        unknown <= allowed,
        "{unknown} guesses were looked up in {elapsed:?}; at most {allowed} should be"
    );
    assert!(busy >= 200 - allowed);

    // While throttled, a code the address has not used is not even looked
    // up: a real gathering's code answers "busy" like any guess, so the
    // answers tell a guesser nothing.
    assert!(server
        .join_by_code(&next_door.code, None)
        .await?
        .starts_with("/?error=busy"));
    // A code that is not even the shape of one is not a guess.
    assert!(server
        .join_by_code("AB0O1", None)
        .await?
        .starts_with("/?error=format"));
    // And the hall's code still works.
    assert_eq!(server.join_by_code(&g.code, None).await?, welcome);

    // The front door says it kindly, and says what does work.
    let home = server.get("/?error=busy", None).await?.text().await?;
    assert!(home.contains("Scan the QR code on the screen"));
    Ok(())
}

#[tokio::test]
async fn during_a_guessing_attack_the_join_link_and_phones_that_were_in_still_get_in(
) -> hearth_tests::Result<()> {
    /// Newcomers who scan the QR code while the attack goes on.
    const BY_LINK: usize = 20;
    let server = TestServer::start(BIN).await?;
    let g = server.create_gathering("The hall", "blank").await?;
    let welcome = format!("/p/{}", g.join_token);
    // Before the attack, one phone scanned the QR code (it never typed the
    // code, and nobody at this address has).
    let was_in = Device::new();
    let page = server.get(&welcome, Some(&was_in)).await?;
    assert_eq!(page.status(), reqwest::StatusCode::OK);

    // Someone at the venue's address guesses codes as fast as the server
    // answers, from here until the hall is done.
    let wrong = wrong_codes(&[&g.code], 100_000);
    let (throttled, mut noticed) = tokio::sync::watch::channel(false);
    let done = AtomicBool::new(false);
    let attack = async {
        let started = Instant::now();
        let (mut guesses, mut busy) = (0usize, 0usize);
        for code in &wrong {
            if done.load(Ordering::Relaxed) {
                break;
            }
            guesses += 1;
            if server
                .join_by_code(code, None)
                .await?
                .starts_with("/?error=busy")
            {
                busy += 1;
                throttled.send_replace(true);
            }
        }
        Ok::<_, hearth_tests::Error>((guesses, busy, started.elapsed()))
    };
    let hall = async {
        let result = async {
            tokio::time::timeout(PATIENCE, noticed.wait_for(|throttled| *throttled))
                .await
                .map_err(|_| "the guesser was never throttled")??;
            // Newcomers scan the QR code: each page opens and each phone
            // posts a reflection on the live link.
            let mut by_link = 0;
            for i in 0..BY_LINK {
                let phone = Device::new();
                let page = server.get(&welcome, Some(&phone)).await?;
                let mut live = server
                    .connect(&g.participant_ws(), Some(&phone), None)
                    .await?;
                let posted = live.act(reflection(&format!("Here {i}"))).await?;
                if page.status().is_success() && posted.is_ok() {
                    by_link += 1;
                }
            }
            // A newcomer types the code: nobody here has used it yet, so it
            // looks like any guess, and they are told what does work.
            let typed = server.join_by_code(&g.code, None).await?;
            assert!(typed.starts_with("/?error=busy"), "{typed}");
            for (language, words) in [
                (
                    "en",
                    "Scan the QR code on the screen, or ask the facilitator for the link",
                ),
                (
                    "es",
                    "Escanea el código QR de la pantalla o pide el enlace a quien facilita",
                ),
            ] {
                let told = server
                    .http
                    .get(format!("{}{typed}", server.base))
                    .header("accept-language", language)
                    .send()
                    .await?
                    .text()
                    .await?;
                assert!(told.contains(words), "{language}: {told}");
            }
            // The phone that was in before types the code and gets in...
            let back = server.join_by_code_as(&g.code, &was_in).await?;
            // ...and from then on the code is known at this address, so the
            // rest of the room gets in with it too.
            let next = server.join_by_code(&g.code, None).await?;
            Ok::<_, hearth_tests::Error>((by_link, back, next))
        }
        .await;
        done.store(true, Ordering::Relaxed);
        result
    };
    let (attack, hall) = tokio::join!(attack, hall);
    let (guesses, busy, lasted) = attack?;
    let (by_link, back, next) = hall?;
    let per_second = guesses as f64 / lasted.as_secs_f64();
    println!(
        "GUESSING guesses={guesses} busy={busy} seconds={:.1} guesses_per_second={per_second:.0} \
         by_link={by_link}/{BY_LINK}",
        lasted.as_secs_f64()
    );
    assert_eq!(by_link, BY_LINK, "every newcomer with the link got in");
    assert_eq!(back, welcome, "a phone that was in gets back in");
    assert_eq!(next, welcome, "then the code works for the whole address");
    assert!(busy > 0 && busy < guesses);
    Ok(())
}

#[tokio::test]
async fn forwarded_for_counts_only_behind_a_trusted_proxy() -> hearth_tests::Result<()> {
    let wrong = wrong_codes(&[], 900);

    // Not told to trust it: a header anyone can write changes nothing.
    let server = TestServer::start(BIN).await?;
    let spoofed = join_all(wrong[..60].iter().enumerate().map(|(i, code)| {
        let server = &server;
        let address = format!("198.51.100.{i}");
        async move { server.join_by_code(code, Some(&address)).await }
    }))
    .await;
    assert!(
        count(&spoofed, "/?error=busy") >= 20,
        "made-up addresses must not escape the limit"
    );
    drop(server);

    // Behind a trusted proxy: each address has its own allowance, and
    // together they meet the global budget.
    let server = TestServer::start_with(BIN, &["--trust-forwarded-for"]).await?;
    let g = server.create_gathering("Behind a proxy", "blank").await?;
    let inside = "203.0.113.200";
    assert_eq!(
        server.join_by_code(&g.code, Some(inside)).await?,
        format!("/p/{}", g.join_token)
    );
    let started = Instant::now();
    let per_address = join_all((0..25).map(|a| {
        let codes = &wrong[a * 30..(a + 1) * 30];
        let server = &server;
        async move {
            let address = format!("203.0.113.{a}");
            let mut unknown = 0;
            for code in codes {
                if server
                    .join_by_code(code, Some(&address))
                    .await?
                    .starts_with("/?error=unknown")
                {
                    unknown += 1;
                }
            }
            Ok::<_, hearth_tests::Error>(unknown)
        }
    }))
    .await;
    let looked_up: usize = per_address
        .into_iter()
        .sum::<hearth_tests::Result<usize>>()?;
    // 750 wrong guesses from 25 addresses, 30 each: each within its own
    // allowance (so far more than one address's 30 are looked up), until
    // the global budget (600, then 10 a second) stops the rest.
    let budget = 600 + (started.elapsed().as_secs_f64() * 10.0).ceil() as usize;
    assert!(
        looked_up >= 400 && looked_up <= budget,
        "{looked_up} looked up, budget {budget}"
    );
    // Everyone new is slowed down now, even with a real code...
    let started = Instant::now();
    let fresh = join_all((0..20).map(|i| {
        let code = if i % 4 == 0 {
            g.code.clone()
        } else {
            wrong[800 + i].clone()
        };
        let server = &server;
        async move {
            server
                .join_by_code(&code, Some(&format!("192.0.2.{i}")))
                .await
        }
    }))
    .await;
    let refilled = 1 + (started.elapsed().as_secs_f64() * 10.0).ceil() as usize;
    assert!(
        count(&fresh, "/?error=busy") >= 20 - refilled,
        "new addresses wait while the budget is spent: {fresh:?}"
    );
    // ...but someone already in gets back in.
    assert_eq!(
        server.join_by_code(&g.code, Some(inside)).await?,
        format!("/p/{}", g.join_token)
    );
    assert!(server.log().contains("many failed attempts"));
    assert!(
        !server.log().contains("203.0.113"),
        "addresses are never logged"
    );
    Ok(())
}

#[tokio::test]
async fn an_organiser_passphrase_guards_starting_a_gathering() -> hearth_tests::Result<()> {
    let passphrase = "kettle on the hob";
    let server = TestServer::start_with(BIN, &["--organiser-passphrase", passphrase]).await?;
    let page = server.get("/start", None).await?.text().await?;
    assert!(
        page.contains(r#"name="passphrase""#),
        "the page asks for it"
    );

    for given in [None, Some("kettle on the stove"), Some("")] {
        let mut form = vec![("name", "Without it"), ("agenda", "blank")];
        form.extend(given.map(|p| ("passphrase", p)));
        let refused = server.post_form("/start", &form).await?;
        assert_eq!(
            redirect_target(&refused).as_deref(),
            Some("/start?error=passphrase")
        );
    }
    assert_eq!(gatherings(&server).await?, 0, "nothing was created");
    let explained = server
        .get("/start?error=passphrase", None)
        .await?
        .text()
        .await?;
    assert!(explained.contains("doesn&#x27;t match") || explained.contains("doesn't match"));

    server
        .create_gathering_with_passphrase("With it", "blank", &format!(" {passphrase} "))
        .await?;
    assert_eq!(gatherings(&server).await?, 1);

    // Guessing it is throttled: after a handful of wrong tries, even the
    // right passphrase waits, unless this address has given it before.
    let mut last = String::new();
    for _ in 0..12 {
        let wrong = [
            ("name", "Guess"),
            ("agenda", "blank"),
            ("passphrase", "guess"),
        ];
        last = redirect_target(&server.post_form("/start", &wrong).await?).unwrap_or_default();
    }
    assert_eq!(last, "/start?error=passphrase_busy");
    let busy = server.get(&last, None).await?.text().await?;
    assert!(busy.contains("Wait a minute"));
    server
        .create_gathering_with_passphrase("Again", "blank", passphrase)
        .await?;
    assert_eq!(gatherings(&server).await?, 2);
    Ok(())
}

#[tokio::test]
async fn deleting_a_gathering_leaves_nothing_of_it_on_disk() -> hearth_tests::Result<()> {
    const MARK: &str = "Lanterns drifting over the salt marsh";
    let server = TestServer::start(BIN).await?;
    let g = server.create_gathering("To be deleted", "blank").await?;
    let kept = server.create_gathering("To be kept", "blank").await?;

    // Enough words to fill many pages, revealed (so they are in the event
    // log too) and some still waiting.
    let phone = Device::new();
    let padding = "and the tide comes in slowly ".repeat(14);
    for i in 0..60 {
        let id = format!("delete-test-{i:04}");
        let text = format!("{MARK} {i} {padding}");
        let posted = server
            .http
            .post(format!("{}/p/{}/reflect", server.base, g.join_token))
            .header("cookie", phone.cookie())
            .form(&[("id", id.as_str()), ("step", "1"), ("text", text.as_str())])
            .send()
            .await?;
        let target = redirect_target(&posted).unwrap_or_default();
        assert!(target.contains("/received"), "post {i} went to {target}");
        if i == 40 {
            let mut console = server.connect(&g.console_ws(), None, None).await?;
            console.act(Action::Reveal).await??;
        }
    }
    let mut other = server
        .connect(&kept.participant_ws(), Some(&Device::new()), None)
        .await?;
    other.act(reflection("Words that stay")).await??;
    let mut screen = server.connect(&g.screen_ws(), None, None).await?;
    let mut participant = server
        .connect(&g.participant_ws(), Some(&phone), None)
        .await?;

    let id = gathering_id(&server, &g.join_token).await?;
    let before = server.stored_bytes().await?;
    assert!(
        contains_bytes(&before, MARK.as_bytes()) && contains_bytes(&before, id.as_bytes()),
        "the words and the id are on disk before"
    );

    let deleted = server.post_form(&g.delete_path(), &[]).await?;
    assert_eq!(deleted.status(), reqwest::StatusCode::SEE_OTHER);
    assert_eq!(
        redirect_target(&deleted).as_deref(),
        Some("/start?notice=deleted")
    );

    let after = server.stored_bytes().await?;
    assert!(
        !contains_bytes(&after, MARK.as_bytes()),
        "the words are gone from the database and its log"
    );
    assert!(
        !contains_bytes(&after, id.as_bytes()),
        "the gathering's id is gone from the database and its log"
    );
    assert!(
        !contains_bytes(&after, g.join_token.as_bytes()),
        "its join link is gone"
    );
    assert!(
        contains_bytes(&after, b"Words that stay"),
        "the other gathering is kept"
    );
    assert_eq!(rows_of(&server, &id).await?, 0);

    // Everyone connected to it is let go; nothing of it answers any more.
    screen.ended(PATIENCE).await?;
    participant.ended(PATIENCE).await?;
    let console = server
        .get(&format!("/console/{}", g.console_secret), None)
        .await?;
    assert_eq!(console.status(), reqwest::StatusCode::NOT_FOUND);
    assert!(server
        .join_by_code(&g.code, None)
        .await?
        .starts_with("/?error=unknown"));
    let page = server
        .get(&format!("/p/{}", g.join_token), Some(&phone))
        .await?;
    assert_eq!(page.status(), reqwest::StatusCode::NOT_FOUND);
    let notice = server
        .get("/start?notice=deleted", None)
        .await?
        .text()
        .await?;
    assert!(notice.contains("deleted, with everything in it"));

    // The other gathering goes on.
    other.act(reflection("Still here")).await??;
    server
        .api::<hearth_core::page::ConsolePage>("console", &[("secret", &kept.console_secret)], None)
        .await?;

    // Sent again, the form finds nothing and says so.
    let again = server.post_form(&g.delete_path(), &[]).await?;
    assert_eq!(
        redirect_target(&again).as_deref(),
        Some("/start?notice=gone")
    );
    Ok(())
}

#[tokio::test]
async fn gatherings_past_the_retention_period_are_deleted() -> hearth_tests::Result<()> {
    let mut server = TestServer::start_with(BIN, &["--retention-days", "2"]).await?;
    let old = server.create_gathering("Long ago", "blank").await?;
    let recent = server.create_gathering("Yesterday", "blank").await?;
    let mut phone = server
        .connect(&old.participant_ws(), Some(&Device::new()), None)
        .await?;
    phone.act(reflection("An old reflection")).await??;
    drop(phone);
    let old_id = gathering_id(&server, &old.join_token).await?;
    let recent_id = gathering_id(&server, &recent.join_token).await?;

    // Three days pass for one of them, one day for the other.
    server.kill()?;
    {
        for (id, days) in [(&old_id, 3), (&recent_id, 1)] {
            let seconds = days * 24 * 60 * 60;
            server
                .store()
                .execute(
                    &format!(
                        "UPDATE gatherings SET created_at = created_at - {seconds} WHERE id = $1"
                    ),
                    &[id],
                )
                .await?;
        }
    }
    server.start_again().await?;

    // The sweep runs once at start (and then every hour); it says so
    // once the deletion is committed and the log file emptied.
    server
        .wait_for_log("deleted 1 gatherings past the retention period")
        .await
        .map_err(|e| format!("the old gathering was not deleted: {e}"))?;
    assert_eq!(rows_of(&server, &old_id).await?, 0);
    assert!(
        !contains_bytes(&server.stored_bytes().await?, b"An old reflection"),
        "nothing of it is left on disk"
    );
    assert!(
        rows_of(&server, &recent_id).await? > 0,
        "the recent one is kept"
    );
    let console = server
        .get(&format!("/console/{}", old.console_secret), None)
        .await?;
    assert_eq!(console.status(), reqwest::StatusCode::NOT_FOUND);
    server
        .api::<hearth_core::page::ConsolePage>(
            "console",
            &[("secret", &recent.console_secret)],
            None,
        )
        .await?;
    Ok(())
}

#[tokio::test]
async fn oversized_requests_are_refused_and_change_nothing() -> hearth_tests::Result<()> {
    let server = TestServer::start(BIN).await?;
    // Without a passphrase set, the start page does not ask for one.
    let page = server.get("/start", None).await?.text().await?;
    assert!(!page.contains(r#"name="passphrase""#));

    let huge = "x".repeat(20 * 1024);
    let start = server
        .post_form("/start", &[("name", "Too big"), ("agenda", &huge)])
        .await?;
    assert_eq!(start.status(), reqwest::StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(gatherings(&server).await?, 0);

    let g = server.create_gathering("Sizes", "blank").await?;
    let phone = Device::new();
    let reflect = server
        .http
        .post(format!("{}/p/{}/reflect", server.base, g.join_token))
        .header("cookie", phone.cookie())
        .form(&[("id", "oversized-0001"), ("step", "1"), ("text", &huge)])
        .send()
        .await?;
    assert_eq!(reflect.status(), reqwest::StatusCode::PAYLOAD_TOO_LARGE);
    let api = server
        .http
        .post(format!("{}/api/participant", server.base))
        .form(&[("token", huge.as_str())])
        .send()
        .await?;
    assert_eq!(api.status(), reqwest::StatusCode::PAYLOAD_TOO_LARGE);

    // A body that does not say its length is cut off at the limit too.
    let mut chunked = format!(
        "POST /p/{}/reflect HTTP/1.1\r\nHost: {}\r\nCookie: {}\r\n\
         Content-Type: application/x-www-form-urlencoded\r\nTransfer-Encoding: chunked\r\n\r\n",
        g.join_token,
        server.addr,
        phone.cookie()
    )
    .into_bytes();
    let body = format!("id=oversized-0002&step=1&text={huge}");
    chunked.extend(format!("{:x}\r\n{body}\r\n0\r\n\r\n", body.len()).into_bytes());
    assert_eq!(server.raw_request(&chunked).await?, 413);

    assert!(server.participant_page(&g, &phone).await?.mine.is_empty());
    assert_eq!(gatherings(&server).await?, 1);
    // A form of ordinary size still works.
    let fine = server
        .http
        .post(format!("{}/p/{}/reflect", server.base, g.join_token))
        .header("cookie", phone.cookie())
        .form(&[
            ("id", "ordinary-0001"),
            ("step", "1"),
            ("text", "Just right"),
        ])
        .send()
        .await?;
    assert!(redirect_target(&fine).is_some_and(|t| t.contains("/received")));
    Ok(())
}
