//! What crosses the boundary, against the real binary: people's words are
//! cleaned the same way whichever way they came (a form, the live socket,
//! an imported file) and leave in an export as words, never a formula; a
//! damaged form gets its own page's clear error and changes nothing; a
//! secret that opens nothing is answered 404, with nothing served.

use hearth_core::protocol::Action;
use hearth_tests::{action_id, redirect_target, Device, Gathering, TestServer};

const BIN: &str = env!("CARGO_BIN_EXE_hearth");

/// Control characters, direction overrides and isolates, and an accent
/// typed as a separate mark: what a script (or a careless paste) sends.
const DIRTY: &str = "  Cafe\u{301}\u{0} by the \u{202E}sea\u{2066}\u{7}\r\n\ttide\u{1b} ";
/// `DIRTY` once cleaned.
const CLEAN: &str = "Caf\u{e9} by the sea\n\ttide";
/// What a page says about a form that arrived damaged.
const MALFORMED: &str = "reach us properly";

/// A fresh server with one gathering, and one phone that posts forms.
struct Room {
    server: TestServer,
    g: Gathering,
    phone: Device,
}

impl Room {
    async fn open(name: &str) -> hearth_tests::Result<Self> {
        let server = TestServer::start(BIN).await?;
        let g = server.create_gathering(name, "blank").await?;
        Ok(Self {
            server,
            g,
            phone: Device::new(),
        })
    }

    /// Where the phone's form `what` (`reflect`, `mark`, …) posts.
    fn form(&self, what: &str) -> String {
        format!("/p/{}/{what}", self.g.join_token)
    }

    /// Where a damaged form from the phone leads: its page, saying why.
    fn refused(&self) -> String {
        format!("/p/{}?error=malformed", self.g.join_token)
    }

    /// Posts a raw URL-encoded body to `path` with the phone's cookie, and
    /// says where it led.
    async fn post_raw(&self, path: &str, body: &str) -> hearth_tests::Result<String> {
        let response = self
            .server
            .http
            .post(format!("{}{path}", self.server.base))
            .header("cookie", self.phone.cookie())
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body.to_owned())
            .send()
            .await?;
        redirect_target(&response)
            .ok_or_else(|| format!("{path}: answered {}", response.status()).into())
    }

    /// Posts a form, every field in order (a repeated one too).
    async fn post(&self, path: &str, form: &[(&str, &str)]) -> hearth_tests::Result<String> {
        let body = form
            .iter()
            .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
            .collect::<Vec<_>>()
            .join("&");
        self.post_raw(path, &body).await
    }

    /// Reveals the waiting cards and returns the texts on the board.
    async fn reveal(&self) -> hearth_tests::Result<Vec<String>> {
        let mut console = self
            .server
            .connect(&self.g.console_ws(), None, None)
            .await?;
        console.act(Action::Reveal).await??;
        console.settle().await?;
        Ok(console.card_texts())
    }

    /// Checks that nothing of the phone's was kept, and that its page, where
    /// a damaged form led, says why.
    async fn kept_nothing_and_said_why(&self) -> hearth_tests::Result<()> {
        let mine = self
            .server
            .participant_page(&self.g, &self.phone)
            .await?
            .mine;
        assert!(mine.is_empty(), "nothing is kept: {mine:?}");
        let page = self.page(&self.refused()).await?;
        assert!(page.contains(MALFORMED), "the page says why");
        Ok(())
    }

    /// The phone's page after a form led to `target`.
    async fn page(&self, target: &str) -> hearth_tests::Result<String> {
        Ok(self
            .server
            .get(target, Some(&self.phone))
            .await?
            .text()
            .await?)
    }
}

