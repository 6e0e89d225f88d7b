/**
 * 2D analysis map: maplibre-gl (5.x: deck.gl's overlay is stable with it) with a style built entirely from local
 * district data — no remote tiles, glyphs or sprites — and deck.gl for the live layers.
 */
import { MapboxOverlay } from '@deck.gl/mapbox';
import maplibregl, { type StyleSpecification } from 'maplibre-gl';
import 'maplibre-gl/dist/maplibre-gl.css';
import { observable, reaction, runInAction, type IReactionDisposer } from 'mobx';
import type { BuildingGeom, Compound, DistrictMeta, GridCell, Street } from '../data/district.ts';
import { floorsColor } from '../layers/buildings/format.ts';
import { pickOwner, type LayerRenderer2D, type Loaded2D } from '../layers/registry.ts';
import type { RootStore } from '../stores/root.ts';
import type { CameraRequest, LayerId } from '../stores/ui-store.ts';
import { BASEMAP_COLORS, SURROUNDINGS_MARGIN } from './basemap-canvas.ts';
import { LABEL_FONT, screenLabelPx } from './label-font.ts';
import { tileOrEmpty, type TileSource } from '../basemap/index.ts';
import { cellRing } from '../../../data-pipelines/geo/grid-cell.ts';

/** The tile package the 2D map's "redwall-tiles://" protocol serves (one per page: the store's current package). */
let servedTiles: TileSource | null = null;
let servedSerial = 0;
let protocolAdded = false;
function ensureTileProtocol(): void {
  if (protocolAdded) return;
  protocolAdded = true;
  maplibregl.addProtocol('redwall-tiles', async (params) => {
    const m = /^redwall-tiles:\/\/(\d+)\/(\d+)\/(\d+)/.exec(params.url);
    const blob = await tileOrEmpty(m ? servedTiles : null, Number(m?.[1]), Number(m?.[2]), Number(m?.[3]));
    return { data: await blob.arrayBuffer() };
  });
}

export interface View2DInput {
  /** every live layer's 2D factory, in drawing order (registry.ts `load2dLayers`) */
  layers: readonly Loaded2D[];
  /** where to start (after a rebuild); default: district overview */
  camera?: { center: [number, number]; zoom: number; bearing: number; pitch: number };
  onContextRestored?: () => void;
  meta: DistrictMeta;
  buildings: BuildingGeom;
  streets: Street[];
  compounds: Compound[];
  grid: GridCell[];
  /** named buildings, tallest first (labelled by zoom: the tallest from afar) */
  landmarks: ReadonlyArray<{ id: number; name: string; lon: number; lat: number; floors: number }>;
}

/** Landmark label tiers: tallest from the district overview, then closer in. */
const LANDMARK_TIERS = [
  { id: 'labels-landmarks-tall', minFloors: 20, maxFloors: Infinity, minzoom: 12, size: 14 },
  { id: 'labels-landmarks-mid', minFloors: 8, maxFloors: 19, minzoom: 14, size: 13 },
  { id: 'labels-landmarks-low', minFloors: 0, maxFloors: 7, minzoom: 15.3, size: 12 },
] as const;
/** grid cell codes (WG-0404), designed size */
const GRID_LABEL_PX = 11;

type Ring = Array<[number, number]>;
const ringOf = (flat: Float64Array): Ring => {
  const out: Ring = [];
  for (let i = 0; i < flat.length; i += 2) out.push([flat[i]!, flat[i + 1]!]);
  if (out.length) out.push(out[0]!);
  return out;
};

function fc(features: GeoJSON.Feature[]): GeoJSON.FeatureCollection {
  return { type: 'FeatureCollection', features };
}

/** Maps our layer toggles to maplibre style layer ids. */
const STYLE_LAYERS: Partial<Record<LayerId, string[]>> = {
  grid: ['grid-line', 'grid-label'],
  labels: LANDMARK_TIERS.map((t) => t.id),
  compounds: ['compounds-fill', 'compounds-line'],
  buildings: ['buildings-fill'],
  streets: ['streets-line'],
};

