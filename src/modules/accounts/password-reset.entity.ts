import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/**
 * A password-reset link: the token itself is only in the e-mail; this keeps its SHA-256. Valid
 * 30 minutes, once; a newer request or a reset ends every older one of the account.
 */
@Entity('password_reset_token')
@Index('password_reset_token_hash_key', ['tokenHash'], { unique: true })
@Index('password_reset_token_account_idx', ['accountId'])
export class PasswordResetToken {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ name: 'account_id', type: 'uuid' })
  accountId: string;

  @Column({ name: 'token_hash', type: 'char', length: 64 })
  tokenHash: string;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @Column({ name: 'expires_at', type: 'timestamptz' })
  expiresAt: Date;

  /** Used, or ended by a newer request or a reset. */
  @Column({ name: 'ended_at', type: 'timestamptz', nullable: true })
  endedAt: Date | null;
}
