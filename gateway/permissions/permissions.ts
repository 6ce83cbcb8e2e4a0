import { allow, and, deny, or } from 'graphql-shield';
import {
  hasClaimRule,
  hasRoleRule,
  isAdmin,
  isAuthenticated,
  isSignedOut,
  isStaffMember,
  isSuperadmin,
} from './rules.js';

/** The FINANCE role, or SUPERADMIN. */
const isFinance = hasRoleRule('FINANCE', 'SUPERADMIN');
/** FINANCE, ADMIN or SUPERADMIN. */
const isFinanceOrAdmin = hasRoleRule('FINANCE', 'ADMIN', 'SUPERADMIN');
/** Creating or undoing money takes two keys: the FINANCE role (or SUPERADMIN) and the ledger:adjust claim. */
const isMoneyAdmin = and(isFinance, hasClaimRule('ledger:adjust'));
/** Auditors of the ledger: finance and admins, or whoever holds ledger:adjust. */
const isLedgerAuditor = or(isFinanceOrAdmin, hasClaimRule('ledger:adjust'));
/** KYC reviewers: staff holding kyc:review (COMPLIANCE); the kyc subgraph also refuses one's own submission. */
const isKycReviewer = and(isStaffMember, hasClaimRule('kyc:review'));
/** Support staff: the SUPPORT role (or SUPERADMIN), or staff holding tickets:assign; the support subgraph checks again. */
const isSupportStaff = or(hasRoleRule('SUPPORT', 'SUPERADMIN'), and(isStaffMember, hasClaimRule('tickets:assign')));
/** Withdrawal approvers (crypto and Toman): staff holding withdrawals:approve; the wallet and payment subgraphs refuse one's own. */
const isWithdrawalApprover = and(isStaffMember, hasClaimRule('withdrawals:approve'));
/** Crediting a parked bank statement line to a user creates money on their balance: staff with ledger:adjust. */
const isBankCreditAssigner = and(isStaffMember, hasClaimRule('ledger:adjust'));
/** Voucher rate setters: staff holding vouchers:rates (the voucher subgraph checks again). */
const isVoucherRateSetter = and(isStaffMember, hasClaimRule('vouchers:rates'));
/** Voucher reviewers: staff holding vouchers:review resolve purchases UNDER_REVIEW (the subgraph checks four eyes). */
const isVoucherReviewer = and(isStaffMember, hasClaimRule('vouchers:review'));

/** What a graphql-shield rule (rule, and, or, not, allow, deny) offers: a resolve evaluated per field. */
export interface ShieldRule {
  resolve(
    parent: unknown,
    args: Record<string, unknown>,
    ctx: unknown,
    info: unknown,
    options: unknown,
  ): Promise<unknown>;
}

export type PermissionMap = Record<string, Record<string, ShieldRule>>;

/**
 * Every field a client may select, and who may select it. Anything not listed is denied (fallbackRule).
 * Object-level ownership (is this my wallet?) is checked in the subgraph services, which see the data.
 */
