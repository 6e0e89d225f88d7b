/**
 * The district's own buildings in the 3D view, from one of two sources (issue 25):
 * - `geometry` (the default): extruded at start-up from the footprints in DuckDB, one Primitive built in Cesium's
 *   workers (5,442 polygons; the largest part of the 3D view's start on a software renderer);
 * - `tileset`: the ETL's 3D Tiles 1.1 tileset (`assets/district/tiles`), streamed by Cesium3DTileset (far views
 *   load a few tiles of tall buildings, near views the detail). Each feature carries the building's id and floors
 *   in the tile's metadata (EXT_structural_metadata): it is coloured by floors, hidden when its building is peeled
 *   into floors (the fire view) and highlighted when selected, per feature, as tiles come and go.
 * Both draw the same colours (floorsColor) and answer the same questions: ready, show, peel, highlight, which building
 * a picked object is. Both own GPU resources: destroy() releases them.
 */
import {
  Cartesian3,
  Cesium3DTileFeature,
  Cesium3DTileset,
  ColorGeometryInstanceAttribute,
  CustomShader,
  GeometryInstance,
  LightingModel,
  PerInstanceColorAppearance,
  PolygonGeometry,
  PolygonHierarchy,
  Primitive,
  ShowGeometryInstanceAttribute,
  type Cesium3DTile,
  type Cesium3DTileContent,
  type Scene,
} from '@cesium/engine';
import type { BuildingGeom } from '../data/district.ts';
import { buildingIdValue, floorsColor, SELECTED_COLOR, type BuildingsSource } from '../layers/buildings/format.ts';
import { cesiumColor } from '../layers/shared/cesium-color.ts';
import { watchTileModelErrors } from './tile-model-errors.ts';
import { forEachTile } from './tile-tree.ts';

export interface DistrictBuildings {
  readonly source: BuildingsSource;
  /** resolves once the buildings are drawn (the first frame with them; for a tileset, its first view's tiles) */
  readonly ready: Promise<void>;
  setShow(show: boolean): void;
  /** hides the solid block of a building peeled into floors (the evacuation layer draws its floors); null: none */
  peel(id: number | null): void;
  highlight(id: number | null): void;
  /** the building id of a picked object, or null when it is not one of these buildings */
  buildingOf(picked: unknown): number | null;
  /**
   * Parts that could not load (a tile whose request a gateway crash cut off) asked for again, now: called when the
   * feed connection is back. Returns how many were asked for (0: nothing was missing).
   */
  retryFailed(): number;
  /** buildings drawn now (for a tileset, those in its loaded tiles) */
  readonly loadedCount: number;
  destroy(): void;
}

/**
 * Resolves at the first rendered frame for which `done()` holds, asking for frames until then; `cancel()` (the owner
 * destroyed: its scene renders no more frames) resolves it at once and drops the frame listener.
 */
function whenRendered(scene: Scene, done: () => boolean): { promise: Promise<void>; cancel: () => void } {
  let finish = () => undefined as void;
  const promise = new Promise<void>((resolve) => {
    const off = scene.postRender.addEventListener(() => {
      if (done()) finish();
      else scene.requestRender();
    });
    finish = () => {
      off();
      finish = () => undefined;
      resolve();
    };
    scene.requestRender();
  });
  return { promise, cancel: () => finish() };
}

/** Extruded at start-up from the footprints: one Primitive, one instance per building (id = building id). */
export class GeometryBuildings implements DistrictBuildings {
  readonly source = 'geometry';
  readonly ready: Promise<void>;
  private readonly primitive: Primitive;
  private peeled: number | null = null;
  private highlighted: number | null = null;
  private readonly index = new Map<number, number>();
  private readonly cancel: () => void;

