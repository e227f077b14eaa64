// The page's state, in one object every module reads, and the actions that
// modules call on each other through app.js (which fills `actions` at start),
// so that imports run one way: app.js imports the modules, never the reverse.
//
// State flows one way: a config ({lab, seed, params}) goes to a worker,
// snapshots come back and are drawn. Every control change makes a new
// config, rewrites the URL fragment and restarts the run.

export const state = {
  catalog: [], // LabSpec[] from the core
  spec: null, // the current lab's LabSpec
  config: null, // {lab, seed (a decimal string), params}
  fragment: '', // the canonical fragment of `config` (and its sweep, pin)
  snapshot: null, // the latest snapshot (parsed)
  snapshotJson: '', // ... and as the core wrote it
  total: 0,
  run: 'loading', // loading | running | paused | done | error
  mode: 'single', // 'single' | 'sweep'
  sweep: null, // the current sweep in sweep mode (see sweep.js)
  pin: null, // the pinned run, drawn beside the current one (see pin.js)
  embed: null, // the chart ids of an embedded view (`&embed=`, see embed.js), or null
};

/**
 * What one module asks of another, set by app.js:
 *   applyConfig()            the config changed: new URL, fresh run
 *   loadLink(text)           read a link and run what it says
 *   startRun(play)           (re)start the single run of state.config
 *   togglePlay(), stepOnce(), reset()
 *   redrawCharts()           draw every chart again (the pinned run changed)
 */
export const actions = {};
