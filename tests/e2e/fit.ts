/**
 * The layout checker of the screen-size test (runs in the page via page.evaluate; no imports, no closures).
 * Walks every visible text node and reports:
 * - clipped: the text runs past (or lies wholly beyond) an ancestor that clips without scrolling (overflow
 *   hidden/clip), including text cut to an ellipsis and a line cut in half at a list's edge; a wall list hides the rows
 *   that do not fit whole (hidden rows are not visible text). A row scrolled out of a scrolling list is fine;
 * - spill: the text runs out of the box it is drawn on (the nearest ancestor with a background or a border);
 * - offscreen: the text leaves the viewport;
 * - small: the text is smaller than minPx (given for the wall screens only).
 */
export interface FitProblem {
  kind: 'clipped' | 'spill' | 'offscreen' | 'small';
  text: string;
  where: string;
  detail: string;
}

export function findFitProblems(minPx: number): FitProblem[] {
  const out: FitProblem[] = [];
  const TOL = 1.5;
  const describe = (el: Element): string => {
    const parts: string[] = [];
    for (let e: Element | null = el; e && e !== document.body && parts.length < 4; e = e.parentElement) {
      const tid = e.getAttribute('data-testid');
      const cls = typeof e.className === 'string' && e.className ? `.${e.className.trim().split(/\s+/).join('.')}` : '';
      parts.unshift(`${e.tagName.toLowerCase()}${e.id ? `#${e.id}` : ''}${tid ? `[${tid}]` : ''}${cls}`);
    }
    return parts.join(' > ');
  };
  const painted = (el: Element): boolean => {
    const cs = getComputedStyle(el);
    const bg = cs.backgroundColor;
    const hasBg = !!bg && bg !== 'transparent' && !/rgba\([^)]*,\s*0\)$/.test(bg);
    const hasBorder =
      ['Top', 'Right', 'Bottom', 'Left'].filter(
        (s) => parseFloat(cs.getPropertyValue(`border-${s.toLowerCase()}-width`)) > 0 && cs.getPropertyValue(`border-${s.toLowerCase()}-style`) !== 'none',
      ).length >= 3;
    return hasBg || hasBorder || cs.backgroundImage !== 'none';
  };
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const vw = window.innerWidth;
  const vh = window.innerHeight;
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    const text = (n.textContent ?? '').trim();
    if (!text) continue;
    const el = n.parentElement;
    if (!el || ['SCRIPT', 'STYLE', 'NOSCRIPT', 'TEMPLATE', 'OPTION'].includes(el.tagName)) continue;
    if (!el.checkVisibility({ checkOpacity: true, checkVisibilityCSS: true })) continue;
    if (el.closest('[aria-hidden=true], .sr-only')) continue;
    const range = document.createRange();
    range.selectNodeContents(n);
    const r = range.getBoundingClientRect();
    if (r.width < 1 || r.height < 1) continue;
    const short = text.length > 40 ? `${text.slice(0, 40)}…` : text;
    // a row of a scrolling list, scrolled (part) out of view: the list scrolls, not a layout fault
    let scrolledAway = false;
    let problem: FitProblem | null = null;
    const clipped = (detail: string): FitProblem => ({ kind: 'clipped', text: short, where: describe(el), detail });
    for (let a: Element | null = el; a && a !== document.documentElement; a = a.parentElement) {
      const cs = getComputedStyle(a);
      const b = a.getBoundingClientRect();
      const ox = cs.overflowX;
      const oy = cs.overflowY;
      const scrollY = oy === 'auto' || oy === 'scroll';
      const scrollX = ox === 'auto' || ox === 'scroll';
      if (!scrollY && oy !== 'visible' && (r.top >= b.bottom - TOL || r.bottom <= b.top + TOL)) {
        // wholly cut off by a box that does not scroll: lost text (a wall list hides the rows that do not fit instead)
        problem = clipped(`wholly hidden: y ${r.top.toFixed(0)}..${r.bottom.toFixed(0)} outside ${b.top.toFixed(0)}..${b.bottom.toFixed(0)} of ${describe(a)}`);
        break;
      }
      if (ox !== 'visible' && !scrollX && (r.left < b.left - TOL || r.right > b.right + TOL)) {
        problem = clipped(`x ${r.left.toFixed(0)}..${r.right.toFixed(0)} in ${b.left.toFixed(0)}..${b.right.toFixed(0)} of ${describe(a)}`);
        break;
      }
      if (oy !== 'visible' && !scrollY && (r.top < b.top - TOL || r.bottom > b.bottom + TOL)) {
        problem = clipped(`y ${r.top.toFixed(0)}..${r.bottom.toFixed(0)} in ${b.top.toFixed(0)}..${b.bottom.toFixed(0)} of ${describe(a)}`);
        break;
      }
      if (scrollY && (r.top < b.top - TOL || r.bottom > b.bottom + TOL)) {
        scrolledAway = true;
        break;
      }
    }
    if (scrolledAway) continue;
    if (!problem) {
      for (let a: Element | null = el; a && a !== document.body; a = a.parentElement) {
        if (!painted(a)) continue;
        const b = a.getBoundingClientRect();
        if (r.left < b.left - TOL || r.right > b.right + TOL || r.top < b.top - TOL || r.bottom > b.bottom + TOL)
          problem = {
            kind: 'spill',
            text: short,
            where: describe(el),
            detail: `text ${r.left.toFixed(0)},${r.top.toFixed(0)}..${r.right.toFixed(0)},${r.bottom.toFixed(0)} box ${b.left.toFixed(0)},${b.top.toFixed(0)}..${b.right.toFixed(0)},${b.bottom.toFixed(0)} of ${describe(a)}`,
          };
        break;
      }
    }
    if (!problem && (r.left < -TOL || r.top < -TOL || r.right > vw + TOL || r.bottom > vh + TOL))
      problem = {
        kind: 'offscreen',
        text: short,
        where: describe(el),
        detail: `${r.left.toFixed(0)},${r.top.toFixed(0)}..${r.right.toFixed(0)},${r.bottom.toFixed(0)} of ${vw}x${vh}`,
      };
    if (!problem && minPx > 0) {
      const fs = parseFloat(getComputedStyle(el).fontSize);
      if (fs + 0.01 < minPx) problem = { kind: 'small', text: short, where: describe(el), detail: `${fs.toFixed(1)} px < ${minPx} px` };
    }
    if (problem) out.push(problem);
  }
  return out;
}

/** The checker as an expression for page.evaluate (a transpiler's name helpers, if any, are defined in the page). */
export function fitProblemsScript(minPx: number): string {
  return `(() => { const __name = (f) => f; return (${findFitProblems.toString()})(${JSON.stringify(minPx)}); })()`;
}
