-- 0009_refresh_successor: a rotated refresh token keeps its successor sealed (secretbox with a
-- key derived from the JWT key file every instance shares), so a retry or a concurrent refresh
-- that reaches another hms-server instance within the grace period gets the same successor
-- instead of a 401. Cleared when the successor itself is used.
ALTER TABLE refresh_tokens
    ADD COLUMN successor_sealed bytea,
    ADD COLUMN successor_seal_kid text,
    ADD CONSTRAINT refresh_tokens_seal_complete
        CHECK ((successor_sealed IS NULL) = (successor_seal_kid IS NULL));
