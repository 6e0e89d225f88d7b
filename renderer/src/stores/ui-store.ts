import { makeAutoObservable } from 'mobx';
import { setLocale, type Locale } from '../i18n.ts';

export type ViewMode = '3d' | '2d';
export type LayerId = 'buildings' | 'manholes' | 'streets' | 'compounds' | 'grid';

export interface BuildingInfo {
  id: number;
  name: string;
  floors: number;
  heightM: number;
  areaM2: number;
  gridId: string;
  lon: number;
  lat: number;
}

/** Operator commands are declarative: each is applied by one action that also writes an audit record. */
export type OperatorCommand =
  | { type: 'setView'; view: ViewMode }
  | { type: 'toggleLayer'; layer: LayerId; visible: boolean }
  | { type: 'selectBuilding'; buildingId: number | null }
  | { type: 'flyToPreset'; preset: string }
  | { type: 'focusWell'; wellId: string }
  | { type: 'setLocale'; locale: Locale };

export interface AuditRecord {
  ts: number;
  actor: string;
  command: OperatorCommand;
}

export interface CameraRequest {
  nonce: number;
  kind: 'preset' | 'point';
  preset?: string;
  lon?: number;
  lat?: number;
}

export class UiStore {
  view: ViewMode = '3d';
  locale: Locale = 'zh-CN';
  layers: Record<LayerId, boolean> = { buildings: true, manholes: true, streets: true, compounds: true, grid: false };
  selectedBuildingId: number | null = null;
  selectedBuilding: BuildingInfo | null = null;
  focusedWellId: string | null = null;
  cameraRequest: CameraRequest | null = null;
  audit: AuditRecord[] = [];
  actor = 'operator';
  private nonce = 0;

  constructor() {
    makeAutoObservable(this, {}, { autoBind: true });
  }

  dispatch(command: OperatorCommand, resolveWell?: (id: string) => { lon: number; lat: number } | null): void {
    this.audit.push({ ts: Date.now(), actor: this.actor, command });
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
      case 'focusWell': {
        this.focusedWellId = command.wellId;
        const p = resolveWell?.(command.wellId);
        if (p) this.cameraRequest = { nonce: ++this.nonce, kind: 'point', lon: p.lon, lat: p.lat };
        break;
      }
      case 'setLocale':
        this.locale = command.locale;
        setLocale(command.locale);
        break;
    }
  }

  setSelectedBuilding(info: BuildingInfo | null): void {
    if (info && info.id !== this.selectedBuildingId) return; // stale async answer
    this.selectedBuilding = info;
  }
}
