//! Forms and queries read strictly: every field at most once, every
//! percent-escape whole, every byte UTF-8.
//!
//! axum's `Form` and `Query` patch a broken escape or a byte that is not
//! UTF-8 with a replacement character, so a person's words could be kept
//! changed without anyone knowing; and they answer a field sent twice with
//! a bare 400 or 422 that no page explains. Read here, each of those is a
//! `FormError` the handler turns into its own page's clear message, with
//! nothing stored. (A body over the size limit is still refused with 413
//! before anything is read.)

use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{header, Method};
use axum::response::{IntoResponse, Response};
use serde::de::value::MapDeserializer;
use serde::de::DeserializeOwned;
use std::collections::HashSet;

/// Why a form could not be read.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum FormError {
    #[error("the body is not a form")]
    NotAForm,
    #[error("a percent-escape is broken")]
    BrokenEscape,
    #[error("a field is not UTF-8")]
    NotUtf8,
    #[error("the field {0:?} was sent more than once")]
    Repeated(String),
    #[error("the fields do not fit the form: {0}")]
    Shape(String),
}

/// A form body (or, for GET, the query), read strictly: the handler gets
/// the fields or why they could not be read.
pub struct StrictForm<T>(pub Result<T, FormError>);

/// A URL's query, read strictly.
pub struct StrictQuery<T>(pub Result<T, FormError>);

impl<T, S> FromRequest<S> for StrictForm<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    /// Only a body that could not be received at all (too large, cut off).
    type Rejection = Response;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        if req.method() == Method::GET || req.method() == Method::HEAD {
            let query = req.uri().query().unwrap_or_default().to_owned();
            return Ok(Self(parse(query.as_bytes())));
        }
        let is_form = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(';').next())
            .is_some_and(|v| {
                v.trim()
                    .eq_ignore_ascii_case("application/x-www-form-urlencoded")
            });
        let body = Bytes::from_request(req, state)
            .await
            .map_err(IntoResponse::into_response)?;
        if !is_form {
            return Ok(Self(Err(FormError::NotAForm)));
        }
        Ok(Self(parse(&body)))
    }
}

impl<T, S> FromRequestParts<S> for StrictQuery<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let query = parts.uri.query().unwrap_or_default();
        Ok(Self(parse(query.as_bytes())))
    }
}

/// Reads `name=value&…` (URL-encoded) into `T`.
pub fn parse<T: DeserializeOwned>(input: &[u8]) -> Result<T, FormError> {
    let mut seen = HashSet::new();
    let mut fields = Vec::new();
    for pair in input.split(|b| *b == b'&').filter(|p| !p.is_empty()) {
        let (name, value) = match pair.iter().position(|b| *b == b'=') {
            Some(at) => (&pair[..at], &pair[at + 1..]),
            None => (pair, &[][..]),
        };
        let name = decode(name)?;
        if !seen.insert(name.clone()) {
            return Err(FormError::Repeated(name));
        }
        fields.push((name, decode(value)?));
    }
    T::deserialize(MapDeserializer::<_, serde::de::value::Error>::new(
        fields.into_iter(),
    ))
    .map_err(|e| FormError::Shape(e.to_string()))
}

/// One URL-encoded name or value: `+` is a space, `%XX` a byte; anything
/// else about a `%` is broken, and the bytes must be UTF-8.
fn decode(raw: &[u8]) -> Result<String, FormError> {
    let mut bytes = Vec::with_capacity(raw.len());
    let mut rest = raw.iter();
    while let Some(&b) = rest.next() {
        match b {
            b'+' => bytes.push(b' '),
            b'%' => {
                let (Some(high), Some(low)) = (
                    rest.next().and_then(|h| hex(*h)),
                    rest.next().and_then(|l| hex(*l)),
                ) else {
                    return Err(FormError::BrokenEscape);
                };
                bytes.push((high << 4) | low);
            }
            b => bytes.push(b),
        }
    }
    String::from_utf8(bytes).map_err(|_| FormError::NotUtf8)
}

fn hex(digit: u8) -> Option<u8> {
    char::from(digit)
        .to_digit(16)
        .and_then(|d| u8::try_from(d).ok())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, Default, Deserialize, PartialEq)]
    struct Note {
        #[serde(default)]
        id: String,
        #[serde(default)]
        text: String,
    }

    #[test]
    fn fields_are_decoded() {
        let note: Note = parse(b"id=n1&text=caf%C3%A9+au+lait%21&other=x").unwrap();
        assert_eq!(note.id, "n1");
        assert_eq!(note.text, "café au lait!");
        assert_eq!(parse::<Note>(b"").unwrap(), Note::default());
        assert_eq!(parse::<Note>(b"text").unwrap(), Note::default());
    }

    #[test]
    fn a_broken_escape_is_an_error_not_a_guess() {
        for broken in [&b"text=100%"[..], b"text=%zz", b"text=%4", b"te%xt=a"] {
            assert_eq!(
                parse::<Note>(broken),
                Err(FormError::BrokenEscape),
                "{}",
                String::from_utf8_lossy(broken)
            );
        }
    }

    #[test]
    fn bytes_that_are_not_utf8_are_an_error() {
        assert_eq!(parse::<Note>(b"text=%FF%FE"), Err(FormError::NotUtf8));
        assert_eq!(parse::<Note>(b"text=\xff"), Err(FormError::NotUtf8));
    }

    #[test]
    fn a_field_sent_twice_is_an_error() {
        assert_eq!(
            parse::<Note>(b"text=a&id=1&text=b"),
            Err(FormError::Repeated("text".into()))
        );
        // Even one the form does not use.
        assert!(parse::<Note>(b"x=1&x=2").is_err());
    }
}
