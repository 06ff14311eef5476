-- Hearth's storage. What is not here matters as much as what is: no names,
-- no IP addresses, no user agents, no per-participant timestamps.

-- One row per gathering. Facilitator and screen secrets are kept only as
-- SHA-256 hashes, so a copy of this file does not open anyone's console.
CREATE TABLE gatherings (
    id            TEXT PRIMARY KEY,
    console_hash  TEXT NOT NULL UNIQUE,
    screen_hash   TEXT NOT NULL UNIQUE,
    join_token    TEXT NOT NULL UNIQUE,
    -- NULL once the gathering has ended: the code is free for another.
    join_code     TEXT UNIQUE,
    -- Per-gathering salt for participants' device hashes.
    salt          BLOB NOT NULL,
    epoch         INTEGER NOT NULL,
    -- The public state at sequence 0, as JSON; events apply on top.
    genesis       TEXT NOT NULL,
    -- When the gathering was created (seconds), for the retention period.
    created_at    INTEGER NOT NULL
);

-- The ordered event log of each gathering's public state.
CREATE TABLE events (
    gathering_id  TEXT NOT NULL REFERENCES gatherings(id) ON DELETE CASCADE,
    seq           INTEGER NOT NULL,
    body          TEXT NOT NULL,
    PRIMARY KEY (gathering_id, seq)
) WITHOUT ROWID;

-- Every reflection, revealed or not. `author` is the salted hash of the
-- device token: it lets a participant see and withdraw their own cards and
-- is never sent to anyone.
CREATE TABLE cards (
    gathering_id  TEXT NOT NULL REFERENCES gatherings(id) ON DELETE CASCADE,
    id            TEXT NOT NULL,
    step          INTEGER NOT NULL,
    author        TEXT NOT NULL,
    text          TEXT NOT NULL,
    -- The event that revealed it, or NULL while it waits.
    revealed_seq  INTEGER,
    PRIMARY KEY (gathering_id, id)
);

CREATE INDEX cards_by_author ON cards (gathering_id, author);

-- Who has joined, as salted device hashes only.
CREATE TABLE participants (
    gathering_id  TEXT NOT NULL REFERENCES gatherings(id) ON DELETE CASCADE,
    author        TEXT NOT NULL,
    PRIMARY KEY (gathering_id, author)
) WITHOUT ROWID;

-- Actions already applied, by client-made id, with what they produced:
-- a retried action is answered from here and never applied twice.
CREATE TABLE applied_actions (
    gathering_id  TEXT NOT NULL REFERENCES gatherings(id) ON DELETE CASCADE,
    actor         TEXT NOT NULL,
    action_id     TEXT NOT NULL,
    outcome       TEXT NOT NULL,
    PRIMARY KEY (gathering_id, actor, action_id)
) WITHOUT ROWID;
