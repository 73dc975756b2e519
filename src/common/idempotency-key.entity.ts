import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * A claimed idempotency key and the result of the first request made with it (see
 * idempotency.ts). Written in the same transaction as the change it guards, so a key exists
 * exactly when that change was committed.
 */
@Entity('idempotency_key')
export class IdempotencyKey {
  /** Whose key this is: the caller's account id, or a client token for callers without one. */
  @PrimaryColumn({ type: 'varchar', length: 100 })
  scope: string;

  /** The mutation, e.g. "depositAdjust": one key may be used once per operation. */
  @PrimaryColumn({ type: 'varchar', length: 64 })
  operation: string;

  @PrimaryColumn({ type: 'varchar', length: 100 })
  key: string;

  /** sha256 (hex) of the canonical JSON of the request, to refuse a key reused for another request. */
  @Column({ name: 'request_hash', type: 'char', length: 64 })
  requestHash: string;

  /** The first result, replayed to retries. Null only inside the claiming transaction. */
  @Column({ type: 'jsonb', nullable: true })
  response: unknown;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}
