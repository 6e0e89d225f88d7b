/**
 * Incident command for the selected alarm (issue 22): its impact zone and what is inside (buildings and floors, who
 * lives there, care devices, cameras, manholes, parking, roads to close, responders), its SOP checklist (tick a step:
 * journaled with who and when; overdue mandatory steps are marked and escalated by the feed server), and the one-click
 * plan (一键指挥): propose, then confirm / edit / reject each part. Every action is an alarm command: audited here,
 * journaled on the alarm by the feed server, shared live with every screen.
 */
import { placeText } from './place-text.ts';
import { observable, reaction, runInAction, autorun, type IReactionDisposer } from 'mobx';
import type { Alarm } from '../../../data-pipelines/contracts/alarm.ts';
import type { MaskedResident } from '../../../data-pipelines/contracts/people.ts';
import type { PlanDecisionInput, PlanPart } from '../../../data-pipelines/contracts/plan.ts';
import { closeBlockers, sopProgress, type SopFile, type SopRole } from '../../../data-pipelines/contracts/sop.ts';
import { proposeResponse } from '../command/propose.ts';
import { fmtDuration, fmtNumber, fmtTime, locale, t, type StringKey } from '../i18n.ts';
import { TEAMS, teamLabel } from '../layers/alarms/format.ts';
import { impactKey, type ImpactState } from '../stores/response-store.ts';
import type { RootStore } from '../stores/root.ts';
import { button, h } from './dom.ts';

const ROLE_TEAM: Partial<Record<SopRole, StringKey>> = {
  fire: 'alarms.team.fireStation',
  gas: 'alarms.team.gas',
  drainage: 'alarms.team.drainage1',
  police: 'alarms.team.police',
  medical: 'alarms.team.doctor',
  'grid-staff': 'alarms.team.gridOfficer',
};

/** The journaled team name (zh-CN, as the feed records it) for an SOP role. */
export function teamForRole(role: SopRole): string | null {
  const key = ROLE_TEAM[role];
  return key ? (TEAMS.find((x) => x.key === key)?.value ?? null) : null;
}

/** The broadcast to residents, in Chinese (the residents' language whatever the console's), or null (care calls). */
export function broadcastText(a: Pick<Alarm, 'category'>, sop: SopFile, st: ImpactState | null, buildingName: string | null): string | null {
  const zh = 'zh-CN' as const;
  const m = sop.hazard;
  const zone =
    m.shape === 'circle'
      ? t('response.zone.circle', { m: m.radiusM }, zh)
      : m.shape === 'street'
        ? t('response.zone.street', { m: m.alongM }, zh)
        : t('response.zone.building', { m: m.bufferM }, zh);
  const assembly = st?.impact?.assembly?.facility.name ?? t('response.assemblyUnknown', undefined, zh);
  const building = buildingName || t('response.thisBuilding', undefined, zh);
  switch (a.category) {
    case 'manhole':
      return t(m.shape === 'street' ? 'response.broadcast.flood' : 'response.broadcast.gas', { zone, assembly }, zh);
    case 'fire':
      return t('response.broadcast.fire', { building, assembly }, zh);
    case 'camera':
      return t('response.broadcast.sos', undefined, zh);
    case 'care':
      return null;
    default:
      return t('response.broadcast.generic', { zone }, zh);
  }
}

function zoneText(sop: SopFile): string {
  const m = sop.hazard;
  if (m.shape === 'circle') return t('response.model.circle', { m: m.radiusM });
  if (m.shape === 'street') return t('response.model.street', { m: m.alongM, w: m.widthM });
  return t('response.model.building', { m: m.bufferM });
}

const PART_KEYS: Record<PlanPart['kind'], StringKey> = {
  dispatch: 'response.part.dispatch',
  notify: 'response.part.notify',
  camera: 'response.part.camera',
  broadcast: 'response.part.broadcast',
  'close-road': 'response.part.road',
};

