// The sweep pool: min(cores, runs) module workers (sweep-worker.js, whose
// message protocol is listed at its top), each running whole configs, one
// at a time, to their end. The pool hands out the queued runs, replaces a
// worker that panicked (its run fails), and stops after three crashes.
// Cancelling terminates every worker at once.
//
// What happens to the results is the caller's (sweep.js), through hooks:
//   ready(index, warnings)        a run's lab was built (its notes)
//   progress(index, fraction)     a run is under way
//   point(index, json, slot)      a run ended with its point (JSON text)
//   failed(index, message)        a run gave no point
//   stopped(detail, crashes)      three crashes: the pool gave up
//   changed()                     after any of the above but progress

import { moduleWorker } from './module-worker.js';

export class SweepPool {
  /** `jobs[i]` = {index, value, config}; `size` workers. */
  constructor(jobs, size, hooks) {
    this.jobs = jobs;
    this.hooks = hooks;
    this.queue = jobs.map((_, i) => i);
    this.slots = [];
    this.crashes = 0;
    this.live = true;
    for (let n = 0; n < size; n++) {
      const slot = { n, worker: null, index: null };
      this.slots.push(slot);
      this.startSlot(slot);
    }
  }

  /** Is run `index` in a worker now? */
  running(index) {
    return this.slots.some((s) => s.index === index);
  }

  /** Terminate every worker at once; nothing more is reported. */
  stop() {
    this.live = false;
    for (const slot of this.slots) {
      if (slot.worker) slot.worker.terminate();
      slot.worker = null;
      slot.index = null;
    }
    this.queue = [];
  }

  startSlot(slot) {
    const worker = moduleWorker(new URL('./sweep-worker.js', import.meta.url));
    const mine = () => this.live && slot.worker === worker;
    worker.onmessage = (e) => mine() && this.onMessage(slot, e.data);
    worker.onerror = (e) => {
      e.preventDefault();
      if (mine()) this.onCrash(slot, e.message || 'a sweep worker failed to start');
    };
    worker.onmessageerror = () => mine() && this.onCrash(slot, 'a message from a sweep worker could not be read');
    slot.worker = worker;
    this.next(slot);
  }

  /** Give a worker the next queued run, or retire it. */
  next(slot) {
    const index = this.queue.shift();
    if (index === undefined) {
      slot.worker.terminate();
      slot.worker = null;
      slot.index = null;
      return;
    }
    slot.index = index;
    slot.worker.postMessage({ type: 'run', ...this.jobs[index] });
  }

  onMessage(slot, msg) {
    const h = this.hooks;
    switch (msg.type) {
      case 'ready':
        h.ready(msg.index, msg.warnings);
        break;
      case 'progress':
        h.progress(msg.index, msg.total > 0 ? msg.step / msg.total : 0);
        break;
      case 'point': {
        const error = JSON.parse(msg.json).error;
        if (error) h.failed(msg.index, error);
        else h.point(msg.index, msg.json, slot.n);
        this.next(slot);
        h.changed();
        break;
      }
      case 'error':
        h.failed(msg.index, msg.message);
        this.next(slot);
        h.changed();
        break;
      case 'crash':
        this.onCrash(slot, msg.message);
        break;
    }
  }

  /** A panic in a pool worker: that run fails, a fresh worker takes the
   * rest. Three crashes stop the pool. */
  onCrash(slot, detail) {
    slot.worker.terminate();
    slot.worker = null;
    if (slot.index !== null && slot.index >= 0) this.hooks.failed(slot.index, `the computation crashed: ${detail}`);
    slot.index = null;
    this.crashes++;
    if (this.crashes >= 3) {
      this.stop();
      this.hooks.stopped(detail, this.crashes);
      return;
    }
    this.startSlot(slot);
    this.hooks.changed();
  }
}
