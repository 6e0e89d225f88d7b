/**
 * The district buildings' pure presentation: the floor colour ramp, the source the page asks for (`?buildings=`, or
 * the shell's `--buildings`) and
 * a building id read from a 3D tile's metadata (issue 25: the 3D view colours, peels and picks tileset features by it).
 */
import { describe, expect, it } from 'vitest';
import { buildingIdValue, buildingsSourceOf, floorsColor } from '../../renderer/src/layers/buildings/format.ts';
import { parseBuildings3d, parseShellConfig } from '../../data-pipelines/contracts/shell-config.ts';

describe('floor colour ramp', () => {
  it('is the ramp at its stops, between them in between, clamped outside', () => {
    expect(floorsColor(1)).toEqual([74, 98, 130, 255]);
    expect(floorsColor(30)).toEqual([214, 232, 245, 255]);
    expect(floorsColor(6)).toEqual([95, 144, 188, 255]);
    expect(floorsColor(0)).toEqual(floorsColor(1));
    expect(floorsColor(Number.NaN)).toEqual(floorsColor(1));
    expect(floorsColor(80)).toEqual(floorsColor(30));
  });
});

describe('buildings source', () => {
  it('is the footprints only when asked for by name; the tileset otherwise (the default since issue 25)', () => {
    expect(buildingsSourceOf('?buildings=geometry')).toBe('geometry');
    expect(buildingsSourceOf('?screen=wall&buildings=geometry')).toBe('geometry');
    expect(buildingsSourceOf('?buildings=tileset')).toBe('tileset');
    expect(buildingsSourceOf('')).toBe('tileset');
    expect(buildingsSourceOf('?buildings=GEOMETRY')).toBe('tileset');
    expect(buildingsSourceOf('?buildings=')).toBe('tileset');
  });
  it('the page asks first, then the shell (--buildings), then the default', () => {
    expect(buildingsSourceOf('', 'tileset')).toBe('tileset');
    expect(buildingsSourceOf('?buildings=geometry', 'tileset')).toBe('geometry');
    expect(buildingsSourceOf('?buildings=tileset', 'geometry')).toBe('tileset');
    expect(buildingsSourceOf('?buildings=nonsense', 'tileset')).toBe('tileset');
    expect(buildingsSourceOf('?buildings=nonsense', 'geometry')).toBe('geometry');
    expect(buildingsSourceOf('', 'geometry')).toBe('geometry');
    expect(buildingsSourceOf('', undefined)).toBe('tileset');
  });
});

describe('--buildings on the command line', () => {
  it('names geometry or tileset, from the flag before the environment; anything else is a clear error', () => {
    expect(parseBuildings3d(['--buildings', 'tileset'], undefined)).toBe('tileset');
    expect(parseBuildings3d(['--web', '--buildings', 'geometry'], 'tileset')).toBe('geometry');
    expect(parseBuildings3d([], 'tileset')).toBe('tileset');
    expect(parseBuildings3d([], '')).toBeUndefined();
    expect(parseBuildings3d(['--demo'], undefined)).toBeUndefined();
    expect(() => parseBuildings3d(['--buildings'], undefined)).toThrow(/--buildings needs a value/);
    expect(() => parseBuildings3d(['--buildings', '--web'], undefined)).toThrow(/--buildings needs a value/);
    expect(parseBuildings3d(['--buildings=tileset'], undefined)).toBe('tileset');
    expect(parseBuildings3d(['--buildings=geometry', '--buildings', 'tileset'], 'geometry')).toBe('tileset');
    expect(() => parseBuildings3d(['--buildings='], 'tileset')).toThrow(/^--buildings: "" is not a building source/);
    expect(() => parseBuildings3d(['--buildings', 'tiles'], undefined)).toThrow(/--buildings: "tiles" is not a building source/);
    expect(() => parseBuildings3d([], 'osgb')).toThrow(/^REDWALL_BUILDINGS: "osgb" is not a building source/);
  });
  it('reaches the page through the shell config, checked there', () => {
    const base = { shell: 'web', feedUrl: '', assetsBase: '/assets/district/', appVersion: '1', simulated: true };
    expect(parseShellConfig({ ...base, buildings3d: 'tileset' }).buildings3d).toBe('tileset');
    expect(parseShellConfig(base)).not.toHaveProperty('buildings3d');
    expect(() => parseShellConfig({ ...base, buildings3d: 'osgb' })).toThrow(/config: buildings3d/);
  });
});

describe('building id from tile metadata', () => {
  it('takes integers and 64-bit ids in the safe range, nothing else', () => {
    expect(buildingIdValue(3792)).toBe(3792);
    expect(buildingIdValue(0)).toBe(0);
    expect(buildingIdValue(3792n)).toBe(3792);
    expect(buildingIdValue(2n ** 60n)).toBeNull();
    expect(buildingIdValue(3.5)).toBeNull();
    expect(buildingIdValue('3792')).toBeNull();
    expect(buildingIdValue(undefined)).toBeNull();
    expect(buildingIdValue(Number.NaN)).toBeNull();
  });
});