export class View2D {
  readonly map: maplibregl.Map;
  private overlay: MapboxOverlay | null = null;
  private readonly live: Array<{ id: LayerId; r: LayerRenderer2D }> = [];
  private readonly disposers: Array<IReactionDisposer | (() => void)> = [];
  /** the map's whole zoom level, for layers drawn differently close up and far out (manholes); view state, not audited */
  private readonly zoomStep = observable.box(0);
  readonly ready: Promise<void>;

  constructor(
    container: HTMLElement,
    private readonly store: RootStore,
    private readonly input: View2DInput,
  ) {
    const { bbox } = input.meta;
    const style: StyleSpecification = {
      version: 8,
      sources: {},
      layers: [{ id: 'background', type: 'background', paint: { 'background-color': BASEMAP_COLORS.outside } }],
    };
    this.map = new maplibregl.Map({
      container,
      style,
      // the first view shows the whole district (a fixed zoom cut it off on smaller screens)
      ...(input.camera
        ? { center: input.camera.center, zoom: input.camera.zoom }
        : {
            bounds: [
              [bbox.west, bbox.south],
              [bbox.east, bbox.north],
            ] as [[number, number], [number, number]],
            fitBoundsOptions: { padding: 16 },
          }),
      bearing: input.camera?.bearing ?? 0,
      pitch: input.camera?.pitch ?? 0,
      maxBounds: [
        [bbox.west - SURROUNDINGS_MARGIN.lon, bbox.south - SURROUNDINGS_MARGIN.lat],
        [bbox.east + SURROUNDINGS_MARGIN.lon, bbox.north + SURROUNDINGS_MARGIN.lat],
      ],
      attributionControl: false,
      canvasContextAttributes: { preserveDrawingBuffer: false, antialias: true },
    });
    this.map.addControl(new maplibregl.NavigationControl({ visualizePitch: true }), 'top-right');
    this.map.addControl(new maplibregl.ScaleControl({ unit: 'metric' }), 'bottom-right');
    this.ready = new Promise((resolve, reject) => {
      // a view closed before it loaded (a lost GPU context rebuilt it): whoever waits is told, never left waiting
      this.closedEarly = () => reject(new Error('the 2D map was closed before it loaded'));
      this.map.on('load', () => {
        if (this.destroyed) return;
        this.addDistrictLayers();
        this.addLiveLayers();
        this.map.once('idle', () => resolve());
      });
    });
    // (nobody need be waiting: an early close is not an unhandled rejection)
    this.ready.catch(() => undefined);
    // labels wall-sized on the wall screen (its body class is set by the wall's own reaction: read after it, next frame)
    const resize = () => requestAnimationFrame(() => this.sizeLabels());
    addEventListener('resize', resize);
    this.disposers.push(
      () => removeEventListener('resize', resize),
      reaction(() => this.store.ui.screen, resize),
      // from construction, not from the map's load: a search result or an alarm's focus asked for while the style
      // loads is carried out (maplibre moves its camera before load; the district is drawn where it ends up)
      reaction(
        () => this.store.ui.cameraRequest,
        (req) => this.applyCameraRequest(req),
      ),
    );
    // Drawing a candidate site (planner workspace): clicks add corners, a double-click closes the outline.
    this.map.on('click', (e) => {
      if (this.store.analysis.drawing) this.store.analysis.addDrawPoint(e.lngLat.lng, e.lngLat.lat);
    });
    this.map.on('dblclick', (e) => {
      const a = this.store.analysis;
      if (!a.drawing) return;
      e.preventDefault();
      if (a.drawPoints.length >= 3) void this.store.command({ type: 'analysis', cmd: { op: 'addDrawnSite', ring: [...a.drawPoints] } });
    });
    this.map.on('click', 'buildings-fill', (e) => {
      if (this.store.analysis.drawing) return;
      const id = e.features?.[0]?.properties?.['id'];
      if (typeof id === 'number') void this.store.command({ type: 'selectBuilding', buildingId: id });
    });
  }

