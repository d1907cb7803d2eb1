// A real HTTP server on port 0 around createApp, for tests.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createApp } from '../../portal/app.ts';
import type { AppContext } from '../../portal/context.ts';

export interface TestServer {
  url: string;
  server: Server;
  close(): Promise<void>;
}

export async function serve(ctx: AppContext): Promise<TestServer> {
  const server = createServer(createApp(ctx).callback());
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    server,
    close: () =>
      new Promise((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
