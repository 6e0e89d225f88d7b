/**
 * 3D district view (CesiumJS engine, no widgets/knockout): fully offline — no ion, no remote imagery or terrain.
 * Ground = bundled NaturalEarthII (context when zoomed out) + our own district basemap; buildings extruded from
 * DuckDB results as one Primitive, or streamed from the district's 3D Tiles tileset (district-buildings.ts); live
 * layers from the registry. Renders on demand (requestRenderMode).
 */
import {
  Cartesian2,
  Cartesian3,
  CesiumWidget,
  Color,
  CreditDisplay,
  DistanceDisplayCondition,
  Label,
  LabelCollection,
  LabelStyle,
  PointPrimitiveCollection,
  VerticalOrigin,
  ImageryLayer,
  Ion,
  Math as CMath,
  Rectangle,
  UrlTemplateImageryProvider,
  WebMercatorTilingScheme,
  ScreenSpaceEventHandler,
  SceneTransforms,
  ScreenSpaceEventType,
  type Scene,
} from '@cesium/engine';
import '@cesium/engine/Source/Widget/CesiumWidget.css';
import { reaction, type IReactionDisposer } from 'mobx';
import { tileOrEmpty, type TileSource } from '../basemap/index.ts';
import { ModelTilesets } from './model-tilesets.ts';
import { CanvasTileProvider } from './canvas-tiles.ts';
import { FlatTerrainProvider } from './flat-terrain.ts';
import { NaturalEarthProvider } from './natural-earth.ts';
import { isSoftwareRendererName, rendererName } from './gpu.ts';
import { phase, whenPhase } from '../perf/startup.ts';
import type { BuildingGeom, DistrictMeta } from '../data/district.ts';
import { GeometryBuildings, TilesetBuildings, type DistrictBuildings } from './district-buildings.ts';
import type { BuildingsSource } from '../layers/buildings/format.ts';
import { LIVE_LAYERS, pickOwner, type LayerRenderer } from '../layers/registry.ts';
import { DEPTH_TESTED } from '../layers/shared/depth.ts';
import { M_PER_DEG_LAT } from '../../../data-pipelines/geo/measure.ts';
import type { RootStore } from '../stores/root.ts';
import type { CameraState } from '../types/camera.ts';
import { labelCss, screenLabelPx } from './label-font.ts';

export interface View3DInput {
  meta: DistrictMeta;
  buildings: BuildingGeom;
  basemap: HTMLCanvasElement;
  /** the ground around the district (dark, with the streets that run on beyond it) */
  surroundings: { canvas: HTMLCanvasElement; west: number; south: number; east: number; north: number };
  /** named buildings, tallest first: labelled on their roofs */
  landmarks: ReadonlyArray<{ id: number; name: string; lon: number; lat: number; floors: number }>;
  /**
   * the district's buildings from its 3D Tiles tileset (this URL) instead of extruding the footprints at start-up
   * (`?buildings=tileset`, issue 25); a tileset that cannot load falls back to the footprints, with a warning
   */
  buildingsTileset?: string;
  /** camera to start from (when rebuilt after a lost WebGL context) instead of the overview preset */
  camera?: CameraState;
  /** the GPU context came back after a loss: the owner rebuilds the view (Cesium cannot restore in place) */
  onContextRestored?: () => void;
}

/**
 * Imagery from a user's offline tile package (folder, MBTiles, PMTiles): UrlTemplateImageryProvider with the fetch
 * replaced by the source's get() (XYZ on the WebMercator grid); missing or unreadable tiles are transparent.
 */
class PackageTileProvider extends UrlTemplateImageryProvider {
  constructor(
    private readonly tiles: TileSource,
    rectangle: Rectangle,
  ) {
    super({ url: 'redwall-tiles://{z}/{x}/{y}', minimumLevel: 0, maximumLevel: tiles.maxZoom, rectangle, tilingScheme: new WebMercatorTilingScheme() });
  }
  override async requestImage(x: number, y: number, level: number): Promise<ImageBitmap> {
    const blob = await tileOrEmpty(this.tiles, level, x, y);
    // bytes that are no image (a damaged package) draw as a missing tile
    return createImageBitmap(blob).catch(() => tileOrEmpty(null, level, x, y).then((b) => createImageBitmap(b)));
  }
}

