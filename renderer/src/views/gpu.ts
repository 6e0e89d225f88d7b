/**
 * Whether WebGL draws on the CPU (Mesa llvmpipe/softpipe, SwiftShader, a "software" adapter): there a frame takes
 * 0.2 s and more, and per-frame budgets sized for a GPU's 16 ms frames are too small (issue 24).
 */
export function isSoftwareRendererName(name: string): boolean {
  return /llvmpipe|softpipe|swiftshader|software|lavapipe/i.test(name);
}

/** The adapter's name (unmasked where the browser tells it), or '' when it says nothing. */
export function rendererName(gl: WebGLRenderingContext | WebGL2RenderingContext): string {
  const info = gl.getExtension('WEBGL_debug_renderer_info');
  const name: unknown = gl.getParameter(info ? info.UNMASKED_RENDERER_WEBGL : gl.RENDERER);
  return typeof name === 'string' ? name : '';
}
