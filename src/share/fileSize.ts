/** A file size for messages: GB with one decimal from 1 GB (2^30 bytes), else whole MB (rounded up). */
export function fileSize(bytes: number): string {
  return bytes >= 1024 ** 3 ? `${(bytes / 1024 ** 3).toFixed(1)} GB` : `${Math.ceil(bytes / 1024 ** 2)} MB`;
}
