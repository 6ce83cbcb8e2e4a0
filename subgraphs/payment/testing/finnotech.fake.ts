import type {
  CardHolder,
  FinnotechBanking,
  IbanOwner,
  StatementLine,
  StatementPage,
  StatementQuery,
  TransferRequest,
  TransferResult,
} from '../../../providers/finnotech/finnotech.port.js';

/**
 * An in-memory bank behind the FinnoTech port, for the payment subgraph's integration tests (the FinnoTech
 * simulator replaces it end to end). It keeps what it was asked: every transfer by trackId, once.
 */
export class FakeBank implements FinnotechBanking {
  readonly cards = new Map<string, CardHolder>();
  readonly ibans = new Map<string, IbanOwner>();
  readonly lines: StatementLine[] = [];
  readonly transfers = new Map<string, TransferRequest & { state: TransferResult['state'] }>();
  transferCalls = 0;
  statementCalls = 0;
  pageSize = 25;
  /** What the next transferTo answers (the transfer is still recorded unless 'REFUSE_BEFORE'). */
  transferMode: 'DONE' | 'PENDING' | 'TIMEOUT' | 'FAILED' = 'DONE';
  /** What inquiry answers for a recorded transfer in PENDING (null: its recorded state). */
  settleTo: TransferResult['state'] | null = null;

  cardHolder(card: string): Promise<CardHolder> {
    const holder = this.cards.get(card);
    if (!holder) return Promise.reject(new Error('card not found'));
    return Promise.resolve(holder);
  }

  cardToIban(): Promise<never> {
    return Promise.reject(new Error('not used'));
  }

  ibanInquiry(iban: string): Promise<IbanOwner> {
    const owner = this.ibans.get(iban);
    if (!owner) return Promise.reject(new Error('iban not found'));
    return Promise.resolve(owner);
  }

  /** Lines booked in [from, to], oldest first, in pages; the cursor is the index of the next line. */
  statement(query: StatementQuery): Promise<StatementPage> {
    this.statementCalls++;
    const inWindow = this.lines
      .filter((l) => l.at >= query.from && l.at <= query.to)
      .sort((a, b) => a.at.getTime() - b.at.getTime());
    const start = query.cursor ? Number(query.cursor) : 0;
    const lines = inWindow.slice(start, start + this.pageSize);
    const next = start + this.pageSize < inWindow.length ? String(start + this.pageSize) : null;
    return Promise.resolve({ lines, next });
  }

  transferTo(request: TransferRequest): Promise<TransferResult> {
    this.transferCalls++;
    if (this.transfers.has(request.trackId))
      return Promise.reject(new Error(`trackId ${request.trackId} reused: a second transfer`));
    const state = this.transferMode === 'TIMEOUT' ? 'PENDING' : this.transferMode;
    this.transfers.set(request.trackId, { ...request, state });
    if (this.transferMode === 'TIMEOUT')
      return Promise.resolve({ trackId: request.trackId, state: 'UNKNOWN', refCode: null, message: '408' });
    return Promise.resolve({
      trackId: request.trackId,
      state,
      refCode: state === 'DONE' ? `ref-${request.trackId}` : null,
      message: null,
    });
  }

  transferInquiry(trackId: string): Promise<TransferResult> {
    const t = this.transfers.get(trackId);
    if (!t) return Promise.resolve({ trackId, state: 'UNKNOWN', refCode: null, message: null, notFound: true });
    if (t.state === 'PENDING' && this.settleTo) t.state = this.settleTo;
    return Promise.resolve({
      trackId,
      state: t.state,
      refCode: t.state === 'DONE' ? `ref-${trackId}` : null,
      message: null,
    });
  }
}
