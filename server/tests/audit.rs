//! The anonymity audit: a whole gathering run against the real binary, then
//! a search of everything Hearth showed, logged and stored for anything
//! that could point at a person.
//!
//! Twenty phones, each with its own device, source address (`127.0.0.1xx`),
//! `User-Agent` and `X-Forwarded-For`, take part through WebSockets and the
//! plain form endpoint in every kind of step of the introduction agenda. The
//! facilitator, a co-facilitator and the screen record every message they
//! receive; their pages and page data are fetched too. Then:
//!
//! - nothing a facilitator, the screen or any phone received holds a device
//!   token, a device hash, a `User-Agent`, an address or `X-Forwarded-For`;
//! - every card sent to a facilitator or the screen has only the public
//!   fields, and marks reach them only as totals;
//! - the log never holds any of those, nor the database (file and `-wal`);
//! - withdrawn words are gone from the database;
//! - after the end no device hash is stored, and the totals survive a
//!   restart; after deleting, no word of the gathering is stored.
//!
//! Every check runs over a list of `Haystack`s, so a new place where data
//! leaves Hearth (exports, say) is one more entry in a list.

use hearth_core::exercise::Place;
use hearth_core::gathering::{GatheringView, Waiting};
use hearth_core::ids::{CardId, StepId};
use hearth_core::marks::{Mark, Tag};
use hearth_core::protocol::{Action, Moderation, Outcome};
use hearth_core::reflection::ReflectionText;
use hearth_core::timer::TimerAction;
use hearth_tests::{
    action_id, redirect_target, reflection_at, Client, Device, Gathering, Presence, TestServer,
};
use serde_json::Value;
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, BTreeSet};
use std::net::{IpAddr, Ipv4Addr};

const BIN: &str = env!("CARGO_BIN_EXE_hearth");
/// How many phones take part.
const PHONES: usize = 20;
/// The only fields a card sent to a facilitator or the screen may have.
const CARD_FIELDS: [&str; 6] = ["id", "step", "text", "place", "hidden", "blurred"];
/// The only fields a card's place may have (`group`: the number of the
/// small group that brought a card back, when the facilitator shows it).
const PLACE_FIELDS: [&str; 5] = ["at", "column", "from", "card", "group"];
/// The only messages a facilitator or the screen may receive: none of them
/// carries one person's mark (`mine` does, and goes to its phone alone).
const VIEW_MESSAGES: [&str; 7] = [
    "snapshot",
    "event",
    "tally",
    "totals",
    "landscape",
    "ack",
    "error",
];
/// What a facilitator's connection may receive besides: the pre-screen
/// queue (statements waiting to be let in: their ids and words, nobody's
/// hash). The screen never receives it.
const FACILITATOR_MESSAGES: [&str; 1] = ["queue"];
/// Fewer people than this on a spectrum and its spread is not shown.
const SPECTRUM_MIN: u32 = 3;

/// One place the audit searches: where it came from, and what it holds.
struct Haystack {
    name: String,
    bytes: Vec<u8>,
}

impl Haystack {
    fn new(name: impl Into<String>, bytes: impl Into<Vec<u8>>) -> Self {
        Self {
            name: name.into(),
            bytes: bytes.into(),
        }
    }
}

/// Something that must not appear in a haystack, and what it is.
#[derive(Clone)]
struct Needle {
    what: String,
    text: String,
}

impl Needle {
    fn new(what: impl Into<String>, text: impl Into<String>) -> Self {
        Self {
            what: what.into(),
            text: text.into(),
        }
    }
}

/// Everything the audit found, gathered so that one run reports every leak
/// at once rather than stopping at the first.
#[derive(Default)]
struct Findings(Vec<String>);

impl Findings {
    /// Looks for every needle in every haystack (ignoring ASCII case, so an
    /// upper-cased hash counts too) and notes each one found, with where.
    fn search(&mut self, stage: &str, haystacks: &[Haystack], needles: &[Needle]) {
        for haystack in haystacks {
            let text = String::from_utf8_lossy(&haystack.bytes).to_ascii_lowercase();
            for needle in needles {
                if let Some(at) = text.find(&needle.text.to_ascii_lowercase()) {
                    self.0.push(format!(
                        "{stage}: {} ({:?}) found in {} at byte {at}: …{}…",
                        needle.what,
                        needle.text,
                        haystack.name,
                        excerpt(&text, at, needle.text.len()),
                    ));
                }
            }
        }
    }

    fn note(&mut self, finding: String) {
        self.0.push(finding);
    }
}

/// A little of `text` around a match, to show what it sat in.
fn excerpt(text: &str, at: usize, len: usize) -> String {
    let start = at.saturating_sub(60);
    let end = (at + len + 60).min(text.len());
    let bytes = &text.as_bytes()[start..end];
    String::from_utf8_lossy(bytes)
        .chars()
        .map(|c| if c.is_control() { '·' } else { c })
        .collect()
}

/// One participant: a device, how it shows itself on the network, an HTTP
/// client that carries that, and a live connection with its transcript.
struct Phone {
    n: usize,
    device: Device,
    presence: Presence,
    http: reqwest::Client,
    ws: Client,
}

/// What each phone shows the network: distinctive values the audit can
/// look for. The source address is real (Linux routes all of 127/8 to the
/// loopback device), so the server's `ConnectInfo` sees it.
fn presence(n: usize, nonce: &str) -> Presence {
    Presence {
        source: Some(IpAddr::V4(Ipv4Addr::new(127, 0, 0, 100 + n as u8))),
        user_agent: Some(format!("AuditPhone/{n} (secret-ua-{nonce}-{n})")),
        forwarded_for: Some(format!("203.0.113.{}", 100 + n)),
    }
}

/// A value that differs from run to run, so the texts and headers the audit
/// looks for cannot be left over from anything else.
fn nonce() -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    format!("{:x}", nanos ^ u128::from(std::process::id()))
}

/// SHA-256 as lowercase hex.
fn sha256_hex(parts: &[&[u8]]) -> String {
    let mut h = Sha256::new();
    for part in parts {
        h.update(part);
    }
    hex::encode(h.finalize())
}

