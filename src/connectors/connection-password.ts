/**
 * Replaces the password of a database connection (a URL with `user:password@`, or options with a `password`) in
 * `text` with `***`, percent-encoded or not: a client may echo its connection string in an error message.
 * @internal
 * @example
 * withoutPassword('no route to postgres://app:s3cret@db/x', 'postgres://app:s3cret@db/x'); // '… app:***@db/x'
 */
export function withoutPassword(text: string, connection: string | { password?: string | undefined }): string {
  let out = text;
  for (const secret of passwordsOf(connection)) out = out.split(secret).join('***');
  return out;
}

function passwordsOf(connection: string | { password?: string | undefined }): string[] {
  if (typeof connection !== 'string') return connection.password ? [connection.password] : [];
  try {
    const p = decodeURIComponent(new URL(connection).password);
    return p ? [p, encodeURIComponent(p)] : [];
  } catch {
    return [];
  }
}
