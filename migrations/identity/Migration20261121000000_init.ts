import { Migration } from '@mikro-orm/migrations';
import { outboxTablesSql } from '../../platform/bus/outbox.entity.js';

export class Migration20261121000000_init extends Migration {
  override async up(): Promise<void> {
    for (const sql of outboxTablesSql('identity')) this.addSql(sql);
    this.addSql(`create table "identity"."user" (
      "id" text primary key,
      "telegram_id" bigint null unique,
      "username" text null,
      "first_name" text null,
      "last_name" text null,
      "language_code" text null,
      "photo_url" text null,
      "language" text not null default 'en' check ("language" in ('en', 'fa')),
      "display_currency" text not null default 'IRT' check ("display_currency" in ('IRT', 'USD')),
      "roles" text[] not null default '{USER}',
      "claims" text[] not null default '{}',
      "level" integer not null default 1 check ("level" >= 1),
      "kyc_tier" text not null default 'NONE' check ("kyc_tier" in ('NONE', 'BASIC', 'FULL')),
      "trade_volume_toman" numeric(78,0) not null default 0 check ("trade_volume_toman" >= 0),
      "created_at" timestamptz not null default now(),
      "updated_at" timestamptz not null default now(),
      "last_sign_in_at" timestamptz null,
      "version" integer not null default 1)`);
    this.addSql(`create index "user_created_at_id_index" on "identity"."user" ("created_at", "id")`);
    this.addSql(`create index "user_username_lower_index" on "identity"."user" (lower("username"))`);
    this.addSql(`create index "user_roles_index" on "identity"."user" using gin ("roles")`);
    this.addSql(`create table "identity"."session" (
      "id" text primary key,
      "family_id" text not null,
      "user_id" text not null references "identity"."user" ("id") on delete cascade,
      "token_hash" text not null,
      "created_at" timestamptz not null default now(),
      "expires_at" timestamptz not null,
      "rotated_at" timestamptz null,
      "revoked_at" timestamptz null,
      "revoke_reason" text null)`);
    this.addSql(`create index "session_family_id_index" on "identity"."session" ("family_id")`);
    this.addSql(`create index "session_user_id_index" on "identity"."session" ("user_id")`);
    this.addSql(`create table "identity"."admin_credential" (
      "user_id" text primary key references "identity"."user" ("id") on delete cascade,
      "email" text not null unique check ("email" = lower("email")),
      "password_hash" text not null,
      "failed_attempts" integer not null default 0,
      "locked_until" timestamptz null,
      "created_at" timestamptz not null default now())`);
  }
}
