import { useEffect, useState } from 'preact/hooks'

export interface Route {
  /** path segments after "#/" */
  parts: string[]
  params: URLSearchParams
}

function parse(): Route {
  const hash = location.hash.replace(/^#\/?/, '')
  const [path = '', query = ''] = hash.split('?')
  return {
    parts: path
      .split('/')
      .filter((p) => p !== '')
      .map(decodeURIComponent),
    params: new URLSearchParams(query),
  }
}

/** Hash routing: the page is one file, so any path under the UI prefix serves it. */
export function useRoute(): Route {
  const [route, setRoute] = useState(parse)
  useEffect(() => {
    const update = () => setRoute(parse())
    window.addEventListener('hashchange', update)
    return () => window.removeEventListener('hashchange', update)
  }, [])
  return route
}

export function href(parts: string[], params: Record<string, string | undefined> = {}): string {
  const query = Object.entries(params)
    .filter((e): e is [string, string] => e[1] !== undefined && e[1] !== '')
    .map(([k, v]) => `${k}=${encodeURIComponent(v)}`)
    .join('&')
  return `#/${parts.map(encodeURIComponent).join('/')}${query === '' ? '' : `?${query}`}`
}

export function go(parts: string[], params: Record<string, string | undefined> = {}): void {
  location.hash = href(parts, params)
}
