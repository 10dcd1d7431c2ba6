import { describe, expect, it } from 'vitest';
import { YinjianError } from '../../../src/shared/errors/index';
import { createHandlers, dispatch } from '../../../src/main/ipc/handlers';
import type { OfficeFrontDoor } from '../../../src/main/app/front-doors';

/**
 * Issue #14: every office channel that carries PINs (init-ca, issue, change, re-issue, publish,
 * unlock) has its request's PIN arrays zeroed by the handler table once the call is over,
 * refused or not (M4), and a channel the services do not offer is SERVICE_UNAVAILABLE.
 */
describe('office channels zero the PIN arrays they carry', () => {
  const seen: number[][] = [];
  const refuse = async (request: object): Promise<never> => {
    // What the front door saw: the PINs still readable during the call.
    for (const value of Object.values(request)) if (Array.isArray(value)) seen.push([...(value as number[])]);
    throw new YinjianError('PIN_INCORRECT');
  };
  const office: OfficeFrontDoor = { 'office.unlock': refuse, 'office.initCa': refuse };
  const handlers = createHandlers({
    usbKeys: () => {
      throw new Error('not used');
    },
    workstationCode: () => 'WS',
    office,
  });

  it('office.unlock: both PINs zeroed after a refusal, which is passed on typed', async () => {
    const request = { token: 'K', soPin: [49, 50, 51, 52, 53, 54, 55, 56], initialUserPin: [55, 56, 57, 48, 49, 50] };
    await expect(handlers['office.unlock'](request)).rejects.toMatchObject({ code: 'PIN_INCORRECT' });
    expect(seen.at(-2)).toEqual([49, 50, 51, 52, 53, 54, 55, 56]);
    expect(request.soPin.every((b) => b === 0)).toBe(true);
    expect(request.initialUserPin.every((b) => b === 0)).toBe(true);
  });

  it('office.initCa: the PIN zeroed too', async () => {
    const request = { token: 'CA', groupName: '集团', pin: [50, 48, 50, 52, 48, 55] };
    await expect(handlers['office.initCa'](request)).rejects.toMatchObject({ code: 'PIN_INCORRECT' });
    expect(request.pin.every((b) => b === 0)).toBe(true);
  });

  it('a channel the office front door lacks is SERVICE_UNAVAILABLE through dispatch', async () => {
    expect(await dispatch(handlers, 'office.mayUse', { sealId: 'x', staffId: 'S1' })).toMatchObject({ ok: false, error: { code: 'SERVICE_UNAVAILABLE' } });
  });
});
