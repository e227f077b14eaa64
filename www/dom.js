// Small DOM helpers shared by every module of the page. Text always goes in
// through textContent, never innerHTML: text from a link, a file or the core
// can never become markup.

/** The element with this id. */
export const $ = (id) => document.getElementById(id);

/** An element with a class and text (always textContent). */
export function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

/** Format a metric value: 4 significant digits, scientific when tiny or huge. */
export function formatValue(v) {
  if (v === null || v === undefined || Number.isNaN(v)) return '—';
  if (!Number.isFinite(v)) return v > 0 ? '∞' : '−∞';
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (a < 1e-3 || a >= 1e5) {
    return v.toExponential(3).replace(/\.?0+e/, 'e').replace('e+', 'e');
  }
  return String(Number(v.toPrecision(4)));
}

/** A phone-sized window (style.css stacks the panels below 700 px): the
 * page then folds the long controls, so that the lab text, the presets and
 * the charts come first. */
export const isNarrow = () => window.matchMedia('(max-width: 700px)').matches;

let measure = null; // a canvas context for text widths

/** The link box in the top bar holds the whole link (to select and copy)
 * but is narrow: scroll it so that it shows the fragment from the lab on,
 * "lab=capacity&seed=1&…", which is what tells links apart, rather than
 * "http://127.0.0.1:8080/". The whole link is its tooltip. */
export function showLinkBox(link) {
  const input = $('share-link');
  input.value = link;
  input.title = link;
  const hash = link.indexOf('#');
  const lab = link.indexOf('lab=', hash);
  const at = lab > hash ? lab : hash;
  if (hash < 0 || document.activeElement === input) return;
  requestAnimationFrame(() => {
    const style = getComputedStyle(input);
    measure ??= document.createElement('canvas').getContext('2d');
    measure.font = `${style.fontSize} ${style.fontFamily}`;
    input.scrollLeft = Math.ceil(measure.measureText(link.slice(0, at)).width);
  });
}