/** Time each frame gives to loading globe tiles on a software renderer (Cesium's default: 5 ms). */
const SOFTWARE_GLOBE_LOAD_SLICE_MS = 50;
/** The same until the first view's ground is drawn (start-up: 13 frames instead of 22 in the start-up probe). */
const SOFTWARE_STARTUP_GLOBE_LOAD_SLICE_MS = 200;

/** Cesium's globe defaults come back this long after the first view's ground at the latest (buildings not yet drawn). */
const DEFAULTS_BACK_AT_LATEST_MS = 20_000;

/** Frames asked for while the ground's tiles load (the start-up "map" mark, nextFrame()), then no more. */
const MAX_WAIT_FRAMES = 600;

/**
 * Brightness and saturation a hair below 1 (no visible change: under a thousandth of one 8-bit step) for our own
 * imagery layers: the globe then draws every tile with the brightness/saturation shader that the Natural Earth layer
 * needs anyway; without, a tile drawn before Natural Earth's image arrived compiled a globe shader of its own (0.3-1.3 s
 * each on a software renderer, issue 24).
 */
const SAME_SHADER = { brightness: 1 - 1e-6, saturation: 1 - 1e-6 } as const;

export class View3D {
  readonly widget: CesiumWidget;
  private readonly handler: ScreenSpaceEventHandler;
  private readonly disposers: Array<IReactionDisposer | (() => void)> = [];
  private readonly live: Array<{ id: string; r: LayerRenderer }> = [];
  private buildings: DistrictBuildings;
  /** the user's own 3D Tiles models */
  private readonly models: ModelTilesets;
  /** Sets the time each frame gives to loading globe tiles (on a software renderer; a GPU keeps Cesium's). */
  private readonly loadSlice: (ms: number) => void;
  /** resolves once buildings geometry is built and the first frame with them has rendered */
  readonly ready: Promise<void>;

