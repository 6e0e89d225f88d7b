-- name: parking_access
-- version: 1
-- Walking access per demand source, two-step floating catchment (2SFCA, Luo & Wang 2003):
--   walk(i,j) = straight-line distance x $detour (street detour factor);  catchment: walk <= $walk_m
--   step 1, per open parking place j:  R_j = supply_j / sum of demand_i within its catchment
--   step 2, per demand source i:      A_i = sum of R_j within its catchment   (spaces per vehicle)
--   unmet_i = demand_i x max(0, 1 - A_i)   (vehicles without a space within walking distance)
-- demand_i = vehicles x presence share at $demand_slot (demand_profile), sources of kind $demand_kind ('resident',
-- 'visitor' or 'all'); supply_j = capacity if open at $supply_min.
WITH prof AS (
  SELECT resident_home, visitor FROM demand_profile WHERE slot = $demand_slot
), d AS (
  SELECT s.source_id, s.kind, s.lon, s.lat,
         s.vehicles * CASE s.kind WHEN 'resident' THEN prof.resident_home ELSE prof.visitor END AS demand,
         pa_x(s.lon, $lon0, $lat0) AS x, pa_y(s.lat, $lat0) AS y
  FROM demand_sources s, prof
  WHERE $demand_kind = 'all' OR s.kind = $demand_kind
), dk AS (
  SELECT *, floor(x / ($walk_m / $detour))::BIGINT AS kx, floor(y / ($walk_m / $detour))::BIGINT AS ky FROM d WHERE demand > 0
), s AS (
  SELECT place_id, capacity::DOUBLE AS supply, pa_x(lon, $lon0, $lat0) AS x, pa_y(lat, $lat0) AS y
  FROM (SELECT place_id, lon, lat, capacity, open_min, close_min FROM parking_places
        UNION ALL SELECT place_id, lon, lat, capacity, open_min, close_min FROM pa_extra_supply)
  WHERE pa_open($supply_min, open_min, close_min) AND capacity > 0
), s9 AS (
  SELECT s.place_id, s.supply, s.x, s.y,
         floor(s.x / ($walk_m / $detour))::BIGINT + dx AS kx, floor(s.y / ($walk_m / $detour))::BIGINT + dy AS ky
  FROM s, (VALUES (-1), (0), (1)) AS a(dx), (VALUES (-1), (0), (1)) AS b(dy)
), pairs AS (
  SELECT dk.source_id, s9.place_id, s9.supply, dk.demand
  FROM dk JOIN s9 ON dk.kx = s9.kx AND dk.ky = s9.ky
  WHERE sqrt((dk.x - s9.x) ^ 2 + (dk.y - s9.y) ^ 2) * $detour <= $walk_m
), r AS (
  SELECT place_id, any_value(supply) / sum(demand) AS ratio FROM pairs GROUP BY place_id
), a AS (
  SELECT p.source_id, sum(r.ratio) AS access, count(*) AS places
  FROM pairs p JOIN r USING (place_id) GROUP BY p.source_id
)
SELECT d.source_id, d.kind, d.lon, d.lat, d.x, d.y, d.demand,
       coalesce(a.access, 0.0) AS access, coalesce(a.places, 0) AS places,
       d.demand * greatest(0.0, 1.0 - coalesce(a.access, 0.0)) AS unmet
FROM d LEFT JOIN a USING (source_id)
ORDER BY d.source_id
