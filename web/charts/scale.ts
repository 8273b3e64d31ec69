/** A linear map from a data range onto pixels, with "nice" ticks (for the SVG charts). */
export interface Scale {
  (v: number): number;
  ticks: number[];
  domain: [number, number];
}

export function linear(lo: number, hi: number, from: number, to: number, count = 5): Scale {
  let [a, b] = lo === hi ? [lo - 1, hi + 1] : [lo, hi];
  const step = niceStep((b - a) / count);
  a = Math.floor(a / step) * step;
  b = Math.ceil(b / step) * step;
  const f = ((v: number) => from + ((v - a) / (b - a)) * (to - from)) as Scale;
  f.ticks = [];
  for (let v = a; v <= b + step / 2; v += step) f.ticks.push(Number(v.toFixed(10)));
  f.domain = [a, b];
  return f;
}

function niceStep(raw: number): number {
  const power = 10 ** Math.floor(Math.log10(raw || 1));
  const n = raw / power;
  return (n <= 1 ? 1 : n <= 2 ? 2 : n <= 5 ? 5 : 10) * power;
}

export function extent(values: number[]): [number, number] {
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  for (const v of values) {
    if (!Number.isFinite(v)) continue;
    lo = Math.min(lo, v);
    hi = Math.max(hi, v);
  }
  return lo <= hi ? [lo, hi] : [0, 1];
}
