import { DomainError } from '../core/index.js';

/** The DomainError a promise rejects with; any other outcome fails the test. */
export async function rejection(p: Promise<unknown>): Promise<DomainError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof DomainError) return err;
    throw err;
  }
  throw new Error('expected a DomainError');
}
