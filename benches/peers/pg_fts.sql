SET client_min_messages = warning;
-- The PostgreSQL full-text search peer of benches/peers.sh (served by examples/fts_peer.rs):
-- one row per published practice with the original and every translation, weighted
-- title (A) > summary (B) > body (D), the 'simple' configuration (the corpus is in nine
-- languages), and the theme paths and region codes with all their ancestors, so a filter
-- matches a whole subtree as kxc's does. Rebuilt from kxc's tables on every call.
DROP TABLE IF EXISTS bench_fts;
CREATE TEMP TABLE theme_ancestor AS
  SELECT t.id AS theme_id, a.path FROM theme t JOIN theme a ON t.path = a.path OR t.path LIKE a.path || '/%';
CREATE TEMP TABLE city_region AS
  SELECT c.id AS city_id, a.code FROM city c JOIN region r ON r.id = c.region_id JOIN region a ON r.path LIKE a.path || '%';
CREATE TABLE bench_fts AS
  SELECT d.*, setweight(to_tsvector('simple', d.title), 'A') || setweight(to_tsvector('simple', d.summary), 'B')
              || setweight(to_tsvector('simple', d.body), 'D') AS tsv
  FROM (
    SELECT p.id, p.slug,
      concat_ws(' ', p.title, (SELECT string_agg(t.title, ' ') FROM practice_translation t WHERE t.practice_id = p.id)) AS title,
      concat_ws(' ', p.summary, (SELECT string_agg(t.summary, ' ') FROM practice_translation t WHERE t.practice_id = p.id)) AS summary,
      concat_ws(' ', p.body, (SELECT string_agg(t.body, ' ') FROM practice_translation t WHERE t.practice_id = p.id)) AS body,
      ARRAY(SELECT DISTINCT ta.path::text FROM practice_theme pt JOIN theme_ancestor ta USING (theme_id) WHERE pt.practice_id = p.id) AS themes,
      ARRAY(SELECT DISTINCT cr.code::text FROM practice_city pc JOIN city_region cr USING (city_id) WHERE pc.practice_id = p.id) AS regions
    FROM practice p WHERE p.status = 'published' AND p.deleted_at IS NULL
  ) d;
ALTER TABLE bench_fts ADD PRIMARY KEY (id);
CREATE INDEX bench_fts_tsv ON bench_fts USING gin (tsv);
CREATE INDEX bench_fts_themes ON bench_fts USING gin (themes);
CREATE INDEX bench_fts_regions ON bench_fts USING gin (regions);
ANALYZE bench_fts;
