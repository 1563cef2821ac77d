-- Counters the dashboard reads, kept current in the same transaction as the raw
-- insert. Measures: impression, decision, consented (a decision accepting at least
-- one non-required category), accept_all, reject_all, custom, withdraw.
ALTER TABLE events ADD COLUMN consented BOOLEAN NOT NULL DEFAULT FALSE;

CREATE TABLE rollup_hourly (
    site    TEXT    NOT NULL,
    hour    BIGINT  NOT NULL,
    measure TEXT    NOT NULL,
    n       BIGINT  NOT NULL,
    PRIMARY KEY (site, hour, measure)
);

-- Decisions accepting each category, per day.
CREATE TABLE rollup_daily_category (
    site     TEXT    NOT NULL,
    day      BIGINT  NOT NULL,
    category TEXT    NOT NULL,
    n        BIGINT  NOT NULL,
    PRIMARY KEY (site, day, category)
);

-- Measures per day by dimension: lang, device, path, revision, banner.
CREATE TABLE rollup_daily_dim (
    site    TEXT    NOT NULL,
    day     BIGINT  NOT NULL,
    dim     TEXT    NOT NULL,
    value   TEXT    NOT NULL,
    measure TEXT    NOT NULL,
    n       BIGINT  NOT NULL,
    PRIMARY KEY (site, day, dim, value, measure)
);
