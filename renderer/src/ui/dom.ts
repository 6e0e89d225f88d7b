/** Tiny DOM helpers: text is always set via textContent (never innerHTML with data). */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Record<string, string | number | boolean | undefined> = {},
  ...children: Array<Node | string | null | undefined | false>
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === false) continue;
    if (k === 'class') el.className = String(v);
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children) if (c !== null && c !== undefined && c !== false) el.append(typeof c === 'string' ? document.createTextNode(c) : c);
  return el;
}

/**
 * A translated line with a data value inside it (a place or building name): the value in a span marked as data, so the
 * UI-language check knows it is the district's words, not the interface's. The line as text when the value is not in it.
 */
export function withData(line: string, data: string): Array<Node | string> {
  const i = data ? line.indexOf(data) : -1;
  return i < 0 ? [line] : [line.slice(0, i), h('span', { 'data-i18n-data': '' }, data), line.slice(i + data.length)];
}

/** A button with a click handler (attributes as for h()). */
/**
 * A folder picker (`<input webkitdirectory>`): calls `onPick` with the folder's name and its files (paths relative to
 * the folder's parent, Files read only when used), then clears the input so the same folder can be picked again.
 */
export function folderInput(
  attrs: Record<string, string | number | boolean | undefined>,
  fallbackName: string,
  onPick: (name: string, entries: Array<{ path: string; blob: Blob }>) => void,
): HTMLInputElement {
  const input = h('input', { type: 'file', webkitdirectory: true, multiple: true, ...attrs });
  input.onchange = () => {
    const files = [...(input.files ?? [])];
    input.value = '';
    if (!files.length) return;
    const name = (files[0]!.webkitRelativePath || files[0]!.name).split('/')[0] ?? fallbackName;
    onPick(
      name,
      files.map((f) => ({ path: f.webkitRelativePath || f.name, blob: f })),
    );
  };
  return input;
}

export function button(label: string, attrs: Record<string, string | number | boolean | undefined>, onClick: () => void): HTMLButtonElement {
  const b = h('button', attrs, label);
  b.onclick = onClick;
  return b;
}

/** Saves text or bytes as a file (the browser's / Electron's download). */
export function download(name: string, type: string, data: string | Blob): void {
  const url = URL.createObjectURL(typeof data === 'string' ? new Blob([data], { type }) : data);
  const a = h('a', { href: url, download: name });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