  constructor(
    private readonly scene: Scene,
    private readonly b: BuildingGeom,
    initial: { peeled: () => number | null; selected: () => number | null },
  ) {
    const instances: GeometryInstance[] = [];
    for (let i = 0; i < b.ids.length; i++) {
      this.index.set(b.ids[i]!, i);
      const positions = Cartesian3.fromDegreesArray(Array.from(b.rings[i]!));
      instances.push(
        new GeometryInstance({
          id: b.ids[i],
          geometry: new PolygonGeometry({
            polygonHierarchy: new PolygonHierarchy(positions),
            height: 0,
            extrudedHeight: b.heights[i]!,
            vertexFormat: PerInstanceColorAppearance.VERTEX_FORMAT,
          }),
          attributes: {
            color: ColorGeometryInstanceAttribute.fromColor(cesiumColor(floorsColor(b.floors[i]!))),
            show: new ShowGeometryInstanceAttribute(true),
          },
        }),
      );
    }
    this.primitive = scene.primitives.add(
      new Primitive({
        geometryInstances: instances,
        appearance: new PerInstanceColorAppearance({ translucent: false, closed: true }),
        releaseGeometryInstances: true,
        asynchronous: true,
      }),
    ) as Primitive;
    const drawn = whenRendered(scene, () => this.primitive.ready);
    this.cancel = drawn.cancel;
    this.ready = drawn.promise.then(() => {
      if (this.primitive.isDestroyed()) return;
      // what was asked for while the geometry was being built
      this.peel(initial.peeled());
      this.highlight(initial.selected());
    });
  }

  setShow(show: boolean): void {
    this.primitive.show = show;
    this.scene.requestRender();
  }

  private attrs(id: number): { show: Uint8Array; color: Uint8Array } | undefined {
    return this.primitive.ready ? (this.primitive.getGeometryInstanceAttributes(id) as { show: Uint8Array; color: Uint8Array } | undefined) : undefined;
  }

  peel(id: number | null): void {
    if (!this.primitive.ready) return;
    if (this.peeled !== null) {
      const a = this.attrs(this.peeled);
      if (a) a.show = ShowGeometryInstanceAttribute.toValue(true);
    }
    this.peeled = id;
    const a = id === null ? undefined : this.attrs(id);
    if (a) a.show = ShowGeometryInstanceAttribute.toValue(false);
    this.scene.requestRender();
  }

  highlight(id: number | null): void {
    if (!this.primitive.ready) return;
    if (this.highlighted !== null) {
      const a = this.attrs(this.highlighted);
      const i = this.index.get(this.highlighted);
      if (a && i !== undefined) a.color = ColorGeometryInstanceAttribute.toValue(cesiumColor(floorsColor(this.b.floors[i]!)));
    }
    this.highlighted = id;
    const a = id === null ? undefined : this.attrs(id);
    if (a) a.color = ColorGeometryInstanceAttribute.toValue(cesiumColor(SELECTED_COLOR));
    this.scene.requestRender();
  }

  buildingOf(picked: unknown): number | null {
    const p = picked as { primitive?: unknown; id?: unknown } | undefined;
    return p?.primitive === this.primitive && typeof p.id === 'number' ? p.id : null;
  }

  /** built whole at start-up from the data package: nothing streams, nothing to ask for again */
  retryFailed(): number {
    return 0;
  }

  get loadedCount(): number {
    return this.index.size;
  }

  destroy(): void {
    this.cancel();
    if (!this.primitive.isDestroyed()) this.scene.primitives.remove(this.primitive);
  }
}

/** The features of a tile's content (a glTF content has them directly; a composite, through its inner contents). */
function featuresOf(content: Cesium3DTileContent | undefined): Cesium3DTileFeature[] {
  if (!content) return [];
  const inner = (content as unknown as { innerContents?: Cesium3DTileContent[] }).innerContents;
  if (inner) return inner.flatMap(featuresOf);
  const out: Cesium3DTileFeature[] = [];
  for (let i = 0; i < content.featuresLength; i++) out.push(content.getFeature(i));
  return out;
}

/** A feature's building id (the `id` property of the tile's metadata), or null when it has none. */
const idOf = (f: Cesium3DTileFeature): number | null => buildingIdValue(f.getProperty('id'));

/**
 * The extruded buildings' shading (Cesium's czm_phong as PerInstanceColorAppearance uses it: half ambient, plus lights
 * from the eye's top and front), so the tileset looks as the extruded buildings do at any hour — Cesium's model
 * lighting follows the sun and leaves the district dark at night. Unlit model: its colour is sRGB-encoded after this
 * stage, then multiplied by the feature colour; the shade goes in as linear so that it comes out as computed.
 */
const headlightShading = () =>
  new CustomShader({
    lightingModel: LightingModel.UNLIT,
    fragmentShaderText: `
void fragmentMain(FragmentInput fsInput, inout czm_modelMaterial material) {
  vec3 n = normalize(fsInput.attributes.normalEC);
  float shade = 0.5 * (1.0 + max(n.z, 0.0) + max(n.y, 0.0));
  material.diffuse = czm_srgbToLinear(vec3(shade));
}
`,
  });

