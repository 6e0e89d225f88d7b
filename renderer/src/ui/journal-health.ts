/**
 * The server journal's health banner, shown next to the feed pill on every screen (console status bar and wall title
 * bar): "journal cannot write" while the server's disk refuses writes (commands are refused, new events held back),
 * then the count of events lost, if any, for the rest of the server's run.
 */
import type { JournalHealth } from '../../../data-pipelines/contracts/events.ts';
import { t } from '../i18n.ts';
import { journalBanner } from '../stores/feed-store.ts';
import { h } from './dom.ts';

export function journalPill(j: JournalHealth | null): HTMLElement | string {
  const b = journalBanner(j);
  return b
    ? h(
        'span',
        {
          class: `journal-health ${b.level}`,
          role: 'alert',
          'data-testid': 'journal-health',
          'data-writable': String(j?.writable ?? true),
          'data-lost': String(j?.lost ?? 0),
        },
        t(b.key, b.vars),
      )
    : '';
}
