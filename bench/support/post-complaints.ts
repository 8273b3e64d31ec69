/**
 * Load generator for bench/complaints.ts, run as its own process so its CPU is not
 * counted against heatnet: posts the planned complaints OPEN-LOOP — each at its planned
 * wall-clock time whether or not earlier ones have been answered — and measures each
 * request from its scheduled send time, so a stalled server cannot hide its stall by
 * delaying the next send (coordinated omission). Writes one JSON line of results.
 *   node --import tsx bench/support/post-complaints.ts PLAN_JSON_FILE
 */
import { readFileSync } from 'node:fs';

export interface PlannedPost {
  /** Wall-clock ms (Date.now scale) when the request is due. */
  at: number;
  body: object;
  key: string;
}

export interface Plan {
  url: string;
  token: string;
  posts: PlannedPost[];
}

export interface PostResult {
  at: number;
  /** Wall-clock ms when the answer had arrived in full. */
  done: number;
  status: number;
  /** Why no answer came (status 0): the error's code. */
  error?: string;
}

const wallNow = () => performance.timeOrigin + performance.now();

async function send(plan: Plan, post: PlannedPost): Promise<PostResult> {
  try {
    const res = await fetch(`${plan.url}/api/complaints`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${plan.token}`,
        'content-type': 'application/json',
        'idempotency-key': post.key,
      },
      body: JSON.stringify(post.body),
    });
    await res.arrayBuffer();
    return { at: post.at, done: wallNow(), status: res.status };
  } catch (err) {
    const cause = (err as { cause?: { code?: string } }).cause;
    return { at: post.at, done: wallNow(), status: 0, error: cause?.code ?? String(err) };
  }
}

const [planFile = ''] = process.argv.slice(2);
const plan = JSON.parse(readFileSync(planFile, 'utf8')) as Plan;
const posts = [...plan.posts].sort((a, b) => a.at - b.at);
const pending: Promise<PostResult>[] = [];
let next = 0;
await new Promise<void>((resolve) => {
  const tick = (): void => {
    const now = wallNow();
    while (next < posts.length && posts[next]!.at <= now) pending.push(send(plan, posts[next++]!));
    if (next === posts.length) resolve();
    else setTimeout(tick, Math.max(0, Math.min(5, posts[next]!.at - now)));
  };
  tick();
});
const results = await Promise.all(pending);
process.stdout.write(`${JSON.stringify(results)}\n`);
