//! What crosses the boundary, against the real binary: people's words are
//! cleaned the same way whichever way they came (a form, the live socket,
//! an imported file) and leave in an export as words, never a formula; a
//! damaged form gets its own page's clear error and changes nothing; a
//! secret that opens nothing is answered 404, with nothing served.

use app::protocol::Action;
use hearth_tests::{action_id, redirect_target, Device, Gathering, TestServer};

const BIN: &str = env!("CARGO_BIN_EXE_hearth");

/// Control characters, direction overrides and isolates, and an accent
/// typed as a separate mark: what a script (or a careless paste) sends.
const DIRTY: &str = "  Cafe\u{301}\u{0} by the \u{202E}sea\u{2066}\u{7}\r\n\ttide\u{1b} ";
/// `DIRTY` once cleaned.
const CLEAN: &str = "Caf\u{e9} by the sea\n\ttide";

/// Posts a raw URL-encoded body to `path` with a phone's cookie, and says
/// where it led.
async fn post_raw(
    server: &TestServer,
    path: &str,
    device: &Device,
    body: &str,
) -> hearth_tests::Result<String> {
    let response = server
        .http
        .post(format!("{}{path}", server.base))
        .header("cookie", device.cookie())
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body.to_owned())
        .send()
        .await?;
    redirect_target(&response)
        .ok_or_else(|| format!("{path}: answered {}", response.status()).into())
}

