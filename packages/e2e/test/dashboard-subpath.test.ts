/**
 * The dashboard's whole main suite again, behind a reverse proxy that serves the API under
 * /conveyor, with the UI moved to /ops/ui: every screen must find the API, its chunks
 * and its event stream relative to its own address.
 */
import { dashboardSuite } from './support/dashboard-suite.js'

dashboardSuite({ prefix: '/conveyor', uiPath: '/ops/ui' })
