/** One metric family of `/metrics`: its samples are computed at scrape time (see metrics.ts). */

export type Labels = Record<string, string | number>;
export type Sample = readonly [Labels, number];

export interface Family {
  type: 'gauge' | 'counter';
  name: string;
  help: string;
  labels: readonly string[];
  samples: () => Iterable<Sample>;
}

export const family = (
  type: Family['type'],
  name: string,
  help: string,
  labels: readonly string[],
  samples: () => Iterable<Sample>,
): Family => ({ type, name, help, labels, samples });
