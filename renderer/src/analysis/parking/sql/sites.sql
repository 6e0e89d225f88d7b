-- name: parking_sites
-- version: 2
-- Ranks candidate sites (pa_candidates: vacant lots and user-drawn areas) by exactly what the what-if measures: the
-- drop in the district's unmet vehicles when the site opens (24 h) with its capacity. Same 2SFCA as access.sql, on
-- pa_access of the current run; adding site k leaves every other place's R_j unchanged (R_j depends on demand only),
-- so each source in k's catchment gains exactly R_k of access:
--   R_k       = capacity_k / sum of demand_i with walk(i,k) <= $walk_m     (new spaces per vehicle in reach)
--   served_ik = min(demand_i x R_k, unmet_i)                               (vehicles that get a space)
--   covered_k = sum of served_ik   = district unmet before - after         (vehicles; the rank)
--   reach_k   = sum of unmet_i in reach                                    (vehicles; covered_k <= min(capacity, reach))
--   cells_k   = served_ik per cell ($cell_kind, $cell_m), most first: the cells the site relieves
-- walk = straight-line distance x $detour, as in access.sql. A site far from the hardest cell can rank first: the
-- rank is the district total, and cells_k says where the relief lands.
WITH c AS (
  SELECT site_id, name, lon, lat, capacity, pa_x(lon, $lon0, $lat0) AS x, pa_y(lat, $lat0) AS y FROM pa_candidates
), pairs AS (
  SELECT c.site_id, c.capacity, a.source_id, a.demand, a.unmet, a.x, a.y,
         sqrt((a.x - c.x) ^ 2 + (a.y - c.y) ^ 2) * $detour AS walk
  FROM c JOIN pa_access a ON sqrt((a.x - c.x) ^ 2 + (a.y - c.y) ^ 2) * $detour <= $walk_m
  WHERE a.demand > 0
), r AS (
  SELECT site_id, any_value(capacity) / sum(demand) AS ratio FROM pairs GROUP BY site_id
), s AS (
  SELECT p.*, least(p.demand * r.ratio, p.unmet) AS served,
         pa_cell_a(p.x, p.y, $cell_kind, $cell_m) AS ca, pa_cell_b(p.x, p.y, $cell_kind, $cell_m) AS cb
  FROM pairs p JOIN r USING (site_id)
), per_cell AS (
  SELECT site_id, $cell_kind || ':' || ca || ':' || cb AS cell_id, sum(served) AS served
  FROM s GROUP BY site_id, ca, cb HAVING sum(served) > 0
), cells AS (
  SELECT site_id, list({'cell_id': cell_id, 'served': served} ORDER BY served DESC, cell_id) AS cells FROM per_cell GROUP BY site_id
), agg AS (
  SELECT site_id, sum(served) AS covered, sum(unmet) AS reach, count(*) FILTER (WHERE served > 0) AS sources,
         min(walk) AS nearest_walk_m
  FROM s GROUP BY site_id
)
SELECT c.site_id, c.name, c.lon, c.lat, c.capacity,
       coalesce(agg.reach, 0.0) AS reach, coalesce(agg.covered, 0.0) AS covered,
       coalesce(agg.sources, 0)::INTEGER AS sources, agg.nearest_walk_m, cells.cells
FROM c LEFT JOIN agg USING (site_id) LEFT JOIN cells USING (site_id)
ORDER BY covered DESC, reach DESC, c.site_id
