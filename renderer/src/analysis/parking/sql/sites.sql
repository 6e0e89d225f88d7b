-- name: parking_sites
-- version: 1
-- Ranks candidate sites (pa_candidates: vacant lots and user-drawn areas) by the unmet demand they could cover:
--   reach_k   = sum of unmet_i (pa_access) of sources with walk(i,k) <= $walk_m     (vehicles)
--   covered_k = min(capacity_k, reach_k)                                           (vehicles)
-- walk = straight-line distance x $detour, as in access.sql.
WITH c AS (
  SELECT site_id, name, lon, lat, capacity, pa_x(lon, $lon0, $lat0) AS x, pa_y(lat, $lat0) AS y FROM pa_candidates
), reach AS (
  SELECT c.site_id, sum(a.unmet) AS reach, count(*) FILTER (WHERE a.unmet > 0) AS sources,
         min(sqrt((a.x - c.x) ^ 2 + (a.y - c.y) ^ 2) * $detour) AS nearest_walk_m
  FROM c JOIN pa_access a ON sqrt((a.x - c.x) ^ 2 + (a.y - c.y) ^ 2) * $detour <= $walk_m
  GROUP BY c.site_id
)
SELECT c.site_id, c.name, c.lon, c.lat, c.capacity,
       coalesce(reach.reach, 0.0) AS reach, least(c.capacity, coalesce(reach.reach, 0.0)) AS covered,
       coalesce(reach.sources, 0)::INTEGER AS sources, reach.nearest_walk_m
FROM c LEFT JOIN reach USING (site_id)
ORDER BY covered DESC, reach DESC, c.site_id
