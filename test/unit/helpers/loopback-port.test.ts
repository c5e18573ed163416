// Servers the tests spawn bind their port themselves: a port taken meanwhile is given up for a new one, a few times.
import { describe, expect, it } from 'vitest';
import { PORT_TAKEN, couldNotBind, onFreeLoopbackPort } from '../../helpers/loopback-port.js';

describe('onFreeLoopbackPort', () => {
  it('tries a new port while the attempt finds its port taken, and answers what the first good attempt gave', async () => {
    const ports: number[] = [];
    const answer = await onFreeLoopbackPort('a server', async (port) => {
      ports.push(port);
      return ports.length < 3 ? PORT_TAKEN : `up on ${port}`;
    });
    expect(ports).toHaveLength(3);
    for (const p of ports) expect(p).toBeGreaterThan(0);
    expect(answer).toBe(`up on ${ports[2]}`);
  });

  it('fails naming the server and the ports once every try found its port taken', async () => {
    const ports: number[] = [];
    const failed = onFreeLoopbackPort(
      'prometheus',
      async (port) => {
        ports.push(port);
        return PORT_TAKEN;
      },
      2,
    );
    await expect(failed).rejects.toThrow(/^prometheus found every port it tried taken: \d+, \d+$/);
    expect(ports).toHaveLength(2);
  });

  it('passes on an error of the attempt at once, without trying another port', async () => {
    let tries = 0;
    const failed = onFreeLoopbackPort('alertmanager', async () => {
      tries += 1;
      throw new Error('alertmanager exited with 1: bad config');
    });
    await expect(failed).rejects.toThrow('bad config');
    expect(tries).toBe(1);
  });
});

describe('couldNotBind', () => {
  it("recognises Prometheus's and Alertmanager's bind errors and nothing else", () => {
    expect(
      couldNotBind(
        'level=error msg="Unable to start web listener" err="listen tcp 127.0.0.1:44483: bind: address already in use"',
      ),
    ).toBe(true);
    expect(
      couldNotBind('level=error msg="Listen error" err="listen tcp 127.0.0.1:44483: bind: address already in use"'),
    ).toBe(true);
    expect(couldNotBind('level=error msg="Error loading config" err="yaml: line 3"')).toBe(false);
  });
});
