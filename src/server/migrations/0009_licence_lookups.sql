-- Licence lookups (issue 4): a holder's licences, and licence numbers by their beginning.
-- Never edit after it has landed.

CREATE INDEX licences_holder ON licences (holder_kind, holder_id);
-- LIKE 'GH-AS-ACP-2026-00%' as an index range scan whatever the database collation.
CREATE INDEX licences_number_prefix ON licences (number text_pattern_ops);