/** What of Cesium's (private) tile API the retry of failed tiles uses; checked at run time, never assumed. */
interface RetriableTile {
  readonly contentFailed?: boolean;
  /** false once Cesium knows the content is an external tileset or a subtree: unloadContent leaves those alone */
  readonly hasRenderableContent?: boolean;
  /** set while the tile is in the tileset's cache (it had loaded): resetting such a tile would corrupt the cache */
  readonly cacheNode?: unknown;
  unloadContent?: () => void;
  isDestroyed?: () => boolean;
  readonly children: readonly Cesium3DTile[];
}

/** The failed tiles under `root` (content or an external tileset that could not load). */
export function failedTiles(root: Cesium3DTile | undefined): Cesium3DTile[] {
  const out: Cesium3DTile[] = [];
  forEachTile(root, (t) => {
    if ((t as unknown as RetriableTile).contentFailed === true) out.push(t);
  });
  return out;
}

/**
 * Waits before a failed tile is asked for again, by attempt (the feed coming back asks at once and starts over). A
 * tile that keeps failing (a damaged file) is asked for this many times, then left until the connection comes back.
 */
export const TILE_RETRY_MS = [5_000, 15_000, 45_000, 120_000] as const;

/** Streamed from the district's 3D Tiles tileset; every loaded feature indexed by building id. */
export class TilesetBuildings implements DistrictBuildings {
  readonly source = 'tileset';
  readonly ready: Promise<void>;
  private tileset: Cesium3DTileset | null = null;
  /** building id → its features in the loaded tiles (a building is in one tile; kept general) */
  private readonly features = new Map<number, Set<Cesium3DTileFeature>>();
  private peeled: number | null = null;
  private highlighted: number | null = null;
  private show = true;
  private destroyed = false;
  private cancel = () => undefined as void;
  private readonly shading = headlightShading();
  /** how many times each tile has been asked for again since it last loaded (the feed coming back starts over) */
  private readonly attempts = new Map<Cesium3DTile, number>();
  private retryTimer: ReturnType<typeof setTimeout> | null = null;
  private cannotRetry = false;

  constructor(
    private readonly scene: Scene,
    url: string,
    initial: { peeled: () => number | null; selected: () => number | null },
    /** a tile that could not load: said, never only logged by Cesium */
    onTileFailed: (message: string) => void,
  ) {
    this.ready = Cesium3DTileset.fromUrl(url, {
      maximumScreenSpaceError: 4,
      // loaded while the buildings layer is off too: the view is ready (and a later toggle instant) either way
      preloadWhenHidden: true,
      // No image-based lighting from the sky: the buildings are drawn unlit (this.shading), so it changes nothing on
      // screen, and it cost a cube map of the atmosphere drawn, a read-back from the GPU (0.15-0.3 s on a software
      // renderer) and the tileset's shaders compiled again, at start-up and each time the camera moved far (issue 24)
      environmentMapOptions: { enabled: false },
    }).then((ts) => {
      if (this.destroyed) {
        ts.destroy();
        return;
      }
      this.tileset = ts;
      ts.show = this.show;
      ts.customShader = this.shading;
      ts.tileLoad.addEventListener((tile: Cesium3DTile) => {
        this.index(tile.content, true);
        // loaded: a later failure of this tile starts again from the shortest wait
        this.attempts.delete(tile);
      });
      ts.tileUnload.addEventListener((tile: Cesium3DTile) => this.index(tile.content, false));
      ts.tileFailed.addEventListener((e: { url?: string; message?: string }) => {
        onTileFailed(`${e.url ?? ''}: ${e.message ?? String(e)}`);
        // Cesium marks the tile failed and never asks for it again (only a cancelled request is retried): without
        // this, a gateway restart mid-stream left those buildings missing until the page was reloaded
        this.scheduleRetry();
      });
      // a tile whose glTF fails while it loads is said too (Cesium alone only console.logs it)
      watchTileModelErrors(ts, onTileFailed);
      let loaded = false;
      ts.initialTilesLoaded.addEventListener(() => (loaded = true));
      scene.primitives.add(ts);
      this.peeled = initial.peeled();
      this.highlighted = initial.selected();
      // initialTilesLoaded fires only once tiles were requested: with no tile in view (a camera turned away) nothing
      // is, and after a few frames with nothing pending the tileset is as loaded as it gets there
      let frames = 0;
      const drawn = whenRendered(scene, () => loaded || (++frames > 3 && ts.tilesLoaded));
      this.cancel = drawn.cancel;
      return drawn.promise;
    });
  }

