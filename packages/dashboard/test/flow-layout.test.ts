import { describe, expect, it } from 'vitest'
import { layoutFlow } from '../src/flow-layout.js'

describe('layoutFlow', () => {
  it('puts each job one layer below its deepest parent', () => {
    const layout = layoutFlow([
      { node: 'D', dependsOn: ['B', 'C'] },
      { node: 'A', dependsOn: [] },
      { node: 'B', dependsOn: ['A'] },
      { node: 'C', dependsOn: ['A'] },
      { node: 'E', dependsOn: ['A', 'D'] },
    ])
    expect(layout.layers).toEqual([['A'], ['B', 'C'], ['D'], ['E']])
    expect(layout.edges).toHaveLength(6)
    expect(layout.nodes.get('E')).toEqual({ node: 'E', layer: 3, index: 0 })
  })

  it('orders a layer by the places of its parents, so that edges cross less', () => {
    const layout = layoutFlow([
      { node: 'left', dependsOn: [] },
      { node: 'right', dependsOn: [] },
      { node: 'under-right', dependsOn: ['right'] },
      { node: 'under-left', dependsOn: ['left'] },
    ])
    expect(layout.layers[1]).toEqual(['under-left', 'under-right'])
  })

  it('leaves out edges to unknown jobs and jobs on a cycle', () => {
    const layout = layoutFlow([
      { node: 'A', dependsOn: ['ghost'] },
      { node: 'X', dependsOn: ['Y'] },
      { node: 'Y', dependsOn: ['X'] },
    ])
    expect(layout.layers).toEqual([['A']])
    expect(layout.edges).toEqual([])
  })
})
