/** The walk over a 3D Tiles tree shared by the district's tile retries and the tile model-error watch. */
import type { Cesium3DTile } from '@cesium/engine';
import { describe, expect, it } from 'vitest';
import { forEachTile } from '../../renderer/src/views/tile-tree.ts';

type Fake = { id: string; children: Fake[] };
const tile = (id: string, ...children: Fake[]): Fake => ({ id, children });

describe('forEachTile', () => {
  it('visits every tile of the tree once, the root included, loaded or not', () => {
    const root = tile('r', tile('0', tile('00'), tile('01', tile('010'))), tile('1'), tile('2', tile('20')));
    const seen: string[] = [];
    forEachTile(root as unknown as Cesium3DTile, (t) => seen.push((t as unknown as Fake).id));
    expect(seen.sort()).toEqual(['0', '00', '01', '010', '1', '2', '20', 'r']);
  });

  it('does nothing for a tileset without a root yet', () => {
    let n = 0;
    forEachTile(undefined, () => n++);
    expect(n).toBe(0);
  });
});