/// The device hashes the database holds while the gathering runs (who
/// joined, who wrote each card, whose each mark is, who applied each
/// action), and the gathering's salt, read as the operator could.
async fn stored_identities(
    server: &TestServer,
) -> hearth_tests::Result<(Vec<u8>, BTreeSet<String>)> {
    let store = server.store();
    let salt = if hearth_tests::on_postgres() {
        "SELECT encode(salt, 'hex') FROM gatherings"
    } else {
        "SELECT hex(salt) FROM gatherings"
    };
    let salt = store
        .strings(salt, &[])
        .await?
        .pop()
        .ok_or("no gathering")?;
    let salt = hex::decode(salt.to_ascii_lowercase())?;
    let hashes = store
        .strings(
            "SELECT author FROM participants
             UNION SELECT author FROM cards
             UNION SELECT author FROM marks
             UNION SELECT actor FROM applied_actions WHERE actor NOT IN ('facilitator', 'screen')",
            &[],
        )
        .await?
        .into_iter()
        .filter(|author| !author.is_empty())
        .collect();
    Ok((salt, hashes))
}

/// The database's files as haystacks.
async fn stored(server: &TestServer) -> hearth_tests::Result<Vec<Haystack>> {
    Ok(server
        .stored_files()
        .await?
        .into_iter()
        .map(|(name, bytes)| Haystack::new(name, bytes))
        .collect())
}

/// The server's log as a haystack.
/// Every export the console offers, and the harvest page, with and
/// without hidden cards.
async fn exports(
    server: &TestServer,
    console_secret: &str,
    map: StepId,
) -> hearth_tests::Result<Vec<Haystack>> {
    let mut found = Vec::new();
    let map_file = format!("map-{}.svg", map.0);
    for file in [
        "summary.md",
        "cards.csv",
        "gathering.json",
        map_file.as_str(),
    ] {
        for query in ["", "?hidden=true"] {
            let path = format!("/console/{console_secret}/export/{file}{query}");
            let response = server.get(&path, None).await?;
            if !response.status().is_success() {
                return Err(format!("{path} answered {}", response.status()).into());
            }
            found.push(Haystack::new(
                format!("the export {file}{query}"),
                response.text().await?,
            ));
        }
    }
    for query in ["", "?hidden=true"] {
        let path = format!("/harvest/{console_secret}{query}");
        let response = server.get(&path, None).await?;
        if !response.status().is_success() {
            return Err(format!("{path} answered {}", response.status()).into());
        }
        found.push(Haystack::new(
            format!("the harvest{query}"),
            response.text().await?,
        ));
    }
    Ok(found)
}

fn log(server: &TestServer) -> Haystack {
    Haystack::new("the server log", server.log())
}

/// A transcript as haystacks, one per message, named so a finding says
/// which message of which connection held it.
fn transcript(name: &str, client: &Client) -> Vec<Haystack> {
    client
        .transcript
        .iter()
        .flatten()
        .enumerate()
        .map(|(i, text)| Haystack::new(format!("{name} message #{i}"), text.as_bytes()))
        .collect()
}

/// Checks one JSON value a facilitator or the screen received: every card
/// in it has only the public fields (and its place only a place's), no
/// per-person mark travels in it, and a spectrum's spread covers at least
/// `SPECTRUM_MIN` people. Returns how many cards it checked.
fn check_public(value: &Value, whence: &str, findings: &mut Findings) -> usize {
    let mut cards = 0;
    match value {
        Value::Object(map) => {
            let looks_like_card = map.contains_key("id") && map.contains_key("text");
            if looks_like_card {
                cards += 1;
                check_fields(
                    value,
                    &CARD_FIELDS,
                    &format!("a card in {whence}"),
                    findings,
                );
                if let Some(place) = map.get("place") {
                    check_fields(
                        place,
                        &PLACE_FIELDS,
                        &format!("a place in {whence}"),
                        findings,
                    );
                }
            }
            for (key, inner) in map {
                match (key.as_str(), inner) {
                    ("cards", Value::Array(list)) => {
                        for card in list {
                            if !card.get("text").is_some_and(Value::is_string) {
                                check_fields(
                                    card,
                                    &CARD_FIELDS,
                                    &format!("a card in {whence}"),
                                    findings,
                                );
                            }
                        }
                    }
                    ("card", Value::Object(_)) if inner.get("text").is_none() => {
                        check_fields(
                            inner,
                            &CARD_FIELDS,
                            &format!("a card in {whence}"),
                            findings,
                        );
                    }
                    ("mark" | "marks" | "mine" | "author", _) => findings.note(format!(
                        "{whence}: a facilitator or the screen received a {key:?} field: {inner}"
                    )),
                    ("spectrum", Value::Array(bands)) => {
                        let people: u64 = bands.iter().filter_map(Value::as_u64).sum();
                        if people < u64::from(SPECTRUM_MIN) {
                            findings.note(format!(
                                "{whence}: a spectrum's spread was sent with only {people} people on it: {inner}"
                            ));
                        }
                    }
                    _ => {}
                }
                cards += check_public(inner, whence, findings);
            }
        }
        Value::Array(list) => {
            for inner in list {
                cards += check_public(inner, whence, findings);
            }
        }
        _ => {}
    }
    cards
}

/// Notes every field of `value` that is not in `allowed`.
fn check_fields(value: &Value, allowed: &[&str], whence: &str, findings: &mut Findings) {
    let Some(map) = value.as_object() else {
        findings.note(format!("{whence} is not an object: {value}"));
        return;
    };
    let extra: Vec<&String> = map
        .keys()
        .filter(|k| !allowed.contains(&k.as_str()))
        .collect();
    if !extra.is_empty() {
        findings.note(format!(
            "{whence} has fields beyond {allowed:?}: {extra:?} in {value}"
        ));
    }
}

