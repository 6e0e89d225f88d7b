import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tableFromIPC } from 'apache-arrow';
import { beforeAll, describe, expect, it } from 'vitest';
import { sha256 } from '../../data-pipelines/etl/arrow-io.ts';
import { buildDistrict, type Manifest } from '../../data-pipelines/etl/build-district.ts';
import { buildStreetGraph, decodeBusRoutes, makeGrid, parseCompoundsCsv, parseCrowdCsv, type BBox } from '../../data-pipelines/etl/district.ts';
import { gcj02ToWgs84 } from '../../data-pipelines/geo/coords.ts';
import { haversineMeters, ringAreaM2 } from '../../data-pipelines/geo/measure.ts';

describe('district transforms', () => {
  it('decodes echarts delta-encoded bus routes', () => {
    expect(decodeBusRoutes([[1164383, 401471, -11, -13, 1, -49]])).toEqual([
      [
        [1164383, 401471],
        [1164372, 401458],
        [1164373, 401409],
      ],
    ]);
    expect(() => decodeBusRoutes([[1, 2, 3]])).toThrow(/odd-length/);
    expect(() => decodeBusRoutes([[1, 2, 0.5, 1]])).toThrow(/non-integer/);
  });

  it('nodes routes into a deduplicated street graph converted from GCJ-02', () => {
    const clip: BBox = { west: 116, south: 39, east: 117, north: 41 };
    const routes = [
      [
        [1164000, 399000],
        [1164010, 399000],
        [1164020, 399000],
      ] as Array<[number, number]>,
      [
        [1164020, 399000],
        [1164010, 399000],
      ] as Array<[number, number]>, // same edge reversed
    ];
    const g = buildStreetGraph(routes, clip);
    expect(g.nodes).toHaveLength(3);
    expect(g.edges).toHaveLength(2);
    expect(g.edges.find((e) => e.routes === 2)).toBeDefined();
    const w = gcj02ToWgs84(116.4, 39.9);
    expect(g.nodes[0]!.lon).toBeCloseTo(w[0], 12);
    expect(g.edges[0]!.lengthM).toBeCloseTo(haversineMeters([g.nodes[0]!.lon, g.nodes[0]!.lat], [g.nodes[1]!.lon, g.nodes[1]!.lat]), 6);
  });

  it('converts compounds from BD-09 and reports bad rows instead of dropping them silently', () => {
    const csv =
      'geometry,count\n"{""type"":""Polygon"",""coordinates"":[[[116.45,39.93],[116.451,39.93],[116.451,39.931],[116.45,39.931]]]}",9\n"{""type"":""Polygon"",""coordinates"":[[[116.45,39.93]]]}",1\ngarbage\n';
    const { compounds, errors } = parseCompoundsCsv(csv);
    expect(compounds).toHaveLength(1);
    expect(errors).toHaveLength(2);
    // BD-09 -> WGS84 moves Beijing points ~ 0.0125 deg west / 0.0073 deg south
    expect(116.45 - compounds[0]!.ring[0]![0]).toBeGreaterThan(0.01);
    expect(39.93 - compounds[0]!.ring[0]![1]).toBeGreaterThan(0.005);
    expect(() => parseCompoundsCsv('wkt,n\n')).toThrow(/unexpected header/);
  });

  it('parses the crowd grid from Baidu Mercator into half-hour slots', () => {
    const { cells, errors } = parseCrowdCsv('lng,lat,time,count\n12959650,4826550,20151223000000 ,3\n12959650,4826550,20151223013000,5\nx,y,z,w\n');
    expect(errors).toHaveLength(1);
    expect(cells.map((c) => c.slot)).toEqual([0, 3]);
    expect(cells[0]!.lon).toBeGreaterThan(116.39);
    expect(cells[0]!.lon).toBeLessThan(116.42);
  });

  it('computes areas and grids in metres', () => {
    // a 0.001 x 0.001 degree square at 39.9 N is about 85.4 m x 110.6 m
    expect(
      ringAreaM2([
        [116, 39.9],
        [116.001, 39.9],
        [116.001, 39.901],
        [116, 39.901],
      ]),
    ).toBeCloseTo(85.4 * 110.6, -2);
    const grid = makeGrid({ west: 116.43, south: 39.9, east: 116.44, north: 39.91 }, 500);
    expect(grid.length).toBe(3 * 2); // 1.1 km tall x 0.85 km wide at 39.9 N
    expect(new Set(grid.map((g) => g.id)).size).toBe(grid.length);
  });
});

