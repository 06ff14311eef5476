-- The nodes of a cluster, so they can find each other: each registers the
-- address the other nodes reach it at, and beats its heart while it runs.
-- A node that starts on an address another row names has taken that
-- address over (the old process is gone), and its leases may be taken at
-- once rather than after their expiry.
CREATE TABLE nodes (
    id            TEXT PRIMARY KEY,
    address       TEXT NOT NULL,
    heartbeat_at  TIMESTAMPTZ NOT NULL
);

-- The key nodes show each other on their internal requests: made by the
-- first node that starts, read by every later one. Whoever can read this
-- database is trusted anyway.
CREATE TABLE cluster_key (
    only_one  BOOLEAN PRIMARY KEY DEFAULT TRUE CHECK (only_one),
    key       TEXT NOT NULL
);
