import { createServer, Server } from 'node:http';
import { AddressInfo, connect } from 'node:net';
import { NetworkInterfaceInfo } from 'node:os';

import { externalAddresses, LoopbackPublisher, publishLoopbackPort } from './loopback-publisher';

// All of 127.0.0.0/8 is loopback on Linux: 127.0.0.2 stands in for a container's own address.
const OTHER_ADDRESS = '127.0.0.2';

function listenOnLoopback(server: Server): Promise<number> {
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)),
  );
}

describe(publishLoopbackPort.name, () => {
  let upstream: Server;
  let port: number;
  let sut: LoopbackPublisher | undefined;

  beforeEach(async () => {
    upstream = createServer((request, response) => response.end(`seen ${request.method} ${request.url}`));
    port = await listenOnLoopback(upstream);
  });

  afterEach(async () => {
    await sut?.close();
    sut = undefined;
    upstream.closeAllConnections();
    await new Promise((resolve) => upstream.close(resolve));
  });

  it('answers on another address at the same port with what the loopback server says', async () => {
    sut = await publishLoopbackPort(port, [OTHER_ADDRESS]);

    const response = await fetch(`http://${OTHER_ADDRESS}:${port}/v1/thing?x=1`, { method: 'POST' });

    expect(sut.addresses).toEqual([OTHER_ADDRESS]);
    expect(await response.text()).toBe('seen POST /v1/thing?x=1');
  });

  it('closes the client connection, without crashing, when nothing listens behind it', async () => {
    await new Promise((resolve) => upstream.close(resolve));
    sut = await publishLoopbackPort(port, [OTHER_ADDRESS]);

    const ended = await new Promise<string>((resolve) => {
      const socket = connect(port, OTHER_ADDRESS);
      socket.on('error', () => resolve('error'));
      socket.on('close', () => resolve('closed'));
    });

    expect(['error', 'closed']).toContain(ended);
  });

  it('closes while a kept-alive client connection is still open', async () => {
    sut = await publishLoopbackPort(port, [OTHER_ADDRESS]);
    const socket = connect(port, OTHER_ADDRESS);
    await new Promise((resolve) => socket.once('connect', resolve));
    const closed = new Promise((resolve) => socket.once('close', resolve));

    await sut.close();
    sut = undefined;

    await expect(closed).resolves.toBe(false);
  });

  it('fails, and holds no port, when an address cannot be bound', async () => {
    // 127.0.0.1:port is taken by the upstream server itself.
    await expect(publishLoopbackPort(port, [OTHER_ADDRESS, '127.0.0.1'])).rejects.toMatchObject({
      code: 'EADDRINUSE',
    });
    sut = await publishLoopbackPort(port, [OTHER_ADDRESS]);
    expect(sut.addresses).toEqual([OTHER_ADDRESS]);
  });
});

describe(externalAddresses.name, () => {
  const entry = (address: string, family: 'IPv4' | 'IPv6', internal: boolean) => ({
    address,
    family,
    internal,
    netmask: '',
    mac: '00:00:00:00:00:00',
    cidr: null,
    ...(family === 'IPv6' ? { scopeid: 0 } : {}),
  });

  it('keeps the external addresses and leaves out loopback and link-local ones', () => {
    const sut = externalAddresses({
      lo: [entry('127.0.0.1', 'IPv4', true), entry('::1', 'IPv6', true)],
      eth0: [
        entry('172.18.0.5', 'IPv4', false),
        entry('fd00::5', 'IPv6', false),
        entry('fe80::42:acff:fe12:5', 'IPv6', false),
      ],
    } as NodeJS.Dict<NetworkInterfaceInfo[]>);

    expect(sut).toEqual(['172.18.0.5', 'fd00::5']);
  });
});
