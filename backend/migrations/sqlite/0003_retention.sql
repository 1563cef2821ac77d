-- When old decisions are purged, the hash of the last purged one per site is
-- kept, so the remaining chain still verifies from there.
CREATE TABLE chain_anchors (
    site      TEXT    NOT NULL,
    seq       INTEGER NOT NULL,
    row_hash  TEXT    NOT NULL,
    purged_at INTEGER NOT NULL,
    PRIMARY KEY (site, seq)
);
