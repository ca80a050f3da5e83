/** "3 s", "4 min", "2 h", "5 d": an age or duration for people. */
export function duration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return '–'
  const s = Math.round(ms / 1000)
  if (s < 60) return `${s} s`
  if (s < 3600) return `${Math.round(s / 60)} min`
  if (s < 86_400) return `${Math.round(s / 3600)} h`
  return `${Math.round(s / 86_400)} d`
}

export function ago(iso: string | undefined): string {
  return iso === undefined ? '–' : `${duration(Date.now() - Date.parse(iso))} ago`
}

export function time(iso: string | undefined): string {
  return iso === undefined ? '–' : new Date(iso).toLocaleString()
}

export function bytes(n: number): string {
  if (n < 1024) return `${n} B`
  if (n < 1024 ** 2) return `${(n / 1024).toFixed(1)} KB`
  if (n < 1024 ** 3) return `${(n / 1024 ** 2).toFixed(1)} MB`
  return `${(n / 1024 ** 3).toFixed(1)} GB`
}

export function percent(part: number, whole: number): string {
  return whole === 0 ? '–' : `${((100 * part) / whole).toFixed(1)} %`
}

/** "0.4 ms", "120 ms", "2.5 s", "3 min": a wait or run time, to two significant digits. */
export function millis(ms: number | undefined): string {
  if (ms === undefined) return '–'
  if (ms < 1000) return `${Number(ms.toPrecision(2))} ms`
  if (ms < 60_000) return `${Number((ms / 1000).toPrecision(2))} s`
  return duration(ms)
}
