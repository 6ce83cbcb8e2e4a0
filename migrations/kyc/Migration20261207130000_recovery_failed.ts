import { Migration } from '@mikro-orm/migrations';

/**
 * FAILED: staff approved a recovery but identity refused to apply it (identity.user.recovery-refused, its reason
 * kept in `reason`); the audit trail records it as an action of its own.
 */
export class Migration20261207130000_recovery_failed extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table "kyc"."account_recovery" drop constraint "account_recovery_status_check"`);
    this.addSql(
      `alter table "kyc"."account_recovery" add constraint "account_recovery_status_check" check ("status" in ('PENDING', 'APPROVED', 'REJECTED', 'FAILED'))`,
    );
    this.addSql(`alter table "kyc"."account_recovery_audit" drop constraint "account_recovery_audit_action_check"`);
    this.addSql(
      `alter table "kyc"."account_recovery_audit" add constraint "account_recovery_audit_action_check" check ("action" in ('REQUESTED', 'APPROVED', 'REJECTED', 'FAILED'))`,
    );
  }
}
