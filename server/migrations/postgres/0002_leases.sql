-- One owner per live gathering, for several Hearth nodes on one database:
-- the node holding a gathering's lease is the only one that decides for it
-- and writes its changes. `token` grows with each new owner (it is the
-- gathering's epoch while that owner holds it), and every commit of the
-- owner checks it, so a node that lost the lease (paused, cut off) can
-- never write again. Times are the database's clock, the one clock every
-- node shares.
CREATE TABLE leases (
    gathering_id  TEXT PRIMARY KEY REFERENCES gatherings(id) ON DELETE CASCADE,
    node          TEXT NOT NULL,
    token         BIGINT NOT NULL,
    expires_at    TIMESTAMPTZ NOT NULL
);
