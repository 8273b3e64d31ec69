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
  /** When the request is due, in ms after the plan's origin. */
  offset: number;
  body: object;
  key: string;
}

export interface Plan {
  url: string;
  token: string;
  /**
   * The origin is this long after the plan is read here, not a time fixed by the
   * planner: a planner slowed down (a loaded machine) cannot make the first calls late.
   */
  leadMs: number;
  posts: PlannedPost[];
}

export interface PostResult {
  /** Wall-clock ms when the request was due (its latency counts from here). */
  at: number;
  offset: number;
  /** Wall-clock ms when the answer had arrived in full. */
  done: number;
  status: number;
  /** Why no answer came (status 0): the error's code. */
  error?: string;
}

const wallNow = () => performance.timeOrigin + performance.now();

async function send(plan: Plan, post: PlannedPost, at: number): Promise<PostResult> {
  const { offset } = post;
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
    return { at, offset, done: wallNow(), status: res.status };
  } catch (err) {
    const cause = (err as { cause?: { code?: string } }).cause;
    return { at, offset, done: wallNow(), status: 0, error: cause?.code ?? String(err) };
  }
}

const [planFile = ''] = process.argv.slice(2);
const plan = JSON.parse(readFileSync(planFile, 'utf8')) as Plan;
const posts = [...plan.posts].sort((a, b) => a.offset - b.offset);
const origin = wallNow() + plan.leadMs;
const pending: Promise<PostResult>[] = [];
let next = 0;
await new Promise<void>((resolve) => {
  const tick = (): void => {
    const now = wallNow();
    while (next < posts.length && origin + posts[next]!.offset <= now) {
      const post = posts[next++]!;
      pending.push(send(plan, post, origin + post.offset));
    }
    if (next === posts.length) resolve();
    else setTimeout(tick, Math.max(0, Math.min(5, origin + posts[next]!.offset - now)));
  };
  tick();
});
const results = await Promise.all(pending);
process.stdout.write(`${JSON.stringify(results)}\n`);
