/** Requests in flight across a replica's stop: a request that is under way when SIGTERM comes, and the port's state. */
import { connect, type Socket } from 'node:net';
import { until } from './until.ts';

/** Whether a new TCP connection to the port is accepted. */
export function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, 'localhost');
    socket.once('connect', () => { socket.destroy(); resolve(true); });
    socket.once('error', () => resolve(false));
  });
}

/** What the server sends on the socket: so far, and all of it once it closes the connection. */
function received(socket: Socket): { sofar: () => string; all: Promise<string> } {
  let text = '';
  socket.setEncoding('utf8');
  socket.on('data', (chunk: string) => { text += chunk; });
  const all = new Promise<string>((resolve, reject) => {
    socket.once('error', reject);
    socket.once('close', () => resolve(text));
  });
  return { sofar: () => text, all };
}

/**
 * A token request (without client authentication) that the server has taken up but whose body is held back: its
 * `100 Continue` comes once the server has the headers and has handed the request to the application. `finish` sends
 * the body and resolves with the whole answer (the 100 Continue left out) when the server closes the connection.
 */
export async function heldTokenRequest(port: number): Promise<{ finish(): Promise<string> }> {
  const socket = connect(port, 'localhost');
  const answer = received(socket);
  const body = 'grant_type=client_credentials&scope=openid';
  socket.write(`POST /token HTTP/1.1\r\nHost: localhost:${port}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: ${body.length}\r\nConnection: close\r\nExpect: 100-continue\r\n\r\n`);
  await until(async () => answer.sofar(), (text) => text.startsWith('HTTP/1.1 100 Continue'), 'the server has the request', 100, 20);
  return {
    async finish() {
      socket.write(body);
      return (await answer.all).replace(/^HTTP\/1\.1 100 Continue\r\n\r\n/, '');
    },
  };
}
