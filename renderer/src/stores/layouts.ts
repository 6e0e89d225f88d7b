/**
 * Saved layouts (工作布局): what an operator or planner set up — view, workspace, layers, both cameras, alarm filters,
 * analysis settings, language — stored per user in local storage and exportable/importable as a JSON file
 * (`redwall-layout/1`, validated with zod: a broken or foreign file is refused with the reason, nothing half-applied).
 */
import { z } from 'zod';
import { ALARM_CATEGORIES } from '../../../data-pipelines/contracts/alarm.ts';
import { CAMERA_ID_RE } from '../../../data-pipelines/contracts/cameras.ts';
import { locale, t, type Locale } from '../i18n.ts';
import { ALL_LAYERS, type LayerId } from './layer-ids.ts';

const Num = z.number().finite();
const LayerIds = Object.keys(ALL_LAYERS) as [LayerId, ...LayerId[]];

export const LayoutFile = z.object({
  format: z.literal('redwall-layout/1'),
  name: z.string().min(1).max(80),
  savedAt: z.number().int().nonnegative(),
  savedBy: z.string().max(80),
  locale: z.enum(['zh-CN', 'en']),
  view: z.enum(['3d', '2d']),
  workspace: z.enum(['ops', 'analysis']),
  /** layers not named keep their current state (files from older versions) */
  layers: z.partialRecord(z.enum(LayerIds), z.boolean()),
  camera3d: z.object({ position: z.tuple([Num, Num, Num]), heading: Num, pitch: Num }).nullable(),
  camera2d: z
    .object({ center: z.tuple([Num.min(-180).max(180), Num.min(-90).max(90)]), zoom: Num.min(0).max(24), bearing: Num, pitch: Num.min(0).max(85) })
    .nullable(),
  alarmFilter: z.enum(['open', 'unacked', 'all']),
  alarmCategory: z.union([z.enum(ALARM_CATEGORIES), z.literal('all')]),
  analysis: z
    .object({
      metric: z.enum(['unmet', 'gap', 'demand', 'supply', 'occupancy']),
      display: z.enum(['cells', 'heatmap']),
      params: z.object({
        demandKind: z.enum(['resident', 'visitor', 'all']),
        demandSlot: z.number().int().min(0).max(47),
        supplyMin: z.number().int().min(0).max(1439),
        cellKind: z.enum(['grid', 'hex']),
        cellM: z.number().min(25).max(5000),
        walkM: z.number().min(50).max(3000),
        detour: z.number().min(1).max(3),
      }),
    })
    .nullable(),
  /** the video wall: grid size and each tile's camera and pin (files from older versions have none) */
  videoWall: z
    .object({
      grid: z.union([z.literal(1), z.literal(4), z.literal(9), z.literal(16)]),
      tiles: z.array(z.object({ cameraId: z.string().regex(CAMERA_ID_RE).nullable(), pinned: z.boolean() })).max(16),
    })
    .optional(),
});
export type LayoutFile = z.infer<typeof LayoutFile>;

/** Parses a layout file's text: the layout, or every problem in one message (in the current or given locale). */
export function parseLayout(text: string, fileName = 'layout', l: Locale = locale()): { ok: true; layout: LayoutFile } | { ok: false; error: string } {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    return { ok: false, error: t('layouts.notJson', { file: fileName, detail: (e as Error).message }, l) };
  }
  const r = LayoutFile.safeParse(raw);
  if (!r.success)
    return {
      ok: false,
      error: t(
        'layouts.notLayout',
        {
          file: fileName,
          issues: r.error.issues
            .slice(0, 3)
            .map((i) => `${i.path.join('.') || t('layouts.wholeFile', undefined, l)}: ${i.message}`)
            .join('; '),
        },
        l,
      ),
    };
  return { ok: true, layout: r.data };
}

export interface LayoutStorage {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
}

/** Saved layouts of one user (key per user: operators sharing a workstation keep theirs apart). */
export class LayoutShelf {
  constructor(
    private readonly storage: LayoutStorage,
    private readonly user: string,
  ) {}

  private get key(): string {
    return `redwall.layouts.v1.${this.user}`;
  }

  list(): LayoutFile[] {
    const text = this.storage.getItem(this.key);
    if (!text) return [];
    try {
      const arr = JSON.parse(text) as unknown[];
      // a damaged entry is dropped, the others survive
      return arr.flatMap((x) => {
        const r = LayoutFile.safeParse(x);
        return r.success ? [r.data] : [];
      });
    } catch {
      return [];
    }
  }

  save(layout: LayoutFile): void {
    const others = this.list().filter((l) => l.name !== layout.name);
    this.storage.setItem(this.key, JSON.stringify([...others, layout].sort((a, b) => a.name.localeCompare(b.name))));
  }

  remove(name: string): void {
    this.storage.setItem(this.key, JSON.stringify(this.list().filter((l) => l.name !== name)));
  }
}

/** The current layout of the screen (cameras from the views; null where a view was never opened). */
export function captureLayout(
  ui: {
    locale: 'zh-CN' | 'en';
    view: '3d' | '2d';
    workspace: 'ops' | 'analysis';
    layers: Record<LayerId, boolean>;
    alarmFilter: LayoutFile['alarmFilter'];
    alarmCategory: LayoutFile['alarmCategory'];
    actor: string;
  },
  analysis: {
    metric: NonNullable<LayoutFile['analysis']>['metric'];
    display: 'cells' | 'heatmap';
    params: (NonNullable<LayoutFile['analysis']>['params'] & { lon0: number; lat0: number }) | null;
  },
  name: string,
  cameras: { camera3d: LayoutFile['camera3d']; camera2d: LayoutFile['camera2d'] },
  now = Date.now(),
  videoWall?: LayoutFile['videoWall'],
): LayoutFile {
  const p = analysis.params;
  return {
    format: 'redwall-layout/1',
    name: name.trim().slice(0, 80) || 'layout',
    savedAt: now,
    savedBy: ui.actor,
    locale: ui.locale,
    view: ui.view,
    workspace: ui.workspace,
    layers: { ...ui.layers },
    camera3d: cameras.camera3d,
    camera2d: cameras.camera2d,
    alarmFilter: ui.alarmFilter,
    alarmCategory: ui.alarmCategory,
    analysis: p
      ? {
          metric: analysis.metric,
          display: analysis.display,
          params: {
            demandKind: p.demandKind,
            demandSlot: p.demandSlot,
            supplyMin: p.supplyMin,
            cellKind: p.cellKind,
            cellM: p.cellM,
            walkM: p.walkM,
            detour: p.detour,
          },
        }
      : null,
    ...(videoWall ? { videoWall } : {}),
  };
}