export function mountResponsePanel(store: RootStore, box: HTMLElement): () => void {
  /** the operator's choices on proposed parts, kept across re-renders: alarmId|partId -> confirm?, edited text */
  const choices = new Map<string, { on: boolean; detail?: string; target?: string }>();
  const clock = observable.box(Date.now());
  const timer = setInterval(() => runInAction(() => clock.set(Date.now())), 15_000);
  const disposers: IReactionDisposer[] = [];

  const selected = () => {
    const id = store.ui.selectedAlarmId;
    return id ? store.live.alarm(id) : null;
  };
  // the zone is computed when the selection (or its place / SOP) changes, and once the SOPs have loaded
  disposers.push(
    reaction(
      () => {
        const a = selected();
        // …and again once the feed is live (who lives there is asked of the feed server)
        return a && store.response.sopOf(a) ? `${impactKey(a)}|${store.response.sops.length}|${store.feed.status === 'live'}` : null;
      },
      () => {
        const a = selected();
        if (a && store.response.sopOf(a)) void store.response.computeFor(a);
        else store.response.clear();
      },
      { fireImmediately: true },
    ),
  );

  const alarmCmd = (
    a: Alarm,
    extra: { action: 'step' | 'plan' | 'decide'; stepId?: string; plan?: ReturnType<typeof proposeResponse>; decisions?: PlanDecisionInput[] },
  ) => store.command({ type: 'alarm', alarmId: a.alarmId, commandId: store.newCommandId(), ...extra });

  // four parts, each redrawn on its own: the steps every 15 s (due times), the rest only when their data change (the
  // operator's typing in the plan is not wiped by the clock)
  const head = h('div', {});
  const impactBox = h('div', {});
  const stepsBox = h('div', {});
  const planBox = h('div', {});
  box.replaceChildren(head, impactBox, stepsBox, planBox);
  const view = { vulnerableOpen: false };
  const current = () => {
    const a = selected();
    const sop = a ? store.response.sopOf(a) : null;
    // the planner workspace has the analysis panel in this column
    if (!a || !sop || !a.sop || store.ui.workspace === 'analysis') return null;
    const st = store.response.current?.alarmId === a.alarmId ? store.response.current : null;
    return { a, sop, st };
  };
  disposers.push(
    autorun(() => {
      void store.ui.locale;
      const c = current();
      box.hidden = !c;
      if (!c) return head.replaceChildren();
      const l = locale();
      head.replaceChildren(
        h('h2', {}, `${t('response.title')}${c.a.drill ? ` · ${t('alarms.drillMark')}` : ''}`),
        h('p', { class: 'muted', 'data-testid': 'sop-title' }, t('response.sopTitle', { title: c.sop.title[l], version: c.sop.version })),
      );
    }),
    autorun(() => {
      void store.ui.locale;
      const c = current();
      impactBox.replaceChildren(...(c ? [impactSection(c.a, c.sop, c.st, view)] : []));
    }),
    autorun(() => {
      void store.ui.locale;
      const c = current();
      const now = clock.get();
      stepsBox.replaceChildren(...(c ? [stepsSection(c.a, c.sop, now, (stepId) => void alarmCmd(c.a, { action: 'step', stepId }))] : []));
    }),
    autorun(() => {
      void store.ui.locale;
      const c = current();
      if (!c) return planBox.replaceChildren();
      const { a, sop, st } = c;
      planBox.replaceChildren(
        planSection(store, a, st, choices, {
          propose: () => {
            const name = a.buildingId !== undefined ? (st?.names.get(a.buildingId)?.name ?? null) : null;
            const parts = proposeResponse({
              alarm: a,
              sop,
              impact: st?.impact ?? null,
              inside: st?.inside ?? null,
              teamOf: teamForRole,
              broadcast: broadcastText(a, sop, st, name),
              // journaled for every screen: in Chinese, as the SOP texts of the dispatches
              placeOf: (lon, lat) => placeText(store.entities, lon, lat, {}, 'zh-CN'),
            });
            if (parts.length) void alarmCmd(a, { action: 'plan', plan: parts });
          },
          decide: (decisions) =>
            void alarmCmd(a, { action: 'decide', decisions }).then((ack) => {
              if (!ack || !ack.ok) return;
              // the confirmed cameras go onto the video wall (unpinned tiles), best first
              const cams = decisions
                .filter((d) => d.decision === 'confirm')
                .flatMap((d) => {
                  const p = a.plan?.parts.find((x) => x.partId === d.partId);
                  return p?.kind === 'camera' ? [d.target ?? p.target] : [];
                });
              if (cams.length) void store.command({ type: 'videoWall', cmd: { op: 'auto', alarmId: a.alarmId, cameraIds: cams } });
            }),
        }),
      );
    }),
  );
  return () => {
    clearInterval(timer);
    for (const d of disposers) d();
  };
}

