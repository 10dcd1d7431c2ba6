/**
 * Main-process responsiveness (issue #14): the round trip of a window's request while batches
 * of 300-page signed PDFs verify, side by side:
 *  - before: the handler table in the main process (as the app ran until issue #14);
 *  - idle (the anchor of the run): the service hosts with nothing to verify, the floor this
 *    machine's load sets for a round trip through three threads;
 *  - after: the same table in service hosts off the main thread (src/main/host.ts in worker
 *    threads, the app's utilityProcess path where Electron is absent), heavy channels routed to
 *    the verifier host (service-host.ts routeChannels), exactly as src/main/index.ts wires it.
 * The "window" is a worker thread, as the renderer is another process: it sends a request every
 * 20 ms over a MessagePort and times each answer, so a request waits in the main thread's queue
 * exactly as an Electron IPC message would while that thread is busy; and it sends the batches
 * to verify, one after the other for the whole measurement, each document's ArrayBuffer read
 * (copied) in the window and transferred to the main thread, which passes it on to the host as
 * src/main/ipc/service-host.ts does. The request timed is `workstation.id` (no work of its own):
 * what is measured is the wait. Target (issue #14): p95 < 50 ms.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { MessageChannel, Worker } from 'node:worker_threads';
import { PDFDocument, PDFName, PDFRawStream } from 'pdf-lib';
import { randomBytes } from 'node:crypto';
import { createAppServices } from '../../src/main/app/app-services';
import { createAppEvents } from '../../src/main/app/events';
import { dispatch, createHandlers } from '../../src/main/ipc/handlers';
import { connectServiceHost, routeChannels } from '../../src/main/ipc/service-host';
import type { IpcResult } from '../../src/shared/ipc/contract';
import { makeTestSeal, signPdf } from '../helpers/signed-pdf';
import { startTestWorkerHost } from '../helpers/service-host';

type Answer = (channel: string, payload: unknown) => Promise<IpcResult<unknown>>;

const PAGES = 300;
const BATCH = Number(process.env.YINJIAN_BENCH_IPC_BATCH ?? 3);
/** How long each mode is measured (ms): batches follow one another until then. */
const DURATION_MS = Number(process.env.YINJIAN_BENCH_IPC_MS ?? 6000);
const PING_MS = 20;

/**
 * The window: on 'start', pings every PING_MS and times each answer (ms); when told to verify,
 * sends one batch after another (each document a fresh ArrayBuffer, transferred). On 'stop',
 * waits for the batch in flight and its last answers, then reports.
 */
const WINDOW_CODE = `
const { parentPort, workerData } = require('node:worker_threads');
const { port, pdf, batch, verify, copy, pingMs } = workerData;
const sent = new Map();
const times = [];
const batchMs = [];
const verdicts = new Set();
let id = 0;
let recording = false;
let inFlight = false;
let timer;
const sendBatch = () => {
  const documents = Array.from({ length: batch }, (_, i) => ({ name: 'big-' + i + '.pdf', bytes: pdf.slice(0) }));
  inFlight = performance.now();
  port.postMessage({ verify: documents }, copy ? [] : documents.map((d) => d.bytes));
};
port.on('message', (m) => {
  if (m.id !== undefined) {
    const t = sent.get(m.id);
    if (t !== undefined) { times.push(performance.now() - t); sent.delete(m.id); }
  } else if (m.verified !== undefined) {
    batchMs.push(performance.now() - inFlight);
    for (const v of m.verified) verdicts.add(v);
    inFlight = false;
    if (recording) sendBatch();
    else finish();
  }
});
let stopped = false;
const finish = () => {
  if (!stopped || inFlight) return;
  setTimeout(() => { parentPort.postMessage({ times, unanswered: sent.size, batchMs, verdicts: [...verdicts] }); port.close(); }, 200);
};
parentPort.on('message', (m) => {
  if (m === 'start') {
    recording = true;
    timer = setInterval(() => { id++; sent.set(id, performance.now()); port.postMessage({ id }); }, pingMs);
    if (verify) sendBatch();
  } else if (m === 'stop') {
    recording = false;
    stopped = true;
    clearInterval(timer);
    finish();
  }
});
`;

async function bigSignedPdf(): Promise<Uint8Array> {
  const doc = await PDFDocument.create();
  for (let i = 0; i < PAGES; i++) {
    const page = doc.addPage([595, 842]);
    const data = randomBytes(30_000);
    const stream = PDFRawStream.of(doc.context.obj({ Type: 'XObject', Subtype: 'Image', Width: 1000, Height: 10, ColorSpace: 'DeviceRGB', BitsPerComponent: 8 }), data);
    page.node.setXObject(PDFName.of(`Im${i}`), doc.context.register(stream));
  }
  let bytes = await doc.save({ useObjectStreams: false });
  const seal = await makeTestSeal();
  for (let i = 1; i <= 3; i++) bytes = await signPdf(bytes, seal, { field: `Seal${i}` });
  return bytes;
}

function percentile(sorted: number[], p: number): number {
  return sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))]!;
}

interface Row {
  readonly mode: string;
  /** Batches verified in the measurement, and their median (ms), as the window saw them. */
  readonly batches: number;
  readonly batchMedianMs: number;
  readonly verdicts: string;
  readonly times: number[];
  /** From the request's arrival on the main thread to its answer there (ms): the host's share. */
  readonly mainSide: number[];
  readonly unanswered: number;
  /** The main thread's own event-loop delay during the measurement (p95, max; ms). */
  readonly loopP95: number;
  readonly loopMax: number;
}

