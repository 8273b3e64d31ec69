import type { ServerResponse } from 'node:http';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { HeatnetError } from '../../core/errors.ts';
import type { LiveHub } from '../../live/hub.ts';
import type { StreamSink } from '../../live/sse.ts';
import { ErrorSchema } from '../schemas.ts';

export interface EventRoutesOptions {
  hub: Pick<LiveHub, 'connect' | 'closeAll' | 'isFull'>;
}

/** A response as the hub writes to it. */
function sinkOf(res: ServerResponse): StreamSink {
  return {
    write: (chunk) => res.write(chunk),
    bufferedBytes: () => res.writableLength,
    onceDrained: (fn) => {
      res.once('drain', fn);
    },
    end: () => {
      if (!res.writableEnded) res.end();
    },
  };
}

/**
 * `GET /api/events` (issue 13 item 5): the live stream, server-sent events. Event names
 * and payloads are in src/live/events-contract.ts. Readable like any read route: a token
 * of any role, or none when `api.anonymousRead`; the console reads it with `fetch()` so it
 * can send the token (EventSource cannot).
 */
export const eventRoutes: FastifyPluginAsyncTypebox<EventRoutesOptions> = async (api, { hub }) => {
  // The server's close waits for open connections; streams never end by themselves.
  api.addHook('preClose', async () => hub.closeAll());
  api.get(
    '/api/events',
    {
      config: { access: 'read' },
      schema: {
        summary:
          'Live stream (text/event-stream): snapshot on connect, then readings, balance, alerts, tickets, complaints, incidents, audit rows, devices',
        tags: ['live'],
        produces: ['text/event-stream'],
        response: { 401: ErrorSchema, 503: ErrorSchema },
      },
    },
    async (request, reply) => {
      if (hub.isFull()) throw new HeatnetError('TOO_MANY_STREAMS', 'too many live streams open');
      const res = reply.raw;
      // A stream is idle between heartbeats by design: the socket's idle timeout would cut it.
      request.raw.socket.setTimeout(0);
      reply.hijack();
      res.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache, no-transform',
        connection: 'keep-alive',
        // Reverse proxies (nginx) would otherwise buffer the stream.
        'x-accel-buffering': 'no',
      });
      const detach = await hub.connect(sinkOf(res));
      // The caller may have gone while the snapshot was built.
      if (res.destroyed) detach();
      else res.once('close', detach);
    },
  );
};
