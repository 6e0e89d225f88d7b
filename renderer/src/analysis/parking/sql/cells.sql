-- name: parking_cells
-- version: 1
-- Demand, supply, gap and walking-access unmet demand per cell ($cell_kind 'grid' squares of side $cell_m, or 'hex'
-- hexagons of circumradius $cell_m) in the local metric frame around ($lon0, $lat0).
--   demand  = sum of vehicles present at $demand_slot of the sources in the cell          (vehicles)
--   supply  = sum of capacity of places in the cell open at $supply_min (incl. what-if)   (spaces)
--   gap     = demand - supply                                                             (vehicles)
--   unmet   = sum of unmet of the sources in the cell (pa_access, walking 2SFCA)          (vehicles)
-- Reads the temp table pa_access, made from access.sql with the same demand slot, supply time and origin.
WITH sup AS (
  SELECT pa_x(lon, $lon0, $lat0) AS x, pa_y(lat, $lat0) AS y,
         CASE WHEN pa_open($supply_min, open_min, close_min) THEN capacity ELSE 0 END AS supply, 1 AS places
  FROM (SELECT lon, lat, capacity, open_min, close_min FROM parking_places
        UNION ALL SELECT lon, lat, capacity, open_min, close_min FROM pa_extra_supply)
), pts AS (
  SELECT x, y, demand, CASE kind WHEN 'resident' THEN demand ELSE 0 END AS resident, unmet, 0.0 AS supply, 0 AS places, 1 AS sources FROM pa_access
  UNION ALL
  SELECT x, y, 0.0, 0.0, 0.0, supply, places, 0 FROM sup
), binned AS (
  SELECT pa_cell_a(x, y, $cell_kind, $cell_m) AS a, pa_cell_b(x, y, $cell_kind, $cell_m) AS b, * FROM pts
)
SELECT $cell_kind || ':' || a || ':' || b AS cell_id, a::INTEGER AS a, b::INTEGER AS b,
       pa_lon(pa_cell_cx(a, b, $cell_kind, $cell_m), $lon0, $lat0) AS lon,
       pa_lat(pa_cell_cy(a, b, $cell_kind, $cell_m), $lat0) AS lat,
       sum(demand) AS demand, sum(resident) AS resident, sum(supply)::DOUBLE AS supply,
       sum(demand) - sum(supply) AS gap, sum(unmet) AS unmet,
       sum(places)::INTEGER AS places, sum(sources)::INTEGER AS sources
FROM binned
GROUP BY a, b
HAVING sum(demand) > 0 OR sum(supply) > 0 OR sum(places) > 0
ORDER BY unmet DESC, gap DESC, cell_id
