import { DEVNET_FAUCET_ACCOUNT } from '../devnet/evm/devnet-evm.js';
import { hardhatAccounts } from '../devnet/evm/local-chain.js';
import { devnetProcess, loadOrExit } from '../platform/config/config.js';
import { DomainError } from '../platform/errors.js';
import { parsePositiveAmount } from '../platform/money/amount.js';
import { nativeAssetOf, usdtOf, type Network } from '../platform/money/assets.js';
import { EvmSender } from '../devnet/evm/evm-sender.js';
import { isNetwork } from '../chains/network.js';
import { validateAddress } from '../chains/address.js';

/**
 * npm run devnet:send -- --network <ETH|BSC|TRON|TON> --to <address> --amount <decimal> [--token USDT]
 * Sends devnet funds (the native coin, or USDT with --token USDT) to an address on the local chains `npm start`
 * runs: from hardhat's funded account on ETH/BSC, from the simulators' faucets on TRON/TON. Prints one JSON line.
 */
const USAGE =
  'usage: npm run devnet:send -- --network <ETH|BSC|TRON|TON> --to <address> --amount <decimal> [--token USDT]';

function fail(message: string, code = 2): never {
  process.stderr.write(`${message}\n${USAGE}\n`);
  process.exit(code);
}

function flag(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

const config = loadOrExit(devnetProcess);
if (config.chains.devnet === null) fail('devnet:send only sends on the devnet (DEVNET_CHAINS is off)', 1);
const networkName = flag('network')?.toUpperCase();
if (!networkName || !isNetwork(networkName)) fail('--network must be ETH, BSC, TRON or TON');
const network: Network = networkName;
const to = flag('to');
if (!to) fail('--to is required');
const check = validateAddress(network, to);
if (!check.valid || check.normalized === null)
  fail(`--to is not a valid ${network} address: ${check.reason ?? 'invalid'}`);
const token = flag('token');
if (token !== undefined && token.toUpperCase() !== 'USDT') fail('--token can only be USDT');
const asset = token ? usdtOf(network) : nativeAssetOf(network);
let amount: bigint;
try {
  amount = parsePositiveAmount(flag('amount') ?? '', asset.decimals, 'amount');
} catch (err) {
  fail(err instanceof DomainError ? `--${err.message}` : String(err));
}
const settings = config.chains.networks[network];
if (!settings) fail(`${network} has no endpoint configured`, 1);

try {
  let result: Record<string, unknown>;
  if (network === 'ETH' || network === 'BSC') {
    const chain = new EvmSender(settings.url, hardhatAccounts()[DEVNET_FAUCET_ACCOUNT]!.privateKey);
    const txHash = token
      ? await chain.sendToken(settings.usdtContract, check.normalized, amount)
      : await chain.sendNative(check.normalized, amount);
    result = { txHash, blockNumber: Number(await chain.blockNumber()) };
  } else {
    const res = await fetch(`${settings.url}/devnet/faucet`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ to: check.normalized, amount: amount.toString(), ...(token ? { token: 'USDT' } : {}) }),
      signal: AbortSignal.timeout(10_000),
    });
    const body = (await res.json()) as Record<string, unknown>;
    if (!res.ok) fail(`the ${network} faucet refused: ${JSON.stringify(body)}`, 1);
    result = body;
  }
  process.stdout.write(
    `${JSON.stringify({ network, asset: asset.symbol, amount: flag('amount'), to: check.normalized, ...result })}\n`,
  );
} catch (err) {
  fail(`could not send on the ${network} devnet (is npm start running?): ${(err as Error).message}`, 1);
}
