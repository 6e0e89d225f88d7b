import { makeAutoObservable } from 'mobx';
import type { AlarmCategory, OperatorAction } from '../../../data-pipelines/contracts/alarm.ts';
import type { PlanDecisionInput, PlanPartProposal } from '../../../data-pipelines/contracts/plan.ts';
import { setLocale, type Locale } from '../i18n.ts';
import type { AnalysisCommand } from './analysis-store.ts';
import type { LayoutFile } from './layouts.ts';
import type { CameraState } from '../types/camera.ts';
import type { BuildingInfo } from '../data/district.ts';
export type { BuildingInfo } from '../data/district.ts';
import { ALL_LAYERS, type LayerId } from './layer-ids.ts';
export { ALL_LAYERS, type LayerId } from './layer-ids.ts';
import type { RequestWire } from '../../../data-pipelines/contracts/citizen-request.ts';
import type { TaskRequest } from '../../../data-pipelines/contracts/tasks.ts';
import type { RequestFilter } from '../work/format.ts';
import type { VideoWallCommand } from './video-store.ts';
import type { ModelCrs } from '../models/placement.ts';

export type ViewMode = '3d' | '2d';
export type Workspace = 'ops' | 'analysis';
/**
 * What this window shows: the operator console (panels + map), the video-wall overview (dark large-screen theme, KPI
 * widgets around the map), the dashboard screen (KPI widgets only, no map: for a second wall display) or the video
 * wall (a grid of live camera tiles, no map).
 */
export const SCREENS = ['console', 'wall', 'dashboard', 'video'] as const;
export type ScreenMode = (typeof SCREENS)[number];
export function isScreenMode(v: unknown): v is ScreenMode {
  return typeof v === 'string' && (SCREENS as readonly string[]).includes(v);
}
/** The screens that draw no map (the dashboard and the video wall): their maps are paused, hidden, never made. */
export const isMapless = (screen: string | null): boolean => screen === 'dashboard' || screen === 'video';

