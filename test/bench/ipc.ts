/**
 * Main-process responsiveness (issue #14): the round trip of a window's request while a batch
 * of 300-page signed PDFs verifies, side by side:
 *  - before: the handler table in the main process (as the app ran until issue #14);
 *  - after: the same table in service hosts off the main thread (src/main/host.ts in worker
 *    threads, the app's utilityProcess path where Electron is absent), heavy channels routed to
 *    the verifier host (service-host.ts routeChannels), exactly as src/main/index.ts wires it.
 * The "window" is a worker thread that sends a request every 20 ms over a MessagePort and times
 * each answer, so a request waits in the main thread's queue exactly as an Electron IPC message
 * would while that thread is busy. The request is `workstation.id` (no work of its own): what is
 * measured is the wait. Target (issue #14): p95 < 50 ms.
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
const PING_MS = 20;

/** The window: pings every PING_MS, times each answer (ms), until told to stop. */
const WINDOW_CODE = `
const { parentPort, workerData } = require('node:worker_threads');
const port = workerData.port;
const sent = new Map();
const times = [];
let id = 0;
port.on('message', (m) => { const t = sent.get(m.id); if (t !== undefined) { times.push(performance.now() - t); sent.delete(m.id); } });
const timer = setInterval(() => { id++; sent.set(id, performance.now()); port.postMessage({ id }); }, ${PING_MS});
parentPort.on('message', (m) => { if (m === 'stop') { clearInterval(timer); setTimeout(() => { parentPort.postMessage({ times, unanswered: sent.size }); port.close(); }, 200); } });
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
  readonly batchMs: number;
  readonly verdicts: string;
  readonly times: number[];
  /** From the request's arrival on the main thread to its answer there (ms): the host's share. */
  readonly mainSide: number[];
  readonly unanswered: number;
  /** The main thread's own event-loop delay during the batch (p95, max; ms). */
  readonly loopP95: number;
  readonly loopMax: number;
}

/** A document as the window sends it: its own ArrayBuffer (transferred to a host, so one per call). */
const documentOf = (name: string, pdf: Uint8Array): { name: string; bytes: ArrayBuffer } => ({ name, bytes: pdf.slice().buffer });

async function measure(mode: string, answer: Answer, pdf: Uint8Array): Promise<Row> {
  // Warm up: the first verification loads the verifier's code in whichever thread runs it.
  await answer('workstation.id', {});
  await answer('verify.files', { documents: [documentOf('warm-up.pdf', pdf)] });
  const { port1, port2 } = new MessageChannel();
  // The part of each round trip spent from the request's arrival on the main thread to its answer there.
  const mainSide: number[] = [];
  port1.on('message', (m: { id: number }) => {
    const arrived = performance.now();
    void answer('workstation.id', {}).then(() => {
      mainSide.push(performance.now() - arrived);
      port1.postMessage({ id: m.id });
    });
  });
  const window = new Worker(WINDOW_CODE, { eval: true, workerData: { port: port2 }, transferList: [port2] });
  // The window reads its files before it calls (in the app: the renderer, another process).
  const documents = Array.from({ length: BATCH }, (_, i) => documentOf(`big-${i}.pdf`, pdf));
  await new Promise((r) => setTimeout(r, 300));
  const loop = monitorEventLoopDelay({ resolution: 5 });
  loop.enable();
  const started = performance.now();
  const result = await answer('verify.files', { documents });
  const batchMs = performance.now() - started;
  loop.disable();
  window.postMessage('stop');
  const { times, unanswered } = await new Promise<{ times: number[]; unanswered: number }>((resolve) => window.once('message', resolve));
  await window.terminate();
  port1.close();
  const verdicts = result.ok ? [...new Set((result.value as { reports: { verdict: string }[] }).reports.map((r) => r.verdict))].join(',') : `refused ${result.error.code}`;
  return { mode, batchMs, verdicts, times, mainSide, unanswered, loopP95: loop.percentile(95) / 1e6, loopMax: loop.max / 1e6 };
}

export async function benchIpc(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'yinjian-bench-ipc-'));
  try {
    const pdf = await bigSignedPdf();
    const init = { appDataDir: join(dir, 'data'), exportFolder: dir, workstationCode: 'WS-BENCH-0001' };
    const rows: Row[] = [];

    // Before: the handler table on the main thread.
    const services = createAppServices({ appDataDir: init.appDataDir, exportFolder: () => dir, workstationCode: () => init.workstationCode });
    const handlers = createHandlers(services);
    rows.push(await measure('before: in the main process', (channel, payload) => dispatch(handlers, channel, payload), pdf));
    services.close();

    // After: two service hosts in worker threads, heavy channels to the verifier.
    const events = createAppEvents();
    const connect = (lowPriority: boolean) => connectServiceHost({ start: () => startTestWorkerHost(), init: { ...init, lowPriority }, forward: (event, payload) => events.forward(event, payload) });
    const hosts = routeChannels(connect(false), connect(true));
    rows.push(await measure('after: service hosts (worker threads)', (channel, payload) => hosts.invoke(channel, payload), pdf));
    hosts.close();

    console.log(`\nMain-process responsiveness (issue #14): a window request every ${PING_MS} ms while ${BATCH} × ${PAGES}-page signed PDFs (${(pdf.length / 1e6).toFixed(1)} MB each, 3 signatures) verify`);
    console.log(`load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
    console.log('mode                                     batch ms  verdicts         requests  p50 ms  p95 ms  max ms  unanswered  main-side p95 ms  main loop delay p95/max ms');
    for (const row of rows) {
      const sorted = [...row.times].sort((a, b) => a - b);
      const mainSorted = [...row.mainSide].sort((a, b) => a - b);
      console.log(
        `${row.mode.padEnd(40)} ${row.batchMs.toFixed(0).padStart(8)}  ${row.verdicts.padEnd(15)} ${String(sorted.length).padStart(9)} ${percentile(sorted, 0.5).toFixed(1).padStart(7)} ${percentile(sorted, 0.95).toFixed(1).padStart(7)} ${(sorted.at(-1) ?? NaN).toFixed(1).padStart(7)} ${String(row.unanswered).padStart(11)}  ${percentile(mainSorted, 0.95).toFixed(1).padStart(16)}  ${row.loopP95.toFixed(1)}/${row.loopMax.toFixed(1)}`,
      );
    }
    console.log('target: p95 < 50 ms');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
