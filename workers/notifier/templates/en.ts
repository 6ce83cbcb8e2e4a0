import { assetLabel, formatMoney } from '../format.js';
import type { Templates } from './template.js';

const money = (amount: string, asset: string) => `${formatMoney(amount, asset, 'en')} ${assetLabel(asset, 'en')}`;
const maybe = (amount: string | null, asset: string) => (amount ? `${money(amount, asset)} ` : '');

/** English messages, by category. */
export const en: Templates = {
  // deposits
  DEPOSIT_DETECTED: (f) => ({
    text: `Incoming deposit: ${money(f.amount, f.asset)} on ${f.network}. We credit it after the network confirms it.`,
    button: 'Open history',
  }),
  DEPOSIT_CREDITED: (f) => ({
    text: `Deposit credited: ${money(f.amount, f.asset)} is now in your balance.`,
    button: 'Open history',
  }),
  // security (never muted)
  DEPOSIT_REORGED: (f) => ({
    text: `Deposit reversed: the ${f.network} network dropped the block with your deposit of ${money(f.amount, f.asset)}, so it was taken back from your balance.`,
    button: 'Open history',
  }),
  // transfers
  TRANSFER_RECEIVED: (f) => ({ text: `You received ${money(f.amount, f.asset)}.`, button: 'Open history' }),
  // withdrawals
  WITHDRAWAL_BROADCAST: (f) => ({
    text: `Your withdrawal ${maybe(f.amount, f.asset)}was sent to the network.`,
    button: 'Open withdrawal',
  }),
  WITHDRAWAL_COMPLETED: (f) => ({
    text: `Your withdrawal ${maybe(f.amount, f.asset)}is complete.`,
    button: 'Open withdrawal',
  }),
  WITHDRAWAL_FAILED: (f) => ({
    text: `Your withdrawal ${maybe(f.amount, f.asset)}did not go through (${f.status.toLowerCase()}); the amount is back in your balance.`,
    button: 'Open withdrawal',
  }),
  // orders
  ORDER_FILLED: (f) => ({
    text: `Order filled: you paid ${money(f.pay, f.from)} and received ${money(f.receive, f.to)}.`,
    button: 'Open trade',
  }),
  // support
  TICKET_ANSWERED: () => ({ text: 'Support answered your ticket.', button: 'Read the answer' }),
  // kyc
  KYC_APPROVED: (f) => ({
    text: `Your identity verification was approved (${f.tier.toLowerCase()} level).`,
    button: 'Open verification',
  }),
  KYC_REJECTED: () => ({
    text: 'Your identity verification was not approved. Open the app to see why and try again.',
    button: 'Open verification',
  }),
};
