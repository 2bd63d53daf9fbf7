import { run } from './bootstrap';

/** `npm run start`: the HTTP api. */
run('api');
