import { num } from '../i18n/index.ts';
import type { Scale } from './scale.ts';

export interface Frame {
  width: number;
  height: number;
  left: number;
  right: number;
  top: number;
  bottom: number;
}

export const FRAME: Frame = { width: 560, height: 260, left: 52, right: 16, top: 14, bottom: 40 };

/** Decimals that tell a scale's ticks apart (a step of 0.5 needs one, 0.25 two). */
function tickDigits(s: Scale): number {
  const step = s.ticks.length > 1 ? Math.abs(s.ticks[1]! - s.ticks[0]!) : 1;
  if (!(step > 0) || step >= 1) return 0;
  const digits = Math.ceil(-Math.log10(step) - 1e-9);
  return Number((step * 10 ** digits).toFixed(6)) % 1 === 0 ? digits : digits + 1;
}

/** Grid, ticks and axis titles: decoration only, hidden from screen readers. */
export function Axes(props: {
  frame: Frame;
  x: Scale;
  y: Scale;
  xTitle: string;
  yTitle: string;
  xDigits?: number;
  yDigits?: number;
}) {
  const { frame: f, x, y } = props;
  const bottom = f.height - f.bottom;
  return (
    <g class="axes" aria-hidden="true">
      {y.ticks.map((v) => (
        <g key={`y${v}`}>
          <line x1={f.left} x2={f.width - f.right} y1={y(v)} y2={y(v)} class="grid" />
          <text x={f.left - 6} y={y(v) + 4} text-anchor="end">
            {num(v, props.yDigits ?? tickDigits(y))}
          </text>
        </g>
      ))}
      {x.ticks.map((v) => (
        <text key={`x${v}`} x={x(v)} y={bottom + 16} text-anchor="middle">
          {num(v, props.xDigits ?? tickDigits(x))}
        </text>
      ))}
      <line x1={f.left} x2={f.width - f.right} y1={bottom} y2={bottom} class="axis" />
      <text
        x={(f.left + f.width - f.right) / 2}
        y={f.height - 4}
        text-anchor="middle"
        class="title"
      >
        {props.xTitle}
      </text>
      <text
        x={12}
        y={f.top + 8}
        class="title"
        transform={`rotate(-90 12 ${f.top + 8})`}
        text-anchor="end"
      >
        {props.yTitle}
      </text>
    </g>
  );
}
