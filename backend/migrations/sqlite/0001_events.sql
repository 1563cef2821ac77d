-- Raw consent events, append-only. No IP address, no user agent: only what
-- proof of consent and the statistics need.
CREATE TABLE events (
    seq        INTEGER PRIMARY KEY,
    event_id   TEXT    NOT NULL UNIQUE,
    site       TEXT    NOT NULL,
    action     TEXT    NOT NULL,
    consent_id TEXT,
    categories TEXT    NOT NULL,
    revision   TEXT    NOT NULL,
    lang       TEXT    NOT NULL,
    path       TEXT    NOT NULL,
    device     TEXT    NOT NULL,
    client_ts  INTEGER NOT NULL,
    server_ts  INTEGER NOT NULL
);
CREATE INDEX events_site_time ON events (site, server_ts);
CREATE INDEX events_consent ON events (consent_id) WHERE consent_id IS NOT NULL;
