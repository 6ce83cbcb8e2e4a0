import { Migration } from '@mikro-orm/migrations';

/**
 * A subgraph's squashed history: one migration that builds the schema as the migrations it replaces left it.
 *
 * - Fresh database (none of `replaces` recorded): runs `fresh()`.
 * - A database that ran every replaced migration (e.g. a dev database from an earlier `npm start`): runs
 *   `upgrade()` only (what differs between that schema and `fresh()`, e.g. functions re-created from their
 *   files), then is recorded as applied like any migration. The old names stay recorded, so code from before
 *   the squash still finds nothing to do on the same database.
 * - Only some of them recorded: refuses with a message saying how to reset the database (nothing is written;
 *   the migration transaction rolls back).
 * Migrations added after the baseline apply to both kinds of database alike.
 */
export abstract class Baseline extends Migration {
  /** The Postgres schema the subgraph owns (where its mikro_orm_migrations table lives). */
  protected abstract readonly schemaName: string;
  /** Names of the migrations squashed into this one. */
  protected abstract readonly replaces: readonly string[];
  protected abstract fresh(): string[];
  protected upgrade(): string[] {
    return [];
  }

  override async up(): Promise<void> {
    const recorded = new Set((await this.recordedNames()).filter((name) => this.replaces.includes(name)));
    if (recorded.size === 0) {
      for (const sql of this.fresh()) this.addSql(sql);
      return;
    }
    if (recorded.size < this.replaces.length) {
      const missing = this.replaces.filter((name) => !recorded.has(name));
      throw new Error(
        `schema "${this.schemaName}" ran only part of the migrations squashed into ${this.constructor.name} (missing: ${missing.join(', ')}). ` +
          `It is a development database from before the squash: drop it and start again (e.g. \`dropdb <name>\`, or \`drop schema "${this.schemaName}" cascade\`), then run \`npm run migrate\`.`,
      );
    }
    for (const sql of this.upgrade()) this.addSql(sql);
  }

  private async recordedNames(): Promise<string[]> {
    const [table] = await this.execute(`select to_regclass(?) as oid`, [`"${this.schemaName}"."mikro_orm_migrations"`]);
    if (!table?.oid) return [];
    const rows = await this.execute(`select name from "${this.schemaName}"."mikro_orm_migrations"`);
    return rows.map((r) => String(r.name));
  }
}
