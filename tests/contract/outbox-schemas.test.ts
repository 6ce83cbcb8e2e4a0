import { describe, expect, it } from 'vitest';
import { OUTBOX_SCHEMAS } from '../../platform/bus/outbox.js';
import { outboxSchemas } from '../../subgraphs/registry.js';

describe('outbox schemas', () => {
  it('the relay drains exactly the subgraphs that declare an outbox', () => {
    expect([...OUTBOX_SCHEMAS].sort()).toEqual([...outboxSchemas].sort());
  });
});