  constructor(
    container: HTMLElement,
    private readonly store: RootStore,
    private readonly input: View3DInput,
  ) {
    Ion.defaultAccessToken = '';
    // no "Cesium ion" logo: ion is never used (offline); the data credits (basemap) still show
    (CreditDisplay as unknown as { cesiumCredit: unknown }).cesiumCredit = undefined;
    this.widget = new CesiumWidget(container, {
      baseLayer: false,
      terrainProvider: new FlatTerrainProvider(),
      requestRenderMode: true,
      maximumRenderTimeChange: Infinity,
      scene3DOnly: true,
      skyBox: false,
      msaaSamples: 1,
      // no order-independent translucency: its framebuffer check stalls the first frame for seconds on a software
      // renderer (issue 24's start-up profile); our few translucent primitives (zones, sheets) sort back to front
      orderIndependentTranslucency: false,
      useBrowserRecommendedResolution: true,
      // we report render errors ourselves (below): a frame drawn into a just-lost context is expected, not a bug
      showRenderLoopErrors: false,
    });
    const scene = this.widget.scene;
    stopCameraDrift(this.widget);
    // the scene's WebGL context (Cesium keeps it private; one for the view's life, lost or not)
    const gl = (scene as unknown as { context: { _gl: WebGLRenderingContext } }).context._gl;
    scene.renderError.addEventListener((_scene: unknown, error: unknown) => {
      if (gl.isContextLost()) {
        this.contextLost = true; // the loop has stopped; the owner rebuilds on 'webglcontextrestored'
        return;
      }
      console.error('3D view stopped rendering:', error);
      this.renderFailed = true;
    });
    scene.backgroundColor = Color.fromCssColorString('#050b14');
    scene.globe.baseColor = Color.fromCssColorString('#0a1220');
    scene.globe.enableLighting = false;
    scene.globe.showGroundAtmosphere = false;
    scene.fog.enabled = true;
    // fog still culls the far globe tiles but is not drawn: drawn, it is decided per tile (by distance), so near and
    // far tiles each compiled their own set of globe shaders, 0.3-0.8 s apiece on a software renderer (issue 24)
    scene.fog.renderable = false;
    // Cesium gives loading globe tiles 5 ms of each frame, sized for a GPU's 16 ms frames; a frame on a software
    // renderer takes 0.2-0.3 s, so there the district's ground took ~100 frames and 20 s to load (its imagery is cut
    // into tiles, canvas-tiles.ts). There it gets 50 ms, a fifth of such a frame, and 200 ms until the first view's
    // ground is drawn (addImagery): fewer frames of start-up at one frame's cost each. A GPU keeps Cesium's 5 ms.
    // (a private field of Cesium 1.145's globe surface, set only where it exists)
    const software = isSoftwareRendererName(rendererName(gl));
    const surface = (scene.globe as unknown as { _surface?: { _loadQueueTimeSlice?: number } })._surface;
    this.loadSlice = (ms) => {
      if (surface && typeof surface._loadQueueTimeSlice === 'number' && software) surface._loadQueueTimeSlice = ms;
    };
    this.loadSlice(SOFTWARE_GLOBE_LOAD_SLICE_MS);
    // The sky's atmosphere is one 131,072-triangle ellipsoid drawn in every frame, seen or not: on a software renderer
    // it was the costliest draw of a frame (60-75 ms of ~270 ms, timed per draw here; issue 24), for a glow that shows
    // only when the camera is tilted up to the horizon. Not drawn there; a GPU draws it in well under a millisecond.
    if (software && scene.skyAtmosphere) scene.skyAtmosphere.show = false;
    scene.screenSpaceCameraController.minimumZoomDistance = 40;
    scene.screenSpaceCameraController.maximumZoomDistance = 80_000;
    // Cesium's default credit shows the Cesium logo from local Assets; data credits live in our About panel.

    this.addImagery();
    this.buildings = this.addBuildings();
    this.ready = this.buildings.ready.catch((e: unknown) => {
      if (this.destroyed) return; // a view rebuilt (lost GPU context) while the tileset was loading: nothing to fall back on
      // the tileset cannot load (missing, damaged): the footprints are extruded instead, and the reason is said
      console.warn(
        `the district's 3D Tiles tileset did not load (${e instanceof Error ? e.message : String(e)}): buildings extruded from the footprints instead`,
      );
      this.buildings.destroy();
      this.buildings = new GeometryBuildings(scene, input.buildings, this.asked());
      this.buildings.setShow(store.ui.layers.buildings);
      return this.buildings.ready;
    });
    this.addLabels();
    for (const def of LIVE_LAYERS) {
      if (def.create3d) this.live.push({ id: def.id, r: def.create3d({ scene, store }) });
    }
    this.models = new ModelTilesets(scene, store.models, input.meta.center, (lon, lat, rangeM) => this.flyToPoint(lon, lat, rangeM));

    this.handler = new ScreenSpaceEventHandler(scene.canvas);
    this.handler.setInputAction((e: { position: Cartesian2 }) => this.pick(e.position), ScreenSpaceEventType.LEFT_CLICK);

    this.disposers.push(
      reaction(
        () => this.store.ui.cameraRequest,
        (req) => {
          if (!req) return;
          if (req.kind === 'exact') {
            if (req.camera3d) this.setCamera(req.camera3d);
            return;
          }
          if (req.kind === 'preset') this.flyToPreset(req.preset ?? 'overview');
          else if (req.lon !== undefined && req.lat !== undefined) this.flyToPoint(req.lon, req.lat, req.rangeM);
        },
      ),
      reaction(
        () => this.store.ui.selectedBuildingId,
        (id) => this.buildings.highlight(id),
      ),
      reaction(
        () => this.store.imports.tiles,
        (tiles) => this.showTiles(tiles),
        { fireImmediately: true },
      ),
      reaction(
        () => this.store.ui.explodedBuildingId,
        (id) => this.buildings.peel(id),
      ),
      reaction(
        () => this.store.ui.layers.labels,
        (v) => {
          if (this.labels) this.labels.show = v;
          scene.requestRender();
        },
        { fireImmediately: true },
      ),
      reaction(
        () => this.store.ui.layers.buildings,
        (v) => {
          this.buildings.setShow(v);
        },
      ),
      // the feed connection back (a gateway restarted): tiles its outage cut off are asked for again at once
      reaction(
        () => this.store.feed.status === 'live',
        (live, was) => {
          if (live && !was) this.buildings.retryFailed();
        },
      ),
      reaction(
        () => LIVE_LAYERS.map((d) => this.store.ui.layers[d.id]),
        (vis) => {
          LIVE_LAYERS.forEach((d, i) => this.live.find((l) => l.id === d.id)?.r.setVisible(vis[i] ?? true));
          scene.requestRender();
        },
        { fireImmediately: true },
      ),
    );
    if (input.camera) this.setCamera(input.camera);
    else this.flyToPreset('overview', 0);

    // WebGL context loss (driver reset, GPU pressure on a video wall): allow restoration, then let the owner rebuild.
    const canvas = scene.canvas;
    const lost = (e: Event) => {
      e.preventDefault();
      this.contextLost = true;
      // rendering into a lost context (0x0 drawing buffer) throws: stop until the owner rebuilds us
      this.widget.useDefaultRenderLoop = false;
    };
    const restored = () => input.onContextRestored?.();
    canvas.addEventListener('webglcontextlost', lost);
    canvas.addEventListener('webglcontextrestored', restored);
    this.disposers.push(() => {
      canvas.removeEventListener('webglcontextlost', lost);
      canvas.removeEventListener('webglcontextrestored', restored);
    });
  }

