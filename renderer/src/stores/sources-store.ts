import { computed, makeAutoObservable, observable } from 'mobx';
import { SourcesStatus, type SourceStatus } from '../../../data-pipelines/contracts/sources.ts';
import { isTrouble } from '../feed/sources-format.ts';

/**
 * The connected sources' health as the feed server last reported it (WIRE.sources, on connect and on change). Every
 * message is validated against the contract; an invalid one is counted and its reason kept, never applied (the last
 * valid status stays). Mutated only through actions (mobx enforceActions: "always").
 */
export class SourcesStore {
  /** the last valid status (null until the server has reported one) */
  status: SourcesStatus | null = null;
  /** when it arrived, by this page's clock (ages are computed against the server's own `ts`: see messageAgeMs) */
  receivedAt = 0;
  /** invalid status messages received, and the reason of the last one */
  rejected = 0;
  lastRejectReason: string | null = null;
  /** whether the last message received was invalid (cleared by the next valid one) */
  lastInvalid = false;

  constructor() {
    makeAutoObservable(this, { status: observable.ref, troubleIds: computed.struct }, { autoBind: true });
  }

  /**
   * Validates one WIRE.sources message and applies it. Returns null when applied, else the reason it was rejected
   * (the caller counts it with the feed's other invalid messages). Never throws.
   */
  receive(raw: unknown, now: number): string | null {
    const r = SourcesStatus.safeParse(raw);
    if (!r.success) {
      const i = r.error.issues[0];
      const reason = `sources: ${i ? `${i.path.join('.') || '(root)'}: ${i.message}` : 'invalid'}`.slice(0, 300);
      this.rejected++;
      this.lastRejectReason = reason;
      this.lastInvalid = true;
      return reason;
    }
    this.status = r.data;
    this.receivedAt = now;
    this.lastInvalid = false;
    return null;
  }

  get sources(): readonly SourceStatus[] {
    return this.status?.sources ?? [];
  }

  /** Sources that are quiet, failing or reconnecting (the badge on the top bar and the wall). */
  get trouble(): readonly SourceStatus[] {
    return this.sources.filter(isTrouble);
  }

  /** Their ids (structurally compared: readers re-run only when the set of sources in trouble changes). */
  get troubleIds(): string[] {
    return this.trouble.map((s) => s.id);
  }
}
