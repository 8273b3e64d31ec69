import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InfluxV1Transport } from '../../src/storage/influx/v1.ts';

/**
 * A batch lying across two slabs goes out as one request written in parts (issue 14):
 * the server must see one body, the parts in order, with the length of all of them.
 */
describe('InfluxV1Transport.sendParts', () => {
  const seen: { body: string; length: string | undefined }[] = [];
  const server = createServer(async (req: IncomingMessage, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    seen.push({ body: Buffer.concat(chunks).toString(), length: req.headers['content-length'] });
    res.writeHead(204).end();
  });
  let url = '';
  beforeAll(async () => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('sends the parts in order as one body, its length the sum of theirs', async () => {
    const transport = new InfluxV1Transport({ url, version: 1, db: 'heatnet' });
    const big = Buffer.from(`${'room,household=H1 temp_c=21.5 1\n'.repeat(3000)}`);
    await transport.sendParts([Buffer.from('a x=1 1\n'), big, Buffer.from('b x=2 2\n')]);
    await transport.sendBody(Buffer.from('c x=3 3\n'));
    await transport.close();
    expect(seen.map((s) => s.length)).toEqual([String(16 + big.length), '8']);
    expect(seen[0]!.body).toBe(`a x=1 1\n${big.toString()}b x=2 2\n`);
    expect(seen[1]!.body).toBe('c x=3 3\n');
  });
});
