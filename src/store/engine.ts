/** The two engines the store speaks (DESIGN §3): SQLite embedded, PostgreSQL for several instances. */
export type Engine = 'sqlite' | 'postgres';

/**
 * How SQLite makes a commit durable (synchronous=NORMAL, the log flushed with fdatasync):
 * `commit` flushes after every writing transaction, on the event loop (the loop waits on
 * the disk); `grouped` flushes in libuv's thread pool, once for the commits that finished
 * meanwhile (WalSync). Either way a write resolves only once it is on stable storage.
 */
export type SqliteFsync = 'commit' | 'grouped';

/** Where the store lives: a SQLite file, or a PostgreSQL server. */
export type StoreTarget =
  | { engine: 'sqlite'; path: string; fsync?: SqliteFsync }
  | { engine: 'postgres'; url: string };

/** The target without secrets, for logs (a PostgreSQL URL may carry a password). */
export function describeTarget(target: StoreTarget): string {
  if (target.engine === 'sqlite') return `sqlite:${target.path}`;
  try {
    const url = new URL(target.url);
    url.password = url.password ? '***' : '';
    return url.toString();
  } catch {
    return 'postgres:(unparsable url)';
  }
}