/** Operator commands are declarative: each is applied by one action that also writes an audit record. */
export type OperatorCommand =
  | { type: 'setView'; view: ViewMode }
  | { type: 'toggleLayer'; layer: LayerId; visible: boolean }
  | { type: 'selectBuilding'; buildingId: number | null }
  | { type: 'flyToPreset'; preset: string }
  | { type: 'focus'; lon: number; lat: number; what: string; rangeM?: number }
  | { type: 'selectAlarm'; alarmId: string | null }
  | {
      type: 'alarm';
      alarmId: string;
      action: OperatorAction;
      commandId: string;
      team?: string;
      minutes?: number;
      note?: string;
      /** step: the SOP step ticked; plan: the proposed parts; decide: a decision per part (issue 22) */
      stepId?: string;
      plan?: PlanPartProposal[];
      decisions?: PlanDecisionInput[];
    }
  | { type: 'setAlarmFilter'; filter: AlarmFilter }
  | { type: 'toggleAlarmGroup'; key: string }
  | { type: 'setAlarmCategory'; category: AlarmCategory | 'all' }
  | { type: 'openVideo'; cameraId: string | null }
  | { type: 'setMuted'; muted: boolean }
  | { type: 'setLocale'; locale: Locale }
  /** peel a building into its floors in 3D (null = put it back together) */
  | { type: 'explodeBuilding'; buildingId: number | null }
  /** evacuation broadcast for a building (recorded; sent to a PA system where one is connected) */
  | { type: 'broadcast'; buildingId: number; floor: number; message: string; drill: boolean }
  | { type: 'drill'; op: 'start' | 'stop'; scenario?: string }
  | { type: 'replay'; op: 'open' | 'close'; from?: number; to?: number; drillId?: string }
  /** operations (alarms, incidents) or the planners' analysis workspace */
  | { type: 'setWorkspace'; workspace: Workspace }
  /**
   * elderly services (people service on the feed server): query who turns `age` within `days`, view one record
   * (masked), ask for the whole record with a reason (the server decides by role and audits), visit tasks, close
   */
  | { type: 'people'; op: 'query'; age: number; days: number }
  | { type: 'people'; op: 'view'; residentId: string }
  | { type: 'people'; op: 'unmask'; residentId: string; reason: string }
  | { type: 'people'; op: 'close' }
  /** citizen-request desk: register or a step of a request (the feed server journals it, under the signed-in user) */
  | { type: 'request'; cmd: RequestWire }
  | { type: 'selectRequest'; requestId: string | null }
  | { type: 'setRequestFilter'; filter: RequestFilter }
  /** visit tasks: plan from the turning-N list, mark done, cancel (role-checked and journaled on the feed server) */
  | { type: 'task'; req: TaskRequest }
  /**
   * sign-in / sign-out of a named account (RootStore.signIn/signOut; the password is never part of a command);
   * cause 'ended': the server ended the session (expired, signed out elsewhere, restarted)
   */
  | { type: 'session'; op: 'signIn' | 'signOut'; login: string; cause?: 'ended' }
  /** console / video-wall overview / dashboard-only screen */
  | { type: 'setScreen'; screen: ScreenMode }
  /** multi-display wall layout applied (Electron: windows per display) or a screen URL opened (web shell) */
  | { type: 'wallLayout'; op: 'apply' | 'open'; screens: string[] }
  /** planner analysis commands, applied by AnalysisStore */
  | { type: 'analysis'; cmd: AnalysisCommand }
  /** the user's own data: file names only (the bytes never go into the audit trail) */
  | { type: 'importData'; op: 'add'; names: string[]; crs: string }
  | { type: 'importData'; op: 'remove' | 'show' | 'hide'; id: string }
  /** saved layouts: apply one (view, layers, cameras, filters, analysis settings), or record a save/delete */
  | { type: 'applyLayout'; layout: LayoutFile }
  | { type: 'saveLayout'; name: string }
  | { type: 'deleteLayout'; name: string }
  /** offline basemap tile package (folder name and tile count recorded; the tiles stay in memory) */
  | { type: 'basemap'; op: 'load'; name: string; files: number }
  | { type: 'basemap'; op: 'clear' }
  /** the user's 3D Tiles models: load (name and file count; the files stay in memory), place, remove */
  | { type: 'model'; op: 'load'; name: string; files: number }
  | { type: 'model'; op: 'place'; id: string; crs: ModelCrs; heightOffset: number }
  | { type: 'model'; op: 'remove'; id: string }
  /** the sources panel (connected sensor platforms' health): open or close it, expand a source's quarantine details */
  | { type: 'sourcesPanel'; open: boolean; sourceId?: string }
  /** the video wall: grid size, a camera onto a tile, pin, an alarm's cameras (applied by VideoWallStore) */
  | { type: 'videoWall'; cmd: VideoWallCommand }
  /** the video-wall panel over the console map */
  | { type: 'videoWallPanel'; open: boolean }
  /** a still of a camera's live picture attached to an alarm (sent to the feed server, which keeps and journals it) */
  | { type: 'snapshot'; cameraId: string; alarmId?: string; requestId?: string }
  | { type: 'toggleSource'; sourceId: string };

export interface Broadcast {
  ts: number;
  buildingId: number;
  floor: number;
  message: string;
  drill: boolean;
}

export type AlarmFilter = 'open' | 'unacked' | 'all';

export interface AuditRecord {
  ts: number;
  actor: string;
  command: OperatorCommand;
  /** for commands sent to the server: pending until acked */
  result?: 'pending' | 'ok' | 'duplicate' | `error: ${string}`;
}

export interface CameraRequest {
  nonce: number;
  /** 'exact': put the cameras where a saved layout had them */
  kind: 'preset' | 'point' | 'exact';
  camera3d?: CameraState | null;
  camera2d?: { center: [number, number]; zoom: number; bearing: number; pitch: number } | null;
  preset?: string;
  lon?: number;
  lat?: number;
  /** viewing distance for point requests (default: street-block overview) */
  rangeM?: number;
}

