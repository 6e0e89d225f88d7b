/** The left column's role sections (#21 part 4): what opens first per role, and the user's choices kept per role. */
import { describe, expect, it } from 'vitest';
import { DEFAULT_OPEN, LEFT_SECTIONS, LEFT_SECTIONS_KEY, openSections, readOpenState } from '../../renderer/src/ui/left-sections.ts';

const storage = (v: string | null) => ({ getItem: (k: string) => (k === LEFT_SECTIONS_KEY ? v : null) });

describe('left column sections', () => {
  it('opens on what each role works with: duty for everyone, services for civil affairs and grid staff', () => {
    expect(openSections('operator', {})).toEqual({ duty: true, services: false, dispatch: true, planner: false });
    expect(openSections('civil-affairs', {})).toEqual({ duty: true, services: true, dispatch: false, planner: false });
    expect(openSections('grid-staff', {})).toMatchObject({ services: true, dispatch: false });
    for (const role of Object.keys(DEFAULT_OPEN) as Array<keyof typeof DEFAULT_OPEN>) expect(openSections(role, {}).duty, role).toBe(true);
  });

  it('keeps a choice per role, the rest at the role’s default', () => {
    const stored = { operator: { planner: true, duty: false } };
    expect(openSections('operator', stored)).toEqual({ duty: false, services: false, dispatch: true, planner: true });
    expect(openSections('civil-affairs', stored)).toEqual(openSections('civil-affairs', {}));
  });

  it('reads broken or foreign stored state as no choice at all', () => {
    for (const v of [null, '', '{', '[1,2]', 'null', '"x"', '42']) expect(readOpenState(storage(v)), String(v)).toEqual({});
    expect(readOpenState(storage('{"operator":{"duty":false}}'))).toEqual({ operator: { duty: false } });
    expect(LEFT_SECTIONS).toHaveLength(4);
  });
});
