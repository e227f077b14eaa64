// How long a run will take, from the time its work took so far: the
// long-run check (pause and ask before a run of more than LONG_MS) and the
// time left beside the progress bar. Used by the run worker (worker.js).
//
// Two things keep the estimate honest:
// - The first step is not timed. It often does one-off work (the feedback
//   lab's mean-field theory, a first record of every metric), and judging
//   every step by it once made a 2-second run ask whether to go on for
//   3 minutes.
// - Steps are weighted by the lab's own cost model (`WasmLab.work()`, the
//   core's `Lab::work`): work done and planned in units of about equal
//   compute time. A lab whose early steps record metrics densely, or whose
//   last steps compute spectra, says so there; a lab whose steps cost the
//   same counts steps.
//
// The estimate is made once MEASURE_MS of work after the first step has
// been timed, and no more after SETTLED_MS of it (from then on a run goes
// on without asking).

export const LONG_MS = 120000;
export const MEASURE_MS = 300;
export const SETTLED_MS = 10000;

export class RunClock {
  constructor() {
    this.computeMs = 0; // all compute time, the first step included
    this.timedMs = 0; // compute time after the first step
    this.timedWork = 0; // work done in that time
    this.work = { done: 0, total: 0 };
  }

  /**
   * A chunk of steps ran for `ms`, starting at step `fromStep`; the lab's
   * work before and after it ({done, total}).
   */
  add(ms, fromStep, before, after) {
    this.computeMs += ms;
    this.work = after;
    if (fromStep === 0) return; // the first step: one-off work, not timed
    this.timedMs += ms;
    this.timedWork += Math.max(0, after.done - before.done);
  }

  /** Compute ms per unit of work, or null until enough was timed. */
  msPerWork() {
    if (this.timedMs < MEASURE_MS || !(this.timedWork > 0)) return null;
    return this.timedMs / this.timedWork;
  }

  /** Compute ms left, or null until known. */
  left() {
    const rate = this.msPerWork();
    if (rate === null) return null;
    return rate * Math.max(0, this.work.total - this.work.done);
  }

  /** The whole run's compute time, or null until known. */
  estimate() {
    const left = this.left();
    return left === null ? null : this.computeMs + left;
  }

  /** Whether the check is over: SETTLED_MS of work timed. */
  settled() {
    return this.timedMs > SETTLED_MS;
  }

  /**
   * Whether to pause and ask now: the estimate is known, still being made
   * (timed compute under SETTLED_MS) and over LONG_MS. Returns the
   * estimate in ms, or null.
   */
  tooLong() {
    if (this.settled()) return null;
    const estimate = this.estimate();
    return estimate !== null && estimate > LONG_MS ? estimate : null;
  }
}