  private addDistrictLayers(): void {
    const { meta, buildings, streets, compounds, grid } = this.input;
    const m = this.map;
    m.addSource('ground', {
      type: 'geojson',
      data: fc([{ type: 'Feature', properties: {}, geometry: { type: 'Polygon', coordinates: [meta.boundary] } }]),
    });
    m.addLayer({ id: 'ground-fill', type: 'fill', source: 'ground', paint: { 'fill-color': BASEMAP_COLORS.ground } });
    m.addSource('grid', {
      type: 'geojson',
      data: fc(
        grid.map((g) => ({
          type: 'Feature',
          properties: { id: g.id },
          geometry: {
            type: 'Polygon',
            coordinates: [cellRing(g)],
          },
        })),
      ),
    });
    m.addLayer({ id: 'grid-line', type: 'line', source: 'grid', paint: { 'line-color': BASEMAP_COLORS.grid, 'line-width': 1 } });
    m.addSource('compounds', {
      type: 'geojson',
      data: fc(compounds.map((c) => ({ type: 'Feature', properties: { id: c.id }, geometry: { type: 'Polygon', coordinates: [ringOf(c.ring)] } }))),
    });
    m.addLayer({ id: 'compounds-fill', type: 'fill', source: 'compounds', paint: { 'fill-color': BASEMAP_COLORS.compound } });
    m.addLayer({ id: 'compounds-line', type: 'line', source: 'compounds', paint: { 'line-color': BASEMAP_COLORS.compoundEdge, 'line-width': 1 } });
    m.addSource('streets', {
      type: 'geojson',
      data: fc(
        streets.map((s) => ({
          type: 'Feature',
          properties: { routes: s.routes },
          geometry: {
            type: 'LineString',
            coordinates: [
              [s.coords[0]!, s.coords[1]!],
              [s.coords[2]!, s.coords[3]!],
            ],
          },
        })),
      ),
    });
    m.addLayer({
      id: 'streets-line',
      type: 'line',
      source: 'streets',
      layout: { 'line-cap': 'round', 'line-join': 'round' },
      paint: {
        'line-color': BASEMAP_COLORS.street,
        'line-width': [
          'interpolate',
          ['linear'],
          ['zoom'],
          12,
          ['+', 0.6, ['*', 0.08, ['min', ['get', 'routes'], 20]]],
          17,
          ['+', 4, ['*', 0.5, ['min', ['get', 'routes'], 20]]],
        ],
      },
    });
    m.addSource('buildings', {
      type: 'geojson',
      data: fc(
        Array.from(buildings.ids, (id, i) => {
          const c = floorsColor(buildings.floors[i]!);
          return {
            type: 'Feature',
            id,
            properties: { id, floors: buildings.floors[i], color: `rgb(${c[0]},${c[1]},${c[2]})` },
            geometry: { type: 'Polygon', coordinates: [ringOf(buildings.rings[i]!)] },
          };
        }),
      ),
    });
    m.addLayer({
      id: 'buildings-fill',
      type: 'fill',
      source: 'buildings',
      paint: {
        'fill-color': ['case', ['boolean', ['feature-state', 'selected'], false], '#ffd166', ['get', 'color']],
        'fill-outline-color': '#0e1a2b',
      },
    });
    this.addLabels();
    m.addSource('boundary', {
      type: 'geojson',
      data: fc([{ type: 'Feature', properties: {}, geometry: { type: 'LineString', coordinates: meta.boundary } }]),
    });
    m.addLayer({
      id: 'boundary-line',
      type: 'line',
      source: 'boundary',
      paint: { 'line-color': BASEMAP_COLORS.boundary, 'line-width': 3, 'line-dasharray': [3, 2] },
    });

    // Offline basemap tile package: drawn over our ground, under compounds, buildings and streets.
    ensureTileProtocol();
    this.disposers.push(
      reaction(
        () => this.store.imports.tiles,
        (tiles) => {
          servedTiles = tiles;
          if (m.getLayer('user-tiles')) m.removeLayer('user-tiles');
          if (m.getSource('user-tiles')) m.removeSource('user-tiles');
          if (!tiles) return;
          // the serial keeps maplibre's tile cache from mixing up two packages
          m.addSource('user-tiles', {
            type: 'raster',
            tiles: [`redwall-tiles://{z}/{x}/{y}?v=${++servedSerial}`],
            tileSize: 256,
            minzoom: tiles.minZoom,
            maxzoom: tiles.maxZoom,
            bounds: tiles.bounds,
          });
          m.addLayer({ id: 'user-tiles', type: 'raster', source: 'user-tiles', paint: { 'raster-opacity': 0.9 } }, 'grid-line');
        },
        { fireImmediately: true },
      ),
      reaction(
        () => ({ ...this.store.ui.layers }),
        (layers) => {
          for (const [id, styleIds] of Object.entries(STYLE_LAYERS)) {
            for (const s of styleIds ?? []) m.setLayoutProperty(s, 'visibility', layers[id as LayerId] ? 'visible' : 'none');
          }
        },
        { fireImmediately: true },
      ),
      reaction(
        () => this.store.ui.selectedBuildingId,
        (id, prev) => {
          if (prev !== null && prev !== undefined) m.setFeatureState({ source: 'buildings', id: prev }, { selected: false });
          if (id !== null) m.setFeatureState({ source: 'buildings', id }, { selected: true });
        },
      ),
    );
  }

