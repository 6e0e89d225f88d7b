import { configure } from 'mobx';
import type { CommandAck } from '../../../data-pipelines/contracts/events.ts';
import { EntityStore } from './entity-store.ts';
import { FeedStore } from './feed-store.ts';
import { LiveStore } from './live-store.ts';
import { UiStore, type OperatorCommand } from './ui-store.ts';

configure({ enforceActions: 'always', computedRequiresReaction: false, observableRequiresReaction: false });

export interface CommandSink {
  sendAlarmCommand(cmd: { commandId: string; alarmId: string; action: string; by: string; team?: string; minutes?: number; note?: string }): Promise<CommandAck>;
}

export class RootStore {
  readonly feed = new FeedStore();
  readonly live = new LiveStore();
  readonly ui = new UiStore();
  readonly entities = new EntityStore();
  sink: CommandSink | null = null;

  /** Applies an operator command; alarm actions also go to the feed server, and the audit record gets the ack. */
  command(cmd: OperatorCommand): Promise<CommandAck | null> {
    const rec = this.ui.dispatch(cmd);
    if (cmd.type !== 'alarm') return Promise.resolve(null);
    if (!this.sink) {
      this.ui.settle(rec, 'error: not connected');
      return Promise.resolve({ ok: false, error: 'not connected' });
    }
    const { type: _t, ...rest } = cmd;
    void _t;
    return this.sink.sendAlarmCommand({ ...rest, by: this.ui.actor }).then(
      (ack) => {
        this.ui.settle(rec, ack.ok ? (ack.duplicate ? 'duplicate' : 'ok') : `error: ${ack.error}`);
        return ack;
      },
      (e: unknown) => {
        this.ui.settle(rec, `error: ${(e as Error).message}`);
        return { ok: false as const, error: (e as Error).message };
      },
    );
  }

  newCommandId(): string {
    return crypto.randomUUID();
  }
}