  private colourOf(f: Cesium3DTileFeature, id: number): void {
    const floors = Number(f.getProperty('floors'));
    f.color = cesiumColor(id === this.highlighted ? SELECTED_COLOR : floorsColor(Number.isFinite(floors) ? floors : 1));
    f.show = id !== this.peeled;
  }

  private index(content: Cesium3DTileContent | undefined, add: boolean): void {
    for (const f of featuresOf(content)) {
      const id = idOf(f);
      if (id === null) continue;
      let set = this.features.get(id);
      if (add) {
        if (!set) this.features.set(id, (set = new Set()));
        set.add(f);
        this.colourOf(f, id);
      } else if (set) {
        set.delete(f);
        if (set.size === 0) this.features.delete(id);
      }
    }
  }

  private restyle(id: number | null): void {
    if (id === null) return;
    for (const f of this.features.get(id) ?? []) this.colourOf(f, id);
  }

  setShow(show: boolean): void {
    this.show = show;
    if (this.tileset) this.tileset.show = show;
    this.scene.requestRender();
  }

  peel(id: number | null): void {
    const was = this.peeled;
    this.peeled = id;
    this.restyle(was);
    this.restyle(id);
    this.scene.requestRender();
  }

  highlight(id: number | null): void {
    const was = this.highlighted;
    this.highlighted = id;
    this.restyle(was);
    this.restyle(id);
    this.scene.requestRender();
  }

  buildingOf(picked: unknown): number | null {
    return picked instanceof Cesium3DTileFeature && this.tileset && picked.tileset === this.tileset ? idOf(picked) : null;
  }

  get loadedCount(): number {
    return this.features.size;
  }

  /**
   * The failed tiles worth asking for again: not an external tileset or subtree that did not parse (asking again cannot
   * mend it), not a tile that failed after it had loaded (it is in Cesium's cache; unloading it under the cache breaks
   * the cache's later eviction), and not one already asked for TILE_RETRY_MS.length times since it last loaded.
   */
  private retriable(): Cesium3DTile[] {
    const ts = this.tileset;
    if (this.destroyed || !ts || ts.isDestroyed()) return [];
    for (const t of this.attempts.keys()) if ((t as unknown as RetriableTile).isDestroyed?.()) this.attempts.delete(t);
    return failedTiles(ts.root).filter((t) => {
      const tile = t as unknown as RetriableTile;
      return tile.hasRenderableContent !== false && tile.cacheNode === undefined && (this.attempts.get(t) ?? 0) < TILE_RETRY_MS.length;
    });
  }

  /** The next timed retry, after the shortest wait any failed tile is due (each tile's wait grows with its attempts). */
  private scheduleRetry(): void {
    if (this.destroyed || this.retryTimer) return;
    const due = this.retriable();
    if (!due.length) return;
    const wait = Math.min(...due.map((t) => TILE_RETRY_MS[this.attempts.get(t) ?? 0]!));
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      this.askAgain();
    }, wait);
  }

  /** Failed tiles set back to unloaded: the next frame's traversal requests those in view. */
  private askAgain(): number {
    let n = 0;
    for (const t of this.retriable()) {
      const tile = t as unknown as RetriableTile;
      if (typeof tile.unloadContent !== 'function') {
        // a Cesium whose tiles cannot be reset: said once, the rest of the view unaffected
        if (!this.cannotRetry) console.warn("failed tiles of the district's tileset cannot be asked for again with this Cesium");
        this.cannotRetry = true;
        return n;
      }
      this.attempts.set(t, (this.attempts.get(t) ?? 0) + 1);
      tile.unloadContent();
      if (tile.contentFailed !== true) n++;
    }
    if (n) this.scene.requestRender();
    return n;
  }

  retryFailed(): number {
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    this.attempts.clear();
    return this.askAgain();
  }

  destroy(): void {
    this.destroyed = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    this.attempts.clear();
    this.cancel();
    this.features.clear();
    if (this.tileset && !this.tileset.isDestroyed()) this.scene.primitives.remove(this.tileset);
    this.tileset = null;
    this.shading.destroy();
  }
}
