// Charts as SVG drawn on the server: no script, nothing loaded from elsewhere. Each has
// a title and description for screen readers; pages also show the figures as a table.

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export interface Bar {
  label: string;
  value: number;
}

/** Vertical bars, e.g. sign-ups per day. */
export function barChart(
  id: string,
  title: string,
  bars: Bar[],
  o: { width?: number; height?: number; color?: string; max?: number; suffix?: string } = {},
): string {
  const width = o.width ?? 640;
  const height = o.height ?? 220;
  const pad = { top: 20, right: 10, bottom: 40, left: 40 };
  const max = Math.max(o.max ?? 0, ...bars.map((b) => b.value), 1);
  const innerW = width - pad.left - pad.right;
  const innerH = height - pad.top - pad.bottom;
  const step = bars.length ? innerW / bars.length : innerW;
  const barW = Math.max(2, step * 0.7);
  const labelEvery = Math.max(1, Math.ceil(bars.length / 10));
  const parts: string[] = [];
  parts.push(
    `<line x1="${pad.left}" y1="${pad.top + innerH}" x2="${width - pad.right}" y2="${pad.top + innerH}" stroke="#6b7280"/>`,
  );
  parts.push(
    `<text x="${pad.left - 6}" y="${pad.top + 4}" text-anchor="end" font-size="11" fill="#374151">${esc(String(max))}${esc(o.suffix ?? '')}</text>`,
  );
  parts.push(
    `<text x="${pad.left - 6}" y="${pad.top + innerH}" text-anchor="end" font-size="11" fill="#374151">0</text>`,
  );
  bars.forEach((b, i) => {
    const h = (b.value / max) * innerH;
    const x = pad.left + i * step + (step - barW) / 2;
    parts.push(
      `<rect x="${x.toFixed(1)}" y="${(pad.top + innerH - h).toFixed(1)}" width="${barW.toFixed(1)}" height="${h.toFixed(1)}" fill="${o.color ?? '#1d4ed8'}"><title>${esc(b.label)}: ${b.value}${esc(o.suffix ?? '')}</title></rect>`,
    );
    if (i % labelEvery === 0)
      parts.push(
        `<text x="${(x + barW / 2).toFixed(1)}" y="${height - pad.bottom + 14}" text-anchor="middle" font-size="10" fill="#374151">${esc(b.label)}</text>`,
      );
  });
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" role="img" aria-labelledby="chart-${esc(id)}"><title id="chart-${esc(id)}">${esc(title)}</title>${parts.join('')}</svg>`;
}
