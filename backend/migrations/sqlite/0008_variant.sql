-- The A/B variant of the first layer (`[[variants]]`) an impression showed or a
-- first decision answered; a withdrawal carries its decision's. NULL elsewhere.
-- The chain's row hash covers it when present.
ALTER TABLE events ADD COLUMN variant TEXT;
