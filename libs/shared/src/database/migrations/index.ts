import { Foundation1795420800000 } from './1795420800000-foundation.js';

/** Every migration, oldest first. Append only; never edit one that has shipped. */
export const MIGRATIONS = [Foundation1795420800000];