  contextLost = false;
  renderFailed = false;
  private labels: LabelCollection | null = null;
  /**
   * Per landmark (same order as input.landmarks): where its name goes, farthest camera distance it shows at, font size
   * (px), name length (chars), and its label once it has been shown. A label is made on its first showing, not all
   * 800 at start: Cesium rasterises every label's glyphs (SDF) in the first frame, seconds on a software renderer
   * (issue 24's start-up profile), though only the few dozen near the camera are ever on screen together.
   */
  private labelMeta: Array<{ id: number; name: string; position: Cartesian3; far: number; designPx: number; px: number; chars: number; label?: Label }> = [];

  /**
   * Landmark names on their roofs, decluttered: tallest first, a label shows only within its tier's distance and only
   * where it does not overlap a taller building's label on screen (recomputed when the camera stops); buildings in
   * front hide the labels behind them (depth test).
   */
  private addLabels(): void {
    const heights = this.store.entities.buildingHeights;
    for (const l of this.input.landmarks.slice(0, 800)) {
      const top = heights.get(l.id) ?? l.floors * this.input.meta.metresPerFloor;
      const far = l.floors >= 30 ? 8_000 : l.floors >= 20 ? 4_000 : l.floors >= 8 ? 2_000 : 900;
      const designPx = l.floors >= 20 ? 16 : 14;
      const position = Cartesian3.fromDegrees(l.lon, l.lat, top + 4);
      this.labelMeta.push({ id: l.id, name: l.name, position, far, designPx, px: screenLabelPx(designPx), chars: [...l.name].length });
    }
    this.labels = this.widget.scene.primitives.add(new LabelCollection({ scene: this.widget.scene })) as LabelCollection;
    const camera = this.widget.scene.camera;
    // Not before the district is drawn: the camera's first stop (the overview preset, in the first frame) made the
    // labels in view then, and their glyphs were drawn in the frames that load the ground (0.2-0.3 s, issue 24)
    let placing = false;
    const declutter = () => {
      if (placing) this.declutter();
    };
    camera.moveEnd.addEventListener(declutter);
    this.disposers.push(() => camera.moveEnd.removeEventListener(declutter));
    // wall-sized on the wall screen (its body class is set by the wall's own reaction: read after it, next frame)
    const resize = () =>
      requestAnimationFrame(() => {
        if (this.sizeLabels()) declutter();
      });
    addEventListener('resize', resize);
    this.disposers.push(
      () => removeEventListener('resize', resize),
      reaction(() => this.store.ui.screen, resize),
    );
    // the first placement: once the buildings are drawn (their heights place the labels), in a task of its own; at
    // the latest when Cesium's globe defaults come back (a tileset that never finishes does not keep the names away)
    const first = () => {
      if (placing) return;
      placing = true;
      clearTimeout(timer);
      setTimeout(() => this.declutter(), 0);
    };
    const timer = setTimeout(first, DEFAULTS_BACK_AT_LATEST_MS);
    this.disposers.push(() => clearTimeout(timer));
    void this.ready.then(first, first);
  }

