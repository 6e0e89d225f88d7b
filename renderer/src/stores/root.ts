import { configure } from 'mobx';
import { FeedStore } from './feed-store.ts';
import { ManholeStore } from './manhole-store.ts';
import { UiStore } from './ui-store.ts';

configure({ enforceActions: 'always', computedRequiresReaction: false, observableRequiresReaction: false });

export class RootStore {
  readonly feed = new FeedStore();
  readonly manholes = new ManholeStore();
  readonly ui = new UiStore();

  /** Dispatches an operator command with access to the well table (for focus/fly-to). */
  command(cmd: Parameters<UiStore['dispatch']>[0]): void {
    this.ui.dispatch(cmd, (id) => {
      const i = this.manholes.wells.index.get(id);
      return i === undefined ? null : { lon: this.manholes.wells.lon[i]!, lat: this.manholes.wells.lat[i]! };
    });
  }
}
