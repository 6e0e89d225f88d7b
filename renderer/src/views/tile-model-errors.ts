/**
 * Errors of a tile's glTF model, said as tile errors. Cesium 1.145's Model3DTileContent keeps its Model in a private
 * field and never listens to the model's `errorEvent`: a model that fails while it loads (a texture that cannot be
 * decoded or transcoded — a damaged KTX2, for one) is only passed to `console.log`, its tile stays "processing" and the
 * tileset raises no `tileFailed`. The operator saw nothing drawn and no reason. Each tile's model is found as its
 * content appears (the tileset's loadProgress event) and listened to once; checked at run time, never assumed.
 */
import type { Cesium3DTileset } from '@cesium/engine';
import { forEachTile } from './tile-tree.ts';

interface ModelOfContent {
  url?: string;
  _model?: { errorEvent?: { addEventListener?: (fn: (e: unknown) => void) => unknown } };
}

/** Listens to the model errors of `ts`'s tiles from now on; `onError` gets "<content url>: <reason>". */
export function watchTileModelErrors(ts: Cesium3DTileset, onError: (message: string) => void): void {
  const seen = new WeakSet<object>();
  const scan = () => {
    if (ts.isDestroyed()) return;
    forEachTile(ts.root, (t) => {
      const content = t.content as unknown as ModelOfContent | undefined;
      const model = content?._model;
      const listen = model?.errorEvent?.addEventListener;
      if (model && typeof listen === 'function' && !seen.has(model)) {
        seen.add(model);
        const url = content?.url ?? '';
        listen.call(model.errorEvent, (e: unknown) => onError(`${url}: ${e instanceof Error ? e.message : String(e)}`));
      }
    });
  };
  ts.loadProgress.addEventListener(scan);
}