/// Percent-encodes every byte that is not a letter or digit.
fn encode(text: &str) -> String {
    text.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() {
                char::from(b).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

#[tokio::test]
async fn words_are_cleaned_alike_through_form_socket_and_import() -> hearth_tests::Result<()> {
    let room = Room::open("Words").await?;
    let (server, g) = (&room.server, &room.g);

    // Through the plain form.
    let form = [("id", "clean-form-0001"), ("step", "1"), ("text", DIRTY)];
    let sent = room.post(&room.form("reflect"), &form).await?;
    assert!(sent.contains("/received"), "{sent}");
    let mine = server.participant_page(g, &room.phone).await?.mine;
    assert_eq!(
        mine.iter().map(|c| c.text.as_str()).collect::<Vec<_>>(),
        [CLEAN]
    );

    // Through the live socket, as raw JSON (the test client's own types
    // would clean the words before sending them).
    let mut phone = server
        .connect(&g.participant_ws(), Some(&Device::new()), None)
        .await?;
    let id = action_id();
    let dirty = serde_json::to_string(&format!("{DIRTY}again"))?;
    phone
        .send_text(&format!(
            r#"{{"type":"act","id":"{}","action":{{"kind":"add_reflection","step":1,"text":{dirty}}}}}"#,
            id.as_str()
        ))
        .await?;
    assert!(phone.answer(&id).await?.is_ok());

    // Nothing invisible reaches the screen.
    let mut texts = room.reveal().await?;
    texts.sort();
    assert_eq!(texts, [CLEAN.to_owned(), format!("{CLEAN} again")]);

    // Through an imported file: its title and its cards.
    let export = server
        .get(
            &format!("/console/{}/export/gathering.json", g.console_secret),
            None,
        )
        .await?
        .text()
        .await?;
    let mut file: serde_json::Value = serde_json::from_str(&export)?;
    file["title"] = "\u{202E}Evening circle\u{7}".into();
    let cards = file["steps"][0]["cards"]
        .as_array_mut()
        .ok_or("no cards in the export")?;
    assert_eq!(cards.len(), 2);
    for (i, card) in cards.iter_mut().enumerate() {
        card["text"] = format!("{i}{DIRTY}").into();
    }
    let form = reqwest::multipart::Form::new().text("cards", "on").part(
        "file",
        reqwest::multipart::Part::bytes(serde_json::to_vec(&file)?).file_name("gathering.json"),
    );
    let imported = server
        .http
        .post(format!("{}/start/import", server.base))
        .multipart(form)
        .send()
        .await?;
    let console = redirect_target(&imported).ok_or("the import did not open a console")?;
    let secret = console.rsplit('/').next().ok_or("no console secret")?;
    let copy = server
        .connect(&format!("/ws/console/{secret}"), None, None)
        .await?;
    let view = copy.view.as_ref().ok_or("no view")?;
    assert_eq!(view.title, "Evening circle");
    let mut texts = copy.card_texts();
    texts.sort();
    assert_eq!(texts, [format!("0  {CLEAN}"), format!("1  {CLEAN}")]);
    Ok(())
}

#[tokio::test]
async fn broken_percent_encoding_is_refused_and_nothing_is_kept() -> hearth_tests::Result<()> {
    let room = Room::open("Escapes").await?;
    let reflect = room.form("reflect");
    for body in [
        // Latin-1, not UTF-8: would have become a replacement character.
        "id=escape-0001&step=1&text=caf%E9",
        // A percent sign that escapes nothing.
        "id=escape-0002&step=1&text=100%25+sure+and+100%",
        "id=escape-0003&step=1&text=%zzwords",
    ] {
        assert_eq!(room.post_raw(&reflect, body).await?, room.refused());
    }
    room.kept_nothing_and_said_why().await?;

    // The start page, too.
    let start = room.post_raw("/start", "name=Caf%E9&agenda=blank").await?;
    assert_eq!(start, "/start?error=malformed");
    assert!(room.page(&start).await?.contains(MALFORMED));

    // A well-formed escape is words as ever.
    let fine = "id=escape-0004&step=1&text=100%25+sure";
    assert!(room.post_raw(&reflect, fine).await?.contains("/received"));
    Ok(())
}

#[tokio::test]
async fn the_csv_export_keeps_full_width_formula_signs_as_words() -> hearth_tests::Result<()> {
    let room = Room::open("Formulas").await?;
    let words = [
        "\u{FF1D}HYPERLINK(\"http://example.com\")",
        "\u{FF0B}1 for the tea",
        "\u{FF0D}1 for the biscuits",
        "\u{FF20}SUM(A1)",
    ];
    for (i, text) in words.iter().enumerate() {
        let id = format!("formula-{i:04}");
        let form = [("id", id.as_str()), ("step", "1"), ("text", text)];
        let sent = room.post(&room.form("reflect"), &form).await?;
        assert!(sent.contains("/received"), "{sent}");
    }
    room.reveal().await?;
    let csv = room
        .page(&format!(
            "/console/{}/export/cards.csv",
            room.g.console_secret
        ))
        .await?;
    for text in words {
        let first = text.chars().next().ok_or("no words")?;
        assert!(
            csv.contains(&format!("'{first}")),
            "{text:?} must start with a quote mark in:\n{csv}"
        );
        assert!(!csv.contains(&format!(",{first}")) && !csv.contains(&format!("\"{first}")));
    }
    Ok(())
}

#[tokio::test]
async fn unknown_secrets_are_answered_404_with_nothing_served() -> hearth_tests::Result<()> {
    let room = Room::open("Secrets").await?;
    let unknown = "0".repeat(40);
    for (endpoint, form) in [
        ("console", vec![("secret", unknown.as_str())]),
        (
            "harvest",
            vec![("secret", unknown.as_str()), ("hidden", "false")],
        ),
        (
            "harvest",
            vec![("secret", unknown.as_str()), ("hidden", "true")],
        ),
        ("screen", vec![("secret", unknown.as_str())]),
        ("participant", vec![("token", unknown.as_str())]),
    ] {
        let response = room
            .server
            .http
            .post(format!("{}/api/{endpoint}", room.server.base))
            .form(&form)
            .send()
            .await?;
        let status = response.status();
        let body = response.text().await?;
        assert_eq!(status, reqwest::StatusCode::NOT_FOUND, "{endpoint}: {body}");
        assert!(
            !body.contains("gathering") && !body.contains(&room.g.code),
            "{endpoint} served: {body}"
        );
    }
    // The real secret still opens its console's data.
    let real = [("secret", room.g.console_secret.as_str())];
    let page: hearth_core::page::ConsolePage = room.server.api("console", &real, None).await?;
    assert_eq!(page.entry.code.as_str(), room.g.code);
    Ok(())
}

#[tokio::test]
async fn a_form_with_a_field_twice_gets_its_pages_own_error() -> hearth_tests::Result<()> {
    let room = Room::open("Twice").await?;
    for (what, form) in [
        (
            "reflect",
            vec![
                ("id", "twice-0001"),
                ("step", "1"),
                ("text", "One"),
                ("text", "Two"),
            ],
        ),
        (
            "mark",
            vec![("mark", "resonate"), ("mark", "vote"), ("on", "true")],
        ),
        (
            "withdraw",
            vec![("card", "00000000000000ff"), ("card", "0")],
        ),
    ] {
        let led = room.post(&room.form(what), &form).await?;
        assert_eq!(led, room.refused(), "{what}");
    }
    room.kept_nothing_and_said_why().await?;

    let twice = [("name", "One"), ("name", "Two"), ("agenda", "blank")];
    let start = room.post("/start", &twice).await?;
    assert_eq!(start, "/start?error=malformed");
    assert!(room.page(&start).await?.contains(MALFORMED));

    // The front door's code, typed twice into the address bar.
    let joined = room
        .server
        .http
        .get(format!(
            "{}/join?code={}&code=ABCDEF",
            room.server.base, room.g.code
        ))
        .send()
        .await?;
    assert_eq!(redirect_target(&joined).as_deref(), Some("/?error=format"));
    Ok(())
}
