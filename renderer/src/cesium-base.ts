// Must run before any Cesium module touches buildModuleUrl: workers and assets are served by us, next to index.html.
(window as unknown as { CESIUM_BASE_URL: string }).CESIUM_BASE_URL = new URL('./cesium/', document.baseURI).href;