export const permissions: PermissionMap = {
  Query: {
    me: isAuthenticated,
    user: isStaffMember,
    users: isStaffMember,
    levelRules: allow,
    // market: public data
    assets: allow,
    asset: allow,
    prices: allow,
    price: allow,
    // wallet
    validateAddress: isAuthenticated,
    walletByAddress: isStaffMember,
    // deposits: yours only (or staff), checked by the wallet subgraph
    deposit: isAuthenticated,
    depositsByTxHash: isAuthenticated,
    withdrawalFreezes: isStaffMember,
    // ledger: parties see their own transactions (checked by the ledger subgraph), staff see all
    transaction: isAuthenticated,
    balances: isAuthenticated,
    ledgerTransactions: isStaffMember,
    verifyLedger: isLedgerAuditor,
    ledgerDebts: isStaffMember,
    adjustmentRequests: isLedgerAuditor,
    // kyc: the queue is for reviewers; one submission for its applicant or a reviewer (checked by the kyc subgraph)
    kycSubmissions: isKycReviewer,
    kycSubmission: isAuthenticated,
    accountRecoveries: isKycReviewer,
    // support: one ticket for its user or support staff (checked by the support subgraph); the queue and SLA for staff
    ticket: isAuthenticated,
    ticketQueue: isSupportStaff,
    ticketSla: isSupportStaff,
    ticketAttachmentDownload: isAuthenticated,
    // trading: one order for its owner or staff (checked by the ledger subgraph); the exchange's books for staff
    order: isAuthenticated,
    exchangeExposure: isStaffMember,
    tradingPairs: isStaffMember,
    tradingFees: isStaffMember,
    // proof of reserves: holdings vs liabilities for finance and admins; published roots are public; a proof is one's own
    reserves: isFinanceOrAdmin,
    treasury: isFinanceOrAdmin,
    reserveSnapshots: allow,
    myReserveProof: isAuthenticated,
    // payment: one's own payments and withdrawals (or staff), checked by the payment subgraph
    payment: isAuthenticated,
    fiatWithdrawal: isAuthenticated,
    bankDepositInstructions: isAuthenticated,
    unmatchedBankCredits: isBankCreditAssigner,
    fiatWithdrawals: isWithdrawalApprover,
    // voucher: rates for signed-in users; provider balances for FINANCE or rate setters; search for staff
    voucherRates: isAuthenticated,
    validateVoucher: isAuthenticated,
    voucherProviderBalances: or(isFinance, isVoucherRateSetter),
    searchVouchers: isStaffMember,
    // withdrawals: yours only (or staff), checked by the wallet subgraph; the queue and thresholds are staff's
    withdrawal: isAuthenticated,
    withdrawalQuote: isAuthenticated,
    withdrawals: isStaffMember,
    withdrawalThresholds: isStaffMember,
    pendingVoucherResolutions: isVoucherReviewer,
  },
  Mutation: {
    signInWithTelegram: allow,
    refreshSession: allow,
    signInAdmin: allow,
    // The Telegram bot's delegation: identity checks its service credential; a signed-in viewer never calls it.
    signInAsTelegramUser: isSignedOut,
    signOut: isAuthenticated,
    updateSettings: isAuthenticated,
    grantRole: isSuperadmin,
    revokeRole: isSuperadmin,
    grantClaim: isSuperadmin,
    revokeClaim: isSuperadmin,
    updateAsset: isAdmin,
    createWallet: isAuthenticated,
    setDefaultWallet: isAuthenticated,
    // Lets a user withdraw again after a reorg reversed a credited deposit: a money-risk decision.
    liftWithdrawalFreeze: isFinance,
    transfer: isAuthenticated,
    adjustBalance: isMoneyAdmin,
    reverseTransaction: isMoneyAdmin,
    approveAdjustment: isMoneyAdmin,
    rejectAdjustment: isMoneyAdmin,
    sendPhoneCode: isAuthenticated,
    verifyPhoneCode: isAuthenticated,
    requestKycUpload: isAuthenticated,
    confirmKycUpload: isAuthenticated,
    submitKyc: isAuthenticated,
    approveKyc: isKycReviewer,
    rejectKyc: isKycReviewer,
    // account recovery: asked from the new Telegram account; decided by reviewers who are neither account (kyc checks)
    requestAccountRecovery: isAuthenticated,
    confirmAccountRecovery: isAuthenticated,
    approveAccountRecovery: isKycReviewer,
    rejectAccountRecovery: isKycReviewer,
    // support: users open, reply to, close and rate their own tickets (the subgraph checks ownership); staff run the rest
    openTicket: isAuthenticated,
    replyToTicket: isAuthenticated,
    closeTicket: isAuthenticated,
    rateTicket: isAuthenticated,
    requestTicketAttachment: isAuthenticated,
    confirmTicketAttachment: isAuthenticated,
    addTicketNote: isSupportStaff,
    assignTicket: isSupportStaff,
    resolveTicket: isSupportStaff,
    // trading: quotes and orders for signed-in users; the exchange's spreads, switches, caps and fees are FINANCE's
    quote: isAuthenticated,
    placeOrder: isAuthenticated,
    setTradingPair: isFinance,
    setTradingFee: isFinance,
    placeLimitOrder: isAuthenticated,
    cancelOrder: isAuthenticated,
    publishReserveSnapshots: isFinanceOrAdmin,
    // payment: cards/IBANs checked against the viewer's KYC name; money mutations take idempotency keys
    addBankCard: isAuthenticated,
    addBankAccount: isAuthenticated,
    startCardPayment: isAuthenticated,
    requestFiatWithdrawal: isAuthenticated,
    approveFiatWithdrawal: isWithdrawalApprover,
    declineFiatWithdrawal: isWithdrawalApprover,
    assignBankCredit: isBankCreditAssigner,
    // voucher: the owner buys, reveals (the subgraph checks ownership) and redeems; staff with vouchers:rates set rates
    buyVoucher: isAuthenticated,
    revealVoucherCode: isAuthenticated,
    redeemVoucher: isAuthenticated,
    setVoucherRate: isVoucherRateSetter,
    requestWithdrawal: isAuthenticated,
    addWithdrawalAddress: isAuthenticated,
    cancelWithdrawal: isAuthenticated,
    // Four eyes on money that leaves: the claim here; not one's own, not the threshold's setter (wallet checks).
    approveWithdrawal: isWithdrawalApprover,
    rejectWithdrawal: isWithdrawalApprover,
    setWithdrawalThreshold: isFinance,
    // Four eyes on a voucher purchase under review: one proposes, another confirms; never the buyer (voucher checks).
    proposeVoucherResolution: isVoucherReviewer,
    confirmVoucherResolution: isVoucherReviewer,
    // The SMS code of one's own address (the wallet checks ownership).
    confirmWithdrawalAddress: isAuthenticated,
  },
  Subscription: {
    meUpdated: isAuthenticated,
    depositUpdated: isAuthenticated,
    priceUpdated: allow,
    balanceUpdated: isAuthenticated,
    kycUpdated: isAuthenticated,
    ticketUpdated: isAuthenticated,
    orderUpdated: isAuthenticated,
    fiatWithdrawalUpdated: isAuthenticated,
    withdrawalUpdated: isAuthenticated,
  },
  // Types reachable only through a guarded root field; their fields are open to whoever reached them.
  // User.limits: the ledger answers the user themselves and staff only.
  User: { '*': allow, limits: isAuthenticated },
  UserLimits: { '*': allow },
  LimitUsage: { '*': allow },
  UserSettings: { '*': allow },
  AuthPayload: { '*': allow },
  DelegatedSession: { '*': allow },
  UserConnection: { '*': allow },
  UserEdge: { '*': allow },
  PageInfo: { '*': allow },
  LevelRule: { '*': allow },
  Asset: { '*': allow },
  Price: { '*': allow },
  Candle: { '*': allow },
  // Ownership (your wallets only, or staff) is checked by the wallet subgraph; custody internals are admin-only.
  Wallet: { '*': allow, derivationPath: isAdmin, onChainBalance: isFinanceOrAdmin },
  AddressValidation: { '*': allow },
  // Deposits are reachable through deposit(id), User.deposits and depositUpdated: ownership is checked by the wallet subgraph.
  Deposit: { '*': allow },
  DepositConnection: { '*': allow },
  DepositEdge: { '*': allow },
  OnChainBalance: { '*': allow },
  // Reached only through withdrawalFreezes (staff) and liftWithdrawalFreeze (FINANCE, SUPERADMIN).
  WithdrawalFreeze: { '*': allow },
  WithdrawalFreezeLift: { '*': allow },
  WithdrawalFreezeConnection: { '*': allow },
  WithdrawalFreezeEdge: { '*': allow },
  // Ledger types are reached through guarded fields; who sees which transaction or balance is checked by the
  // ledger subgraph (parties and staff; Transaction.actor and .reason are staff-only there).
  Transaction: { '*': allow },
  Posting: { '*': allow },
  Counterparty: { '*': allow },
  Balance: { '*': allow },
  TransactionConnection: { '*': allow },
  TransactionEdge: { '*': allow },
  InsufficientFunds: { '*': allow },
  RecipientNotFound: { '*': allow },
  LimitExceeded: { '*': allow },
  LedgerVerification: { '*': allow },
  LedgerMismatch: { '*': allow },
  LedgerDebt: { '*': allow },
  LedgerDebtConnection: { '*': allow },
  LedgerDebtEdge: { '*': allow },
  AdjustmentRequest: { '*': allow },
  AdjustmentRequestConnection: { '*': allow },
  AdjustmentRequestEdge: { '*': allow },
  // KYC data is reached through User.kyc and kycSubmission (the applicant or a reviewer, checked by the kyc
  // subgraph) and the reviewers' queue.
  UserKyc: { '*': allow },
  KycSubmission: { '*': allow },
  KycSubmissionConnection: { '*': allow },
  KycSubmissionEdge: { '*': allow },
  // A document's presigned GET is for reviewers only (the kyc subgraph checks again).
  KycDocument: { '*': allow, download: isKycReviewer },
  KycDownload: { '*': allow },
  KycUpload: { '*': allow },
  KycUploadField: { '*': allow },
  PhoneCodeSent: { '*': allow },
  AccountRecovery: { '*': allow },
  AccountRecoveryConnection: { '*': allow },
  AccountRecoveryEdge: { '*': allow },
  RecoveryCodeSent: { '*': allow },
  PhoneVerification: { '*': allow },
  // Tickets are reached through ticket(id), User.tickets, the staff queue and ticketUpdated: the support subgraph
  // shows a ticket to its user and support staff only, and internal notes, assignee and SLA marks to staff only.
  Ticket: { '*': allow },
  TicketMessage: { '*': allow },
  TicketLink: { '*': allow },
  TicketConnection: { '*': allow },
  TicketEdge: { '*': allow },
  TicketSla: { '*': allow },
  Attachment: { '*': allow },
  AttachmentUpload: { '*': allow },
  AttachmentUploadField: { '*': allow },
  AttachmentDownload: { '*': allow },
  // Trading types are reached through guarded fields; ownership is checked by the ledger subgraph.
  TradeQuote: { '*': allow },
  Order: { '*': allow },
  OrderConnection: { '*': allow },
  OrderEdge: { '*': allow },
  ExchangePosition: { '*': allow },
  TradingPair: { '*': allow },
  TradingFee: { '*': allow },
  // Reached through reserves (finance, admins; the ledger checks again for liabilities) and the public roots.
  AssetReserve: { '*': allow },
  ReserveSnapshot: { '*': allow },
  ReserveProof: { '*': allow },
  ReserveProofStep: { '*': allow },
  TreasuryPosition: { '*': allow },
  // Payment data is reached through User.bankCards/bankAccounts/payments/fiatWithdrawals and the guarded root
  // fields; ownership (yours, or staff) is checked by the payment subgraph. Cards are masked there.
  BankCard: { '*': allow },
  BankAccount: { '*': allow },
  Payment: { '*': allow },
  PaymentConnection: { '*': allow },
  PaymentEdge: { '*': allow },
  FiatWithdrawal: { '*': allow },
  FiatWithdrawalConnection: { '*': allow },
  FiatWithdrawalEdge: { '*': allow },
  BankCredit: { '*': allow },
  BankCreditConnection: { '*': allow },
  BankCreditEdge: { '*': allow },
  BankDepositInstructions: { '*': allow },
  // User.vouchers: the user and staff only (checked by the voucher subgraph).
  Voucher: { '*': allow },
  VoucherConnection: { '*': allow },
  VoucherEdge: { '*': allow },
  VoucherCode: { '*': allow },
  VoucherValidation: { '*': allow },
  VoucherRate: { '*': allow },
  VoucherProviderBalance: { '*': allow },
  // Withdrawals are reached through withdrawal(id), User.withdrawals, the staff queue and withdrawalUpdated:
  // ownership is checked by the wallet subgraph.
  Withdrawal: { '*': allow },
  WithdrawalConnection: { '*': allow },
  WithdrawalEdge: { '*': allow },
  WithdrawalQuote: { '*': allow },
  WithdrawalAddress: { '*': allow },
  WithdrawalThreshold: { '*': allow },
  VoucherResolution: { '*': allow },
};

export const fallbackRule: ShieldRule = deny;
