import { defineProcess, type ConfigOf } from '../env.js';
import { finnotech } from '../payment-providers.js';

/** Devnet only: the FinnoTech banking API simulator on FINNOTECH_SIMULATOR_PORT. */
export const finnotechSimulatorProcess = defineProcess('finnotech-simulator', { finnotech });
export type FinnotechSimulatorConfig = ConfigOf<typeof finnotechSimulatorProcess>;
