#!/usr/bin/env node
// Sends the first packet of many new flows and reports, per flow, the error the socket saw
// (ECONNREFUSED for an ICMP port unreachable, EPERM for a local drop, ...). Run inside a
// network namespace by the lab (`ip netns exec NS node sender.mjs`); reads one JSON object on
// standard input: {protocol: 'udp'|'tcp', waitMs, flows: [{source, sourcePort, destination,
// destinationPort}]}, prints {results: [{sourcePort, source, error}]}. Bounded: every socket is
// closed after waitMs, flows go out in batches.
import dgram from 'node:dgram';
import net from 'node:net';

const BATCH = 400;

function readStdin() {
  return new Promise((resolve) => {
    let text = '';
    process.stdin.setEncoding('utf8');
    process.stdin.on('data', (d) => (text += d));
    process.stdin.on('end', () => resolve(text));
  });
}

function udpFlow(flow, waitMs) {
  return new Promise((resolve) => {
    const family = flow.destination.includes(':') ? 'udp6' : 'udp4';
    const socket = dgram.createSocket({ type: family });
    let error = null;
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      try {
        socket.close();
      } catch {
        // already closed
      }
      resolve({ source: flow.source, sourcePort: flow.sourcePort, error });
    };
    socket.on('error', (err) => {
      error ??= err.code ?? String(err);
      setTimeout(finish, 5);
    });
    socket.bind({ address: flow.source, port: flow.sourcePort, exclusive: true }, () => {
      socket.connect(flow.destinationPort, flow.destination, (err) => {
        if (err) {
          error = err.code ?? String(err);
          finish();
          return;
        }
        socket.send(Buffer.from('k8s-ipt lab'), (err2) => {
          if (err2) error ??= err2.code ?? String(err2);
        });
        setTimeout(finish, waitMs);
      });
    });
  });
}

function tcpFlow(flow, waitMs) {
  return new Promise((resolve) => {
    let error = null;
    const socket = net.connect({
      host: flow.destination,
      port: flow.destinationPort,
      localAddress: flow.source,
      localPort: flow.sourcePort,
    });
    const finish = () => {
      socket.destroy();
      resolve({ source: flow.source, sourcePort: flow.sourcePort, error });
    };
    const timer = setTimeout(finish, waitMs);
    socket.on('connect', () => {
      error = 'CONNECTED';
    });
    socket.on('error', (err) => {
      error ??= err.code ?? String(err);
      clearTimeout(timer);
      finish();
    });
  });
}

const input = JSON.parse(await readStdin());
const run = input.protocol === 'tcp' ? tcpFlow : udpFlow;
const results = [];
for (let i = 0; i < input.flows.length; i += BATCH) {
  const batch = input.flows.slice(i, i + BATCH);
  results.push(...(await Promise.all(batch.map((f) => run(f, input.waitMs)))));
}
process.stdout.write(JSON.stringify({ results }) + '\n');
