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
