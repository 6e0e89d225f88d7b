-- name: parking_setup
-- version: 1
-- Macros and working tables for the parking analyses. Idempotent.
-- Local metric projection around the analysis origin (equirectangular; < 0.1 % error across a district).
CREATE OR REPLACE MACRO pa_x(lon, lon0, lat0) AS (lon - lon0) * 111320.0 * cos(radians(lat0));
CREATE OR REPLACE MACRO pa_y(lat, lat0) AS (lat - lat0) * 110574.0;
CREATE OR REPLACE MACRO pa_lon(x, lon0, lat0) AS lon0 + x / (111320.0 * cos(radians(lat0)));
CREATE OR REPLACE MACRO pa_lat(y, lat0) AS lat0 + y / 110574.0;
-- Pointy-top hexagons of circumradius s: fractional axial coordinates, then cube rounding.
CREATE OR REPLACE MACRO pa_fq(x, y, s) AS (sqrt(3.0) / 3.0 * x - y / 3.0) / s;
CREATE OR REPLACE MACRO pa_fr(x, y, s) AS (2.0 / 3.0 * y) / s;
CREATE OR REPLACE MACRO pa_dq(x, y, s) AS abs(round(pa_fq(x, y, s)) - pa_fq(x, y, s));
CREATE OR REPLACE MACRO pa_dr(x, y, s) AS abs(round(pa_fr(x, y, s)) - pa_fr(x, y, s));
CREATE OR REPLACE MACRO pa_ds(x, y, s) AS abs(round(-pa_fq(x, y, s) - pa_fr(x, y, s)) + pa_fq(x, y, s) + pa_fr(x, y, s));
CREATE OR REPLACE MACRO pa_hex_q(x, y, s) AS CASE
  WHEN pa_dq(x, y, s) > pa_dr(x, y, s) AND pa_dq(x, y, s) > pa_ds(x, y, s)
  THEN -round(-pa_fq(x, y, s) - pa_fr(x, y, s)) - round(pa_fr(x, y, s))
  ELSE round(pa_fq(x, y, s)) END;
CREATE OR REPLACE MACRO pa_hex_r(x, y, s) AS CASE
  WHEN pa_dq(x, y, s) > pa_dr(x, y, s) AND pa_dq(x, y, s) > pa_ds(x, y, s) THEN round(pa_fr(x, y, s))
  WHEN pa_dr(x, y, s) > pa_ds(x, y, s) THEN -round(pa_fq(x, y, s)) - round(-pa_fq(x, y, s) - pa_fr(x, y, s))
  ELSE round(pa_fr(x, y, s)) END;
-- Cell indices (a, b) and centre (metres) for kind 'grid' (squares of side s) or 'hex' (circumradius s).
CREATE OR REPLACE MACRO pa_cell_a(x, y, kind, s) AS CASE WHEN kind = 'hex' THEN pa_hex_q(x, y, s) ELSE floor(x / s) END::BIGINT;
CREATE OR REPLACE MACRO pa_cell_b(x, y, kind, s) AS CASE WHEN kind = 'hex' THEN pa_hex_r(x, y, s) ELSE floor(y / s) END::BIGINT;
CREATE OR REPLACE MACRO pa_cell_cx(a, b, kind, s) AS CASE WHEN kind = 'hex' THEN s * (sqrt(3.0) * a + sqrt(3.0) / 2.0 * b) ELSE (a + 0.5) * s END;
CREATE OR REPLACE MACRO pa_cell_cy(a, b, kind, s) AS CASE WHEN kind = 'hex' THEN s * 1.5 * b ELSE (b + 0.5) * s END;
-- Is a place open at minute m of the day (close may be 1440)?
CREATE OR REPLACE MACRO pa_open(m, open_min, close_min) AS m >= open_min AND m < close_min;
-- What-if supply (planned car parks) and candidate sites, filled by the app.
CREATE TABLE IF NOT EXISTS pa_extra_supply (place_id VARCHAR, lon DOUBLE, lat DOUBLE, capacity INTEGER, open_min INTEGER, close_min INTEGER);
CREATE TABLE IF NOT EXISTS pa_candidates (site_id VARCHAR, name VARCHAR, lon DOUBLE, lat DOUBLE, capacity INTEGER);
-- Occupancy history sampled from the feed journal (see /api/history/parking).
CREATE TABLE IF NOT EXISTS parking_history (ts BIGINT, place_id VARCHAR, occupied INTEGER, capacity INTEGER);
