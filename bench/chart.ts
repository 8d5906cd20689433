// The scaling chart: convergence time (with the ideal bound) and operator memory against N.
import { Canvas, textWidth, type Rgb } from './png';

export interface ScalingPoint {
  n: number;
  convergenceSeconds: number;
  boundSeconds: number;
  rssMiB: number;
  peakRssMiB: number;
}

interface Series {
  label: string;
  color: Rgb;
  dash: number;
  values: { x: number; y: number }[];
}

const WIDTH = 1200;
const HEIGHT = 640;
const INK: Rgb = [40, 40, 40];
const GRID: Rgb = [225, 225, 225];
const BLUE: Rgb = [31, 119, 180];
const ORANGE: Rgb = [230, 120, 20];
const GREEN: Rgb = [44, 160, 44];
const RED: Rgb = [200, 40, 40];

/** Renders the chart as a PNG; `memoryTargetMiB` is drawn as a red line. */
export function scalingChart(
  points: readonly ScalingPoint[],
  title: string,
  memoryTargetMiB: number,
): Buffer {
  const canvas = new Canvas(WIDTH, HEIGHT);
  canvas.text((WIDTH - textWidth(title, 2)) / 2, 14, title, INK, 2);
  const sorted = [...points].sort((a, b) => a.n - b.n);
  panel(canvas, { x: 80, y: 60, width: 470, height: 400 }, 'CONVERGENCE TIME (S)', [
    {
      label: 'MEASURED (MEDIAN)',
      color: BLUE,
      dash: 0,
      values: sorted.map((p) => ({ x: p.n, y: p.convergenceSeconds })),
    },
    {
      label: 'IDEAL BOUND',
      color: GREEN,
      dash: 6,
      values: sorted.map((p) => ({ x: p.n, y: p.boundSeconds })),
    },
  ]);
  panel(canvas, { x: 680, y: 60, width: 470, height: 400 }, 'OPERATOR RSS (MIB)', [
    {
      label: 'AFTER CONVERGENCE',
      color: BLUE,
      dash: 0,
      values: sorted.map((p) => ({ x: p.n, y: p.rssMiB })),
    },
    {
      label: 'PEAK DURING THE RUN',
      color: ORANGE,
      dash: 0,
      values: sorted.map((p) => ({ x: p.n, y: p.peakRssMiB })),
    },
    {
      label: `TARGET ${memoryTargetMiB} MIB AT 5000`,
      color: RED,
      dash: 6,
      values: [
        { x: 0, y: memoryTargetMiB },
        { x: Math.max(...sorted.map((p) => p.n)), y: memoryTargetMiB },
      ],
    },
  ]);
  return canvas.toPng();
}

interface Area {
  x: number;
  y: number;
  width: number;
  height: number;
}

function panel(canvas: Canvas, area: Area, title: string, series: readonly Series[]): void {
  const all = series.flatMap((s) => s.values);
  const maxX = niceCeiling(Math.max(...all.map((v) => v.x)));
  const maxY = niceCeiling(Math.max(...all.map((v) => v.y)) * 1.05);
  const px = (x: number): number => area.x + (x / maxX) * area.width;
  const py = (y: number): number => area.y + area.height - (y / maxY) * area.height;

  canvas.text(area.x, area.y - 22, title, INK, 2);
  for (let i = 0; i <= 5; i++) {
    const yValue = (maxY * i) / 5;
    const xValue = (maxX * i) / 5;
    canvas.line(area.x, py(yValue), area.x + area.width, py(yValue), GRID);
    canvas.line(px(xValue), area.y, px(xValue), area.y + area.height, GRID);
    const yLabel = formatTick(yValue);
    canvas.text(area.x - textWidth(yLabel, 2) - 8, py(yValue) - 7, yLabel, INK, 2);
    const xLabel = formatTick(xValue);
    canvas.text(px(xValue) - textWidth(xLabel, 2) / 2, area.y + area.height + 10, xLabel, INK, 2);
  }
  canvas.line(area.x, area.y + area.height, area.x + area.width, area.y + area.height, INK, 2);
  canvas.line(area.x, area.y, area.x, area.y + area.height, INK, 2);
  const axis = 'N (VPDEPLOYMENTS APPLIED AT ONCE)';
  canvas.text(
    area.x + (area.width - textWidth(axis, 2)) / 2,
    area.y + area.height + 34,
    axis,
    INK,
    2,
  );

  series.forEach((s, index) => {
    for (let i = 1; i < s.values.length; i++) {
      const from = s.values[i - 1];
      const to = s.values[i];
      if (from === undefined || to === undefined) continue;
      canvas.line(px(from.x), py(from.y), px(to.x), py(to.y), s.color, 3, s.dash);
    }
    if (s.dash === 0) {
      for (const value of s.values)
        canvas.fillRect(px(value.x) - 4, py(value.y) - 4, 9, 9, s.color);
    }
    const legendY = area.y + area.height + 60 + index * 20;
    canvas.fillRect(area.x, legendY + 3, 24, 6, s.color);
    canvas.text(area.x + 32, legendY, s.label, INK, 2);
  });
}

/** 1, 2 or 5 times a power of ten, at least `value`. */
function niceCeiling(value: number): number {
  if (!(value > 0)) return 1;
  const power = 10 ** Math.floor(Math.log10(value));
  for (const step of [1, 2, 5, 10]) if (step * power >= value) return step * power;
  return 10 * power;
}

function formatTick(value: number): string {
  if (value === 0) return '0';
  if (Number.isInteger(value)) return String(value);
  return value < 10 ? value.toFixed(1) : String(Math.round(value));
}