/// Posts a form (as `reqwest` encodes it) with a phone's cookie.
async fn post_form(
    server: &TestServer,
    path: &str,
    device: &Device,
    form: &[(&str, &str)],
) -> hearth_tests::Result<String> {
    let body = form
        .iter()
        .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
        .collect::<Vec<_>>()
        .join("&");
    post_raw(server, path, device, &body).await
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

/// Reveals a gathering's waiting cards and returns the texts on the board.
async fn revealed(server: &TestServer, g: &Gathering) -> hearth_tests::Result<Vec<String>> {
    let mut console = server.connect(&g.console_ws(), None, None).await?;
    console.act(Action::Reveal).await??;
    console.settle().await?;
    Ok(console.card_texts())
}

#[tokio::test]
async fn words_are_cleaned_alike_through_form_socket_and_import() -> hearth_tests::Result<()> {
    let server = TestServer::start(BIN).await?;
    let g = server.create_gathering("Words", "blank").await?;
    let reflect = format!("/p/{}/reflect", g.join_token);

    // Through the plain form.
    let by_form = Device::new();
    let sent = post_form(
        &server,
        &reflect,
        &by_form,
        &[("id", "clean-form-0001"), ("step", "1"), ("text", DIRTY)],
    )
    .await?;
    assert!(sent.contains("/received"), "{sent}");
    let mine = server.participant_page(&g, &by_form).await?.mine;
    assert_eq!(
        mine.iter().map(|c| c.text.as_str()).collect::<Vec<_>>(),
        [CLEAN]
    );

    // Through the live socket, as raw JSON (the test client's own types
    // would clean the words before sending them).
    let by_socket = Device::new();
    let mut phone = server
        .connect(&g.participant_ws(), Some(&by_socket), None)
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
    let mut texts = revealed(&server, &g).await?;
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
    let server = TestServer::start(BIN).await?;
    let g = server.create_gathering("Escapes", "blank").await?;
    let phone = Device::new();
    let reflect = format!("/p/{}/reflect", g.join_token);
    let refused = format!("/p/{}?error=malformed", g.join_token);
    for body in [
        // Latin-1, not UTF-8: would have become a replacement character.
        "id=escape-0001&step=1&text=caf%E9",
        // A percent sign that escapes nothing.
        "id=escape-0002&step=1&text=100%25+sure+and+100%",
        "id=escape-0003&step=1&text=%zzwords",
    ] {
        assert_eq!(post_raw(&server, &reflect, &phone, body).await?, refused);
    }
    assert!(server.participant_page(&g, &phone).await?.mine.is_empty());
    let page = server.get(&refused, Some(&phone)).await?.text().await?;
    assert!(page.contains("reach us properly"), "the page says why");

    // The start page, too.
    let start = post_raw(&server, "/start", &phone, "name=Caf%E9&agenda=blank").await?;
    assert_eq!(start, "/start?error=malformed");
    let page = server.get(&start, None).await?.text().await?;
    assert!(page.contains("reach us properly"));

    // A well-formed escape is words as ever.
    let fine = "id=escape-0004&step=1&text=100%25+sure";
    assert!(post_raw(&server, &reflect, &phone, fine)
        .await?
        .contains("/received"));
    Ok(())
}

#[tokio::test]
async fn the_csv_export_keeps_full_width_formula_signs_as_words() -> hearth_tests::Result<()> {
    let server = TestServer::start(BIN).await?;
    let g = server.create_gathering("Formulas", "blank").await?;
    let phone = Device::new();
    let reflect = format!("/p/{}/reflect", g.join_token);
    let words = [
        "\u{FF1D}HYPERLINK(\"http://example.com\")",
        "\u{FF0B}1 for the tea",
        "\u{FF0D}1 for the biscuits",
        "\u{FF20}SUM(A1)",
    ];
    for (i, text) in words.iter().enumerate() {
        let id = format!("formula-{i:04}");
        let sent = post_form(
            &server,
            &reflect,
            &phone,
            &[("id", &id), ("step", "1"), ("text", text)],
        )
        .await?;
        assert!(sent.contains("/received"), "{sent}");
    }
    revealed(&server, &g).await?;
    let csv = server
        .get(
            &format!("/console/{}/export/cards.csv", g.console_secret),
            None,
        )
        .await?
        .text()
        .await?;
    for text in words {
        let first = text.chars().next().ok_or("no words")?;
        let cell_starts = format!("'{first}");
        assert!(
            csv.contains(&cell_starts),
            "{text:?} must start with a quote mark in:\n{csv}"
        );
        assert!(!csv.contains(&format!(",{first}")) && !csv.contains(&format!("\"{first}")));
    }
    Ok(())
}

#[tokio::test]
async fn unknown_secrets_are_answered_404_with_nothing_served() -> hearth_tests::Result<()> {
    let server = TestServer::start(BIN).await?;
    let g = server.create_gathering("Secrets", "blank").await?;
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
        let response = server
            .http
            .post(format!("{}/api/{endpoint}", server.base))
            .form(&form)
            .send()
            .await?;
        let status = response.status();
        let body = response.text().await?;
        assert_eq!(status, reqwest::StatusCode::NOT_FOUND, "{endpoint}: {body}");
        assert!(
            !body.contains("gathering") && !body.contains(&g.code),
            "{endpoint} served: {body}"
        );
    }
    // The real secret still opens its console's data.
    server
        .api::<app::api::ConsolePage>("console", &[("secret", &g.console_secret)], None)
        .await?;
    Ok(())
}

#[tokio::test]
async fn a_form_with_a_field_twice_gets_its_pages_own_error() -> hearth_tests::Result<()> {
    let server = TestServer::start(BIN).await?;
    let g = server.create_gathering("Twice", "blank").await?;
    let phone = Device::new();
    let to_phone = |what: &str| format!("/p/{}/{what}", g.join_token);
    let refused = format!("/p/{}?error=malformed", g.join_token);
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
        let led = post_form(&server, &to_phone(what), &phone, &form).await?;
        assert_eq!(led, refused, "{what}");
    }
    assert!(server.participant_page(&g, &phone).await?.mine.is_empty());
    let page = server.get(&refused, Some(&phone)).await?.text().await?;
    assert!(page.contains("reach us properly"));

    let start = post_form(
        &server,
        "/start",
        &phone,
        &[("name", "One"), ("name", "Two"), ("agenda", "blank")],
    )
    .await?;
    assert_eq!(start, "/start?error=malformed");
    let page = server.get(&start, None).await?.text().await?;
    assert!(page.contains("reach us properly"));

    // The front door's code, typed twice into the address bar.
    let joined = server
        .http
        .get(format!("{}/join?code={}&code=ABCDEF", server.base, g.code))
        .send()
        .await?;
    assert_eq!(redirect_target(&joined).as_deref(), Some("/?error=format"));
    Ok(())
}