  /** Names on the map: landmark buildings by zoom tier (tallest first when they collide) and grid cell codes. */
  private addLabels(): void {
    const m = this.map;
    const halo = { 'text-color': '#e8eef7', 'text-halo-color': BASEMAP_COLORS.outside, 'text-halo-width': 1.6 };
    m.addSource('landmarks', {
      type: 'geojson',
      data: fc(
        this.input.landmarks.map((l) => ({
          type: 'Feature',
          properties: { id: l.id, name: l.name, floors: l.floors },
          geometry: { type: 'Point', coordinates: [l.lon, l.lat] },
        })),
      ),
    });
    // maplibre places the top layer's labels first when they collide: the tall tier goes on top (added last)
    for (const t of [...LANDMARK_TIERS].reverse()) {
      m.addLayer({
        id: t.id,
        type: 'symbol',
        source: 'landmarks',
        minzoom: t.minzoom,
        filter: ['all', ['>=', ['get', 'floors'], t.minFloors], ['<=', ['get', 'floors'], t.maxFloors === Infinity ? 1e9 : t.maxFloors]],
        layout: {
          'text-field': ['get', 'name'],
          'text-font': [...LABEL_FONT],
          'text-size': screenLabelPx(t.size),
          'text-max-width': 8,
          'symbol-sort-key': ['-', 0, ['get', 'floors']],
          'text-padding': 4,
        },
        paint: halo,
      });
    }
    m.addSource('grid-centres', {
      type: 'geojson',
      data: fc(
        this.input.grid.map((g) => ({
          type: 'Feature',
          properties: { id: g.id },
          geometry: { type: 'Point', coordinates: [(g.west + g.east) / 2, (g.south + g.north) / 2] },
        })),
      ),
    });
    m.addLayer({
      id: 'grid-label',
      type: 'symbol',
      source: 'grid-centres',
      minzoom: 14,
      layout: { 'text-field': ['get', 'id'], 'text-font': [...LABEL_FONT], 'text-size': screenLabelPx(GRID_LABEL_PX), 'text-allow-overlap': false },
      paint: { 'text-color': 'rgba(150, 180, 220, 0.85)', 'text-halo-color': BASEMAP_COLORS.outside, 'text-halo-width': 1.2 },
    });
  }

