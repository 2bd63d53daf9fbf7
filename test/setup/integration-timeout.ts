// Integration and e2e tests talk to real servers and wait for background jobs. Verdicts never depend on speed:
// every wait polls for a final state, so the limits are only there to end a test that is truly stuck, and are
// generous enough for a machine that is busy with other work (CI, parallel suites, a spinner).
jest.setTimeout(300_000);
