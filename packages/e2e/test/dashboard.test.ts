/**
 * The dashboard at the root of the API, UI at /ui: the suite in support/dashboard-suite.ts.
 */
import { dashboardSuite } from './support/dashboard-suite.js'

dashboardSuite()
