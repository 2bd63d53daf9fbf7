// Integration and e2e tests talk to real servers and wait for background jobs.
jest.setTimeout(60_000);
