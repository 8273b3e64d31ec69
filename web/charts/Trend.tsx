import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import { timeZone } from '../i18n/index.ts';

export interface TrendSeries {
  label: string;
  t: number[];
  v: number[];
  colour: string;
}

/** Aligns several series on the union of their times (uPlot wants one x array). */
function aligned(list: TrendSeries[]): uPlot.AlignedData {
  const times = [...new Set(list.flatMap((s) => s.t))].sort((a, b) => a - b);
  const index = new Map(times.map((t, i) => [t, i]));
  const ys = list.map((s) => {
    const y: (number | null)[] = new Array(times.length).fill(null);
    s.t.forEach((t, i) => {
      y[index.get(t)!] = s.v[i]!;
    });
    return y;
  });
  return [times, ...ys];
}

/** One uPlot trend chart; its values are also given as text for screen readers. */
export function Trend(props: {
  title: string;
  unit: string;
  series: TrendSeries[];
  summary: string;
}) {
  const box = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const shape = props.series.map((s) => s.label).join('|');
  useEffect(() => {
    if (!box.current) return;
    const opts: uPlot.Options = {
      width: Math.max(300, box.current.clientWidth),
      height: 200,
      tzDate: (ts) => uPlot.tzDate(new Date(ts * 1000), timeZone.value),
      series: [
        {},
        ...props.series.map((s) => ({
          label: s.label,
          stroke: s.colour,
          width: 1.5,
          spanGaps: true,
        })),
      ],
      axes: [{}, { label: props.unit, size: 50 }],
      legend: { live: false },
      cursor: { drag: { x: true, y: false } },
    };
    plot.current = new uPlot(opts, aligned(props.series), box.current);
    const resize = new ResizeObserver(() => {
      if (box.current && plot.current)
        plot.current.setSize({ width: Math.max(300, box.current.clientWidth), height: 200 });
    });
    resize.observe(box.current);
    return () => {
      resize.disconnect();
      plot.current?.destroy();
      plot.current = null;
    };
    // A new chart only when the series change, not their values.
  }, [shape]);
  useEffect(() => {
    plot.current?.setData(aligned(props.series));
  });
  return (
    <figure class="trend" aria-label={`${props.title}: ${props.summary}`}>
      <figcaption>{props.title}</figcaption>
      <div ref={box} class="uplot-box" aria-hidden="true" />
      <p class="sr-only">{props.summary}</p>
    </figure>
  );
}