/// Checks every message a facilitator or the screen received: its type is
/// one that carries nothing of one person's (`VIEW_MESSAGES`, and `also`
/// for this connection), and its JSON passes `check_public`. Returns how
/// many cards and totals messages it saw, so the audit can tell it did not
/// check nothing.
fn check_view_messages(
    name: &str,
    client: &Client,
    also: &[&str],
    findings: &mut Findings,
) -> (usize, usize) {
    let (mut cards, mut totals) = (0, 0);
    for (i, text) in client.transcript.iter().flatten().enumerate() {
        let whence = format!("{name} message #{i}");
        let value: Value = match serde_json::from_str(text) {
            Ok(value) => value,
            Err(e) => {
                findings.note(format!("{whence} is not JSON ({e}): {text}"));
                continue;
            }
        };
        let kind = value.get("type").and_then(Value::as_str).unwrap_or("");
        if !VIEW_MESSAGES.contains(&kind) && !also.contains(&kind) {
            findings.note(format!(
                "{whence} has type {kind:?}, not one of {VIEW_MESSAGES:?} {also:?}: {text}"
            ));
        }
        if kind == "queue" {
            check_queue(&value, &whence, findings);
        }
        if kind == "ack" {
            let outcome = value.pointer("/outcome/kind").and_then(Value::as_str);
            if outcome != Some("done") {
                findings.note(format!(
                    "{whence}: a facilitator's or screen's action was answered with {outcome:?}: {text}"
                ));
            }
        }
        if kind == "totals" {
            totals += 1;
        }
        cards += check_public(&value, &whence, findings);
    }
    (cards, totals)
}

/// Checks a pre-screen queue: `{"type":"queue","queue":[[id, words], …]}`,
/// each entry a card id and its words and nothing else.
fn check_queue(value: &Value, whence: &str, findings: &mut Findings) {
    check_fields(value, &["type", "queue"], whence, findings);
    let entries = value.get("queue").and_then(Value::as_array);
    let well_formed = entries.is_some_and(|entries| {
        entries.iter().all(|e| {
            e.as_array()
                .is_some_and(|pair| pair.len() == 2 && pair.iter().all(Value::is_string))
        })
    });
    if !well_formed {
        findings.note(format!(
            "{whence}: a queue holds something besides ids and words: {value}"
        ));
    }
}

/// Checks page data (`/api/console`, `/api/screen`) like a message.
fn check_page_data(name: &str, body: &str, findings: &mut Findings) -> usize {
    match serde_json::from_str::<Value>(body) {
        Ok(value) => check_public(&value, name, findings),
        Err(e) => {
            findings.note(format!("{name} is not JSON ({e})"));
            0
        }
    }
}

/// Posts a reflection through the plain HTML form, as a phone without
/// JavaScript does, and returns the id of the card it made.
async fn form_post(
    server: &TestServer,
    g: &Gathering,
    phone: &Phone,
    step: StepId,
    text: &str,
    extra: &[(&str, &str)],
) -> hearth_tests::Result<CardId> {
    let id = action_id();
    let step = step.0.to_string();
    let mut form = vec![("id", id.as_str()), ("step", &step), ("text", text)];
    form.extend_from_slice(extra);
    let response = phone
        .http
        .post(format!("{}/p/{}/reflect", server.base, g.join_token))
        .header(reqwest::header::COOKIE, phone.device.cookie())
        .form(&form)
        .send()
        .await?;
    let target = redirect_target(&response)
        .ok_or_else(|| format!("phone {}'s form post did not redirect", phone.n))?;
    let card = target
        .split_once("card=")
        .map(|(_, card)| card)
        .ok_or_else(|| format!("phone {}'s form post was refused: {target}", phone.n))?;
    Ok(CardId::parse(card).map_err(|_| format!("not a card id: {card}"))?)
}

/// Adds a reflection over the phone's WebSocket and returns its card id.
async fn ws_post(
    phone: &mut Phone,
    step: StepId,
    text: &str,
    place: Place,
    sensitive: bool,
) -> hearth_tests::Result<CardId> {
    let action = match reflection_at(step, text, place) {
        Action::AddReflection {
            step, text, place, ..
        } => Action::AddReflection {
            step,
            text,
            place,
            sensitive,
        },
        other => other,
    };
    match phone.ws.act(action).await? {
        Ok(Outcome::Added { card }) => Ok(card.id),
        other => Err(format!("phone {} could not add {text:?}: {other:?}", phone.n).into()),
    }
}

/// A participant's mark, which must be accepted.
async fn mark(phone: &mut Phone, mark: Mark) -> hearth_tests::Result<()> {
    match phone.ws.act(Action::Mark { mark: mark.clone() }).await? {
        Ok(_) => Ok(()),
        Err(code) => Err(format!("phone {}'s {mark:?} was refused: {code:?}", phone.n).into()),
    }
}

/// A facilitator's action, which must be accepted.
async fn facilitate(console: &mut Client, action: Action) -> hearth_tests::Result<()> {
    match console.act(action.clone()).await? {
        Ok(_) => Ok(()),
        Err(code) => Err(format!("the facilitator's {action:?} was refused: {code:?}").into()),
    }
}

/// A phone's withdrawal of its own card, which must be accepted.
async fn withdraw(phone: &mut Phone, card: &CardId) -> hearth_tests::Result<()> {
    match phone
        .ws
        .act(Action::Withdraw { card: card.clone() })
        .await?
    {
        Ok(Outcome::Withdrawn { .. }) => Ok(()),
        other => Err(format!("phone {} could not withdraw: {other:?}", phone.n).into()),
    }
}

/// Reads everything a view will be sent about the closing board. The
/// first ping brings the figures sent before the reveal (six waiting);
/// those that say nothing waits any more come with the room's flush after
/// the reveal, after every total due before it; the last ping brings what
/// that flush sent after the figures.
async fn read_to_the_end(view: &mut Client) -> hearth_tests::Result<()> {
    view.sync().await?;
    view.wait_for("nothing waiting", |v| v.tally.waiting == Waiting::None)
        .await?;
    view.sync().await
}

/// The id of a revealed card with these words, as the screen sees it.
fn card_with(view: Option<&GatheringView>, text: &str) -> hearth_tests::Result<CardId> {
    view.and_then(|v| v.cards.iter().find(|c| c.text == text))
        .map(|c| c.id.clone())
        .ok_or_else(|| format!("the screen has no card {text:?}").into())
}

/// Fetches a page's HTML as a haystack.
async fn page(server: &TestServer, path: &str, name: &str) -> hearth_tests::Result<Haystack> {
    let response = server.get(path, None).await?;
    if !response.status().is_success() {
        return Err(format!("{name} ({path}) answered {}", response.status()).into());
    }
    Ok(Haystack::new(name, response.text().await?))
}