/** sensor layers that clutter a planner's map (alarms and fire are never hidden by a workspace switch) */
const PLANNER_HIDDEN: LayerId[] = ['manholes', 'care', 'cameras', 'env', 'parking', 'elderly', 'requests', 'gridwork'];

export class UiStore {
  view: ViewMode = '3d';
  workspace: Workspace = 'ops';
  screen: ScreenMode = 'console';
  /** the operator's layer choice while the planner workspace is open */
  private opsLayers: Record<LayerId, boolean> | null = null;
  locale: Locale = 'zh-CN';
  layers: Record<LayerId, boolean> = { ...ALL_LAYERS };
  selectedBuildingId: number | null = null;
  selectedBuilding: BuildingInfo | null = null;
  selectedAlarmId: string | null = null;
  selectedRequestId: string | null = null;
  requestFilter: RequestFilter = 'open';
  alarmFilter: AlarmFilter = 'open';
  expandedGroups: string[] = [];
  alarmCategory: AlarmCategory | 'all' = 'all';
  videoCameraId: string | null = null;
  muted = false;
  cameraRequest: CameraRequest | null = null;
  audit: AuditRecord[] = [];
  explodedBuildingId: number | null = null;
  broadcasts: Broadcast[] = [];
  /** the sources panel is open; the sources whose quarantine details are expanded in it */
  sourcesOpen = false;
  /** the video-wall panel is open over the console map */
  videoWallOpen = false;
  expandedSources: string[] = [];
  /** the source the panel was opened for (a feed alarm's source): highlighted, expanded and scrolled to */
  sourcesFocus: string | null = null;
  actor = '值班员'; // i18n-exempt: the operator's name as journaled (the duty operator; a signed-in user's name after sign-in)
  private nonce = 0;

  constructor() {
    makeAutoObservable(this, {}, { autoBind: true });
  }

