/** A plain-text table: a header row, then the rows, each column as wide as its widest cell. */
export function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)))
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd()
  return [line(header), ...rows.map(line)].join('\n') + '\n'
}

/** A two-column list of names and values. */
export function fields(pairs: [string, string | undefined][]): string {
  const shown = pairs.filter((p): p is [string, string] => p[1] !== undefined)
  const width = Math.max(...shown.map(([name]) => name.length))
  return shown.map(([name, value]) => `${name.padEnd(width)}  ${value}`).join('\n') + '\n'
}

/** "12 s ago", "3 min ago", "in 2 h": how far a time is from now. */
export function relative(iso: string, now = Date.now()): string {
  const ms = Date.parse(iso) - now
  const abs = Math.abs(ms)
  const text =
    abs < 60_000
      ? `${Math.round(abs / 1000)} s`
      : abs < 3_600_000
        ? `${Math.round(abs / 60_000)} min`
        : abs < 86_400_000
          ? `${Math.round(abs / 3_600_000)} h`
          : `${Math.round(abs / 86_400_000)} d`
  return ms <= 0 ? `${text} ago` : `in ${text}`
}

/** "2026-12-01T15:33:26.624Z (12 s ago)", or undefined for no time. */
export function when(iso: string | undefined): string | undefined {
  return iso ? `${iso} (${relative(iso)})` : undefined
}

/** Cuts `text` to `max` characters, marking the cut. */
export function cut(text: string, max: number): string {
  const flat = text.replace(/\s+/g, ' ')
  return flat.length <= max ? flat : `${flat.slice(0, max - 1)}…`
}