/**
 * verify: batches run during the measurement. copy: documents are copied at each hop instead of
 * transferred, as Electron IPC and a utility process's port carry them (structured clone: the
 * main thread deserializes what the window sent and serializes what it passes on).
 */
async function measure(mode: string, answer: Answer, pdf: Uint8Array, verify: boolean, copy = false): Promise<Row> {
  // Warm up: the first verification loads the verifier's code in whichever thread runs it.
  await answer('workstation.id', {});
  await answer('verify.files', { documents: [{ name: 'warm-up.pdf', bytes: pdf.slice().buffer }] });
  const { port1, port2 } = new MessageChannel();
  const mainSide: number[] = [];
  port1.on('message', (m: { id?: number; verify?: { name: string; bytes: ArrayBuffer }[] }) => {
    const arrived = performance.now();
    if (m.id !== undefined) {
      void answer('workstation.id', {}).then(() => {
        mainSide.push(performance.now() - arrived);
        port1.postMessage({ id: m.id });
      });
    } else if (m.verify) {
      void answer('verify.files', { documents: m.verify }).then((result) => {
        const verdicts = result.ok ? (result.value as { reports: { verdict: string }[] }).reports.map((r) => r.verdict) : [`refused ${result.error.code}`];
        port1.postMessage({ verified: verdicts });
      });
    }
  });
  const own = pdf.slice().buffer;
  const window = new Worker(WINDOW_CODE, { eval: true, workerData: { port: port2, pdf: own, batch: BATCH, verify, copy, pingMs: PING_MS }, transferList: [port2, own] });
  await new Promise((r) => setTimeout(r, 300));
  const loop = monitorEventLoopDelay({ resolution: 5 });
  loop.enable();
  window.postMessage('start');
  await new Promise((r) => setTimeout(r, DURATION_MS));
  window.postMessage('stop');
  const report = await new Promise<{ times: number[]; unanswered: number; batchMs: number[]; verdicts: string[] }>((resolve) => window.once('message', resolve));
  loop.disable();
  await window.terminate();
  port1.close();
  const sortedBatches = [...report.batchMs].sort((a, b) => a - b);
  return {
    mode,
    batches: report.batchMs.length,
    batchMedianMs: percentile(sortedBatches, 0.5),
    verdicts: report.verdicts.join(',') || '-',
    times: report.times,
    mainSide,
    unanswered: report.unanswered,
    loopP95: loop.percentile(95) / 1e6,
    loopMax: loop.max / 1e6,
  };
}

export async function benchIpc(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'yinjian-bench-ipc-'));
  try {
    const pdf = await bigSignedPdf();
    const init = { appDataDir: join(dir, 'data'), exportFolder: dir, workstationCode: 'WS-BENCH-0001' };
    const rows: Row[] = [];

    // After: two service hosts in worker threads, heavy channels to the verifier. Measured first,
    // while this thread's heap is as small as the app's main process keeps it (it never verifies).
    const events = createAppEvents();
    const connect = (lowPriority: boolean) => connectServiceHost({ start: () => startTestWorkerHost(), init: { ...init, lowPriority }, forward: (event, payload) => events.forward(event, payload) });
    const hosts = routeChannels(connect(false), connect(true));
    const answer: Answer = (channel, payload) => hosts.invoke(channel, payload);
    rows.push(await measure('idle: service hosts, nothing verifying', answer, pdf, false));
    rows.push(await measure('after: service hosts (worker threads)', answer, pdf, true));
    // As in Electron: each hop copies. The clone is made on the main thread before the (then free) transfer.
    rows.push(await measure('after, documents copied at each hop', (channel, payload) => answer(channel, channel === 'verify.files' ? structuredClone(payload) : payload), pdf, true, true));
    hosts.close();

    // Before: the handler table on the main thread.
    const services = createAppServices({ appDataDir: init.appDataDir, exportFolder: () => dir, workstationCode: () => init.workstationCode });
    const handlers = createHandlers(services);
    rows.push(await measure('before: in the main process', (channel, payload) => dispatch(handlers, channel, payload), pdf, true));
    services.close();

    console.log(`\nMain-process responsiveness (issue #14): a window request every ${PING_MS} ms for ${DURATION_MS} ms while batches of ${BATCH} × ${PAGES}-page signed PDFs (${(pdf.length / 1e6).toFixed(1)} MB each, 3 signatures) verify one after another`);
    console.log(`load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
    console.log('mode                                     batches  median ms  verdicts    requests  p50 ms  p95 ms  max ms  unanswered  main-side p95 ms  main loop delay p95/max ms');
    for (const row of [rows[3]!, rows[0]!, rows[1]!, rows[2]!]) {
      const sorted = [...row.times].sort((a, b) => a - b);
      const mainSorted = [...row.mainSide].sort((a, b) => a - b);
      console.log(
        `${row.mode.padEnd(40)} ${String(row.batches).padStart(7)} ${(row.batches > 0 ? row.batchMedianMs.toFixed(0) : '-').padStart(10)}  ${row.verdicts.padEnd(10)} ${String(sorted.length).padStart(9)} ${percentile(sorted, 0.5).toFixed(1).padStart(7)} ${percentile(sorted, 0.95).toFixed(1).padStart(7)} ${(sorted.at(-1) ?? NaN).toFixed(1).padStart(7)} ${String(row.unanswered).padStart(11)}  ${percentile(mainSorted, 0.95).toFixed(1).padStart(16)}  ${row.loopP95.toFixed(1)}/${row.loopMax.toFixed(1)}`,
      );
    }
    console.log('target: p95 < 50 ms');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
