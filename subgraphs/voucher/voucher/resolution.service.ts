import { createHash } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import { recordEvent } from '../../../platform/bus/outbox.js';
import { hasClaim, isStaff, type Viewer } from '../../../platform/auth/viewer.js';
import type { FieldSealer } from '../../../platform/crypto/sealed-field.js';
import { badInput, conflict, DomainError, ErrorCode, notFound, unauthenticated } from '../../../platform/errors.js';
import { newId } from '../../../platform/ids.js';
import type { Logger } from '../../../platform/logger.js';
import type { MikroORM } from '../../../platform/db/orm.js';
import { Voucher, type VoucherStatus } from './voucher.entity.js';
import { VoucherEvents } from './voucher.events.js';
import { codeBinding } from './voucher.service.js';
import { publicStatus } from './voucher.type.js';

export type ResolutionOutcome = 'DELIVERED' | 'NOT_CREATED';

export interface ResolutionRow {
  id: string;
  voucherId: string;
  outcome: ResolutionOutcome;
  status: 'PROPOSED' | 'CONFIRMED';
  providerReference: string | null;
  proposedBy: string;
  proposedAt: Date;
  confirmedBy: string | null;
  confirmedAt: Date | null;
}

export interface ProposeInput {
  voucherId: string;
  outcome: ResolutionOutcome;
  code: string | null;
  providerReference: string | null;
  idempotencyKey: string;
}

const KEY = /^[\w:.-]{1,100}$/;
const CLAIM = 'vouchers:review';
/** Providers whose history shows each voucher's reference number: a DELIVERED resolution must name it. */
const REFERENCE_REQUIRED = new Set<string>(['UTOPIA_UUSD', 'UTOPIA_CRP']);
/** A sealed proposal's code is bound to its resolution row; on confirmation it is re-sealed to the purchase's row. */
const resolutionBinding = (id: string) => `voucher.voucher_resolution/${id}/code`;
const COLUMNS = `id, voucher_id as "voucherId", outcome, status, provider_reference as "providerReference",
  proposed_by as "proposedBy", proposed_at as "proposedAt", confirmed_by as "confirmedBy", confirmed_at as "confirmedAt"`;

/**
 * Four-eyes resolution of a purchase UNDER_REVIEW (the provider's answer was lost and its lookup cannot tell): a
 * staff member with `vouchers:review` proposes DELIVERED (the code found in the provider's panel, sealed at once) or
 * NOT_CREATED; a second, different one confirms, and only then the purchase is settled exactly like a bought one
 * (COMPLETED, code sealed, `voucher.purchase.completed` → the ledger captures the hold) or a failed one (FAILED,
 * `voucher.purchase.failed` → the hold is released). Neither may be the buyer. Every step is audited.
 */
export class ResolutionService {
  constructor(
    private readonly orm: MikroORM,
    private readonly sealer: FieldSealer,
    private readonly log: Logger,
  ) {}