  /**
   * Lost WebGL contexts: deck.gl (own canvas) does not rebuild its GPU state, and maplibre 5 drops the style — ours is
   * built at run time from DuckDB results, so it would not come back. When either canvas is restored, the owner
   * rebuilds the whole 2D view where the operator left it.
   */
  private watchContexts(): void {
    if (this.destroyed) return;
    for (const canvas of this.map.getContainer().querySelectorAll('canvas')) {
      const lost = (e: Event) => e.preventDefault();
      const restored = () => this.input.onContextRestored?.();
      canvas.addEventListener('webglcontextlost', lost);
      canvas.addEventListener('webglcontextrestored', restored);
      this.disposers.push(() => {
        canvas.removeEventListener('webglcontextlost', lost);
        canvas.removeEventListener('webglcontextrestored', restored);
      });
    }
  }

  /** The labels' sizes for this screen (screenLabelPx): the console's as designed, the wall's grown with its type. */
  private sizeLabels(): void {
    if (this.destroyed || !(this.map as unknown as { style: unknown }).style) return;
    const size = (id: string, designPx: number) => {
      const px = screenLabelPx(designPx);
      if (this.map.getLayer(id) && this.map.getLayoutProperty(id, 'text-size') !== px) this.map.setLayoutProperty(id, 'text-size', px);
    };
    for (const t of LANDMARK_TIERS) size(t.id, t.size);
    size('grid-label', GRID_LABEL_PX);
  }

  cameraState(): { center: [number, number]; zoom: number; bearing: number; pitch: number } {
    const c = this.map.getCenter();
    return { center: [c.lng, c.lat], zoom: this.map.getZoom(), bearing: this.map.getBearing(), pitch: this.map.getPitch() };
  }

  private createOverlay(): MapboxOverlay {
    return new MapboxOverlay({
      interleaved: false,
      layers: [],
      // a click on a live layer's object: the registry asks each layer whether it drew it (pickOwner)
      onClick: (info) => {
        if (this.store.analysis.drawing || !info.layer) return;
        const owner = pickOwner({ view: '2d', layerId: info.layer.id, object: info.object as unknown }, this.store);
        if (owner) void this.store.command(owner.command);
      },
    });
  }

  private addLiveLayers(): void {
    const step = () => Math.floor(this.map.getZoom() + 1e-9);
    runInAction(() => this.zoomStep.set(step()));
    const onZoom = () => {
      if (step() !== this.zoomStep.get()) runInAction(() => this.zoomStep.set(step()));
    };
    this.map.on('zoom', onZoom);
    this.disposers.push(() => this.map.off('zoom', onZoom));
    const ctx = { store: this.store, zoomStep: () => this.zoomStep.get() };
    for (const l of this.input.layers) this.live.push({ id: l.id, r: l.create(ctx) });
    this.overlay = this.createOverlay();
    this.map.addControl(this.overlay);
    requestAnimationFrame(() => this.watchContexts());
    this.disposers.push(
      reaction(
        () => this.live.map((l) => [l.r.revision(), this.store.ui.layers[l.id]] as const),
        () => {
          if (this.destroyed) return;
          // maplibre drops its style while the GL context is lost; the view is rebuilt on restore (see watchContexts)
          if (!(this.map as unknown as { style: unknown }).style) return;
          for (const l of this.live) l.r.setVisible(this.store.ui.layers[l.id]);
          this.overlay?.setProps({ layers: this.live.flatMap((l) => l.r.deckLayers()) });
        },
        { fireImmediately: true },
      ),
    );
  }

  /** Carries out a camera request (a search result, a focus, a preset, a restored layout) on this map. */
  applyCameraRequest(req: CameraRequest | null): void {
    if (req?.kind === 'exact' && req.camera2d) this.map.jumpTo(req.camera2d);
    if (req?.kind === 'point' && req.lon !== undefined && req.lat !== undefined)
      this.map.flyTo({
        center: [req.lon, req.lat],
        zoom: req.rangeM ? Math.max(12, Math.min(17, 16.5 - Math.log2(req.rangeM / 300))) : 16.5,
        duration: 800,
      });
    if (req?.kind === 'preset') {
      const p = this.input.meta.presets.find((x) => x.id === req.preset);
      if (p?.id === 'overview') {
        const b = this.input.meta.bbox;
        this.map.fitBounds(
          [
            [b.west, b.south],
            [b.east, b.north],
          ],
          { padding: 16, duration: 800 },
        );
      } else if (p) this.map.flyTo({ center: [p.lon, p.lat + 0.006], zoom: 15.5, duration: 800 });
    }
  }

