// Content-Security-Policy violations, as the tests see them.
//
// watchViolations(page) records, from before any script of the page runs:
//   - every `securitypolicyviolation` event of the page's documents;
//   - every browser log entry that reports a policy violation, from the
//     page or any of its workers (Chromium's DevTools `Log` domain: a
//     worker's violation events fire inside the worker, where the page
//     cannot listen, but its log entries reach the page's log).
// violationsOf(page) returns both lists.

export async function watchViolations(page) {
  const seen = { log: [] };
  await page.addInitScript(() => {
    window.__violations = [];
    document.addEventListener('securitypolicyviolation', (e) => {
      window.__violations.push({ directive: e.effectiveDirective, blocked: e.blockedURI, source: e.sourceFile, line: e.lineNumber });
    });
  });
  const cdp = await page.context().newCDPSession(page);
  cdp.on('Log.entryAdded', ({ entry }) => {
    if (/Content Security Policy/i.test(entry.text)) seen.log.push(`${entry.source}: ${entry.text}`);
  });
  await cdp.send('Log.enable');
  page.__violationsSeen = seen;
}

/** { events, log }: what the page's documents and the browser's log have reported so far. */
export async function violationsOf(page) {
  const seen = page.__violationsSeen;
  if (!seen) throw new Error('call watchViolations(page) before loading the page');
  const events = await page.evaluate(() => window.__violations || []);
  return { events, log: [...seen.log] };
}
