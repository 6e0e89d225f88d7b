-- name: parking_occupancy_series
-- version: 1
-- District-wide observed occupancy at every sample time of parking_history (ASOF: each place's latest sample at or
-- before the time; places not yet seen count as unknown and are left out of both sums).
WITH t AS (SELECT DISTINCT ts FROM parking_history),
     p AS (SELECT DISTINCT place_id FROM parking_history),
     grid AS (SELECT t.ts, p.place_id FROM t, p)
SELECT g.ts::DOUBLE AS ts, sum(h.occupied)::DOUBLE AS occupied, sum(h.capacity)::DOUBLE AS capacity,
       sum(h.occupied) / sum(h.capacity) AS ratio, count(h.place_id)::INTEGER AS places
FROM grid g ASOF LEFT JOIN parking_history h ON g.place_id = h.place_id AND g.ts >= h.ts
GROUP BY g.ts ORDER BY g.ts
