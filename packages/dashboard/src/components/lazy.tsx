import type { ComponentType } from 'preact'
import { useEffect, useState } from 'preact/hooks'
import { ErrorNote, Loading } from './notice.js'

/**
 * A screen whose code is fetched the first time it is shown, so that it adds nothing
 * to the first page load (the bundle-size test counts only what app.js imports).
 */
export function lazy<P extends object>(load: () => Promise<ComponentType<P>>): ComponentType<P> {
  let loaded: ComponentType<P> | undefined
  return function Lazy(props: P) {
    const [Screen, setScreen] = useState(() => loaded)
    const [error, setError] = useState<Error | undefined>()
    useEffect(() => {
      if (Screen) return
      load().then(
        (component) => {
          loaded = component
          setScreen(() => component)
        },
        (err: unknown) => setError(err instanceof Error ? err : new Error(String(err))),
      )
    }, [])
    if (error) return <ErrorNote error={error} />
    return Screen ? <Screen {...props} /> : <Loading />
  }
}
