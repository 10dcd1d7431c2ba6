import { currentWorkstation } from '../../infra/machine/workstation-id';
import type { Command } from '../command';

export const workstationId: Command = {
  name: ['workstation', 'id'],
  summary: {
    zh: '显示本机的专用计算机标识（发放印章时报给总裁办，规定 M4、S1）',
    en: 'Show this computer\'s workstation id, which the office binds the seal to (rules M4, S1)',
  },
  options: {},
  async run() {
    const workstation = currentWorkstation();
    return {
      json: { workstation },
      text: `本机标识 Workstation id: ${workstation.code}`,
    };
  },
};
