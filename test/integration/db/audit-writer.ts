/**
 * A separate process appending to a register's audit log, for the concurrent-writer test:
 * `tsx audit-writer.ts <path> <name> <count>`.
 */
import { openRegister } from '../../../src/main/infra/db/index';

const [path, name, count] = process.argv.slice(2);
if (path === undefined || name === undefined || count === undefined) throw new Error('usage: audit-writer <path> <name> <count>');
const register = openRegister(path);
for (let i = 0; i < Number(count); i += 1) {
  register.audit.append({ actor: { name, staffId: name }, action: 'LOGIN', subject: `${name}-${i}` });
}
register.close();
