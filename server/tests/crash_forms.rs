//! Crashes in the middle of a busy room, on the path real phones take:
//! twenty phones post their reflections through the plain form, as the
//! phone's script does (each post with the form's own id, several at once),
//! and the server is killed without warning (SIGKILL) three times while
//! posts are in flight. After each restart every phone sends again, under
//! the same id, each post it had no answer for, as the script's outbox
//! does. After every crash, each acknowledged reflection is kept exactly
//! once, as the card it was acknowledged as; nothing refused is kept; and
//! at the end the database holds exactly the acknowledged reflections.

use hearth_core::ids::{ActionId, CardId};
use hearth_tests::{action_id, Counter, Device, Gathering, TestServer, PATIENCE};
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Instant;

const BIN: &str = env!("CARGO_BIN_EXE_hearth");
const PHONES: usize = 20;
const CRASHES: usize = 3;
/// Acknowledged posts between two crashes.
const BETWEEN_CRASHES: usize = 60;
/// Posts one phone sends at once, burst after burst: at a crash, several
/// are in flight.
const BURST: usize = 4;

/// One post as its phone saw it.
#[derive(Clone, Debug)]
struct Post {
    id: ActionId,
    text: String,
    answer: Answer,
}

#[derive(Clone, Debug, PartialEq)]
enum Answer {
    /// Sent, no answer yet (or the server died first): in the outbox.
    Waiting,
    Stored(CardId),
    /// Refused with a reason (the pace): not kept, not sent again.
    Refused(String),
}

/// Sends one post as the script does and reads the answer: stored as a
/// card, refused with a reason, or no answer (`Waiting`).
async fn send(
    http: &reqwest::Client,
    base: &str,
    g: &Gathering,
    device: &Device,
    step: &str,
    post: &Post,
) -> Answer {
    let sent = http
        .post(format!("{base}/p/{}/reflect", g.join_token))
        .header(reqwest::header::COOKIE, device.cookie())
        .header("hearth-parts", "1")
        .form(&[
            ("id", post.id.as_str()),
            ("step", step),
            ("text", &post.text),
        ])
        .send()
        .await;
    let Ok(response) = sent else {
        return Answer::Waiting;
    };
    if response.status().is_server_error() || response.status().as_u16() == 429 {
        return Answer::Waiting;
    }
    let to = hearth_tests::redirect_target(&response).unwrap_or_default();
    if let Some((_, card)) = to.split_once("done=received&card=") {
        return match CardId::parse(card) {
            Ok(card) => Answer::Stored(card),
            Err(_) => Answer::Refused(format!("an unreadable card id: {to}")),
        };
    }
    Answer::Refused(to)
}

/// One phone, posting.
struct Phone {
    http: reqwest::Client,
    base: String,
    g: Gathering,
    device: Device,
    step: String,
    number: usize,
}

/// Posts in bursts until the server stops answering; returns the posts.
async fn post_until_cut(phone: Phone, mut posts: Vec<Post>, acks: Arc<Counter>) -> Vec<Post> {
    let Phone {
        http,
        base,
        g,
        device,
        step,
        number,
    } = phone;
    loop {
        let first = posts.len();
        for _ in 0..BURST {
            posts.push(Post {
                id: action_id(),
                text: format!("phone {number:02}, reflection {:03}", posts.len()),
                answer: Answer::Waiting,
            });
        }
        let answers = futures_util::future::join_all(
            posts[first..]
                .iter()
                .map(|p| send(&http, &base, &g, &device, &step, p)),
        )
        .await;
        let mut cut = false;
        for (post, answer) in posts[first..].iter_mut().zip(answers) {
            cut |= answer == Answer::Waiting;
            if matches!(answer, Answer::Stored(_)) {
                acks.add();
            }
            post.answer = answer;
        }
        if cut {
            // The server is gone: what had no answer waits in the outbox.
            return posts;
        }
    }
}