  /**
   * The map as shown (basemap canvas + deck.gl canvas) with a title, legend and scale note, as a PNG data URL. Both
   * canvases are read in the frame they were drawn, so no preserveDrawingBuffer (and its cost) is needed.
   */
  capturePng(title: string, legend: Array<{ color: [number, number, number, number]; label: string }>, legendTitle: string): Promise<string> {
    return new Promise((resolve, reject) => {
      this.map.once('render', () => {
        try {
          const base = this.map.getCanvas();
          const out = document.createElement('canvas');
          out.width = base.width;
          out.height = base.height;
          const ctx = out.getContext('2d')!;
          ctx.drawImage(base, 0, 0);
          const deck = (this.overlay as unknown as { _deck?: { redraw(reason: string): void } } | null)?._deck;
          deck?.redraw('export');
          const deckCanvas = this.overlay?.getCanvas();
          if (deckCanvas) ctx.drawImage(deckCanvas, 0, 0, out.width, out.height);
          const k = window.devicePixelRatio || 1;
          ctx.scale(k, k);
          ctx.font = '600 16px "Noto Sans CJK SC", "WenQuanYi Micro Hei", sans-serif';
          ctx.fillStyle = 'rgba(5, 11, 20, 0.82)';
          ctx.fillRect(0, 0, base.width / k, 30);
          ctx.fillStyle = '#fff';
          ctx.fillText(title, 10, 21);
          const c = this.map.getCenter();
          const mPerPx = (40_075_016 * Math.cos((c.lat * Math.PI) / 180)) / (512 * 2 ** this.map.getZoom());
          ctx.font = '12px "Noto Sans CJK SC", "WenQuanYi Micro Hei", sans-serif';
          const lh = 17;
          const boxH = 26 + lh * legend.length + 20;
          const y0 = base.height / k - boxH - 8;
          ctx.fillStyle = 'rgba(5, 11, 20, 0.82)';
          ctx.fillRect(8, y0, 230, boxH);
          ctx.fillStyle = '#fff';
          ctx.fillText(legendTitle, 16, y0 + 18);
          legend.forEach((s, i) => {
            ctx.fillStyle = `rgba(${s.color[0]},${s.color[1]},${s.color[2]},${s.color[3] / 255})`;
            ctx.fillRect(16, y0 + 26 + i * lh, 14, 12);
            ctx.fillStyle = '#dbe7f5';
            ctx.fillText(s.label, 36, y0 + 36 + i * lh);
          });
          ctx.fillText(
            `100 px ≈ ${Math.round(mPerPx * 100)} m · WGS84 · ${new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 16).replace('T', ' ')} (UTC+8)`,
            16,
            y0 + boxH - 8,
          );
          resolve(out.toDataURL('image/png'));
        } catch (e) {
          reject(e as Error);
        }
      });
      this.map.triggerRepaint();
    });
  }

  /** Screen position of a lon/lat in CSS pixels relative to the map container (used by tests and overlays). */
  project(lon: number, lat: number): { x: number; y: number } {
    const p = this.map.project([lon, lat]);
    return { x: p.x, y: p.y };
  }

  resize(): void {
    this.map.resize();
  }

  private destroyed = false;
  private closedEarly = (): void => undefined;

  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    this.closedEarly();
    this.disposers.forEach((d) => d());
    this.live.forEach((l) => l.r.destroy());
    if (this.overlay) {
      this.map.removeControl(this.overlay);
      this.overlay.finalize();
    }
    this.map.remove();
  }
}
