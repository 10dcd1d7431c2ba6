// The development entry (`npm run yinjian:dev -- …`, through tsx): the same command line as the
// compiled bin/yinjian.js, straight from the TypeScript sources.
import { runCliProcess } from './process';

process.exitCode = await runCliProcess(process.argv.slice(2));
