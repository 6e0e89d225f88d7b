-- name: parking_occupancy_at
-- version: 1
-- Observed occupancy per cell at time $t (ms) from the sampled journal history (parking_history): each place's latest
-- sample with ts <= $t. occupied (vehicles), capacity (spaces), ratio = occupied / capacity.
WITH last AS (
  SELECT place_id, arg_max(occupied, ts) AS occupied, arg_max(capacity, ts) AS capacity
  FROM parking_history WHERE ts <= $t GROUP BY place_id
), pts AS (
  SELECT pa_x(p.lon, $lon0, $lat0) AS x, pa_y(p.lat, $lat0) AS y, l.occupied, l.capacity
  FROM last l JOIN parking_places p USING (place_id)
), binned AS (
  SELECT pa_cell_a(x, y, $cell_kind, $cell_m) AS a, pa_cell_b(x, y, $cell_kind, $cell_m) AS b, * FROM pts
)
SELECT $cell_kind || ':' || a || ':' || b AS cell_id, a::INTEGER AS a, b::INTEGER AS b,
       pa_lon(pa_cell_cx(a, b, $cell_kind, $cell_m), $lon0, $lat0) AS lon,
       pa_lat(pa_cell_cy(a, b, $cell_kind, $cell_m), $lat0) AS lat,
       sum(occupied)::DOUBLE AS occupied, sum(capacity)::DOUBLE AS capacity, sum(occupied) / sum(capacity) AS ratio
FROM binned GROUP BY a, b HAVING sum(capacity) > 0
ORDER BY ratio DESC, cell_id
