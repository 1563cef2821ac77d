-- A `[tcf]` site's decision keeps the TC string and Google's Additional Consent
-- string the visitor's choice made (proof of consent); NULL elsewhere. The
-- chain's row hash covers both when present.
ALTER TABLE events ADD COLUMN tc_string TEXT;
ALTER TABLE events ADD COLUMN addtl_consent TEXT;
