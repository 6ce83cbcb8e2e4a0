/**
 * Key rotation: re-wrap every custody root's data key under a new master key (runbook in
 * subgraphs/wallet/README.md). One transaction per root; a root already on the target key is verified
 * and skipped, so an interrupted run is completed by running it again.
 *
 *   WALLET_MASTER_KEYS="old:…,new:…" WALLET_MASTER_KEY_ID=new npm run -s wallet:rotate-key
 *
 * Prints one JSON line per root {"rootId","from","to","outcome"} and a summary line
 * {"target","rewrapped","alreadyCurrent","keyIdsInUse"}. Exit 0 done, 2 usage, 1 failure.
 */
import 'reflect-metadata';
import { loadOrExit, walletCommandsProcess } from '../../../platform/config/config.js';
import { HdRoot } from '../custody-root/hd-root.entity.js';
import { parseRotateKeyArgs, ROTATE_KEY_USAGE, UsageError, type RotateKeyArgs } from './custody.args.js';
import { openCustodyRuntime } from './custody.runtime.js';
import { runCommand } from './run-command.js';

async function main(): Promise<number> {
  let args: RotateKeyArgs;
  try {
    args = parseRotateKeyArgs(process.argv.slice(2));
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`wallet:rotate-key: ${error.message}\n${ROTATE_KEY_USAGE}\n`);
    return 2;
  }
  const config = loadOrExit(walletCommandsProcess);
  const runtime = await openCustodyRuntime(config, 'wallet:rotate-key');
  try {
    const target = args.to ?? runtime.vault.currentKeyId;
    const steps = await runtime.vault.rotate(runtime.orm.em.fork(), target, (step) => {
      process.stdout.write(`${JSON.stringify(step)}\n`);
    });
    const roots = await runtime.orm.em.fork().find(HdRoot, {}, { fields: ['masterKeyId'] });
    const summary = {
      target,
      rewrapped: steps.filter((s) => s.outcome === 'REWRAPPED').length,
      alreadyCurrent: steps.filter((s) => s.outcome === 'ALREADY_CURRENT').length,
      keyIdsInUse: [...new Set(roots.map((r) => r.masterKeyId))].sort(),
    };
    process.stdout.write(`${JSON.stringify(summary)}\n`);
    return 0;
  } finally {
    await runtime.close();
  }
}

runCommand('wallet:rotate-key', main);
