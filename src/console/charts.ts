/**
 * Bar charts as geometry for server-side SVG (views/console/_bars.eta): no script, the numbers also in a table next
 * to the chart. One bar a category, its values stacked; scaled to the largest total.
 */
export interface BarSeries { label: string; values: number[] }
export interface Bar { label: string; x: number; width: number; segments: { y: number; height: number; value: number }[]; total: number }
export interface BarChart { width: number; height: number; plotTop: number; plotBottom: number; max: number; bars: Bar[]; ticks: { y: number; value: number }[] }

const WIDTH = 640;
const HEIGHT = 220;
const TOP = 12;
const BOTTOM = 190;
const LEFT = 40;

/** A "nice" axis maximum: 1, 2 or 5 times a power of ten, at least `value`. */
function niceMax(value: number): number {
  if (value <= 0) return 1;
  const power = 10 ** Math.floor(Math.log10(value));
  return [1, 2, 5, 10].map((m) => m * power).find((m) => m >= value)!;
}

export function barChart(series: readonly BarSeries[]): BarChart {
  const totals = series.map((s) => s.values.reduce((a, b) => a + b, 0));
  const max = niceMax(Math.max(0, ...totals));
  const scale = (BOTTOM - TOP) / max;
  const step = (WIDTH - LEFT) / Math.max(1, series.length);
  const bars = series.map((s, i) => {
    let y = BOTTOM;
    const segments = s.values.map((value) => {
      const height = value * scale;
      y -= height;
      return { y: round(y), height: round(height), value };
    });
    return { label: s.label, x: round(LEFT + i * step + step * 0.15), width: round(step * 0.7), segments, total: totals[i]! };
  });
  const ticks = [0, max / 2, max].filter((v) => Number.isInteger(v)).map((value) => ({ y: round(BOTTOM - value * scale), value }));
  return { width: WIDTH, height: HEIGHT, plotTop: TOP, plotBottom: BOTTOM, max, bars, ticks };
}

const round = (n: number) => Math.round(n * 10) / 10;
