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
            {num(v, props.yDigits ?? 0)}
          </text>
        </g>
      ))}
      {x.ticks.map((v) => (
        <text key={`x${v}`} x={x(v)} y={bottom + 16} text-anchor="middle">
          {num(v, props.xDigits ?? 0)}
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
