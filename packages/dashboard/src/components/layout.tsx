import type { ComponentChildren } from 'preact'
import { useState } from 'preact/hooks'
import { api, currentSession, setSession } from '../api.js'

const NAV: [string, string][] = [
  ['#/', 'Overview'],
  ['#/dead', 'Dead letters'],
  ['#/flows', 'Flows and batches'],
  ['#/workers', 'Workers'],
  ['#/schedules', 'Schedules'],
  ['#/audit', 'Audit log'],
]

type Theme = 'light' | 'dark'

function storedTheme(): Theme {
  const saved = localStorage.getItem('conveyor-theme')
  if (saved === 'light' || saved === 'dark') return saved
  return matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light'
}

export function applyTheme(theme: Theme = storedTheme()): void {
  document.documentElement.dataset.theme = theme
}

export function Layout({ section, children }: { section: string; children: ComponentChildren }) {
  const [theme, setTheme] = useState<Theme>(storedTheme)
  const session = currentSession()
  const toggle = () => {
    const next = theme === 'dark' ? 'light' : 'dark'
    localStorage.setItem('conveyor-theme', next)
    applyTheme(next)
    setTheme(next)
  }
  const logout = async () => {
    await api('session', { method: 'DELETE' }).catch(() => undefined)
    setSession({ authRequired: true })
    location.reload()
  }
  return (
    <>
      <a
        class="skip"
        href="#main"
        onClick={(e) => {
          e.preventDefault()
          document.getElementById('main')?.focus()
        }}
      >
        Skip to content
      </a>
      <header class="top">
        <span class="brand">Conveyor</span>
        <nav aria-label="Main">
          <ul>
            {NAV.map(([to, label]) => (
              <li key={to}>
                <a href={to} aria-current={section === to ? 'page' : undefined}>
                  {label}
                </a>
              </li>
            ))}
          </ul>
        </nav>
        <div class="tools">
          {session.authRequired && (
            <span class="who">
              {session.name} ({session.role})
            </span>
          )}
          {/* It names the theme it switches to: a label that changes takes no aria-pressed. */}
          <button type="button" onClick={toggle}>
            {theme === 'dark' ? 'Light theme' : 'Dark theme'}
          </button>
          {session.authRequired && (
            <button type="button" onClick={() => void logout()}>
              Sign out
            </button>
          )}
        </div>
      </header>
      <main id="main" tabIndex={-1}>
        {children}
      </main>
    </>
  )
}
