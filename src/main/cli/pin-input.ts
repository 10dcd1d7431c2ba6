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

async function readAllStdin(stdin: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stdin) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as string));
  const all = Buffer.concat(chunks);
  for (const chunk of chunks) chunk.fill(0);
  return all;
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

export function stdinPinSource(stdin: NodeJS.ReadableStream = process.stdin): PinSource {
  let lines: Buffer[] | undefined;
  return {
    async next(): Promise<Buffer> {
      lines ??= splitPinLines(await readAllStdin(stdin));
      const line = lines.shift();
      if (!line) throw new YinjianError('PIN_INPUT_MISSING');
      return line;
    },
    dispose(): void {
      for (const line of lines ?? []) line.fill(0);
      lines = [];
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
