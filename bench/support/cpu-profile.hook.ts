/**
 * Preloaded (`node -r …/cpu-profile.hook.js`) into the process that BENCH_PROFILE=<phase> profiles: SIGWINCH
 * (Nest's shutdown hooks own SIGUSR2; SIGWINCH is ignored by default) starts a V8 CPU profile, the next SIGWINCH
 * stops it and writes BENCH_PROFILE_FILE. This profiles only the phase the bench brackets, and works whatever
 * the app does on SIGTERM (`--cpu-prof` needs a clean exit).
 */
import fs from 'node:fs';
import inspector from 'node:inspector';

const file = process.env.BENCH_PROFILE_FILE || `profile-${process.pid}.cpuprofile`;
const session = new inspector.Session();
session.connect();
let running = false;

process.on('SIGWINCH', () => {
  if (!running) {
    running = true;
    session.post('Profiler.enable', () =>
      session.post('Profiler.setSamplingInterval', { interval: 500 }, () => session.post('Profiler.start')),
    );
    return;
  }
  running = false;
  session.post('Profiler.stop', (error, result) => {
    if (!error) fs.writeFileSync(file, JSON.stringify(result.profile));
  });
});
