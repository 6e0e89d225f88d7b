/** The elderly layer's data: asked of the people service when the layer is first shown (both views). */
import { reaction, when } from 'mobx';
import type { RootStore } from '../../stores/root.ts';

/** Asks the feed server for the per-grid counts the first time the layer is shown. */
export function loadOnShow(store: RootStore): () => void {
  return reaction(
    () => store.ui.layers.elderly,
    (on) => {
      if (on) void when(() => store.feed.status === 'live').then(() => store.people.ensureDensity());
    },
    { fireImmediately: true },
  );
}
