// The baseline relay for bench/realtime.py: a plain @hocuspocus/server (no persistence, no auth)
// on 127.0.0.1. Usage: node server.mjs <port>. Prints one JSON line when it listens.
import { Server } from "@hocuspocus/server";

const port = Number(process.argv[2] || 0);
const server = new Server({ port, address: "127.0.0.1", quiet: true });
await server.listen();
console.log(JSON.stringify({ listening: server.address.port }));

for (const signal of ["SIGTERM", "SIGINT"]) {
  process.on(signal, async () => {
    await server.destroy().catch(() => {});
    process.exit(0);
  });
}
