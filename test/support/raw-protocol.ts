/** Speaks just enough of the Postgres wire protocol to misbehave on purpose. */
import { once } from 'node:events';
import { connect } from 'node:net';

function message(type: string, body: Buffer): Buffer {
  const header = Buffer.alloc(5);
  header.write(type, 0, 'latin1');
  header.writeInt32BE(body.length + 4, 1);
  return Buffer.concat([header, body]);
}

/** Connects on the raw protocol, sends a Parse that fails and no Sync, then vanishes. */
export async function abandonFailedParse(port: number): Promise<void> {
  const socket = connect(port, '127.0.0.1');
  await once(socket, 'connect');
  const params = Buffer.from('user\0postgres\0database\0postgres\0\0', 'latin1');
  const startup = Buffer.alloc(8);
  startup.writeInt32BE(8 + params.length, 0);
  startup.writeInt32BE(196608, 4);
  socket.write(Buffer.concat([startup, params]));
  let received = Buffer.alloc(0);
  while (!received.includes(Buffer.from('Z\0\0\0\x05I', 'latin1'))) {
    const [chunk] = (await once(socket, 'data')) as [Buffer];
    received = Buffer.concat([received, chunk]);
  }
  socket.write(message('P', Buffer.from('\0SELEKT 1\0\0\0', 'latin1')));
  await new Promise((resolve) => setTimeout(resolve, 100));
  socket.destroy();
  await new Promise((resolve) => setTimeout(resolve, 100));
}

/** Sends a message whose length field is negative; resolves when the server hangs up. */
export async function sendNegativeLength(port: number): Promise<void> {
  const socket = connect(port, '127.0.0.1');
  await once(socket, 'connect');
  socket.write(Buffer.from([0, 0, 0, 8, 0x04, 0xd2, 0x16, 0x2f])); // SSLRequest, answered 'N'
  await once(socket, 'data');
  socket.write(Buffer.from([0xff, 0xff, 0xff, 0xff, 0, 3, 0, 0]));
  await once(socket, 'close');
}