#[tokio::test]
async fn nothing_shown_logged_or_stored_points_at_a_person() -> hearth_tests::Result<()> {
    // Hearth reads X-Forwarded-For only when told to: tell it, so the
    // header is really read (for throttling) and must still go nowhere.
    let mut server = TestServer::start_with(BIN, &["--trust-forwarded-for"]).await?;
    let nonce = nonce();
    let title = format!("Audit {nonce}");
    let g = server.create_gathering(&title, "introduction").await?;
    let co_secret = g.cofacilitator_secret()?;
    let plain = Presence::default();
    let mut console = server
        .connect_as(&g.console_ws(), None, &plain, None)
        .await?;
    let mut co = server
        .connect_as(&format!("/ws/console/{co_secret}"), None, &plain, None)
        .await?;
    let mut screen = server
        .connect_as(&g.screen_ws(), None, &plain, None)
        .await?;
    let steps: Vec<StepId> = console
        .view
        .as_ref()
        .ok_or("no view")?
        .steps
        .iter()
        .map(|s| s.id)
        .collect();
    let [board, spectrum, scenario, reframe, map, give, towards, closing, groups] = steps[..]
    else {
        return Err(format!("the introduction has {} steps, not 9", steps.len()).into());
    };

    // Twenty phones join by code and open the participant page, each from
    // its own address with its own headers, then connect.
    let mut phones = Vec::new();
    let mut phone_pages = Vec::new();
    for n in 0..PHONES {
        let presence = presence(n, &nonce);
        let http = server.http_as(&presence)?;
        let device = Device::new();
        if n == 0 {
            // A mistyped code first: the throttle reads the address.
            http.get(format!("{}/join?code=ZZZZZZ", server.base))
                .send()
                .await?;
        }
        let joined = http
            .get(format!("{}/join", server.base))
            .query(&[("code", g.code.as_str())])
            .send()
            .await?;
        let to = redirect_target(&joined).ok_or("joining did not redirect")?;
        let html = http
            .get(format!("{}{to}", server.base))
            .header(reqwest::header::COOKIE, device.cookie())
            .send()
            .await?
            .text()
            .await?;
        phone_pages.push(Haystack::new(format!("phone {n}'s participant page"), html));
        let ws = server
            .connect_as(&g.participant_ws(), Some(&device), &presence, None)
            .await?;
        phones.push(Phone {
            n,
            device,
            presence,
            http,
            ws,
        });
    }

    // Everything written, to look for once the gathering is deleted.
    let mut texts: Vec<String> = vec![title.clone()];
    let mut say = |text: String| {
        texts.push(text.clone());
        text
    };

    // 1. The board: by WebSocket and by form, one with a content note, and
    //    three canaries to withdraw (waiting, revealed, hidden and shown).
    for phone in phones.iter_mut().take(10) {
        let text = say(format!("audit board {} {nonce}", phone.n));
        ws_post(phone, board, &text, Place::Board, false).await?;
    }
    for phone in phones.iter().skip(10).take(4) {
        let text = say(format!("audit form board {} {nonce}", phone.n));
        form_post(&server, &g, phone, board, &text, &[]).await?;
    }
    let tender = say(format!("audit tender {nonce}"));
    ws_post(&mut phones[14], board, &tender, Place::Board, true).await?;
    let tender_form = say(format!("audit tender form {nonce}"));
    form_post(
        &server,
        &g,
        &phones[15],
        board,
        &tender_form,
        &[("sensitive", "on")],
    )
    .await?;
    let canary_waiting = say(format!("withdrawn-canary-waiting-{nonce}"));
    let canary_revealed = say(format!("withdrawn-canary-revealed-{nonce}"));
    let canary_shown = say(format!("withdrawn-canary-shown-{nonce}"));
    let waiting = ws_post(&mut phones[16], board, &canary_waiting, Place::Board, false).await?;
    let revealed = ws_post(
        &mut phones[17],
        board,
        &canary_revealed,
        Place::Board,
        false,
    )
    .await?;
    let shown = form_post(&server, &g, &phones[18], board, &canary_shown, &[]).await?;
    withdraw(&mut phones[16], &waiting).await?;
    screen.sync().await?;
    let before_reveals = screen.at;
    facilitate(&mut console, Action::Reveal).await?;
    screen
        .wait_for("the board revealed", |v| v.cards_of(board).count() == 18)
        .await?;
    let first = card_with(screen.view.as_ref(), &format!("audit board 0 {nonce}"))?;
    let second = card_with(
        screen.view.as_ref(),
        &format!("audit form board 10 {nonce}"),
    )?;
    for phone in phones.iter_mut().take(8) {
        mark(
            phone,
            Mark::Resonate {
                card: first.clone(),
                on: true,
            },
        )
        .await?;
    }
    for phone in phones.iter_mut().skip(5).take(4) {
        mark(
            phone,
            Mark::Resonate {
                card: second.clone(),
                on: true,
            },
        )
        .await?;
    }
    mark(
        &mut phones[7],
        Mark::Resonate {
            card: first.clone(),
            on: false,
        },
    )
    .await?;
    let tender_id = card_with(screen.view.as_ref(), &tender)?;
    facilitate(
        &mut console,
        Action::Moderate {
            card: tender_id,
            change: Moderation::Unblur,
        },
    )
    .await?;
    // Where the screen is before anything is revealed, and once the canary
    // is hidden: views that come back from there are sent what they missed.
    let before_reveals = before_reveals.ok_or("the screen has no position")?;
    facilitate(
        &mut co,
        Action::Moderate {
            card: shown.clone(),
            change: Moderation::Hide,
        },
    )
    .await?;
    screen
        .wait_for("the canary hidden", |v| {
            v.card(&shown).is_some_and(|c| c.hidden)
        })
        .await?;
    let while_hidden = screen.at.ok_or("the screen has no position")?;
    facilitate(
        &mut co,
        Action::Moderate {
            card: shown.clone(),
            change: Moderation::Unhide,
        },
    )
    .await?;
    withdraw(&mut phones[17], &revealed).await?;
    // The form phone withdraws over its WebSocket: same device, same card.
    withdraw(&mut phones[18], &shown).await?;
    screen
        .wait_for("the canaries gone", |v| {
            v.card(&revealed).is_none() && v.card(&shown).is_none()
        })
        .await?;
    let canary_statement = say(format!("withdrawn-canary-statement-{nonce}"));
    let canaries = [
        (
            &canary_statement,
            "a statement withdrawn after it was answered",
        ),
        (&canary_waiting, "withdrawn before it was revealed"),
        (&canary_revealed, "withdrawn after it was revealed"),
        (
            &canary_shown,
            "withdrawn after it was hidden and shown again",
        ),
    ];

    // The timer, from the co-facilitator.
    for timer in [
        TimerAction::Set { seconds: 300 },
        TimerAction::Pause,
        TimerAction::AddMinute,
        TimerAction::Resume,
    ] {
        facilitate(&mut co, Action::Timer { timer }).await?;
    }

    // 2. The spectrum: twelve points.
    facilitate(&mut console, Action::GoTo { step: spectrum }).await?;
    for phone in phones.iter_mut().take(12) {
        let at = Some((phone.n * 8 % 101) as u8);
        mark(phone, Mark::Spectrum { step: spectrum, at }).await?;
    }
    mark(
        &mut phones[3],
        Mark::Spectrum {
            step: spectrum,
            at: None,
        },
    )
    .await?;

    // 3. The scenario: tags on the lines shown.
    facilitate(&mut console, Action::GoTo { step: scenario }).await?;
    facilitate(
        &mut console,
        Action::ShowLines {
            step: scenario,
            count: 3,
        },
    )
    .await?;
    for phone in phones.iter_mut().take(15) {
        let tag = Tag::ALL[phone.n % Tag::ALL.len()];
        let line = (phone.n % 3) as u16;
        mark(
            phone,
            Mark::Tag {
                step: scenario,
                line,
                tag: Some(tag),
            },
        )
        .await?;
    }

    // 4. Reframes under stories, by WebSocket and by form.
    facilitate(&mut console, Action::GoTo { step: reframe }).await?;
    let story = say(format!("audit story {nonce}"));
    ws_post(&mut phones[0], reframe, &story, Place::Board, false).await?;
    let story_form = say(format!("audit story form {nonce}"));
    form_post(&server, &g, &phones[1], reframe, &story_form, &[]).await?;
    facilitate(&mut console, Action::Reveal).await?;
    screen
        .wait_for("the stories", |v| v.cards_of(reframe).count() == 2)
        .await?;
    let story_id = card_with(screen.view.as_ref(), &story)?;
    for phone in phones.iter_mut().skip(2).take(3) {
        let text = say(format!("audit reframe {} {nonce}", phone.n));
        let under = Place::Under {
            card: story_id.clone(),
        };
        ws_post(phone, reframe, &text, under, false).await?;
    }
    for phone in phones.iter().skip(5).take(2) {
        let text = say(format!("audit form reframe {} {nonce}", phone.n));
        form_post(
            &server,
            &g,
            phone,
            reframe,
            &text,
            &[("under", story_id.as_str())],
        )
        .await?;
    }
    facilitate(&mut console, Action::Reveal).await?;
    screen
        .wait_for("the reframes", |v| v.cards_of(reframe).count() == 7)
        .await?;

    // 5. The worldview map: stories, then every phone places them, and the
    //    facilitator gathers two into a theme and drags one.
    facilitate(&mut console, Action::GoTo { step: map }).await?;
    for phone in phones.iter_mut().take(4) {
        let text = say(format!("audit map story {} {nonce}", phone.n));
        ws_post(phone, map, &text, Place::Board, false).await?;
    }
    facilitate(&mut console, Action::Reveal).await?;
    screen
        .wait_for("the stories", |v| v.cards_of(map).count() == 4)
        .await?;
    let stories = screen.card_ids_of(map);
    for phone in phones.iter_mut() {
        for (i, card) in stories.iter().enumerate() {
            let at = hearth_core::map::Spot {
                x: ((phone.n + i) % 6) as u8,
                y: (phone.n * 5 % 101) as u8,
            };
            mark(
                phone,
                Mark::Place {
                    card: card.clone(),
                    at: Some(at),
                },
            )
            .await?;
        }
    }
    let theme = hearth_core::words::Label::parse(&say(format!("audit theme {nonce}")))?;
    facilitate(
        &mut console,
        Action::NewTheme {
            step: map,
            name: theme,
            cards: stories[..2].to_vec(),
        },
    )
    .await?;
    facilitate(
        &mut console,
        Action::Arrange {
            step: map,
            change: hearth_core::map::MapChange::Pin {
                card: stories[3].clone(),
                at: Some(hearth_core::map::Point { x: 900, y: 100 }),
            },
        },
    )
    .await?;
    screen
        .wait_for("the map placed", |v| {
            stories
                .iter()
                .all(|c| v.totals_of(map).place(c).at().is_some())
        })
        .await?;

    // 6. Give and receive: both sides, both ways.
    facilitate(&mut console, Action::GoTo { step: give }).await?;
    for phone in phones.iter_mut().skip(7).take(4) {
        let text = say(format!("audit side {} {nonce}", phone.n));
        let column = (phone.n % 2) as u8;
        ws_post(phone, give, &text, Place::Column { column }, false).await?;
    }
    for phone in phones.iter().skip(11).take(2) {
        let text = say(format!("audit form side {} {nonce}", phone.n));
        let column = (phone.n % 2).to_string();
        form_post(&server, &g, phone, give, &text, &[("column", &column)]).await?;
    }
    facilitate(&mut console, Action::Reveal).await?;
    screen
        .wait_for("both sides", |v| v.cards_of(give).count() == 6)
        .await?;

    // 7. Moving towards, with what each moves away from; then dots.
    facilitate(&mut console, Action::GoTo { step: towards }).await?;
    for phone in phones.iter_mut().skip(13).take(3) {
        let text = say(format!("audit towards {} {nonce}", phone.n));
        let from = say(format!("audit away {} {nonce}", phone.n));
        let place = Place::Toward {
            from: Some(ReflectionText::parse(&from)?),
        };
        ws_post(phone, towards, &text, place, false).await?;
    }
    for phone in phones.iter().skip(16).take(2) {
        let text = say(format!("audit form towards {} {nonce}", phone.n));
        let from = say(format!("audit form away {} {nonce}", phone.n));
        let fields = [("toward", "on"), ("from", from.as_str())];
        form_post(&server, &g, phone, towards, &text, &fields).await?;
    }
    facilitate(&mut console, Action::Reveal).await?;
    screen
        .wait_for("the statements", |v| v.cards_of(towards).count() == 5)
        .await?;
    let statements = screen.card_ids_of(towards);
    for phone in phones.iter_mut() {
        let card = statements[phone.n % statements.len()].clone();
        let dots = (phone.n % 3 + 1) as u8;
        mark(phone, Mark::Vote { card, dots }).await?;
    }

    // 8. The closing board.
    facilitate(&mut console, Action::GoTo { step: closing }).await?;
    for phone in phones.iter_mut().skip(4).take(6) {
        let text = say(format!("audit closing {} {nonce}", phone.n));
        ws_post(phone, closing, &text, Place::Board, false).await?;
    }
    // The room's figures say six wait (so the reveal below changes them,
    // and `read_to_the_end` has a last message to wait for).
    screen
        .wait_for("six waiting", |v| v.tally.waiting == Waiting::Count(6))
        .await?;
    facilitate(&mut console, Action::Reveal).await?;
    screen
        .wait_for("the closing board", |v| v.cards_of(closing).count() == 6)
        .await?;

    // 9. Statements, in a step added at the end: written by WebSocket and
    //    by form, answered by every phone, and one withdrawn once answered.
    let spec = hearth_core::gathering::StepSpec {
        prompt: hearth_core::words::Prompt::parse("audit statements")?,
        exercise: hearth_core::exercise::Exercise::Statements {
            pre_screen: false,
            seeds: Vec::new(),
        },
    };
    facilitate(&mut console, Action::AddStep { at: 9, spec }).await?;
    console
        .wait_for("the statements step", |v| v.steps.len() == 10)
        .await?;
    let statements = console
        .view
        .as_ref()
        .and_then(|v| v.steps.last())
        .map(|s| s.id)
        .ok_or("no statements step")?;
    facilitate(&mut console, Action::GoTo { step: statements }).await?;
    for phone in phones.iter_mut().take(3) {
        let text = say(format!("audit statement {} {nonce}", phone.n));
        ws_post(phone, statements, &text, Place::Board, false).await?;
    }
    let form_statement = say(format!("audit form statement {nonce}"));
    form_post(&server, &g, &phones[3], statements, &form_statement, &[]).await?;
    let canary = ws_post(
        &mut phones[4],
        statements,
        &canary_statement,
        Place::Board,
        false,
    )
    .await?;
    let last = say(format!("audit statement 5 {nonce}"));
    ws_post(&mut phones[5], statements, &last, Place::Board, false).await?;
    screen
        .wait_for("the statements let in", |v| {
            v.cards_of(statements).count() == 6
        })
        .await?;
    let put = screen.card_ids_of(statements);
    for phone in phones.iter_mut() {
        for (i, card) in put.iter().enumerate() {
            let vote = [
                hearth_core::landscape::Vote::Agree,
                hearth_core::landscape::Vote::Disagree,
                hearth_core::landscape::Vote::Pass,
            ][(phone.n + i) % 3];
            mark(
                phone,
                Mark::Answer {
                    card: card.clone(),
                    vote: Some(vote),
                },
            )
            .await?;
        }
    }
    screen
        .wait_for("the landscape", |v| {
            !v.board(statements).landscape.splits.is_empty()
        })
        .await?;
    withdraw(&mut phones[4], &canary).await?;
    screen
        .wait_for("the statement withdrawn", |v| v.card(&canary).is_none())
        .await?;
    // 9. Small groups: the twenty phones dealt into triads on entering.
    //    Every phone writes on its group's board (by WebSocket, a few by
    //    form), each observer notes a disconnect privately, and two groups
    //    bring one card back. A board's words may reach only its members.
    facilitate(&mut console, Action::GoTo { step: groups }).await?;
    facilitate(&mut console, Action::GroupsRound { round: 1 }).await?;
    let mut seats = Vec::new();
    for phone in &phones {
        let page = server.participant_page(&g, &phone.device).await?;
        let seat = page
            .group
            .ok_or_else(|| format!("phone {} was not dealt", phone.n))?;
        seats.push(seat);
    }
    // (group, text, written from): every group word, and every private note.
    let mut board_words: Vec<(usize, String, usize)> = Vec::new();
    let mut private_notes: Vec<(String, usize)> = Vec::new();
    for phone in phones.iter_mut() {
        let group = seats[phone.n].sign.number;
        let text = say(format!("audit group {group} words {} {nonce}", phone.n));
        if phone.n % 5 == 0 {
            let step = groups.0.to_string();
            let response = phone
                .http
                .post(format!("{}/p/{}/group", server.base, g.join_token))
                .header(reqwest::header::COOKIE, phone.device.cookie())
                .form(&[
                    ("do", "write"),
                    ("step", step.as_str()),
                    ("text", text.as_str()),
                ])
                .send()
                .await?;
            let back = redirect_target(&response).unwrap_or_default();
            if !back.contains("done=group") {
                return Err(format!("phone {}'s group form was refused: {back}", phone.n).into());
            }
        } else {
            let write = Action::GroupWrite {
                step: groups,
                text: ReflectionText::parse(&text)?,
            };
            phone.ws.act(write).await??;
        }
        board_words.push((group, text, phone.n));
        if seats[phone.n].role == Some(hearth_core::groups::Role::Observer) {
            let note = say(format!("audit private note {} {nonce}", phone.n));
            let noted = Action::GroupNote {
                step: groups,
                tag: Tag::Probing,
                text: Some(ReflectionText::parse(&note)?),
            };
            phone.ws.act(noted).await??;
            private_notes.push((note, phone.n));
        }
    }
    if private_notes.is_empty() {
        return Err("no phone was an observer: the groups have no roles".into());
    }
    for round in [2, 3] {
        facilitate(&mut console, Action::GroupsRound { round }).await?;
    }
    // Groups 1 and 2 each bring back the card of their first member.
    let mut brought = Vec::new();
    for group in [1, 2] {
        let member = |place: u32| {
            seats
                .iter()
                .position(|s| s.sign.number == group && s.place == place)
                .ok_or(format!("group {group} has no person {place}"))
        };
        let (first, second) = (member(1)?, member(2)?);
        let (_, text, _) = board_words
            .iter()
            .find(|(_, _, n)| *n == first)
            .ok_or("no words from the first member")?;
        let card = server
            .participant_page(&g, &phones[first].device)
            .await?
            .group
            .ok_or("no group")?
            .cards
            .into_iter()
            .find(|c| &c.text == text)
            .ok_or("the card is not on its board")?
            .id;
        phones[first]
            .ws
            .act(Action::GroupPropose { card: card.clone() })
            .await??;
        phones[second].ws.act(Action::GroupAgree { card }).await??;
        brought.push(text.clone());
    }
    facilitate(&mut console, Action::GroupsBack).await?;
    facilitate(&mut console, Action::Reveal).await?;
    screen
        .wait_for("the cards brought back", |v| {
            v.cards_of(groups).count() == 2
        })
        .await?;
    // Words never brought back, which nobody outside their group may see.
    let kept: Vec<(usize, String)> = board_words
        .iter()
        .filter(|(_, text, _)| !brought.contains(text))
        .map(|(group, text, _)| (*group, text.clone()))
        .collect();
    let kept_needles = |but_group: Option<usize>, but_phone: Option<usize>| -> Vec<Needle> {
        let mut needles: Vec<Needle> = kept
            .iter()
            .filter(|(group, _)| Some(*group) != but_group)
            .map(|(group, text)| Needle::new(format!("group {group}'s board"), text.as_str()))
            .collect();
        needles.extend(
            private_notes
                .iter()
                .filter(|(_, n)| Some(*n) != but_phone)
                .map(|(text, n)| Needle::new(format!("phone {n}'s private note"), text.as_str())),
        );
        needles
    };

    // Every view reads what is left for it.
    for client in [&mut console, &mut co, &mut screen] {
        read_to_the_end(client).await?;
    }
    for phone in phones.iter_mut() {
        read_to_the_end(&mut phone.ws).await?;
    }

    // The device hashes, read from the database while the gathering runs.
    // Each phone's hash must be among them (so the audit looks for every
    // one), and there must be no other.
    let (salt, hashes) = stored_identities(&server).await?;
    let expected: BTreeMap<String, usize> = phones
        .iter()
        .map(|p| (sha256_hex(&[&salt, p.device.token.as_bytes()]), p.n))
        .collect();
    let known: BTreeSet<String> = expected.keys().cloned().collect();
    assert_eq!(
        hashes, known,
        "the database's device hashes are not exactly the twenty phones' salted hashes"
    );

    // What must never leave a phone's own request, and what must never be
    // shown to anyone once stored.
    let mut network = Vec::new();
    for phone in &phones {
        let n = phone.n;
        network.push(Needle::new(
            format!("phone {n}'s device token"),
            &phone.device.token,
        ));
        network.push(Needle::new(
            format!("phone {n}'s unsalted token hash"),
            sha256_hex(&[phone.device.token.as_bytes()]),
        ));
        let presence = &phone.presence;
        if let Some(agent) = &presence.user_agent {
            network.push(Needle::new(format!("phone {n}'s User-Agent"), agent));
        }
        if let Some(forwarded) = &presence.forwarded_for {
            network.push(Needle::new(
                format!("phone {n}'s X-Forwarded-For"),
                forwarded,
            ));
        }
        if let Some(source) = presence.source {
            network.push(Needle::new(
                format!("phone {n}'s source address"),
                source.to_string(),
            ));
        }
    }
    let mut identities = Vec::new();
    for (hash, n) in &expected {
        identities.push(Needle::new(format!("phone {n}'s device hash"), hash));
        identities.push(Needle::new(
            format!("the first 16 characters of phone {n}'s device hash"),
            &hash[..16],
        ));
    }
    let everything: Vec<Needle> = network.iter().chain(&identities).cloned().collect();

    let mut findings = Findings::default();

    // What the facilitators and the screen were shown, and each phone.
    let mut shown_haystacks = Vec::new();
    shown_haystacks.extend(transcript("console WebSocket", &console));
    shown_haystacks.extend(transcript("co-facilitator WebSocket", &co));
    shown_haystacks.extend(transcript("screen WebSocket", &screen));
    let pages = [
        (format!("/console/{}", g.console_secret), "the console page"),
        (format!("/console/{co_secret}"), "the co-facilitator's page"),
        (format!("/screen/{}", g.screen_secret), "the screen page"),
    ];
    for (path, name) in &pages {
        shown_haystacks.push(page(&server, path, name).await?);
    }
    let console_data = server
        .api_text("console", &[("secret", &g.console_secret)], None)
        .await?;
    let co_data = server
        .api_text("console", &[("secret", &co_secret)], None)
        .await?;
    let screen_data = server
        .api_text("screen", &[("secret", &g.screen_secret)], None)
        .await?;
    let mut checked_cards = 0;
    for (name, body) in [
        ("/api/console", &console_data),
        ("/api/console (co-facilitator)", &co_data),
        ("/api/screen", &screen_data),
    ] {
        checked_cards += check_page_data(name, body, &mut findings);
        shown_haystacks.push(Haystack::new(name, body.as_bytes()));
    }
    for phone in &phones {
        shown_haystacks.extend(transcript(
            &format!("phone {}'s WebSocket", phone.n),
            &phone.ws,
        ));
        let data = server
            .api_text(
                "participant",
                &[("token", &g.join_token)],
                Some(&phone.device),
            )
            .await?;
        shown_haystacks.push(Haystack::new(
            format!("phone {}'s /api/participant", phone.n),
            data,
        ));
    }
    shown_haystacks.append(&mut phone_pages);
    shown_haystacks.extend(exports(&server, &g.console_secret, map).await?);
    findings.search("while running", &shown_haystacks, &everything);

    // A group's board: nowhere but its members' own page data. Not in what
    // the console, the screen, any phone's WebSocket or the exports were
    // given, nor in the part every phone shares; not in another group's
    // phone.
    let mut outside_groups: Vec<Haystack> = Vec::new();
    outside_groups.extend(transcript("console WebSocket", &console));
    outside_groups.extend(transcript("co-facilitator WebSocket", &co));
    outside_groups.extend(transcript("screen WebSocket", &screen));
    for (name, body) in [
        ("/api/console", &console_data),
        ("/api/console (co-facilitator)", &co_data),
        ("/api/screen", &screen_data),
    ] {
        outside_groups.push(Haystack::new(name, body.as_bytes()));
    }
    for (path, name) in &pages {
        outside_groups.push(page(&server, path, name).await?);
    }
    outside_groups.extend(exports(&server, &g.console_secret, map).await?);
    for phone in &phones {
        outside_groups.extend(transcript(
            &format!("phone {}'s WebSocket", phone.n),
            &phone.ws,
        ));
    }
    let shared_part = server
        .get(
            &format!("/p/{}/shared", g.join_token),
            Some(&phones[0].device),
        )
        .await?
        .text()
        .await?;
    outside_groups.push(Haystack::new("the part every phone shares", shared_part));
    findings.search("small groups", &outside_groups, &kept_needles(None, None));
    for phone in &phones {
        let group = seats[phone.n].sign.number;
        let own = server
            .api_text(
                "participant",
                &[("token", &g.join_token)],
                Some(&phone.device),
            )
            .await?;
        let own_part = server
            .get(&format!("/p/{}/mine", g.join_token), Some(&phone.device))
            .await?
            .text()
            .await?;
        findings.search(
            "small groups",
            &[
                Haystack::new(format!("phone {}'s /api/participant", phone.n), own),
                Haystack::new(format!("phone {}'s own part", phone.n), own_part),
            ],
            &kept_needles(Some(group), Some(phone.n)),
        );
    }

    let mut totals_seen = 0;
    for (name, client, also) in [
        ("console WebSocket", &console, &FACILITATOR_MESSAGES[..]),
        ("co-facilitator WebSocket", &co, &FACILITATOR_MESSAGES[..]),
        ("screen WebSocket", &screen, &[][..]),
    ] {
        let (cards, totals) = check_view_messages(name, client, also, &mut findings);
        checked_cards += cards;
        totals_seen += totals;
    }
    assert!(
        checked_cards > 100 && totals_seen > 0,
        "the audit checked only {checked_cards} cards and {totals_seen} totals messages: \
         the recording or the parsing is broken, not Hearth"
    );

    // The log and the stored bytes, while the gathering runs.
    findings.search("while running", &[log(&server)], &everything);
    findings.search("while running", &stored(&server).await?, &network);

    // Withdrawn words are gone from the stored bytes.
    let stored_now = stored(&server).await?;
    for (canary, how) in canaries {
        let needle = [Needle::new(format!("a reflection {how}"), canary.as_str())];
        let before = findings.0.len();
        findings.search("after withdrawal", &stored_now, &needle);
        if findings.0.len() > before {
            let tables = server.store().tables_holding(canary).await?;
            findings.note(format!(
                "after withdrawal: the reflection {how} is, in the live database, in: {}",
                if tables.is_empty() {
                    "no table (only in free space or a log)".to_owned()
                } else {
                    tables.join(", ")
                }
            ));
        }
        let fresh = server.connect(&g.screen_ws(), None, None).await?;
        if fresh.card_texts().iter().any(|t| t == canary) {
            findings.note(format!("a fresh screen still shows the reflection {how}"));
        }
    }

    // Exports made after the withdrawals never hold the withdrawn words.
    findings.search(
        "after withdrawal",
        &exports(&server, &g.console_secret, map).await?,
        &canaries
            .iter()
            .map(|(canary, how)| Needle::new(format!("a reflection {how}"), canary.as_str()))
            .collect::<Vec<_>>(),
    );

    // A screen that comes back from before the withdrawals is sent what it
    // missed: never the withdrawn words.
    let canary_needles: Vec<Needle> = canaries
        .iter()
        .map(|(canary, how)| Needle::new(format!("a reflection {how}"), canary.as_str()))
        .collect();
    let plain = Presence::default();
    for (from, at) in [
        ("before the reveal", before_reveals),
        ("while the canary was hidden", while_hidden),
    ] {
        let back = server
            .connect_as(&g.screen_ws(), None, &plain, Some(at))
            .await?;
        let name = format!("a screen coming back from {from} (seq {})", at.seq);
        findings.search(
            "after withdrawal",
            &transcript(&name, &back),
            &canary_needles,
        );
    }

    // The end: the totals stay, every device hash goes.
    // (Read from fresh snapshots both times: a live view keeps entries
    // that a snapshot leaves out, such as a total gone back to nothing.)
    let before = server.connect(&g.screen_ws(), None, None).await?;
    let totals_before = before.view.as_ref().ok_or("no view")?.totals.clone();
    facilitate(&mut console, Action::End).await?;
    screen.wait_for("the end", |v| v.ended).await?;
    findings.search("after the end", &stored(&server).await?, &everything);
    // The groups are forgotten: what they kept to themselves is gone.
    findings.search(
        "after the end",
        &stored(&server).await?,
        &kept_needles(None, None),
    );
    findings.search("after the end", &[log(&server)], &everything);
    server.restart().await?;
    let after = server.connect(&g.screen_ws(), None, None).await?;
    let totals_after = after.view.as_ref().ok_or("no view")?.totals.clone();
    if totals_after != totals_before {
        findings.note(format!(
            "after the end and a restart, the totals changed:\nbefore {totals_before:?}\nafter  {totals_after:?}"
        ));
    }
    findings.search(
        "after the end and a restart",
        &stored(&server).await?,
        &everything,
    );
    findings.search(
        "after the end and a restart",
        &stored(&server).await?,
        &canary_needles,
    );
    let back = server
        .connect_as(&g.screen_ws(), None, &plain, Some(before_reveals))
        .await?;
    let name = format!(
        "a screen coming back after a restart from before the reveal (seq {})",
        before_reveals.seq
    );
    findings.search(
        "after the end and a restart",
        &transcript(&name, &back),
        &canary_needles,
    );

    // Deleting: no word of the gathering is left.
    let deleted = server.post_form(&g.delete_path(), &[]).await?;
    assert_eq!(
        redirect_target(&deleted).as_deref(),
        Some("/start?notice=deleted"),
        "deleting the gathering did not go through"
    );
    let words: Vec<Needle> = texts
        .iter()
        .map(|t| Needle::new("a word of the deleted gathering", t.as_str()))
        .collect();
    findings.search("after deleting", &stored(&server).await?, &words);
    findings.search("after deleting", &stored(&server).await?, &everything);
    findings.search("at the very end", &[log(&server)], &everything);

    assert!(
        findings.0.is_empty(),
        "the anonymity audit found {} problems:\n- {}",
        findings.0.len(),
        findings.0.join("\n- ")
    );
    Ok(())
}