  /** Sets each label's font for this screen (labelPx); true when any changed. */
  private sizeLabels(): boolean {
    const labels = this.labels;
    if (!labels || this.widget.isDestroyed()) return false;
    let changed = false;
    const sizes = new Map<number, number>(); // two design sizes: the page's style is read once for each
    for (const m of this.labelMeta) {
      let px = sizes.get(m.designPx);
      if (px === undefined) sizes.set(m.designPx, (px = screenLabelPx(m.designPx)));
      if (px === m.px) continue;
      m.px = px;
      if (m.label) m.label.font = labelCss(px);
      changed = true;
    }
    return changed;
  }

  /** The landmark's label, made on its first showing (labelMeta). */
  private landmarkLabel(labels: LabelCollection, m: (typeof this.labelMeta)[number]): Label {
    m.label ??= labels.add({
      position: m.position,
      text: m.name,
      font: labelCss(m.px),
      fillColor: Color.fromCssColorString('#f1f5fb'),
      outlineColor: Color.fromCssColorString('#0a1220'),
      outlineWidth: 3,
      style: LabelStyle.FILL_AND_OUTLINE,
      verticalOrigin: VerticalOrigin.BOTTOM,
      distanceDisplayCondition: new DistanceDisplayCondition(0, m.far),
      id: { kind: 'landmark', buildingId: m.id },
      show: false,
    });
    return m.label;
  }

  /** Shows the labels that fit: within their distance, on screen, not overlapping a taller building's label. */
  private declutter(): void {
    const labels = this.labels;
    if (!labels || this.widget.isDestroyed()) return;
    const scene = this.widget.scene;
    const cam = scene.camera.positionWC;
    const taken: Array<[number, number, number, number]> = [];
    const w = scene.canvas.clientWidth;
    const hgt = scene.canvas.clientHeight;
    for (const m of this.labelMeta) {
      let show = Cartesian3.distance(cam, m.position) <= m.far;
      const p = show ? SceneTransforms.worldToWindowCoordinates(scene, m.position) : undefined;
      if (!p || p.x < 0 || p.y < 0 || p.x > w || p.y > hgt) show = false;
      if (show && p) {
        // CJK glyphs are about one em wide; Latin about half: a slightly generous box
        const half = (m.px * m.chars * 0.9) / 2 + 4;
        const box: [number, number, number, number] = [p.x - half, p.y - m.px * 1.4, p.x + half, p.y + 2];
        if (taken.some((b) => box[0] < b[2] && box[2] > b[0] && box[1] < b[3] && box[3] > b[1])) show = false;
        else taken.push(box);
      }
      if (show) this.landmarkLabel(labels, m).show = true;
      else if (m.label) m.label.show = false;
    }
    scene.requestRender();
  }

  /** The 3D view as a PNG data URL, read in the frame it was drawn (no preserveDrawingBuffer). */
  capturePng(): Promise<string> {
    const scene = this.widget.scene;
    return new Promise((resolve, reject) => {
      const off = scene.postRender.addEventListener(() => {
        off();
        try {
          resolve(scene.canvas.toDataURL('image/png'));
        } catch (e) {
          reject(e as Error);
        }
      });
      scene.requestRender();
    });
  }

