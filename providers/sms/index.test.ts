import { describe, expect, it } from 'vitest';
import { startSmsSimulator } from '../../devnet/sms/sms.simulator.js';
import { smsSimulatorProcess } from '../../platform/config/processes/sms-simulator.js';
import { closeAfterEach, FAST_RESILIENCE } from '../../testing/provider-fixtures.js';
import { createOtpSender } from './index.js';

const track = closeAfterEach();

describe('createOtpSender', () => {
  it.each(['kavenegar', 'smsir'] as const)(
    'sends through %s as SMS_PROVIDER says, with the dev config, to the simulator',
    async (provider) => {
      const sim = track(await startSmsSimulator());
      const port = new URL(sim.url).port;
      const { sms } = smsSimulatorProcess.load({ SMS_PROVIDER: provider, SMS_SIMULATOR_PORT: port });
      const sender = createOtpSender(sms, undefined, { resilience: FAST_RESILIENCE });
      expect(sender.name).toBe(provider);
      const receipt = await sender.sendCode({ phone: '+989121234567', code: '314159' });
      expect(receipt.provider).toBe(provider);
      expect(sim.lastMessage('09121234567')).toMatchObject({ provider, code: '314159', messageId: receipt.messageId });
    },
  );
});
