export interface SseEvent {
  event: string
  data: unknown
}

/**
 * Reads a text/event-stream body event by event. `next()` resolves with the next
 * event, or null once the server has ended the stream.
 */
export function sseReader(body: ReadableStream<Uint8Array>) {
  const reader = body.pipeThrough(new TextDecoderStream()).getReader()
  let buffer = ''
  return {
    async next(): Promise<SseEvent | null> {
      for (;;) {
        const end = buffer.indexOf('\n\n')
        if (end !== -1) {
          const block = buffer.slice(0, end)
          buffer = buffer.slice(end + 2)
          const lines = block.split('\n').filter((l) => !l.startsWith(':'))
          if (lines.length === 0) continue
          const event = lines.find((l) => l.startsWith('event: '))?.slice(7) ?? 'message'
          const data = lines
            .filter((l) => l.startsWith('data: '))
            .map((l) => l.slice(6))
            .join('\n')
          return { event, data: data === '' ? null : JSON.parse(data) }
        }
        const { done, value } = await reader.read()
        if (done) return null
        buffer += value
      }
    },
    cancel: () => reader.cancel(),
  }
}
