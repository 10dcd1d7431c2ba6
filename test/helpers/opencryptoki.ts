import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const OPENCRYPTOKI_MODULE = '/usr/lib/x86_64-linux-gnu/opencryptoki/libopencryptoki.so.0';

export interface OpencryptokiFixture {
  readonly dir: string;
  readonly modulePath: string;
  readonly label: string;
  readonly soPin: string;
  readonly userPin: string;
  /**
   * The command line that runs `argv` inside a private mount namespace where openCryptoki's
   * fixed paths (/etc/opencryptoki, /var/lib/opencryptoki, /var/lock/opencryptoki, /run) are
   * this fixture's temp folders, with its own pkcsslotd running and one soft token initialised
   * by pkcsconf (the vendor tool). The daemon is stopped when `argv` ends, whatever its outcome.
   */
  wrap(argv: readonly string[]): string[];
  cleanup(): void;
}

/**
 * openCryptoki's soft token. It is workable only as root: its paths are compiled in, slots go
 * through the pkcsslotd daemon (one per machine, group pkcs11), so a throwaway token needs a
 * private mount namespace (unshare -m) over temp folders. Without root this throws: the token
 * conformance suite then reports the row as failed, never skipped.
 */
export function provisionOpencryptoki(token: { label: string; soPin: string; userPin: string }): OpencryptokiFixture {
  if (process.getuid?.() !== 0) throw new Error('openCryptoki needs root: its fixed paths are replaced in a private mount namespace (unshare -m)');
  for (const tool of ['/usr/sbin/pkcsslotd', '/usr/sbin/pkcsconf', OPENCRYPTOKI_MODULE]) {
    if (!existsSync(tool)) throw new Error(`${tool} missing: apt-get install opencryptoki`);
  }
  const dir = mkdtempSync(join(tmpdir(), 'yinjian-ock-'));
  for (const sub of ['etc', 'lib/swtok/TOK_OBJ', 'lock']) mkdirSync(join(dir, sub), { recursive: true });
  writeFileSync(join(dir, 'etc', 'opencryptoki.conf'), 'version opencryptoki-3.1\n\nslot 3\n{\nstdll = libpkcs11_sw.so\ntokname = swtok\n}\n');
  const script = join(dir, 'in-namespace.sh');
  writeFileSync(
    script,
    `#!/bin/bash
set -e
D="$1"; shift
mount -t tmpfs none /run
mkdir -p /run/opencryptoki /run/lock /var/lock/opencryptoki
chgrp pkcs11 /run/opencryptoki; chmod 770 /run/opencryptoki
mount --bind "$D/etc" /etc/opencryptoki
mount --bind "$D/lib" /var/lib/opencryptoki
mount --bind "$D/lock" /var/lock/opencryptoki
mount -t tmpfs none /dev/shm
chgrp -R pkcs11 "$D"; chmod -R g+rwX "$D"
/usr/sbin/pkcsslotd
stop() { for p in $(pgrep -x pkcsslotd); do if [ "$(readlink /proc/$p/ns/mnt)" = "$(readlink /proc/self/ns/mnt)" ]; then kill "$p"; fi; done; }
trap stop EXIT
printf '%s\\n' "${token.label}" | pkcsconf -I -c 3 -S "${token.soPin}" >/dev/null
pkcsconf -u -c 3 -S "${token.soPin}" -n "${token.userPin}" >/dev/null
set +e
"$@"
`,
  );
  chmodSync(script, 0o755);
  return {
    dir,
    modulePath: OPENCRYPTOKI_MODULE,
    ...token,
    wrap: (argv) => ['unshare', '-m', '--propagation', 'private', script, dir, ...argv],
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}
