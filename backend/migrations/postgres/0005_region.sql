-- The visitor's country (ISO 3166-1 alpha-2) as the operator's trusted proxy or
-- CDN said (`[regions]`; never looked up from an address); NULL when none did.
-- The chain's row hash covers it when present.
ALTER TABLE events ADD COLUMN region TEXT;
