/**
 * The left column in role sections (#21 part 4): duty (layers and streams), services (requests, elderly care,
 * visits, grids), dispatch (drills, wall layouts) and planning (imported data), each a collapsible section. What is
 * open first follows who is signed in (a civil-affairs officer opens on services, the duty operator on duty and
 * dispatch); what the user opens or closes is kept per role on this machine.
 */
import { autorun } from 'mobx';
import type { ROLE_NAMES } from '../../../data-pipelines/contracts/auth.ts';
import { t, type StringKey } from '../i18n.ts';
import type { RootStore } from '../stores/root.ts';
import { h } from './dom.ts';

export const LEFT_SECTIONS = ['duty', 'services', 'dispatch', 'planner'] as const;
export type LeftSection = (typeof LEFT_SECTIONS)[number];
type Role = (typeof ROLE_NAMES)[number];
export type OpenState = Partial<Record<Role, Partial<Record<LeftSection, boolean>>>>;
export const LEFT_SECTIONS_KEY = 'redwall.left-sections';

const TITLE: Record<LeftSection, StringKey> = {
  duty: 'left.duty',
  services: 'left.services',
  dispatch: 'left.dispatch',
  planner: 'left.planner',
};

/** Open at first, per role: what that role works with every day. */
export const DEFAULT_OPEN: Record<Role, readonly LeftSection[]> = {
  operator: ['duty', 'dispatch'],
  'grid-staff': ['duty', 'services'],
  'civil-affairs': ['duty', 'services'],
  auditor: ['duty', 'dispatch'],
};

/** Which sections are open for a role: what the user chose, else the role's default. Pure. */
export function openSections(role: Role, stored: OpenState): Record<LeftSection, boolean> {
  const chosen = stored[role] ?? {};
  return Object.fromEntries(LEFT_SECTIONS.map((s) => [s, chosen[s] ?? DEFAULT_OPEN[role].includes(s)])) as Record<LeftSection, boolean>;
}

/** The stored choices; anything unreadable counts as none (the defaults), never as an error on the console. */
export function readOpenState(storage: Pick<Storage, 'getItem'>): OpenState {
  try {
    const v: unknown = JSON.parse(storage.getItem(LEFT_SECTIONS_KEY) ?? '{}');
    return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as OpenState) : {};
  } catch {
    return {};
  }
}

/** Wraps the left column's panels into the sections; returns the unmount. */
export function mountLeftSections(store: RootStore, left: HTMLElement, boxes: Record<LeftSection, HTMLElement[]>, storage: Storage = localStorage): () => void {
  const role = (): Role => store.people.user?.role ?? 'operator';
  const titles = {} as Record<LeftSection, HTMLElement>;
  const sections = LEFT_SECTIONS.map((id) => {
    titles[id] = h('summary', { 'data-testid': `left-section-${id}-title` });
    const el = h('details', { class: 'left-section', 'data-testid': `left-section-${id}`, 'data-section': id }, titles[id], ...boxes[id]) as HTMLDetailsElement;
    el.addEventListener('toggle', () => {
      // before the server has said who this is, a choice is not kept: it could be filed under the wrong role
      if (!store.people.user) return;
      const stored = readOpenState(storage);
      const r = role();
      if (openSections(r, stored)[id] === el.open) return; // the toggle event of applying the state, not a choice
      stored[r] = { ...(stored[r] ?? {}), [id]: el.open };
      storage.setItem(LEFT_SECTIONS_KEY, JSON.stringify(stored));
    });
    return el;
  });
  left.replaceChildren(...sections);
  const dispose = autorun(() => {
    void store.ui.locale;
    const open = openSections(role(), readOpenState(storage));
    LEFT_SECTIONS.forEach((id, i) => {
      titles[id].textContent = t(TITLE[id]);
      (sections[i] as HTMLDetailsElement).open = open[id];
    });
  });
  return dispose;
}
