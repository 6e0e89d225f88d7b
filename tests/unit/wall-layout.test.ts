import { describe, expect, it } from 'vitest';
import { defaultWallLayout, planWallWindows, screenQuery, WallLayout, type DisplayInfo } from '../../electron/bridge/wall-layout.ts';

const d = (id: string, x: number, primary = false, width = 1920): DisplayInfo => ({
  id,
  label: id,
  bounds: { x, y: 0, width, height: 1080 },
  primary,
  scaleFactor: 1,
});

describe('wall layout planning', () => {
  it('matches displays by id, then by bounds (an id that changed after re-plugging)', () => {
    const layout = WallLayout.parse({
      format: 'redwall-wall/1',
      screens: [
        { displayId: 'a', bounds: d('a', 0).bounds, screen: 'console', fullscreen: false },
        { displayId: 'old-b', bounds: d('b', 1920).bounds, screen: 'wall', fullscreen: true, kiosk: true },
      ],
    });
    expect(layout.screens[0]!.kiosk).toBe(false); // default
    const plan = planWallWindows(layout, [d('a', 0, true), d('b2', 1920)]);
    expect(plan.map((p) => [p.screen, p.displayId, p.fullscreen, p.kiosk, p.fallback])).toEqual([
      ['console', 'a', false, false, false],
      ['wall', 'b2', true, true, false],
    ]);
  });

  it('falls back to the primary display, windowed and cascaded, when a display is missing', () => {
    const layout = WallLayout.parse({
      format: 'redwall-wall/1',
      screens: [
        { displayId: 'x', bounds: d('x', 5000).bounds, screen: 'wall', fullscreen: true, kiosk: true },
        { displayId: 'y', bounds: d('y', 7000).bounds, screen: 'dashboard', fullscreen: true },
      ],
    });
    const plan = planWallWindows(layout, [d('p', 100, true)]);
    expect(plan.every((p) => p.fallback && !p.fullscreen && !p.kiosk && p.displayId === 'p')).toBe(true);
    expect(plan[0]!.bounds.x).not.toBe(plan[1]!.bounds.x);
    for (const p of plan) expect(p.bounds.x + p.bounds.width).toBeLessThanOrEqual(100 + 1920 + 80);
    expect(() => planWallWindows(layout, [])).toThrow(/no display/);
  });

  it('refuses malformed layouts', () => {
    expect(WallLayout.safeParse({ format: 'redwall-wall/1', screens: [] }).success).toBe(false);
    expect(
      WallLayout.safeParse({ format: 'redwall-wall/2', screens: [{ displayId: 'a', bounds: d('a', 0).bounds, screen: 'wall', fullscreen: true }] }).success,
    ).toBe(false);
    expect(
      WallLayout.safeParse({ format: 'redwall-wall/1', screens: [{ displayId: 'a', bounds: d('a', 0).bounds, screen: 'wall', fullscreen: true, extra: 1 }] })
        .success,
    ).toBe(false);
    expect(
      WallLayout.safeParse({
        format: 'redwall-wall/1',
        screens: [{ displayId: 'a', bounds: { x: 0, y: 0, width: 10, height: 10 }, screen: 'wall', fullscreen: true }],
      }).success,
    ).toBe(false);
  });

  it('default: console on the primary, wall on the next, dashboards on the rest (left to right)', () => {
    const l = defaultWallLayout([d('r', 3840), d('m', 1920), d('p', 0, true)]);
    expect(l.screens.map((s) => [s.displayId, s.screen, s.fullscreen])).toEqual([
      ['p', 'console', false],
      ['m', 'wall', true],
      ['r', 'dashboard', true],
    ]);
    expect(WallLayout.parse(l)).toEqual(l);
    expect(screenQuery('console')).toBe('');
    expect(screenQuery('dashboard')).toBe('?screen=dashboard');
  });
});