describe('district package from the real inputs', () => {
  let dir: string;
  let manifest: Manifest;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'redwall-district-'));
    manifest = buildDistrict(dir, () => undefined);
  });

  it('has every real building and checksums that match the files', () => {
    const byName = Object.fromEntries(manifest.tables.map((t) => [t.name, t]));
    expect(byName['buildings']!.rows).toBe(5442);
    expect(byName['manholes']!.rows).toBeGreaterThan(10_000);
    expect(byName['compounds']!.rows).toBeGreaterThan(100);
    for (const t of manifest.tables) {
      const bytes = readFileSync(join(dir, t.file));
      expect(sha256(bytes), t.name).toBe(t.sha256);
      expect(tableFromIPC(bytes).numRows, t.name).toBe(t.rows);
    }
    expect(manifest.rejected['buildings']).toBe(0);
  });

  it('is reproducible byte for byte', () => {
    const again = buildDistrict(mkdtempSync(join(tmpdir(), 'redwall-district-')), () => undefined);
    expect(again.tables.map((t) => t.sha256)).toEqual(manifest.tables.map((t) => t.sha256));
  });

  it('every building’s point (its area centroid) lies within its own footprint’s box', () => {
    // Issue 17.6: the lon/lat shoelace used before cancelled catastrophically on small footprints (2 849 of 5 442
    // buildings were placed up to 461 m outside their own box).
    const b = tableFromIPC(readFileSync(join(dir, 'buildings.arrow')));
    const rings = (b.getChild('ring')!.toArray() as Array<{ toArray(): Float64Array }>).map((r) => r.toArray());
    const lon = b.getChild('lon')!.toArray() as Float64Array;
    const lat = b.getChild('lat')!.toArray() as Float64Array;
    const outside: number[] = [];
    rings.forEach((r, k) => {
      let w = Infinity,
        s = Infinity,
        e = -Infinity,
        n = -Infinity;
      for (let i = 0; i < r.length; i += 2) {
        w = Math.min(w, r[i]!);
        e = Math.max(e, r[i]!);
        s = Math.min(s, r[i + 1]!);
        n = Math.max(n, r[i + 1]!);
      }
      if (!(lon[k]! >= w && lon[k]! <= e && lat[k]! >= s && lat[k]! <= n)) outside.push(k);
    });
    expect(rings.length).toBe(5442);
    expect(outside).toEqual([]);
  });

  it('streets line up with the real buildings: conversion removes the ~600 m GCJ-02 shift', () => {
    const b = tableFromIPC(readFileSync(join(dir, 'buildings.arrow')));
    const rings = (b.getChild('ring')!.toArray() as Array<{ toArray(): Float64Array }>).map((r) => r.toArray());
    const boxes = rings.map((r) => {
      let w = Infinity,
        s = Infinity,
        e = -Infinity,
        n = -Infinity;
      for (let i = 0; i < r.length; i += 2) {
        w = Math.min(w, r[i]!);
        e = Math.max(e, r[i]!);
        s = Math.min(s, r[i + 1]!);
        n = Math.max(n, r[i + 1]!);
      }
      return [w, s, e, n] as const;
    });
    const inPoly = (r: Float64Array, x: number, y: number) => {
      let c = false;
      for (let i = 0, j = r.length - 2; i < r.length; j = i, i += 2) {
        const xi = r[i]!,
          yi = r[i + 1]!,
          xj = r[j]!,
          yj = r[j + 1]!;
        if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) c = !c;
      }
      return c;
    };
    const insideAnyBuilding = (x: number, y: number) => boxes.some((bb, k) => x >= bb[0] && x <= bb[2] && y >= bb[1] && y <= bb[3] && inPoly(rings[k]!, x, y));
    const m = tableFromIPC(readFileSync(join(dir, 'manholes.arrow')));
    const mx = m.getChild('lon')!.toArray() as Float64Array;
    const my = m.getChild('lat')!.toArray() as Float64Array;
    let hit = 0,
      hitShifted = 0,
      n = 0;
    for (let i = 0; i < mx.length; i += 7) {
      n++;
      if (insideAnyBuilding(mx[i]!, my[i]!)) hit++;
      // control: the same wells with the GCJ-02 offset at this location put back in
      if (insideAnyBuilding(mx[i]! + 0.00615, my[i]! + 0.00135)) hitShifted++;
    }
    expect(hit / n).toBeLessThan(0.05);
    expect(hitShifted / n).toBeGreaterThan(2 * (hit / n));
  });
});
