/** The drawing size of the history charts (the SVG scales to its box). */
export const W = 600
export const H = 120

/**
 * Polyline points of values spread evenly over the width, scaled to `max`; a missing
 * value (a bucket without data) is left out and the line joins its neighbours.
 */
export function line(values: (number | undefined)[], max: number): string {
  const step = values.length > 1 ? W / (values.length - 1) : W
  return values
    .flatMap((v, i) =>
      v === undefined ? [] : [`${(i * step).toFixed(1)},${(H - (v / max) * (H - 10)).toFixed(1)}`],
    )
    .join(' ')
}
