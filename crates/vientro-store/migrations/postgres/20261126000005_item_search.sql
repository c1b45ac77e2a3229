-- Word search over aid items without reading every item: a trigram index over the folded search text, which
-- PostgreSQL uses for `LIKE '%nuoc%sach%'`. pg_trgm ships with PostgreSQL and is a trusted extension
-- (PostgreSQL 13 and later), so the database owner may create it.
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE INDEX aid_item_search_trigram ON aid_item USING gin (search_text gin_trgm_ops);
