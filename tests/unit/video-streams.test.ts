/**
 * The live test-video server the video-wall e2e tests and the benchmark use (tests/unit/video-streams.ts, issue 20),
 * against real Debian ffmpeg/ffprobe: live HLS whose segments advance, HTTP-FLV and WebSocket-FLV that keep flowing,
 * the codec ffprobe finds in what is served (h264; h265 in fMP4 for the unsupported-codec case), a camera that goes
 * away (404, open FLV streams cut) and comes back, and close() leaving no ffmpeg process and no temp folder behind.
 */
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes, createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import type { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { until } from './mosquitto.ts';
import { FFPROBE, playlistSegments, startVideoServer, type TestStream, type VideoServer } from './video-streams.ts';

let video: VideoServer;
let cam: TestStream;
let hevc: TestStream;
const work = mkdtempSync(join(tmpdir(), 'redwall-video-test-'));

beforeAll(async () => {
  video = await startVideoServer();
  [cam, hevc] = await Promise.all([video.add('cam-1', { label: '东门 cam-1' }), video.add('cam-h5', { codec: 'h265' })]);
}, 240_000);

afterAll(async () => {
  await video?.close();
  rmSync(work, { recursive: true, force: true });
});

/** ffprobe of a file: its first video stream's codec, tag and size. */
function probe(bytes: Buffer, name: string): { codec_name: string; codec_tag_string: string; width: number; height: number } {
  const f = join(work, name);
  writeFileSync(f, bytes);
  const r = spawnSync(
    FFPROBE!,
    ['-v', 'error', '-select_streams', 'v:0', '-show_entries', 'stream=codec_name,codec_tag_string,width,height', '-of', 'json', f],
    {
      encoding: 'utf8',
    },
  );
  expect(r.status, r.stderr).toBe(0);
  return (JSON.parse(r.stdout) as { streams: Array<{ codec_name: string; codec_tag_string: string; width: number; height: number }> }).streams[0]!;
}

const seqOf = (m3u8: string) => Number(/#EXT-X-MEDIA-SEQUENCE:(\d+)/.exec(m3u8)?.[1]);
const bytesOf = async (url: string) => Buffer.from(await (await fetch(url)).arrayBuffer());

/** Reads a streaming response in the background, counting bytes; `ended` settles when the stream ends or breaks. */
function drain(res: Response) {
  const reader = res.body!.getReader();
  const s = { head: Buffer.alloc(0), bytes: 0, ended: null as null | 'done' | 'error', cancel: () => reader.cancel().catch(() => {}) };
  void (async () => {
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        if (s.head.length < 65536) s.head = Buffer.concat([s.head, value]);
        s.bytes += value.length;
      }
      s.ended = 'done';
    } catch {
      s.ended = 'error';
    }
  })();
  return s;
}

