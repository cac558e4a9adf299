SET client_min_messages = warning;
-- The list query for PostGraphile (benches/peers.sh list): the practices kxc's
-- `practices(filter: {themes: [t], regions: [r]})` lists to an anonymous viewer (published,
-- tagged with the theme or one below it, carried out by a city in the region or below it),
-- newest published first. PostGraphile exposes it as `practicesIn(theme:, region:, first:)`.
-- The conditions are kxc's own (a theme path or below it; a region path prefix), so both
-- systems ask PostgreSQL the same question.
CREATE SCHEMA IF NOT EXISTS bench;
CREATE OR REPLACE FUNCTION bench.practices_in(theme text, region text) RETURNS SETOF public.practice
LANGUAGE sql STABLE AS $$
  SELECT p.* FROM public.practice p
  WHERE p.status = 'published' AND p.deleted_at IS NULL
    AND EXISTS (SELECT 1 FROM public.practice_theme pt JOIN public.theme t ON t.id = pt.theme_id
                WHERE pt.practice_id = p.id AND (t.path = theme OR t.path LIKE theme || '/%'))
    AND EXISTS (SELECT 1 FROM public.practice_city pc JOIN public.city c ON c.id = pc.city_id
                JOIN public.region r ON r.id = c.region_id
                WHERE pc.practice_id = p.id
                  AND r.path LIKE (SELECT rr.path FROM public.region rr WHERE rr.code = region) || '%')
  ORDER BY p.published_at DESC, p.id DESC
$$;
