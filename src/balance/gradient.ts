import { linearRegression, linearRegressionLine, rSquared } from 'simple-statistics';

/**
 * The network's tilt: least-squares line of the stations' temperature deviation
 * against their distance from the plant. A clearly negative slope with a high r²
 * is the classic hydraulic gradient (hot near, cold far) that pump settings cure.
 */
export function gradient(points: readonly { distanceM: number; deviationC: number }[]): {
  slopeCPerKm: number | null;
  r2: number | null;
  stations: number;
} {
  const data = points.map((p) => [p.distanceM / 1000, p.deviationC] as [number, number]);
  const distinct = new Set(data.map((d) => d[0])).size;
  if (data.length < 3 || distinct < 2)
    return { slopeCPerKm: null, r2: null, stations: data.length };
  const fit = linearRegression(data);
  const r2 = rSquared(data, linearRegressionLine(fit));
  return {
    slopeCPerKm: fit.m,
    r2: Number.isFinite(r2) ? r2 : null,
    stations: data.length,
  };
}