describe('live test video (ffmpeg)', () => {
  it('serves a live HLS playlist whose segments advance, with CORS and no caching', { timeout: 60_000 }, async () => {
    const res = await fetch(cam.hlsUrl);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/vnd.apple.mpegurl');
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    expect(res.headers.get('cache-control')).toBe('no-cache');
    const first = await res.text();
    expect(first).not.toContain('#EXT-X-ENDLIST');
    const segs = playlistSegments(first);
    expect(segs.length).toBeGreaterThanOrEqual(2);
    const seq = seqOf(first);
    // numbered from the epoch second: a later start of the camera continues the sequence
    expect(seq).toBeGreaterThan(1_600_000_000);
    // live: a later playlist lists a segment the first did not
    let later = '';
    await until(async () => {
      later = await (await fetch(cam.hlsUrl)).text();
      return playlistSegments(later).some((s) => !segs.includes(s));
    }, 200);
    expect(seqOf(later)).toBeGreaterThanOrEqual(seq);

    const segRes = await fetch(new URL(playlistSegments(later).at(-1)!, cam.hlsUrl));
    expect(segRes.status).toBe(200);
    expect(segRes.headers.get('content-type')).toBe('video/mp2t');
    expect(segRes.headers.get('access-control-allow-origin')).toBe('*');
    expect(probe(Buffer.from(await segRes.arrayBuffer()), 'seg.ts')).toMatchObject({ codec_name: 'h264', width: 320, height: 180 });

    const master = await (await fetch(cam.hlsMasterUrl)).text();
    expect(master).toMatch(/#EXT-X-STREAM-INF:.*CODECS="avc1\.42/);
    expect(master).toContain('index.m3u8');
    // a preflight (players sending headers) is answered with CORS too
    const pre = await fetch(cam.hlsUrl, { method: 'OPTIONS' });
    expect(pre.status).toBe(204);
    expect(pre.headers.get('access-control-allow-origin')).toBe('*');
  });

  it('serves h265 as fMP4 (hvc1) that ffprobe reads as hevc, and no FLV for it', { timeout: 60_000 }, async () => {
    const list = await (await fetch(hevc.hlsUrl)).text();
    expect(list).toContain('#EXT-X-MAP:URI="init.mp4"');
    const init = await fetch(new URL('init.mp4', hevc.hlsUrl));
    expect(init.headers.get('content-type')).toBe('video/mp4');
    const seg = await bytesOf(new URL(playlistSegments(list).at(-1)!, hevc.hlsUrl).href);
    expect(probe(Buffer.concat([Buffer.from(await init.arrayBuffer()), seg]), 'h265.mp4')).toMatchObject({
      codec_name: 'hevc',
      codec_tag_string: 'hvc1',
      width: 320,
    });
    expect(await (await fetch(hevc.hlsMasterUrl)).text()).toMatch(/CODECS="hvc1\./);
    expect((await fetch(hevc.flvUrl)).status).toBe(404);
  });

  it('HTTP-FLV starts with the FLV signature, keeps flowing, and is h264', { timeout: 60_000 }, async () => {
    const res = await fetch(cam.flvUrl);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('video/x-flv');
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    expect(res.headers.get('transfer-encoding')).toBe('chunked');
    const s = drain(res);
    await until(() => s.bytes > 0);
    expect(s.head.subarray(0, 3).toString()).toBe('FLV');
    expect(cam.flvClients()).toBe(1);
    // still flowing: > 2 s of 300 kbit/s video after the first bytes
    const at = s.bytes;
    await until(() => s.bytes > at + 60_000);
    expect(s.ended).toBeNull();
    expect(probe(s.head, 'cam.flv')).toMatchObject({ codec_name: 'h264', width: 320, height: 180 });
    // the client goes away: its ffmpeg is killed
    const before = video.pids().length;
    await s.cancel();
    await until(() => cam.flvClients() === 0 && video.pids().length === before - 1);
  });

  it('WebSocket-FLV sends the same stream as binary messages and answers a close', { timeout: 60_000 }, async () => {
    const key = randomBytes(16).toString('base64');
    const { res, socket } = await new Promise<{ res: { headers: Record<string, unknown> }; socket: Socket }>((resolve, reject) => {
      const req = request(cam.wsFlvUrl.replace(/^ws/, 'http'), {
        headers: { Connection: 'Upgrade', Upgrade: 'websocket', 'Sec-WebSocket-Key': key, 'Sec-WebSocket-Version': '13' },
      });
      req.on('upgrade', (r, sock) => resolve({ res: r, socket: sock }));
      req.on('response', (r) => reject(new Error(`no upgrade: ${r.statusCode}`)));
      req.on('error', reject);
      req.end();
    });
    expect(res.headers['sec-websocket-accept']).toBe(createHash('sha1').update(`${key}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`).digest('base64'));
    let buf = Buffer.alloc(0);
    const messages: Array<{ opcode: number; payload: Buffer }> = [];
    socket.on('data', (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      for (;;) {
        if (buf.length < 2) return;
        let len = buf[1]! & 0x7f;
        let off = 2;
        if (len === 126) [len, off] = buf.length < 4 ? [Infinity, 4] : [buf.readUInt16BE(2), 4];
        else if (len === 127) [len, off] = buf.length < 10 ? [Infinity, 10] : [Number(buf.readBigUInt64BE(2)), 10];
        if (buf.length < off + len) return;
        expect(buf[1]! & 0x80).toBe(0); // a server never masks
        messages.push({ opcode: buf[0]! & 0x0f, payload: buf.subarray(off, off + len) });
        buf = buf.subarray(off + len);
      }
    });
    let closed = false;
    socket.on('close', () => (closed = true));
    await until(() => messages.reduce((n, m) => n + m.payload.length, 0) > 60_000);
    expect(messages.every((m) => m.opcode === 0x2)).toBe(true);
    expect(messages[0]!.payload.subarray(0, 3).toString()).toBe('FLV');
    expect(probe(Buffer.concat(messages.map((m) => m.payload)), 'ws.flv').codec_name).toBe('h264');
    expect(cam.flvClients()).toBe(1);
    const before = video.pids().length;
    // a masked close frame (code 1000): the server answers with a close and ends the stream and its ffmpeg
    const mask = randomBytes(4);
    const body = Buffer.from([0x03, 0xe8]).map((b, i) => b ^ mask[i % 4]!);
    socket.write(Buffer.concat([Buffer.from([0x88, 0x80 | 2]), mask, body]));
    await until(() => closed && messages.some((m) => m.opcode === 0x8) && cam.flvClients() === 0 && video.pids().length === before - 1);
  });

  it('stop(): the playlist 404s and open FLV responses are cut; start(): the camera is back', { timeout: 120_000 }, async () => {
    const flv = drain(await fetch(cam.flvUrl));
    await until(() => flv.bytes > 0);
    const segs = playlistSegments(await (await fetch(cam.hlsUrl)).text());
    const seqBefore = seqOf(await (await fetch(cam.hlsUrl)).text());
    const pidsBefore = video.pids();
    expect(pidsBefore.length).toBe(3); // cam-1 HLS, cam-h5 HLS, this FLV client

    await cam.stop();
    expect(cam.running).toBe(false);
    await until(() => flv.ended !== null);
    expect(flv.ended).toBe('error'); // cut, not a clean end: the camera went away
    expect((await fetch(cam.hlsUrl)).status).toBe(404);
    expect((await fetch(new URL(segs[0]!, cam.hlsUrl))).status).toBe(404);
    expect((await fetch(cam.flvUrl)).status).toBe(404);
    expect(video.pids()).toHaveLength(1); // only cam-h5's writer
    // the other camera goes on
    expect((await fetch(hevc.hlsUrl)).status).toBe(200);

    await cam.start();
    const back = await fetch(cam.hlsUrl);
    expect(back.status).toBe(200);
    const list = await back.text();
    expect(playlistSegments(list).length).toBeGreaterThanOrEqual(2);
    expect(seqOf(list)).toBeGreaterThan(seqBefore);
    const again = drain(await fetch(cam.flvUrl));
    await until(() => again.bytes > 0);
    expect(again.head.subarray(0, 3).toString()).toBe('FLV');
    await again.cancel();
    await until(() => video.pids().length === 2);
  });

  it('WHEP relays the offer to the sender page and its answer back, loopback candidates only', { timeout: 60_000 }, async () => {
    const cand = (ip: string, port: number) => `a=candidate:1 1 udp 2122194687 ${ip} ${port} typ host generation 0`;
    const offer = ['v=0', 'm=video 9 UDP/TLS/RTP/SAVPF 96', cand('127.0.0.1', 40000), cand('192.0.2.77', 40001), cand('x.local', 40002), ''].join('\r\n');
    const post = (sdp: string, type = 'application/sdp') => fetch(cam.whepUrl, { method: 'POST', headers: { 'Content-Type': type }, body: sdp });
    // clear errors before any sender is involved
    expect((await post(offer, 'text/plain')).status).toBe(415);
    const noLoop = await post(offer.replace(/^.*127\.0\.0\.1.*$/m, ''));
    expect(noLoop.status).toBe(400);
    expect(await noLoop.text()).toContain('--allow-loopback-in-peer-connection');
    const noSender = await post(offer);
    expect(noSender.status).toBe(503);
    expect(await noSender.text()).toContain(cam.whepSenderUrl);
    const page = await fetch(cam.whepSenderUrl);
    expect(page.headers.get('content-type')).toMatch(/text\/html/);
    expect(await page.text()).toContain('captureStream');
    expect((await fetch(`${video.origin}/whep-sender.html?id=nope`)).status).toBe(404);

    // this test plays the sender page: SSE in, answer out
    const sse = drain(await fetch(`${video.origin}/whep-signal/cam-1`));
    await until(() => cam.whep().senders === 1);
    const events = () =>
      [...sse.head.toString().matchAll(/event: (\w+)\ndata: (.*)\n\n/g)].map((m) => ({
        event: m[1]!,
        data: JSON.parse(m[2]!) as { session?: string; sdp?: string },
      }));
    const pending = post(offer);
    await until(() => events().some((e) => e.event === 'offer'));
    const got = events().find((e) => e.event === 'offer')!.data;
    expect(got.sdp).toContain(cand('127.0.0.1', 40000));
    expect(got.sdp).not.toContain('192.0.2.77');
    expect(got.sdp).not.toContain('x.local');
    const answer = ['v=0', 'm=video 9 UDP/TLS/RTP/SAVPF 96', cand('127.0.0.1', 50000), cand('192.0.2.78', 50001), ''].join('\r\n');
    const ans = await fetch(`${video.origin}/whep-signal/cam-1/${got.session}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/sdp' },
      body: answer,
    });
    expect(ans.status).toBe(204);
    const res = await pending;
    expect(res.status).toBe(201);
    expect(res.headers.get('content-type')).toBe('application/sdp');
    expect(res.headers.get('location')).toBe(`/whep/cam-1/${got.session}`);
    const body = await res.text();
    expect(body).toContain(cand('127.0.0.1', 50000));
    expect(body).not.toContain('192.0.2.78');
    expect(cam.whep().sessions).toBe(1);
    // no trickle; DELETE ends the session at the sender
    expect((await fetch(new URL(res.headers.get('location')!, video.origin), { method: 'PATCH' })).status).toBe(405);
    expect((await fetch(new URL(res.headers.get('location')!, video.origin), { method: 'DELETE' })).status).toBe(200);
    await until(() => events().some((e) => e.event === 'close' && e.data.session === got.session));
    expect(cam.whep().sessions).toBe(0);
    expect((await fetch(new URL(res.headers.get('location')!, video.origin), { method: 'DELETE' })).status).toBe(404);
    // a sender that fails to answer: the client gets 502 with its reason
    const failing = post(offer);
    await until(() => events().filter((e) => e.event === 'offer').length === 2);
    const second = events().filter((e) => e.event === 'offer')[1]!.data;
    await fetch(`${video.origin}/whep-signal/cam-1/${second.session}`, {
      method: 'POST',
      headers: { 'Content-Type': 'text/plain' },
      body: 'the offer has no video',
    });
    const failed = await failing;
    expect(failed.status).toBe(502);
    expect(await failed.text()).toContain('the offer has no video');
    await sse.cancel();
    await until(() => cam.whep().senders === 0);
  });

  it('rejects bad stream ids and duplicates with a clear error', async () => {
    await expect(video.add('../x')).rejects.toThrow(/letters, digits/);
    await expect(video.add('cam-1')).rejects.toThrow(/exists already/);
    expect((await fetch(`${video.origin}/live/nope/index.m3u8`)).status).toBe(404);
  });

  it('a stream that does not start in time fails with ffmpeg named, and leaves nothing behind', async () => {
    const impatient = await startVideoServer({ readyTimeoutMs: 1 });
    try {
      await expect(impatient.add('slow')).rejects.toThrow(/ffmpeg did not make 2 HLS segments for slow/);
      expect(impatient.pids()).toEqual([]);
      // not half-added: the same id can be tried again
      await expect(impatient.add('slow')).rejects.toThrow(/did not make 2 HLS segments/);
      expect(readdirSync(impatient.dir)).toEqual([]);
    } finally {
      await impatient.close();
    }
  });

  it('a test process killed with -9 (no exit handler runs) leaves no ffmpeg behind', { timeout: 120_000 }, async () => {
    const script = join(work, 'orphan.mts');
    writeFileSync(
      script,
      `import { startVideoServer } from ${JSON.stringify(join(import.meta.dirname, 'video-streams.ts'))};\n` +
        `const v = await startVideoServer();\nconst s = await v.add('orphan');\n` +
        `const r = await fetch(s.flvUrl);\nawait r.body.getReader().read();\nconsole.log('PIDS ' + JSON.stringify(v.pids()) + ' DIR ' + v.dir);\nsetInterval(() => {}, 1000);\n`,
    );
    const child = spawn(process.execPath, ['--import', 'tsx', script], { cwd: join(import.meta.dirname, '../..'), stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    await until(() => /PIDS \[.*\]/.test(out) || child.exitCode !== null);
    const pids = JSON.parse(/PIDS (\[.*\])/.exec(out)?.[1] ?? 'null') as number[] | null;
    expect(pids, out).toHaveLength(2); // the HLS writer and the FLV client's ffmpeg
    const alive = (pid: number) => {
      try {
        process.kill(pid, 0);
        return true;
      } catch {
        return false;
      }
    };
    expect(pids!.every(alive)).toBe(true);
    child.kill('SIGKILL');
    await until(() => pids!.every((p) => !alive(p)));
    // (its temp folder stays: nothing ran to remove it)
    rmSync(/ DIR (\S+)/.exec(out)![1]!, { recursive: true, force: true });
  });

  it('close() kills every ffmpeg, removes its temp folder and closes the port (twice is fine)', { timeout: 60_000 }, async () => {
    const flv = drain(await fetch(cam.flvUrl));
    await until(() => flv.bytes > 0);
    const pids = video.pids();
    expect(pids.length).toBe(3);
    expect(existsSync(join(video.dir, 'cam-1', 'index.m3u8'))).toBe(true);
    await Promise.all([video.close(), video.close()]);
    await video.close();
    expect(video.pids()).toEqual([]);
    for (const pid of pids) expect(() => process.kill(pid, 0), `ffmpeg ${pid} still alive`).toThrow();
    // no ffmpeg child of this process at all (the kernel's view, not the helper's)
    const ours = readdirSync('/proc')
      .filter((d) => /^\d+$/.test(d))
      .filter((d) => {
        try {
          const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
          return /\(ffmpeg\)/.test(stat) && Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === process.pid;
        } catch {
          return false;
        }
      });
    expect(ours).toEqual([]);
    expect(existsSync(video.dir)).toBe(false);
    await until(() => flv.ended !== null);
    await expect(fetch(cam.hlsUrl)).rejects.toThrow();
    await expect(video.add('late')).rejects.toThrow(/closed/);
  });
});