  setCamera(c: CameraState): void {
    this.widget.camera.setView({ destination: new Cartesian3(...c.position), orientation: { heading: c.heading, pitch: c.pitch, roll: 0 } });
    this.widget.scene.requestRender();
  }

  private userTiles: ImageryLayer | null = null;

  /** Offline basemap tile package as an imagery layer over our own basemap (WebMercator XYZ, read from the files). */
  private showTiles(tiles: TileSource | null): void {
    const layers = this.widget.scene.imageryLayers;
    if (this.userTiles) layers.remove(this.userTiles, true);
    this.userTiles = null;
    if (!tiles) return this.widget.scene.requestRender();
    const [w, s, e, n] = tiles.bounds;
    const provider = new PackageTileProvider(tiles, Rectangle.fromDegrees(w, s, e, n));
    this.userTiles = layers.addImageryProvider(provider);
    this.widget.scene.requestRender();
  }

  /** The user's 3D models: tiles loaded and memory held (the city-scale benchmark reads it). */
  modelStats(): Array<{ id: string; tilesLoaded: number; memoryBytes: number }> {
    return this.models.stats();
  }

  cameraState(): CameraState {
    const c = this.widget.camera;
    return { position: [c.position.x, c.position.y, c.position.z], heading: c.heading, pitch: c.pitch };
  }

  get scene(): Scene {
    return this.widget.scene;
  }

  /**
   * One fully transparent 1-px point in front of the camera, added once the map is drawn and kept for the view's
   * life: its collection compiles the point shader that alarm points use (depth-tested or on top of buildings:
   * DEPTH_TESTED) in the next frame, and holds it in Cesium's shader cache. Without it nothing draws that shader until
   * the first alarm after start-up, whose frame then links two programs (0.6 s and more on a software renderer,
   * issue 24) before the next alarm is handled.
   * Transparent fragments are discarded in both passes, picking included: nothing is seen or clicked.
   */
  private warmAlarmShaders(): void {
    const warm = new PointPrimitiveCollection();
    // 100 m in front of the camera: in sight wherever the camera is (a restored view may not show the district), so it
    // is drawn, and its shader linked, in the next frame; where it stays after that does not matter
    const { camera } = this.widget.scene;
    const position = Cartesian3.add(camera.positionWC, Cartesian3.multiplyByScalar(camera.directionWC, 100, new Cartesian3()), new Cartesian3());
    warm.add({ position, color: new Color(0, 0, 0, 0), pixelSize: 1, disableDepthTestDistance: DEPTH_TESTED });
    this.widget.scene.primitives.add(warm);
    this.widget.scene.requestRender();
  }

