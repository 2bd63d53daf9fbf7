import { run } from './bootstrap';

/** `npm run start:all`: api and worker in one process (the development default). */
run('all');
