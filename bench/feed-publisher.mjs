// Bench load generator (a worker thread, so it runs beside the gateway on the other core): publishes cover readings
// over MQTT (QoS 1) or pushes them over HTTP at a target rate for a number of seconds. Each message carries its send
// time in `t` (ms); the gateway uses it as the device time, so the screen's receive time minus ts is device→screen.
import { parentPort, workerData } from 'node:worker_threads';
import mqtt from 'mqtt';

const { mode, url, token, rate, seconds, devices, batch = 1 } = workerData;
let n = 0;
let sent = 0;
let failed = 0;
const body = (k) => {
  const t = Date.now();
  const readings = Array.from({ length: k }, () => ({ d: devices[n++ % devices.length], t, level: (n % 80) + 0.5 }));
  return k === 1 && batch === 1 ? readings[0] : { readings };
};

async function run() {
  const tickMs = 10;
  const start = Date.now();
  const end = start + seconds * 1000;
  let messages = 0;
  // messages due by now at the offered rate (catches up after a late timer, never runs ahead)
  const due = () => Math.floor(((Date.now() - start) / 1000) * (rate / batch)) - messages;
  if (mode === 'mqtt') {
    const c = await mqtt.connectAsync(url, { clientId: `bench-pub-${process.pid}-${Date.now()}`, clean: true });
    while (Date.now() < end) {
      const t0 = Date.now();
      for (let i = due(); i > 0; i--) {
        messages++;
        const b = body(batch);
        const dev = batch === 1 ? b.d : 'batch';
        c.publish(`bench/${dev}/up`, JSON.stringify(b), { qos: 1 }, (e) => (e ? failed++ : undefined));
        sent += batch;
      }
      await new Promise((r) => setTimeout(r, Math.max(0, tickMs - (Date.now() - t0))));
    }
    await c.endAsync();
  } else {
    const inflight = new Set();
    while (Date.now() < end) {
      const t0 = Date.now();
      for (let i = due(); i > 0; i--) {
        if (inflight.size >= 64) break; // a platform's push workers: bounded concurrency
        messages++;
        const p = fetch(`${url}/api/ingest/bench/up`, {
          method: 'POST',
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          body: JSON.stringify(body(batch)),
        })
          .then(
            (r) => (r.status === 202 ? (sent += batch) : failed++),
            () => failed++,
          )
          .finally(() => inflight.delete(p));
        inflight.add(p);
      }
      await new Promise((r) => setTimeout(r, Math.max(0, tickMs - (Date.now() - t0))));
    }
    await Promise.all(inflight);
  }
  parentPort.postMessage({ sent, failed });
}
run().catch((e) => parentPort.postMessage({ error: String(e?.stack ?? e) }));
