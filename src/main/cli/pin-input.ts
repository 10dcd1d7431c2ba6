import { YinjianError } from '../../shared/errors/index';

/**
 * Reads PINs without ever putting them in argv, the environment or a log: from a no-echo
 * prompt on a terminal, or one per line from standard input with --pin-stdin. Each PIN is
 * returned in its own Buffer, which the consumer zeroes after use; the raw input is zeroed here.
 */
export interface PinSource {
  next(prompt: { zh: string; en: string }): Promise<Buffer>;
  /** Zeroes whatever input is left unread. */
  dispose(): void;
}

/** The next chunk of `stream`, or null at its end; leaves the stream paused in between. */
function readChunk(stream: NodeJS.ReadableStream): Promise<Buffer | null> {
  const asBuffer = (chunk: string | Buffer): Buffer => (Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk));
  return new Promise((resolve, reject) => {
    const first = stream.read() as string | Buffer | null;
    if (first !== null) return resolve(asBuffer(first));
    if ((stream as { readableEnded?: boolean }).readableEnded) return resolve(null);
    const cleanup = (): void => {
      stream.off('readable', onReadable);
      stream.off('end', onEnd);
      stream.off('error', onError);
    };
    const onReadable = (): void => {
      const chunk = stream.read() as string | Buffer | null;
      if (chunk !== null) {
        cleanup();
        resolve(asBuffer(chunk));
      }
    };
    const onEnd = (): void => {
      cleanup();
      resolve(null);
    };
    const onError = (error: Error): void => {
      cleanup();
      reject(error);
    };
    stream.on('readable', onReadable);
    stream.on('end', onEnd);
    stream.on('error', onError);
  });
}

/** Splits raw input into line Buffers (without CR/LF), then zeroes the raw input. */
export function splitPinLines(raw: Buffer): Buffer[] {
  const lines: Buffer[] = [];
  let start = 0;
  for (let i = 0; i <= raw.length; i++) {
    if (i === raw.length || raw[i] === 0x0a) {
      let end = i;
      if (end > start && raw[end - 1] === 0x0d) end--;
      if (i < raw.length || end > start) lines.push(Buffer.from(raw.subarray(start, end)));
      start = i + 1;
    }
  }
  raw.fill(0);
  return lines;
}

/**
 * --pin-stdin: each PIN is one line of standard input, read as soon as that line has arrived
 * (issue #15: a script that writes the PIN and keeps the pipe open must not stall until end of
 * input). Bytes read beyond the line wait, in memory, for the next PIN and are zeroed at dispose.
 */
export function stdinPinSource(stdin: NodeJS.ReadableStream = process.stdin): PinSource {
  let pending = Buffer.alloc(0);
  let ended = false;
  const takeLine = (): Buffer | undefined => {
    const newline = pending.indexOf(0x0a);
    if (newline === -1 && !(ended && pending.length > 0)) return undefined;
    const stop = newline === -1 ? pending.length : newline;
    const end = stop > 0 && pending[stop - 1] === 0x0d ? stop - 1 : stop;
    const line = Buffer.from(pending.subarray(0, end));
    const rest = Buffer.from(pending.subarray(Math.min(pending.length, stop + 1)));
    pending.fill(0);
    pending = rest;
    return line;
  };
  return {
    async next(): Promise<Buffer> {
      for (;;) {
        const line = takeLine();
        if (line) return line;
        if (ended) throw new YinjianError('PIN_INPUT_MISSING');
        const chunk = await readChunk(stdin);
        if (chunk === null) {
          ended = true;
          continue;
        }
        const merged = Buffer.concat([pending, chunk]);
        pending.fill(0);
        chunk.fill(0);
        pending = merged;
      }
    },
    dispose(): void {
      pending.fill(0);
      pending = Buffer.alloc(0);
      // Nothing more is read: let the process end even if the writer keeps the pipe open.
      stdin.pause();
      (stdin as { unref?: () => void }).unref?.();
    },
  };
}

/** A no-echo prompt on the terminal: characters are read in raw mode straight into a Buffer. */
export function terminalPinSource(stdin: NodeJS.ReadStream = process.stdin, stderr: NodeJS.WriteStream = process.stderr): PinSource {
  return {
    next(prompt): Promise<Buffer> {
      if (!stdin.isTTY) return Promise.reject(new YinjianError('PIN_INPUT_MISSING'));
      stderr.write(`${prompt.zh} / ${prompt.en}: `);
      const pin = Buffer.alloc(64);
      let length = 0;
      return new Promise<Buffer>((resolve, reject) => {
        const finish = (error?: YinjianError): void => {
          stdin.off('data', onData);
          stdin.setRawMode(false);
          stdin.pause();
          stderr.write('\n');
          if (error) {
            pin.fill(0);
            reject(error);
            return;
          }
          const result = Buffer.from(pin.subarray(0, length));
          pin.fill(0);
          resolve(result);
        };
        const onData = (data: Buffer): void => {
          for (const byte of data) {
            if (byte === 0x0d || byte === 0x0a) return finish();
            if (byte === 0x03) return finish(new YinjianError('USAGE', { detail: 'cancelled' }));
            if (byte === 0x7f || byte === 0x08) {
              if (length > 0) pin[--length] = 0;
            } else if (length < pin.length) pin[length++] = byte;
          }
          data.fill(0);
        };
        stdin.setRawMode(true);
        stdin.resume();
        stdin.on('data', onData);
      });
    },
    dispose(): void {},
  };
}
