import { makeAutoObservable } from 'mobx';
import type { StreamName } from '../../../data-pipelines/contracts/events.ts';

export type FeedStatus = 'connecting' | 'live' | 'reconnecting' | 'stale' | 'offline';

/** Feed health as the operator sees it. Mutated only through actions (mobx enforceActions: "always"). */
export class FeedStore {
  status: FeedStatus = 'connecting';
  epoch: string | null = null;
  simulated = false;
  lastSeq: Partial<Record<StreamName, number>> = {};
  received = 0;
  rejected = 0;
  gaps = 0;
  resyncs = 0;
  lastRejectReason: string | null = null;
  lastHeartbeatAt = 0;

  constructor() {
    makeAutoObservable(this, {}, { autoBind: true });
  }

  setStatus(s: FeedStatus): void {
    this.status = s;
  }

  onHello(epoch: string, simulated: boolean): void {
    if (this.epoch !== null && this.epoch !== epoch) this.resyncs++;
    this.epoch = epoch;
    this.simulated = simulated;
    this.lastHeartbeatAt = Date.now();
  }

  onHeartbeat(now: number): void {
    this.lastHeartbeatAt = now;
    if (this.status === 'stale') this.status = 'live';
  }

  onReject(reason: string, n = 1): void {
    this.rejected += n;
    this.lastRejectReason = reason;
  }

  onAccepted(n: number): void {
    this.received += n;
  }

  setSeq(stream: StreamName, seq: number): void {
    this.lastSeq[stream] = seq;
  }

  onGap(): void {
    this.gaps++;
  }
}
