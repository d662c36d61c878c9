/** A personal ID number as history and logs show it: the first four and last four characters, the rest starred. */
export function maskIdNumber(v: string): string {
  return v.length <= 8 ? '*'.repeat(v.length) : v.slice(0, 4) + '*'.repeat(v.length - 8) + v.slice(-4);
}