/// Each phone's acknowledged posts are kept exactly once, as the card they
/// were acknowledged as, and nothing refused is kept.
async fn check_kept(
    server: &TestServer,
    g: &Gathering,
    phones: &[Device],
    posts: &[Vec<Post>],
) -> hearth_tests::Result<usize> {
    let mut kept = 0;
    for (phone, posts) in phones.iter().zip(posts) {
        let page = server.participant_page(g, phone).await?;
        let mine: BTreeMap<&str, Vec<&CardId>> =
            page.mine.iter().fold(BTreeMap::new(), |mut m, c| {
                m.entry(c.text.as_str()).or_default().push(&c.id);
                m
            });
        for post in posts {
            let found = mine.get(post.text.as_str()).cloned().unwrap_or_default();
            match &post.answer {
                Answer::Stored(card) => {
                    assert_eq!(
                        found,
                        vec![card],
                        "{:?} must be kept once, as {card:?}",
                        post.text
                    );
                    kept += 1;
                }
                Answer::Refused(why) => assert!(
                    found.is_empty(),
                    "{:?} was refused ({why}) but kept",
                    post.text
                ),
                Answer::Waiting => panic!("{:?} is still waiting", post.text),
            }
        }
        assert_eq!(
            page.mine.len(),
            posts
                .iter()
                .filter(|p| matches!(p.answer, Answer::Stored(_)))
                .count()
        );
    }
    Ok(kept)
}

#[tokio::test]
async fn form_posts_acknowledged_before_each_crash_are_kept_exactly_once(
) -> hearth_tests::Result<()> {
    let mut server = TestServer::start(BIN).await?;
    let g = server.create_gathering("Crash drill", "blank").await?;
    let phones: Vec<Device> = (0..PHONES).map(|_| Device::new()).collect();
    for phone in &phones {
        // Each phone opens its page first: that is where it joins.
        let page = server
            .get(&format!("/p/{}", g.join_token), Some(phone))
            .await?;
        assert!(page.status().is_success());
    }
    let step = server
        .participant_page(&g, &phones[0])
        .await?
        .gathering
        .current
        .0
        .to_string();
    let mut posts: Vec<Vec<Post>> = vec![Vec::new(); PHONES];
    let acks = Arc::new(Counter::default());
    let mut in_flight = 0;
    for crash in 1..=CRASHES {
        let before = acks.get();
        let posting: Vec<_> = phones
            .iter()
            .enumerate()
            .map(|(number, device)| {
                let phone = Phone {
                    http: server.http.clone(),
                    base: server.base.clone(),
                    g: g.clone(),
                    device: device.clone(),
                    step: step.clone(),
                    number,
                };
                let sent = std::mem::take(&mut posts[number]);
                tokio::spawn(post_until_cut(phone, sent, acks.clone()))
            })
            .collect();
        acks.reach(before + BETWEEN_CRASHES).await?;
        server.kill()?;
        for (i, task) in posting.into_iter().enumerate() {
            posts[i] = task.await?;
        }
        let waiting = posts
            .iter()
            .flatten()
            .filter(|p| p.answer == Answer::Waiting)
            .count();
        in_flight += waiting;
        eprintln!(
            "crash {crash}: {} acknowledged so far, {waiting} in flight",
            acks.get()
        );
        server.start_again().await?;
        // Each phone's outbox: what had no answer goes again, same id.
        for (phone, posts) in phones.iter().zip(posts.iter_mut()) {
            for post in posts.iter_mut().filter(|p| p.answer == Answer::Waiting) {
                let deadline = Instant::now() + PATIENCE;
                while post.answer == Answer::Waiting {
                    assert!(
                        Instant::now() < deadline,
                        "{:?} was never answered",
                        post.text
                    );
                    post.answer = send(&server.http, &server.base, &g, phone, &step, post).await;
                }
                if matches!(post.answer, Answer::Stored(_)) {
                    acks.add();
                }
            }
        }
        let kept = check_kept(&server, &g, &phones, &posts).await?;
        eprintln!("after crash {crash}: {kept} kept, each once");
    }
    assert!(in_flight > 0, "no crash landed while posts were in flight");

    // The database holds each acknowledged reflection exactly once.
    let rows = server.store().card_texts().await?;
    for (text, count) in &rows {
        assert_eq!(*count, 1, "{text:?} is stored {count} times");
    }
    let mut wanted: Vec<&String> = posts
        .iter()
        .flatten()
        .filter(|p| matches!(p.answer, Answer::Stored(_)))
        .map(|p| &p.text)
        .collect();
    wanted.sort();
    let stored: Vec<&String> = rows.keys().collect();
    assert_eq!(
        stored, wanted,
        "the database holds exactly the acknowledged reflections"
    );
    assert!(stored.len() >= CRASHES * BETWEEN_CRASHES);
    Ok(())
}
