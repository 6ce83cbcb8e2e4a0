import { defineProcess, type ConfigOf } from '../env.js';
import { paystar } from '../payment-providers.js';

/** Devnet only: the Paystar IPG simulator (API and payment page) on PAYSTAR_SIMULATOR_PORT. */
export const paystarSimulatorProcess = defineProcess('paystar-simulator', { paystar });
export type PaystarSimulatorConfig = ConfigOf<typeof paystarSimulatorProcess>;
