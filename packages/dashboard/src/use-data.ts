import { useCallback, useEffect, useRef, useState } from 'preact/hooks'

export interface Data<T> {
  data: T | undefined
  error: Error | undefined
  reload: () => void
}

/** Loads `load()` when `deps` change and on reload(); keeps the last data while reloading. */
export function useData<T>(load: () => Promise<T>, deps: unknown[]): Data<T> {
  const [data, setData] = useState<T | undefined>(undefined)
  const [error, setError] = useState<Error | undefined>(undefined)
  const generation = useRef(0)
  const loader = useRef(load)
  loader.current = load
  const reload = useCallback(() => {
    const mine = ++generation.current
    loader.current().then(
      (value) => {
        if (mine !== generation.current) return
        setData(value)
        setError(undefined)
      },
      (err: unknown) => {
        if (mine === generation.current)
          setError(err instanceof Error ? err : new Error(String(err)))
      },
    )
  }, [])
  useEffect(() => {
    setData(undefined)
    reload()
  }, deps)
  return { data, error, reload }
}
