import { run } from './bootstrap';

/** `npm run start:worker`: outbox relay, queue processors, reconciler. */
run('worker');
