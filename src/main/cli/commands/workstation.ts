import { currentWorkstation } from '../../infra/machine/workstation-id';
import type { Command } from '../command';

export const workstationId: Command = {
  options: {},
  examples: [
    { line: 'yinjian workstation id', zh: '显示本机标识，报给总裁办', en: 'show this computer\'s id, to give to the office' },
  ],
  async run() {
    const workstation = currentWorkstation();
    return {
      json: { workstation },
      text: `本机标识 Workstation id: ${workstation.code}`,
    };
  },
};