  private addImagery(): void {
    const scene = this.widget.scene;
    // far away: Cesium's bundled Natural Earth (local files), dark and nearly grey so it reads as night ground, not olive
    // (views/natural-earth.ts: loaded during start-up, outside Cesium's request scheduler, so the globe's first tiles
    // do not wait for the district's 3D Tiles; made here rather than from its tilemapresource.xml: ready at once)
    scene.imageryLayers.add(new ImageryLayer(new NaturalEarthProvider(), { brightness: 0.18, saturation: 0.15 }));
    // around the district: our own dark ground with the streets running on
    const sur = this.input.surroundings;
    scene.imageryLayers.add(new ImageryLayer(new CanvasTileProvider(sur.canvas, sur, 'coarse'), SAME_SHADER));
    scene.imageryLayers.add(new ImageryLayer(new CanvasTileProvider(this.input.basemap, this.input.meta.bbox), SAME_SHADER));
    // start-up timeline: the first frame drawn with the district's own ground (its globe tiles loaded)
    // (frames are asked for while they load, not forever; a later frame that finds them loaded still marks it)
    // Until then the globe loads only the tiles this first view shows: none of their ancestors (preloaded by default so
    // that zooming out finds them), and all of them at once rather than a coarser tile first when more than 20 are
    // missing. On a software renderer each of those detours cost frames of 0.2-0.5 s before the district's ground
    // showed (issue 24). Cesium's defaults come back once start-up is over (the buildings drawn and DuckDB loaded, which
    // starts after the map), or 20 s after the ground at the latest: the ancestors' tiles (28 here) took 16 frames of
    // 0.3 s, and those frames took the cores DuckDB's start needed (ready 10.8 s instead of 8.7).
    const globe = scene.globe;
    const defaults = { preloadAncestors: globe.preloadAncestors, loadingDescendantLimit: globe.loadingDescendantLimit };
    globe.preloadAncestors = false;
    globe.loadingDescendantLimit = Number.MAX_SAFE_INTEGER;
    this.loadSlice(SOFTWARE_STARTUP_GLOBE_LOAD_SLICE_MS);
    let once = false;
    const settled = (): void => {
      if (once) return;
      once = true;
      this.loadSlice(SOFTWARE_GLOBE_LOAD_SLICE_MS);
      // (a start that never gets ready — a tileset whose tile hangs — does not keep Cesium's defaults away for good)
      void Promise.race([whenPhase('ready'), new Promise((r) => setTimeout(r, DEFAULTS_BACK_AT_LATEST_MS))]).then(() => {
        if (!this.destroyed) Object.assign(globe, defaults);
      });
    };
    let frames = 0;
    const off = scene.postRender.addEventListener(() => {
      if (!scene.globe.tilesLoaded) {
        if (++frames < MAX_WAIT_FRAMES) scene.requestRender();
        else settled();
        return;
      }
      off();
      settled();
      phase('map');
      // after the start-up frames, not among them: start-up does not wait for it, the first alarm does not either
      this.warmAlarmShaders();
    });
    scene.requestRender();
  }

  /** What was asked of the buildings before they were drawn (applied once they are). */
  private asked() {
    return { peeled: () => this.store.ui.explodedBuildingId, selected: () => this.store.ui.selectedBuildingId };
  }

  private addBuildings(): DistrictBuildings {
    const url = this.input.buildingsTileset;
    const b = url
      ? new TilesetBuildings(this.widget.scene, url, this.asked(), (message) => console.warn(`a tile of the district's tileset did not load: ${message}`))
      : new GeometryBuildings(this.widget.scene, this.input.buildings, this.asked());
    b.setShow(this.store.ui.layers.buildings);
    return b;
  }

  /** Where the buildings come from now ('tileset' falls back to 'geometry' when the tileset cannot load). */
  get buildingsSource(): BuildingsSource {
    return this.buildings.source;
  }

  /** Buildings drawn now (from a tileset: those in its loaded tiles; a tile that failed leaves its buildings out). */
  get buildingsLoaded(): number {
    return this.buildings.loadedCount;
  }

  private pick(pos: Cartesian2): void {
    const picked = this.widget.scene.pick(pos) as { primitive?: unknown; collection?: unknown; id?: unknown } | undefined;
    // a feature of the user's own 3D model: its properties from the tile's metadata
    const feature = this.models.featureOf(picked);
    this.store.models.pick(feature);
    if (feature) return;
    const building = this.buildings.buildingOf(picked);
    if (building !== null) {
      void this.store.command({ type: 'selectBuilding', buildingId: building });
      return;
    }
    // a landmark's name selects its building
    const lm = picked?.primitive === this.labels || picked?.collection === this.labels ? (picked?.id as { buildingId?: unknown } | undefined) : undefined;
    if (lm && typeof lm.buildingId === 'number') {
      void this.store.command({ type: 'selectBuilding', buildingId: lm.buildingId });
      return;
    }
    // a live layer's object: the registry asks each layer whether it drew it (pickOwner); anything else deselects
    const owner = picked && typeof picked.id === 'string' ? pickOwner({ view: '3d', id: picked.id }, this.store) : null;
    void this.store.command(owner ? owner.command : { type: 'selectBuilding', buildingId: null });
  }

