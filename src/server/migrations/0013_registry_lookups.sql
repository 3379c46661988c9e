-- Registry lookups (issue 4): production units found by part of their name or a close misspelling,
-- as people and enterprises are; the photo column is now served by the API.
-- Never edit after it has landed.

CREATE INDEX production_units_name_trgm ON production_units USING gin (name gin_trgm_ops);

COMMENT ON COLUMN people.photo_file IS 'Photo under DATA_DIR: photos/<first 2 characters of the id>/<id>.<first 16 hex of its SHA-256>.<ext>. Served by GET /api/v1/people/:id/photo; the path itself is never exposed.';
