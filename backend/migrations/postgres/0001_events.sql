-- Raw consent events, append-only. No IP address, no user agent.
CREATE TABLE events (
    seq            BIGSERIAL PRIMARY KEY,
    event_id       TEXT   NOT NULL UNIQUE,
    site           TEXT   NOT NULL,
    action         TEXT   NOT NULL,
    consent_id     TEXT,
    categories     TEXT   NOT NULL,
    revision       TEXT   NOT NULL,
    lang           TEXT   NOT NULL,
    path           TEXT   NOT NULL,
    device         TEXT   NOT NULL,
    client_ts      BIGINT NOT NULL,
    server_ts      BIGINT NOT NULL,
    banner         TEXT,
    prev_hash      TEXT,
    row_hash       TEXT
);
CREATE INDEX events_site_time ON events (site, server_ts);
CREATE INDEX events_consent ON events (consent_id) WHERE consent_id IS NOT NULL;

CREATE TABLE banner_versions (
    hash       TEXT   PRIMARY KEY,
    site       TEXT   NOT NULL,
    lang       TEXT   NOT NULL,
    revision   TEXT   NOT NULL,
    content    TEXT,
    first_seen BIGINT NOT NULL
);

-- The newest link of each site's chain; its row is locked while a decision is
-- appended, so several backend instances extend one chain in turn.
CREATE TABLE chain_heads (
    site     TEXT   PRIMARY KEY,
    seq      BIGINT NOT NULL,
    row_hash TEXT   NOT NULL
);

CREATE TABLE chain_checkpoints (
    site     TEXT   NOT NULL,
    day      BIGINT NOT NULL,
    seq      BIGINT NOT NULL,
    row_hash TEXT   NOT NULL,
    PRIMARY KEY (site, day)
);

CREATE TABLE chain_anchors (
    site      TEXT   NOT NULL,
    seq       BIGINT NOT NULL,
    row_hash  TEXT   NOT NULL,
    purged_at BIGINT NOT NULL,
    PRIMARY KEY (site, seq)
);
