import type { Cesium3DTile } from '@cesium/engine';

/** Calls `fn` for every tile of the tree under `root` (root included; depth first), loaded or not. */
export function forEachTile(root: Cesium3DTile | undefined, fn: (tile: Cesium3DTile) => void): void {
  const stack = root ? [root] : [];
  for (let t = stack.pop(); t; t = stack.pop()) {
    fn(t);
    stack.push(...t.children);
  }
}
