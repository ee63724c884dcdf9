/**
 * The broker's WebSocket (src/http/websocket.ts) against a raw socket and Node's own WebSocket client: the RFC 6455
 * handshake, frames of every length class, the peer's control frames however they are cut into packets, and what
 * ends a connection (an unmasked or oversized frame, a close).
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';
import { after, before, test } from 'node:test';
import { acceptUpgrades, takeUpgrade, type WebSocketConnection } from '../../src/http/websocket.ts';
import { until } from '../helpers/until.ts';

let server: Server;
let port: number;
const taken: WebSocketConnection[] = [];

before(async () => {
  server = createServer((_req, res) => res.end('plain'));
  // The app's part: refuse `/refused` over HTTP, take every other upgrade and send what its path asks for.
  acceptUpgrades(server, (req, res) => {
    if (req.url === '/refused') {
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('no such stream');
      return;
    }
    const ws = takeUpgrade(req, res)!;
    taken.push(ws);
    const size = Number(new URL(req.url!, 'http://x').searchParams.get('size') ?? 0);
    if (size) ws.send('å'.repeat(size / 2));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  port = (server.address() as AddressInfo).port;
});
after(() => server.close());

const KEY = 'dGhlIHNhbXBsZSBub25jZQ==';

async function handshake(path = '/', headers = ''): Promise<{ socket: Socket; answer: string }> {
  const socket = connect(port, '127.0.0.1');
  await once(socket, 'connect');
  socket.write(`GET ${path} HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: ${KEY}\r\n${headers}\r\n`);
  let answer = '';
  while (!answer.includes('\r\n\r\n')) answer += String((await once(socket, 'data'))[0]);
  return { socket, answer };
}

/** A client frame: masked, as RFC 6455 requires of a client. */
function clientFrame(opcode: number, payload: Buffer, masked = true): Buffer {
  const mask = Buffer.from([1, 2, 3, 4]);
  const body = Buffer.from(payload.map((b, i) => (masked ? b ^ mask[i % 4]! : b)));
  return Buffer.concat([Buffer.from([0x80 | opcode, (masked ? 0x80 : 0) | payload.length]), masked ? mask : Buffer.alloc(0), body]);
}

async function readFrame(socket: Socket): Promise<{ opcode: number; payload: Buffer }> {
  let buf = Buffer.alloc(0);
  for (;;) {
    if (buf.length >= 2 && buf.length >= 2 + (buf[1]! & 0x7f)) return { opcode: buf[0]! & 0x0f, payload: buf.subarray(2, 2 + (buf[1]! & 0x7f)) };
    buf = Buffer.concat([buf, (await once(socket, 'data'))[0] as Buffer]);
  }
}

test('the handshake answers 101 with the key\'s accept value from RFC 6455', async () => {
  const { socket, answer } = await handshake();
  socket.destroy();
  assert.match(answer, /^HTTP\/1\.1 101 Switching Protocols\r\n/);
  assert.match(answer, /\r\nsec-websocket-accept: s3pPLMBiTxaQ9kYGzzhZRbK\+xOo=\r\n/i);
  assert.match(answer, /\r\nupgrade: websocket\r\n/i);
});

test('an upgrade the app does not take is answered over HTTP and closed; another protocol gets 400', async () => {
  const refused = await handshake('/refused');
  let answer = refused.answer;
  refused.socket.on('data', (chunk) => { answer += String(chunk); });
  await once(refused.socket, 'end');
  refused.socket.destroy();
  assert.match(answer, /^HTTP\/1\.1 404 /);
  assert.match(answer, /\r\nno such stream\r\n/);
  const other = connect(port, '127.0.0.1');
  await once(other, 'connect');
  other.write('GET / HTTP/1.1\r\nHost: x\r\nUpgrade: h2c\r\nConnection: Upgrade\r\n\r\n');
  const [reply] = await once(other, 'data');
  other.destroy();
  assert.match(String(reply), /^HTTP\/1\.1 400 /);
});

for (const size of [100, 1000, 70_000]) {
  test(`a text message of ${size} bytes reaches Node's WebSocket client whole (length class ${size < 126 ? 7 : size < 65536 ? 16 : 64} bits)`, async () => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/?size=${size}`);
    const [event] = await once(ws, 'message') as [MessageEvent];
    assert.equal(event.data, 'å'.repeat(size / 2));
    ws.close();
  });
}

test('a ping cut into two packets is answered with a pong carrying its payload; a close is answered and ends it', async () => {
  const { socket } = await handshake();
  const ping = clientFrame(0x9, Buffer.from('hello'));
  socket.write(ping.subarray(0, 3));
  await until(async () => taken.length, (n) => n > 0, 'the socket is taken');
  socket.write(ping.subarray(3));
  const pong = await readFrame(socket);
  assert.deepEqual([pong.opcode, pong.payload.toString()], [0xa, 'hello']);
  const code = Buffer.alloc(2);
  code.writeUInt16BE(1000);
  socket.write(clientFrame(0x8, code));
  const close = await readFrame(socket);
  assert.deepEqual([close.opcode, close.payload.readUInt16BE(0)], [0x8, 1000]);
  await once(socket, 'end');
  socket.destroy();
});

test('an unmasked or oversized frame from the peer ends the connection', async () => {
  for (const bad of [clientFrame(0x9, Buffer.from('x'), false), Buffer.from([0x81, 0xff, 0, 0, 0, 0, 0, 1, 0, 0])]) {
    const { socket } = await handshake();
    socket.write(bad);
    await once(socket, 'close');
  }
});

test('closing from the server sends 1000, or 1001 when the process goes away, and nothing after', async () => {
  for (const goingAway of [false, true]) {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/`);
    await once(ws, 'open');
    const connection = taken.at(-1)!;
    connection.close(goingAway);
    connection.send('too late');
    assert.equal(connection.ended, true);
    const [event] = await once(ws, 'close') as [CloseEvent];
    assert.equal(event.code, goingAway ? 1001 : 1000);
  }
});