function impactSection(a: Alarm, sop: SopFile, st: ImpactState | null, view: { vulnerableOpen: boolean }): HTMLElement {
  const head = h('h3', {}, t('response.impact'), h('span', { class: 'muted' }, ` · ${zoneText(sop)}`));
  if (!st || st.status === 'computing') return h('div', { 'data-testid': 'impact' }, head, h('p', { class: 'muted' }, t('response.computing')));
  if (st.status === 'error' || !st.impact)
    return h(
      'div',
      { 'data-testid': 'impact' },
      head,
      h('p', { class: 'warn', 'data-testid': 'impact-error' }, t('response.impactError', { error: st.error ?? '' })),
    );
  const imp = st.impact;
  const row = (k: StringKey, v: string, testid: string, data = false) =>
    h('tr', {}, h('th', {}, t(k)), h('td', { 'data-testid': testid, 'data-i18n-data': data }, v));
  const people = st.inside
    ? t('response.people', {
        residents: st.inside.total.residents,
        elderly: st.inside.total.elderly,
        alone: st.inside.total.alone,
        disabled: st.inside.total.disabled,
      })
    : st.insideError
      ? t('response.peopleError', { error: st.insideError })
      : imp.buildings.length
        ? t('response.computing')
        : t('response.nobody');
  const buildingNames = imp.buildings
    .slice(0, 6)
    .map((b) => `${st.names.get(b.id)?.name || `#${b.id}`} (${b.floors}F, ${b.distanceM} m)`)
    .join(' · ');
  const responders = imp.responders
    .map((r) => t('response.responder', { name: r.station.name, eta: fmtDuration(r.etaS), m: fmtNumber(r.distanceM) }))
    .join(' · ');
  const vulnerable = st.inside?.vulnerable ?? null;
  return h(
    'div',
    { 'data-testid': 'impact' },
    head,
    h(
      'table',
      {},
      row('response.buildings', t('response.buildingsValue', { n: imp.buildings.length, floors: imp.floors }), 'impact-buildings'),
      imp.buildings.length ? row('response.buildingList', buildingNames, 'impact-building-list', true) : '',
      row('response.residents', people, 'impact-people'),
      st.inside?.above
        ? row(
            'response.above',
            t('response.aboveValue', {
              floor: st.inside.above.floor,
              residents: st.inside.above.residents,
              elderly: st.inside.above.elderly,
              alone: st.inside.above.alone,
            }),
            'impact-above',
          )
        : '',
      row('response.care', String(imp.care.length), 'impact-care'),
      row('response.cameras', String(imp.cameras.length), 'impact-cameras'),
      row('response.wells', String(imp.wells.length), 'impact-wells'),
      row('response.parking', t('response.parkingValue', { n: imp.parking.length, spaces: imp.parking.reduce((s, p) => s + p.capacity, 0) }), 'impact-parking'),
      row(
        'response.roads',
        t('response.roadsValue', { n: imp.roads.segments.length, m: imp.roads.lengthM, blocks: imp.roads.closures.length }),
        'impact-roads',
      ),
      row('response.responders', responders || t('response.noResponder'), 'impact-responders', true),
      imp.assembly ? row('response.assembly', `${imp.assembly.facility.name} (${imp.assembly.distanceM} m)`, 'impact-assembly', true) : '',
    ),
    vulnerable && vulnerable.length ? vulnerableList(view, vulnerable, st) : '',
    h('p', { class: 'muted', 'data-testid': 'impact-ms' }, t('response.computedIn', { ms: st.ms })),
  );
}

/** The masked vulnerable people inside (asked under this screen's role); stays open across redraws once opened. */
function vulnerableList(view: { vulnerableOpen: boolean }, vulnerable: MaskedResident[], st: ImpactState): HTMLElement {
  const d = h(
    'details',
    { 'data-testid': 'impact-vulnerable', open: view.vulnerableOpen },
    h('summary', {}, t('response.vulnerable', { n: vulnerable.length })),
    h(
      'ul',
      {},
      ...vulnerable
        .slice(0, 12)
        .map((r) =>
          h(
            'li',
            { 'data-i18n-data': '' },
            `${r.name} · ${r.age} · ${st.names.get(r.buildingId)?.name || `#${r.buildingId}`}${r.floor !== undefined ? ` ${r.floor}F` : ''}${r.livingAlone ? ` · ${t('response.alone')}` : ''}`,
          ),
        ),
    ),
  );
  d.ontoggle = () => (view.vulnerableOpen = d.open);
  return d;
}

function stepsSection(a: Alarm, sop: SopFile, now: number, tick: (stepId: string) => void): HTMLElement {
  const progress = sopProgress(sop, a.sop!, a.raisedAt, now);
  const l = locale();
  const open = closeBlockers(sop, a.sop!);
  const closed = a.state === 'closed';
  return h(
    'div',
    { class: 'sop' },
    h('h3', {}, t('response.steps', { done: progress.filter((p) => p.status === 'done').length, n: progress.length })),
    h(
      'ol',
      { class: 'sop-steps', 'data-testid': 'sop-steps' },
      ...progress.map((p) =>
        h(
          'li',
          { class: `sop-step ${p.status}${p.escalated ? ' escalated' : ''}`, 'data-testid': `sop-step-${p.step.id}`, 'data-status': p.status },
          h('span', { class: 'sop-text' }, p.step.text[l]),
          h(
            'span',
            { class: 'muted' },
            ` · ${t(`response.role.${p.step.who}`)}${p.step.mandatory ? ` · ${t('response.mandatory')}` : ''}${p.dueAt !== null ? ` · ${t('response.due', { time: fmtTime(p.dueAt) })}` : ''}`,
          ),
          p.escalated && p.status !== 'done' ? h('span', { class: 'warn' }, ` · ${t('response.escalated')}`) : '',
          p.done
            ? h('span', { class: 'done-by', 'data-i18n-data': '' }, ` ✓ ${p.done.by} ${fmtTime(p.done.at)}`)
            : closed
              ? ''
              : button(t('response.tick'), { 'data-testid': `sop-tick-${p.step.id}`, class: 'link' }, () => tick(p.step.id)),
        ),
      ),
    ),
    open.length && !closed ? h('p', { class: 'muted', 'data-testid': 'sop-close-rule' }, t('response.closeRule', { n: open.length })) : '',
  );
}

function planSection(
  store: RootStore,
  a: Alarm,
  st: ImpactState | null,
  choices: Map<string, { on: boolean; detail?: string; target?: string }>,
  act: { propose: () => void; decide: (d: PlanDecisionInput[]) => void },
): HTMLElement {
  const plan = a.plan;
  const closed = a.state === 'closed';
  // ready: the zone, and who lives there (or why not) when there are buildings inside
  const ready = st?.status === 'ready' && (!st.impact?.buildings.length || st.inside !== null || st.insideError !== null);
  const proposeBtn = button(
    t(plan ? 'response.repropose' : 'response.propose'),
    { 'data-testid': 'plan-propose', class: 'act primary', ...(ready && !closed ? {} : { disabled: '' }) },
    act.propose,
  );
  if (!plan) return h('div', { class: 'plan' }, h('h3', {}, t('response.plan')), closed ? '' : proposeBtn);
  const key = (p: PlanPart) => `${a.alarmId}|${p.partId}|${plan.proposedAt}`;
  const item = (p: PlanPart) => {
    const c = choices.get(key(p)) ?? { on: true };
    choices.set(key(p), c);
    const label = partLabel(store, p);
    const state =
      p.decision === 'proposed'
        ? ''
        : h(
            'span',
            { class: p.decision === 'confirmed' ? 'ok' : 'muted', 'data-i18n-data': '' },
            ` · ${t(`response.decision.${p.decision}`)} ${p.decidedBy ?? ''} ${p.decidedAt ? fmtTime(p.decidedAt) : ''}`,
          );
    let check: HTMLInputElement | '' = '';
    if (p.decision === 'proposed' && !closed) {
      check = h('input', { type: 'checkbox', 'data-testid': `plan-check-${p.partId}`, checked: c.on });
      check.onchange = (e: Event) => (c.on = (e.target as HTMLInputElement).checked);
    }
    let edit: HTMLElement | '' = '';
    if (p.decision === 'proposed' && !closed && p.kind === 'broadcast') {
      const area = h('textarea', { 'data-testid': `plan-edit-${p.partId}`, maxlength: '500', rows: '3' }, c.detail ?? p.detail ?? '');
      area.oninput = (e: Event) => (c.detail = (e.target as HTMLTextAreaElement).value);
      edit = area;
    } else if (p.detail && p.kind !== 'camera' && p.kind !== 'dispatch' && p.kind !== 'notify')
      edit = h('div', { class: 'muted', 'data-i18n-data': '' }, p.detail);
    const names =
      p.kind === 'notify'
        ? h(
            'div',
            { class: 'muted', 'data-i18n-data': '' },
            (st?.inside?.vulnerable ?? [])
              .filter((r) => r.gridId === p.target)
              .slice(0, 6)
              .map((r) => r.name)
              .join('、'),
          )
        : '';
    return h(
      'li',
      { class: `plan-part ${p.decision}`, 'data-testid': `plan-part-${p.partId}`, 'data-kind': p.kind, 'data-decision': p.decision },
      check,
      ` ${label}`,
      state,
      edit,
      names,
    );
  };
  const pending = plan.parts.filter((p) => p.decision === 'proposed');
  const confirm = button(t('response.confirm', { n: pending.length }), { 'data-testid': 'plan-confirm', class: 'act primary' }, () => {
    const decisions: PlanDecisionInput[] = pending.map((p) => {
      const c = choices.get(key(p)) ?? { on: true };
      return {
        partId: p.partId,
        decision: c.on ? 'confirm' : 'reject',
        ...(c.detail !== undefined && c.detail !== p.detail ? { detail: c.detail.slice(0, 500) } : {}),
      };
    });
    if (decisions.length) act.decide(decisions);
  });
  const rejectAll = button(t('response.rejectAll'), { 'data-testid': 'plan-reject', class: 'act' }, () =>
    act.decide(pending.map((p) => ({ partId: p.partId, decision: 'reject' as const }))),
  );
  return h(
    'div',
    { class: 'plan', 'data-testid': 'plan' },
    h('h3', {}, `${t('response.plan')}${plan.drill ? ` · ${t('alarms.drillMark')}` : ''}`),
    h('p', { class: 'muted', 'data-i18n-data': '' }, t('response.proposedBy', { by: plan.proposedBy, time: fmtTime(plan.proposedAt) })),
    h('ul', { class: 'plan-parts' }, ...plan.parts.map(item)),
    pending.length && !closed ? h('div', { class: 'actions' }, confirm, rejectAll) : '',
    closed ? '' : h('div', { class: 'actions' }, proposeBtn),
  );
}

function partLabel(store: RootStore, p: PlanPart): string {
  switch (p.kind) {
    case 'dispatch':
      return t(PART_KEYS.dispatch, { team: teamLabel(p.target) }) + (p.etaS !== undefined ? ` · ${t('response.eta', { eta: fmtDuration(p.etaS) })}` : '');
    case 'notify':
      return t(PART_KEYS.notify, {
        grid: p.target,
        staff: p.detail ?? '',
        residents: p.counts?.residents ?? 0,
        elderly: p.counts?.elderly ?? 0,
        alone: p.counts?.alone ?? 0,
      });
    case 'camera':
      return t(PART_KEYS.camera, { camera: store.video.registry.get(p.target)?.name ?? p.target });
    case 'broadcast':
      return t(PART_KEYS.broadcast);
    case 'close-road':
      return t(PART_KEYS['close-road'], { at: p.target });
  }
}
