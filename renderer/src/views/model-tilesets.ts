/**
 * The user's 3D Tiles models in the 3D view: one Cesium3DTileset per loaded model, served from its files by the
 * resolver (no network), placed by the model store's CRS and height offset, its load and tile failures reported back
 * to the store (so Cesium never logs them unheard), and a picked feature's properties read from the tile's metadata
 * (3D Tiles 1.1 property tables or a 1.0 batch table alike). Owns GPU resources: destroy() releases them.
 */
import { Cartesian3, Cesium3DTileFeature, Cesium3DTileset, Matrix4, type Scene } from '@cesium/engine';
import { reaction, type IReactionDisposer } from 'mobx';
import type { ModelStore, PickedModelFeature } from '../stores/model-store.ts';
import { modelMatrixFor, readPlacement, viewRangeM } from '../models/placement.ts';
import { modelRootUrl, serveModel } from '../models/resolver.ts';
import { watchTileModelErrors } from './tile-model-errors.ts';

interface Live {
  tileset: Cesium3DTileset | null;
  withdraw: () => void;
  gone: boolean;
  centre: Cartesian3 | null;
  radius: number;
}

/**
 * A property value as text. Numbers keep every digit a double carries (a batch table's coordinates and ids), but a
 * value that is exactly a float32 (a FLOAT32 metadata property: 3416.996826171875 for 3417) shows its 7 significant
 * digits, which is all it has.
 */
export function propertyText(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'number') return Number.isInteger(v) || Math.fround(v) !== v ? String(v) : String(Number(v.toPrecision(7)));
  return typeof v === 'object' ? JSON.stringify(v) : String(v);
}
const text = propertyText;

export class ModelTilesets {
  private readonly live = new Map<string, Live>();
  private readonly disposers: IReactionDisposer[];

  constructor(
    private readonly scene: Scene,
    private readonly models: ModelStore,
    private readonly district: { lon: number; lat: number },
    /** called once a model is placed near the district, to show it */
    private readonly show: (lon: number, lat: number, rangeM: number) => void,
  ) {
    this.disposers = [
      reaction(
        () => this.models.models.map((m) => m.id),
        (ids) => this.sync(ids),
        { fireImmediately: true },
      ),
      reaction(
        () => this.models.models.map((m) => `${m.id}|${m.crs}|${m.heightOffset}`),
        () => {
          for (const id of this.live.keys()) this.place(id);
        },
      ),
    ];
  }

  private sync(ids: string[]): void {
    for (const [id, l] of this.live)
      if (!ids.includes(id)) {
        l.gone = true;
        if (l.tileset) this.scene.primitives.remove(l.tileset); // destroys it
        l.withdraw();
        this.live.delete(id);
      }
    for (const id of ids) if (!this.live.has(id)) this.open(id);
    this.scene.requestRender();
  }

  private open(id: string): void {
    const src = this.models.source(id);
    if (!src) return;
    // shown on its first load only (a view rebuilt after a lost GPU context keeps the operator's camera)
    const first = this.models.entry(id)?.placement === null;
    this.models.opened(id);
    const l: Live = { tileset: null, withdraw: serveModel(id, src, (message) => this.models.tileFailed(id, message)), gone: false, centre: null, radius: 0 };
    this.live.set(id, l);
    Cesium3DTileset.fromUrl(modelRootUrl(id, src), { maximumScreenSpaceError: 16 })
      .then((ts) => {
        if (l.gone) {
          ts.destroy();
          return;
        }
        l.tileset = ts;
        // the centre as the tileset places it, before our model matrix (the root transform is included)
        l.centre = Cartesian3.clone(ts.root.boundingSphere.center);
        l.radius = ts.root.boundingSphere.radius;
        ts.tileFailed.addEventListener((e: { url?: string; message?: string }) => this.models.tileFailed(id, e.message ?? String(e)));
        // a tile whose glTF fails while it loads (a texture that cannot be decoded): Cesium alone says nothing
        watchTileModelErrors(ts, (message) => this.models.tileFailed(id, message));
        ts.tileLoad.addEventListener(() => this.models.tileLoaded(id));
        this.scene.primitives.add(ts);
        const p = this.place(id);
        if (p && first && !p.far) this.show(p.placedLon, p.placedLat, viewRangeM(p));
        this.scene.requestRender();
      })
      .catch((e: unknown) => {
        if (!l.gone) this.models.failed(id, e instanceof Error ? e.message : String(e));
      });
  }

  /** Applies the store's CRS and height offset; returns the placement (null until the tileset has loaded). */
  private place(id: string) {
    const l = this.live.get(id);
    const m = this.models.entry(id);
    if (!l?.tileset || !l.centre || !m) return null;
    const p = readPlacement([l.centre.x, l.centre.y, l.centre.z], l.radius, m.crs, this.district);
    l.tileset.modelMatrix = Matrix4.fromArray(modelMatrixFor(p, m.heightOffset));
    this.models.loaded(id, p);
    this.scene.requestRender();
    return p;
  }

  /** A picked object's model feature (properties from the tile's metadata), or null if it is not one of ours. */
  featureOf(picked: unknown): PickedModelFeature | null {
    // a model without features (no batch table or property table) is picked as its tileset: no properties to show
    const bare = (picked as { primitive?: unknown } | undefined)?.primitive;
    if (!(picked instanceof Cesium3DTileFeature)) {
      for (const [id, l] of this.live) if (l.tileset && l.tileset === bare) return { modelId: id, modelName: this.models.entry(id)?.name ?? id, props: [] };
      return null;
    }
    for (const [id, l] of this.live) {
      if (l.tileset !== picked.tileset) continue;
      const props: Array<[string, string]> = [];
      for (const name of picked.getPropertyIds()) props.push([name, text(picked.getProperty(name))]);
      return { modelId: id, modelName: this.models.entry(id)?.name ?? id, props };
    }
    return null;
  }

  /** Per model: tile loads so far (a count, not what is held) and the bytes Cesium holds now — for the benchmark. */
  stats(): Array<{ id: string; tilesLoaded: number; memoryBytes: number }> {
    return [...this.live].map(([id, l]) => ({
      id,
      tilesLoaded: this.models.entry(id)?.tilesLoaded ?? 0,
      memoryBytes: l.tileset?.totalMemoryUsageInBytes ?? 0,
    }));
  }

  destroy(): void {
    for (const d of this.disposers) d();
    this.sync([]);
  }
}