  flyToPreset(id: string, duration = 1.5): void {
    const p = this.input.meta.presets.find((x) => x.id === id) ?? this.input.meta.presets[0];
    if (!p) return;
    this.widget.camera.flyTo({
      destination: Cartesian3.fromDegrees(p.lon, p.lat, p.height),
      orientation: { heading: CMath.toRadians(p.heading), pitch: CMath.toRadians(p.pitch), roll: 0 },
      duration,
    });
    this.widget.scene.requestRender();
  }

  private flyToPoint(lon: number, lat: number, rangeM = 600): void {
    // Stand off to the south, looking north-down (45°) at the point from `rangeM` away.
    const d = rangeM / Math.SQRT2;
    this.widget.camera.flyTo({
      destination: Cartesian3.fromDegrees(lon, lat - d / M_PER_DEG_LAT, d),
      orientation: { heading: 0, pitch: CMath.toRadians(-45), roll: 0 },
      duration: 1.2,
    });
    this.widget.scene.requestRender();
  }

  /** Window position (CSS px, relative to the canvas) of a point, or null when it is behind the globe/off screen. */
  project(lon: number, lat: number, height = 1.5): { x: number; y: number } | null {
    const p = SceneTransforms.worldToWindowCoordinates(this.widget.scene, Cartesian3.fromDegrees(lon, lat, height));
    return p ? { x: p.x, y: p.y } : null;
  }

  /**
   * Resolves after the next rendered frame in which the ground's tiles are all loaded (render-on-demand makes "has it
   * drawn yet" explicit; the ground is imagery tiles that arrive over several frames). Frames are asked for while the
   * tiles load, at most MAX_WAIT_FRAMES of them: a view that never settles (a camera in flight) still resolves.
   */
  nextFrame(): Promise<void> {
    const scene = this.widget.scene;
    return new Promise((resolve) => {
      let frames = 0;
      const off = scene.postRender.addEventListener(() => {
        if (!scene.globe.tilesLoaded && ++frames < MAX_WAIT_FRAMES) return scene.requestRender();
        off();
        resolve();
      });
      scene.requestRender();
    });
  }

  /** Hidden views must not render (a 0x0 canvas makes Cesium throw): pause the render loop while hidden. */
  setActive(active: boolean): void {
    if (this.widget.isDestroyed() || this.contextLost) return;
    this.widget.useDefaultRenderLoop = active;
    if (active) this.resize();
  }

  resize(): void {
    this.widget.resize();
    this.widget.scene.requestRender();
  }

  private destroyed = false;

  destroy(): void {
    this.destroyed = true;
    this.disposers.forEach((d) => d());
    this.live.forEach((l) => l.r.destroy());
    this.models.destroy();
    this.buildings.destroy();
    this.handler.destroy();
    if (!this.widget.isDestroyed()) this.widget.destroy();
  }
}

/**
 * The view idles when nothing changes (issue 24). CesiumWidget (1.145) makes a default entity data source whose
 * clustering listens to `camera.changed`. While anything listens, Cesium reads the camera's heading, pitch and roll
 * before every frame, and each read moves the camera's up vector by a rounding error (~1e-16: the getters turn the
 * camera into the local frame and back). Render-on-demand compares the camera at 1e-15, so the drift counted as a
 * camera move: a full frame was drawn 3-4 times a second for ever, with nothing on screen changing. On a software
 * renderer that kept a core busy (the GPU process), and it took that core from everything else: DuckDB's start, the
 * page's own work. RedWall draws no entities, so the clustering's listener is taken away.
 * Returns whether there was one to take away (Cesium keeps it private: a later Cesium may not have it).
 */
export function stopCameraDrift(widget: CesiumWidget): boolean {
  const clustering = widget.dataSourceDisplay.defaultDataSource.clustering as unknown as { _removeEventListener?: () => void };
  if (typeof clustering._removeEventListener !== 'function') return false;
  clustering._removeEventListener();
  clustering._removeEventListener = undefined;
  return true;
}
