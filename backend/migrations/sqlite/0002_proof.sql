-- Proof of consent: what was shown (banner versions), and a hash chain over
-- each site's decisions so an edit or deletion in the middle is detectable.
ALTER TABLE events ADD COLUMN banner TEXT;
ALTER TABLE events ADD COLUMN prev_hash TEXT;
ALTER TABLE events ADD COLUMN row_hash TEXT;

CREATE TABLE banner_versions (
    hash       TEXT    PRIMARY KEY,
    site       TEXT    NOT NULL,
    lang       TEXT    NOT NULL,
    revision   TEXT    NOT NULL,
    -- NULL when a client reported a version this server's config does not produce.
    content    TEXT,
    first_seen INTEGER NOT NULL
);

-- The newest link of each site's chain.
CREATE TABLE chain_heads (
    site     TEXT    PRIMARY KEY,
    seq      INTEGER NOT NULL,
    row_hash TEXT    NOT NULL
);

-- The last link of each day: verification can start from here after a purge.
CREATE TABLE chain_checkpoints (
    site     TEXT    NOT NULL,
    day      INTEGER NOT NULL,
    seq      INTEGER NOT NULL,
    row_hash TEXT    NOT NULL,
    PRIMARY KEY (site, day)
);