  dispatch(command: OperatorCommand): AuditRecord {
    const rec: AuditRecord = {
      ts: Date.now(),
      actor: this.actor,
      command,
      ...(command.type === 'alarm' ||
      command.type === 'drill' ||
      command.type === 'analysis' ||
      command.type === 'importData' ||
      command.type === 'model' ||
      command.type === 'people' ||
      command.type === 'request' ||
      command.type === 'task' ||
      command.type === 'session' ||
      command.type === 'videoWall' ||
      command.type === 'snapshot'
        ? { result: 'pending' as const }
        : {}),
    };
    this.audit.push(rec);
    if (this.audit.length > 5000) this.audit.splice(0, this.audit.length - 5000);
    switch (command.type) {
      case 'setView':
        this.view = command.view;
        break;
      case 'toggleLayer':
        this.layers[command.layer] = command.visible;
        break;
      case 'selectBuilding':
        this.selectedBuildingId = command.buildingId;
        if (command.buildingId === null) this.selectedBuilding = null;
        break;
      case 'flyToPreset':
        this.cameraRequest = { nonce: ++this.nonce, kind: 'preset', preset: command.preset };
        break;
      case 'focus':
        this.cameraRequest = { nonce: ++this.nonce, kind: 'point', lon: command.lon, lat: command.lat, ...(command.rangeM ? { rangeM: command.rangeM } : {}) };
        break;
      case 'selectAlarm':
        this.selectedAlarmId = command.alarmId;
        break;
      case 'setAlarmFilter':
        this.alarmFilter = command.filter;
        break;
      case 'setAlarmCategory':
        this.alarmCategory = command.category;
        break;
      case 'toggleAlarmGroup':
        this.expandedGroups = this.expandedGroups.includes(command.key)
          ? this.expandedGroups.filter((k) => k !== command.key)
          : [...this.expandedGroups, command.key];
        break;
      case 'openVideo':
        this.videoCameraId = command.cameraId;
        break;
      case 'setMuted':
        this.muted = command.muted;
        break;
      case 'setLocale':
        this.locale = command.locale;
        setLocale(command.locale);
        break;
      case 'explodeBuilding':
        this.explodedBuildingId = command.buildingId;
        break;
      case 'broadcast':
        this.broadcasts.unshift({ ts: rec.ts, buildingId: command.buildingId, floor: command.floor, message: command.message, drill: command.drill });
        if (this.broadcasts.length > 50) this.broadcasts.length = 50;
        break;
      case 'setWorkspace':
        if (command.workspace === this.workspace) break;
        this.workspace = command.workspace;
        // Planners work on the 2D map with the analysis layer on and the sensor layers (manholes, care, cameras,
        // environment) out of the way; alarms and fire stay. Operators get their layers back as they left them.
        if (command.workspace === 'analysis') {
          this.opsLayers = { ...this.layers };
          for (const l of PLANNER_HIDDEN) this.layers[l] = false;
          this.layers.analysis = true;
          this.view = '2d';
        } else if (this.opsLayers) {
          this.layers = { ...this.opsLayers, analysis: this.layers.analysis && this.opsLayers.analysis };
          this.opsLayers = null;
        }
        break;
      case 'setScreen':
        this.screen = command.screen;
        break;
      case 'wallLayout':
        break; // carried out by the shell (bridge); recorded here for the audit trail
      case 'people':
        break; // carried out by PeopleStore (RootStore.command); the feed server keeps the authoritative audit
      case 'session':
        break; // carried out by RootStore.signIn/signOut (the feed server signs in and out)
      case 'request':
      case 'task':
        break; // carried out by the feed server (RootStore.command); it journals the result
      case 'sourcesPanel':
        this.sourcesOpen = command.open;
        this.sourcesFocus = command.open ? (command.sourceId ?? null) : null;
        if (command.open && command.sourceId && !this.expandedSources.includes(command.sourceId))
          this.expandedSources = [...this.expandedSources, command.sourceId];
        break;
      case 'videoWallPanel':
        this.videoWallOpen = command.open;
        break;
      case 'videoWall':
      case 'snapshot':
        break; // applied by VideoWallStore / sent to the feed server (RootStore.command), which settles the record
      case 'toggleSource':
        this.expandedSources = this.expandedSources.includes(command.sourceId)
          ? this.expandedSources.filter((k) => k !== command.sourceId)
          : [...this.expandedSources, command.sourceId];
        break;
      case 'selectRequest':
        this.selectedRequestId = command.requestId;
        break;
      case 'setRequestFilter':
        this.requestFilter = command.filter;
        break;
      case 'analysis':
      case 'importData':
      case 'saveLayout':
      case 'deleteLayout':
      case 'basemap':
      case 'model':
        break;
      case 'applyLayout': {
        const l = command.layout;
        this.workspace = l.workspace;
        this.opsLayers = null;
        this.layers = { ...this.layers, ...l.layers };
        this.view = l.view;
        this.alarmFilter = l.alarmFilter;
        this.alarmCategory = l.alarmCategory;
        this.locale = l.locale;
        setLocale(l.locale);
        this.cameraRequest = { nonce: ++this.nonce, kind: 'exact', camera3d: l.camera3d, camera2d: l.camera2d };
        break;
      } // applied by AnalysisStore (RootStore.command); recorded here for the audit trail
      case 'replay':
        break; // RootStore opens/closes the replay; recorded here for the audit trail
      case 'alarm':
      case 'drill':
        break; // sent to the feed server by RootStore; the record's result is set on ack
    }
    return this.audit[this.audit.length - 1]!;
  }

  settle(rec: AuditRecord, result: NonNullable<AuditRecord['result']>): void {
    rec.result = result;
  }

  /** Who the following commands are recorded (and alarm steps journaled) under: the signed-in user, or the duty operator. */
  setActor(name: string): void {
    this.actor = name;
  }

  setSelectedBuilding(info: BuildingInfo | null): void {
    if (info && info.id !== this.selectedBuildingId) return; // stale async answer
    this.selectedBuilding = info;
  }
}
