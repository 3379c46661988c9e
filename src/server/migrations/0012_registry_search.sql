-- Name search at national scale (issue 4, bench/README.md "National registry"). Many people share a
-- full name, so a trigram search over people visits every person whose name is close (a typo of
-- "Kwame Mensah" matched one person in eight of a 1,000,000-person registry) and scores each before
-- it can return the best page. The search now scores each distinct full name once, in
-- person_names, and reads the people of the best names through a btree on (full name, id).
-- {{app_role}} is replaced by APP_DB_ROLE when the migration runs. Never edit after it has landed.

CREATE TABLE person_names (
  name  text PRIMARY KEY
);
CREATE INDEX person_names_trgm ON person_names USING gin (name gin_trgm_ops);

COMMENT ON TABLE person_names IS 'Every full name (lower(given_name || '' '' || family_name)) a person has or had, once: the trigram search scores these, not each person. Filled by triggers on people; a name nobody carries any more is harmless (it finds nobody).';
COMMENT ON COLUMN person_names.name IS 'lower(given_name || '' '' || family_name), the expression of people_name_trgm and people_full_name.';

-- The names close to a term, each with its score (the larger of similarity and word_similarity, as
-- the search ranks them). The planner prices a trigram comparison like an integer comparison, so on
-- a few thousand names it picks a sequential scan that scores every name (20–30 ms here) over the
-- trigram index (2–8 ms); enable_seqscan is turned off for this one statement to keep the index.
CREATE FUNCTION person_names_like(term text) RETURNS TABLE (name text, score real)
LANGUAGE sql STABLE PARALLEL SAFE
SET enable_seqscan = off
AS $$
  SELECT n.name, greatest(similarity(n.name, term), word_similarity(term, n.name))
    FROM person_names n
   WHERE n.name % term OR term <% n.name
$$;
COMMENT ON FUNCTION person_names_like(text) IS 'Full names matching a search term by trigrams (pg_trgm.similarity_threshold / word_similarity_threshold), with their score.';

-- The people of one name, newest first: the page of a name is a short index range.
CREATE INDEX people_full_name ON people (lower(given_name || ' ' || family_name), id);

CREATE FUNCTION person_names_add() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO person_names (name)
  SELECT DISTINCT lower(given_name || ' ' || family_name) FROM new_people
  ON CONFLICT (name) DO NOTHING;
  RETURN NULL;
END
$$;
COMMENT ON FUNCTION person_names_add() IS 'Adds the full names of inserted or renamed people to person_names (once per statement).';

CREATE TRIGGER people_names_insert AFTER INSERT ON people
  REFERENCING NEW TABLE AS new_people FOR EACH STATEMENT EXECUTE FUNCTION person_names_add();
CREATE TRIGGER people_names_update AFTER UPDATE ON people
  REFERENCING NEW TABLE AS new_people FOR EACH STATEMENT EXECUTE FUNCTION person_names_add();

INSERT INTO person_names (name)
SELECT DISTINCT lower(given_name || ' ' || family_name) FROM people
ON CONFLICT (name) DO NOTHING;

GRANT SELECT, INSERT ON person_names TO {{app_role}};
GRANT EXECUTE ON FUNCTION person_names_like(text) TO {{app_role}};
