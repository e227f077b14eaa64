// Time left, from measured progress: the ETA beside the progress bar, and
// the wording of durations ("about 14 min").

/** "12 s", "about 3 min", "about 1.5 h". */
export function durationText(ms) {
  const s = ms / 1000;
  if (!Number.isFinite(s)) return 'an unknown time';
  if (s < 1) return 'under a second';
  if (s < 60) return `${Math.round(s)} s`;
  const min = s / 60;
  if (min < 90) return `about ${Math.round(min)} min`;
  const h = min / 60;
  return `about ${h < 10 ? h.toFixed(1) : Math.round(h)} h`;
}

/**
 * An ETA from (time, fraction done) samples of one job: the rate over the
 * work measured so far. `start()` when the work (re)starts, `pause()` when
 * it stops being timed, `update(fraction)` with each progress report;
 * `left()` is the time left in ms, or null until there is enough to go on
 * (a little progress and half a second of it).
 */
export class Eta {
  constructor() {
    this.reset();
  }

  reset() {
    this.spent = 0; // ms of timed work before the current stretch
    this.since = null; // when the current stretch started
    this.base = 0; // fraction done when timing began
    this.frac = 0;
  }

  /** Start timing from fraction `frac` (kept from before if not given). */
  start(frac = this.frac) {
    if (this.since === null) {
      if (this.spent === 0) this.base = frac;
      this.since = performance.now();
    }
    this.frac = frac;
  }

  pause() {
    if (this.since !== null) this.spent += performance.now() - this.since;
    this.since = null;
  }

  update(frac) {
    this.frac = frac;
  }

  /** Timed ms so far. */
  elapsed() {
    return this.spent + (this.since === null ? 0 : performance.now() - this.since);
  }

  left() {
    const done = this.frac - this.base;
    const t = this.elapsed();
    if (done <= 0 || t < 500 || this.frac >= 1) return null;
    return (t * (1 - this.frac)) / done;
  }
}