  async propose(viewer: Viewer, input: ProposeInput, requestId: string): Promise<ResolutionRow> {
    const staffId = requireReviewer(viewer);
    if (!KEY.test(input.idempotencyKey))
      throw badInput('idempotencyKey must be 1..100 of [A-Za-z0-9_:.-]', { field: 'idempotencyKey' });
    const code = input.code?.trim() ?? '';
    if (input.outcome === 'DELIVERED' && (code.length === 0 || code.length > 512))
      throw badInput('DELIVERED needs the code found at the provider', { field: 'code' });
    if (input.outcome === 'NOT_CREATED' && code.length > 0)
      throw badInput('NOT_CREATED carries no code', { field: 'code' });
    const reference = input.providerReference?.trim() || null;
    if (reference && reference.length > 200)
      throw badInput('providerReference is too long', { field: 'providerReference' });

    const em = this.em();
    const voucher = await em.findOne(Voucher, { id: input.voucherId }, { refresh: true });
    if (!voucher) throw notFound('Voucher', input.voucherId);
    const fingerprint = code ? this.sealer.fingerprint(voucher.type, code) : null;
    const requestHash = createHash('sha256')
      .update(JSON.stringify([input.voucherId, input.outcome, fingerprint, reference]))
      .digest('base64url');
    const replay = await this.replay(em, staffId, input.idempotencyKey, requestHash);
    if (replay) return replay;
    if (voucher.userId === staffId)
      throw new DomainError(ErrorCode.FORBIDDEN, 'staff cannot resolve their own purchase', { reason: 'OWN_PURCHASE' });
    requireUnderReview(voucher);
    if (input.outcome === 'DELIVERED') {
      // Utopia's history lists every voucher with its reference number: naming it lets the unique reference keep one
      // voucher from serving two purchases (the case its lookup by amount and time sends to review).
      if (!reference && REFERENCE_REQUIRED.has(voucher.type))
        throw badInput(`${voucher.type} needs the provider's reference number of the voucher`, {
          field: 'providerReference',
        });
      await this.refuseTaken(em, voucher, reference, fingerprint!);
    }

    const id = newId('vrs');
    try {
      await em.transactional(async (tx) => {
        const conn = tx.getConnection();
        await conn.execute(
          `insert into voucher.voucher_resolution
            (id, voucher_id, outcome, code_sealed, code_fingerprint, provider_reference, proposed_by, proposal_key, request_hash)
           values (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
          [
            id,
            voucher.id,
            input.outcome,
            input.outcome === 'DELIVERED' ? this.sealer.seal(resolutionBinding(id), code) : null,
            fingerprint,
            reference,
            staffId,
            input.idempotencyKey,
            requestHash,
          ],
          'run',
          tx.getTransactionContext(),
        );
        await this.audit(tx, id, voucher.id, staffId, 'PROPOSED', input.outcome, requestId);
      });
    } catch (err) {
      if (!isUniqueViolation(err)) throw err;
      const again = await this.replay(this.em(), staffId, input.idempotencyKey, requestHash);
      if (again) return again;
      if (/voucher_resolution_code_once/.test(String((err as Error).message)))
        throw conflict('this code was already delivered to another purchase', { reason: 'CODE_ALREADY_DELIVERED' });
      throw conflict('this purchase already has a resolution awaiting or past confirmation', {
        reason: 'RESOLUTION_EXISTS',
        voucherId: voucher.id,
      });
    }
    this.log.warn(
      { voucherId: voucher.id, resolutionId: id, outcome: input.outcome, staffId },
      'voucher review: resolution proposed, awaiting a second staff member',
    );
    return (await this.byId(this.em(), id))!;
  }

  /** Confirms a proposal (a different staff member, not the buyer) and settles the purchase; a repeat answers the same. */
  async confirm(
    viewer: Viewer,
    resolutionId: string,
    requestId: string,
  ): Promise<{ resolution: ResolutionRow; voucher: Voucher }> {
    const staffId = requireReviewer(viewer);
    const em = this.em();
    await em.transactional(async (tx) => {
      const conn = tx.getConnection();
      const ctx = tx.getTransactionContext();
      const rows = await conn.execute<
        {
          id: string;
          voucher_id: string;
          outcome: ResolutionOutcome;
          status: string;
          code_sealed: string | null;
          provider_reference: string | null;
          proposed_by: string;
          confirmed_by: string | null;
        }[]
      >(`select * from voucher.voucher_resolution where id = ? for update`, [resolutionId], 'all', ctx);
      const res = rows[0];
      if (!res) throw notFound('VoucherResolution', resolutionId);
      if (res.status === 'CONFIRMED') return; // idempotent: already settled by this resolution
      if (res.proposed_by === staffId)
        throw new DomainError(ErrorCode.FORBIDDEN, 'a second staff member must confirm this resolution', {
          reason: 'SAME_STAFF',
        });
      const vs = await conn.execute<
        {
          id: string;
          user_id: string;
          status: string;
          reason: string | null;
          direction: string;
          asset: string;
          asset_amount: string;
          provider: string;
        }[]
      >(
        `select id, user_id, status, reason, direction, asset, asset_amount::text as asset_amount, provider
           from voucher.voucher where id = ? for update`,
        [res.voucher_id],
        'all',
        ctx,
      );
      const v = vs[0]!;
      if (v.user_id === staffId)
        throw new DomainError(ErrorCode.FORBIDDEN, 'staff cannot resolve their own purchase', {
          reason: 'OWN_PURCHASE',
        });
      if (v.direction !== 'BUY' || v.status !== 'UNKNOWN' || v.reason !== 'NEEDS_REVIEW')
        throw notUnderReview(v.id, publicStatus(v.status as VoucherStatus, v.reason));
      if (res.outcome === 'DELIVERED') {
        const code = this.sealer.open(resolutionBinding(res.id), res.code_sealed!);
        try {
          await conn.execute(
            `update voucher.voucher set status = 'COMPLETED', code_sealed = ?, provider_reference = coalesce(?, provider_reference),
               reason = null, settled_at = now(), updated_at = now() where id = ?`,
            [this.sealer.seal(codeBinding(v.id), code), res.provider_reference, v.id],
            'run',
            ctx,
          );
        } catch (err) {
          if (!isUniqueViolation(err)) throw err;
          throw conflict('another purchase already holds this provider reference', {
            reason: 'PROVIDER_REFERENCE_TAKEN',
          });
        }
        recordEvent(tx, VoucherEvents.purchaseCompleted, 'voucher', {
          purchaseId: v.id,
          userId: v.user_id,
          asset: v.asset,
          amount: v.asset_amount,
        });
      } else {
        await conn.execute(
          `update voucher.voucher set status = 'FAILED', reason = 'NOT_CREATED', settled_at = now(), updated_at = now()
            where id = ?`,
          [v.id],
          'run',
          ctx,
        );
        recordEvent(tx, VoucherEvents.purchaseFailed, 'voucher', { purchaseId: v.id });
      }
      await conn.execute(
        `update voucher.voucher_resolution set status = 'CONFIRMED', confirmed_by = ?, confirmed_at = now() where id = ?`,
        [staffId, res.id],
        'run',
        ctx,
      );
      await this.audit(tx, res.id, v.id, staffId, 'CONFIRMED', res.outcome, requestId);
      this.log.warn(
        { voucherId: v.id, resolutionId: res.id, outcome: res.outcome, staffId, proposedBy: res.proposed_by },
        'voucher review: resolution confirmed, purchase settled',
      );
    });
    const resolution = (await this.byId(this.em(), resolutionId))!;
    const voucher = (await this.em().findOne(Voucher, { id: resolution.voucherId }, { refresh: true }))!;
    return { resolution, voucher };
  }

  /** Proposals awaiting a second staff member, oldest first. */
  async pending(viewer: Viewer, first: number): Promise<ResolutionRow[]> {
    requireReviewer(viewer);
    if (first < 1 || first > 100) throw badInput('first must be 1..100', { field: 'first' });
    return this.em()
      .getConnection()
      .execute<ResolutionRow[]>(
        `select ${COLUMNS} from voucher.voucher_resolution where status = 'PROPOSED' order by proposed_at, id limit ?`,
        [first],
      );
  }

  /** A provider reference or code already serving another purchase is refused before anyone confirms it. */
  private async refuseTaken(em: EntityManager, voucher: Voucher, reference: string | null, fingerprint: string) {
    const conn = em.getConnection();
    if (reference) {
      const taken = await conn.execute<{ id: string }[]>(
        `select id from voucher.voucher where provider = ? and provider_reference = ? and direction = 'BUY' and id <> ?`,
        [voucher.provider, reference, voucher.id],
      );
      if (taken.length > 0)
        throw conflict('another purchase already holds this provider reference', {
          reason: 'PROVIDER_REFERENCE_TAKEN',
        });
    }
    const delivered = await conn.execute<{ id: string }[]>(
      `select id from voucher.voucher_resolution where code_fingerprint = ? and voucher_id <> ?`,
      [fingerprint, voucher.id],
    );
    if (delivered.length > 0)
      throw conflict('this code was already delivered to another purchase', { reason: 'CODE_ALREADY_DELIVERED' });
  }

  private async byId(em: EntityManager, id: string): Promise<ResolutionRow | null> {
    const rows = await em
      .getConnection()
      .execute<ResolutionRow[]>(`select ${COLUMNS} from voucher.voucher_resolution where id = ?`, [id]);
    return rows[0] ?? null;
  }

  private async replay(
    em: EntityManager,
    staffId: string,
    key: string,
    requestHash: string,
  ): Promise<ResolutionRow | null> {
    const rows = await em.getConnection().execute<(ResolutionRow & { requestHash: string })[]>(
      `select ${COLUMNS}, request_hash as "requestHash" from voucher.voucher_resolution
          where proposed_by = ? and proposal_key = ?`,
      [staffId, key],
    );
    const row = rows[0];
    if (!row) return null;
    if (row.requestHash !== requestHash)
      throw conflict('this idempotency key was used for another request', { reason: 'IDEMPOTENCY_KEY_REUSED' });
    const { requestHash: _omit, ...rest } = row;
    return rest;
  }

  private async audit(
    tx: EntityManager,
    resolutionId: string,
    voucherId: string,
    actorId: string,
    action: 'PROPOSED' | 'CONFIRMED',
    outcome: ResolutionOutcome,
    requestId: string,
  ): Promise<void> {
    await tx.getConnection().execute(
      `insert into voucher.voucher_resolution_audit (id, resolution_id, voucher_id, actor_id, action, outcome, request_id)
       values (?, ?, ?, ?, ?, ?, ?)`,
      [newId('vra'), resolutionId, voucherId, actorId, action, outcome, requestId],
      'run',
      tx.getTransactionContext(),
    );
  }

  private em(): EntityManager {
    return this.orm.em.fork() as EntityManager;
  }
}

function requireReviewer(viewer: Viewer): string {
  if (!viewer.userId) throw unauthenticated();
  if (!isStaff(viewer) || !hasClaim(viewer, CLAIM))
    throw new DomainError(ErrorCode.FORBIDDEN, `resolving purchases under review needs ${CLAIM}`, { claim: CLAIM });
  return viewer.userId;
}

function requireUnderReview(v: Voucher): void {
  if (v.direction !== 'BUY' || v.status !== 'UNKNOWN' || v.reason !== 'NEEDS_REVIEW')
    throw notUnderReview(v.id, publicStatus(v.status, v.reason));
}

function notUnderReview(id: string, status: string): DomainError {
  return new DomainError(ErrorCode.VOUCHER_NOT_UNDER_REVIEW, 'this voucher is not a purchase under review', {
    voucherId: id,
    status,
  });
}

function isUniqueViolation(err: unknown): boolean {
  return (
    (err as { code?: string }).code === '23505' ||
    /UniqueConstraintViolation|duplicate key/.test(String((err as Error)?.name) + String((err as Error)?.message))
  );
}
