-- The last cookie scan of each site (`consent-server scan --store`): the counts
-- the dashboard lists and the whole JSON report (docs/scan-report.md).
CREATE TABLE scan_reports (
    site        TEXT    PRIMARY KEY,
    scanned_at  BIGINT  NOT NULL,  -- ms since the Unix epoch
    pages       BIGINT  NOT NULL,
    violations  BIGINT  NOT NULL,
    undeclared  BIGINT  NOT NULL,
    stale       BIGINT  NOT NULL,
    report      TEXT    NOT NULL
);
