-- The last cookie scan of each site (`consent-server scan --store`): the counts
-- the dashboard lists and the whole JSON report (docs/scan-report.md).
CREATE TABLE scan_reports (
    site        TEXT    PRIMARY KEY,
    scanned_at  INTEGER NOT NULL,  -- ms since the Unix epoch
    pages       INTEGER NOT NULL,
    violations  INTEGER NOT NULL,
    undeclared  INTEGER NOT NULL,
    stale       INTEGER NOT NULL,
    report      TEXT    NOT NULL
);
