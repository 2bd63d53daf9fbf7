/** The floor: a bare Fastify hello route on this machine (`node bare-fastify.server.js PORT`). */
import Fastify from 'fastify';

const port = Number(process.argv[2]);
const app = Fastify({ logger: false });
app.get('/', () => ({ status: 'ok' }));
app.listen({ port, host: '127.0.0.1' }).then(
  () => process.stdout.write(`bare fastify listening on ${port}\n`),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
