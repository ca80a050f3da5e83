const formatters = new Map<string, Intl.DateTimeFormat>()

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone)
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    })
    formatters.set(timeZone, f)
  }
  return f
}

const pad = (n: number, width = 2) => String(Math.abs(n)).padStart(width, '0')

/**
 * `ms` as the wall-clock time of `timeZone` with its UTC offset, RFC 3339
 * (`2026-03-29T03:00:00.000+02:00`), so that a reader sees both what the clock on the
 * wall said and the instant.
 */
export function formatInZone(ms: number, timeZone: string): string {
  const parts: Record<string, number> = {}
  for (const p of formatterFor(timeZone).formatToParts(new Date(ms))) {
    if (p.type !== 'literal') parts[p.type] = Number(p.value)
  }
  const { year = 0, month = 1, day = 1, hour = 0, minute = 0, second = 0 } = parts
  const millis = ((ms % 1000) + 1000) % 1000
  const wall = Date.UTC(year, month - 1, day, hour, minute, second, millis)
  const offsetMin = Math.round((wall - ms) / 60_000)
  const sign = offsetMin < 0 ? '-' : '+'
  const date = `${pad(year, 4)}-${pad(month)}-${pad(day)}`
  const time = `${pad(hour)}:${pad(minute)}:${pad(second)}.${pad(millis, 3)}`
  return `${date}T${time}${sign}${pad(Math.trunc(offsetMin / 60))}:${pad(offsetMin % 60)}`
}
