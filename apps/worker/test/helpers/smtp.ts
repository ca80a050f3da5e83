import { simpleParser, type ParsedMail } from 'mailparser'
import { SMTPServer } from 'smtp-server'

export interface TestSmtp {
  port: number
  url: string
  messages: ParsedMail[]
  /** resolves with the `index`-th message received (0 = the first), once it is here */
  message(index?: number): Promise<ParsedMail>
  /** with `holdReplies`: answers the DATA commands received so far (and from now on) */
  release(): void
  close(): Promise<void>
}

/**
 * A real SMTP server on 127.0.0.1 (a free port, no TLS, any or no login). With
 * `rejectRecipient` it answers RCPT TO with that code, as a real server does for an
 * unknown user (550) or a greylisted one (451). With `holdReplies` it records each
 * message but answers its DATA only on release(), so a test controls when a send ends.
 */
export async function startSmtp(
  options: { rejectRecipient?: { code: number; message: string }; holdReplies?: boolean } = {},
): Promise<TestSmtp> {
  let holding = options.holdReplies === true
  const held: (() => void)[] = []
  const messages: ParsedMail[] = []
  const waiters: { index: number; resolve: (mail: ParsedMail) => void }[] = []
  const wake = () => {
    for (const w of waiters.splice(0)) {
      const mail = messages[w.index]
      if (mail) w.resolve(mail)
      else waiters.push(w)
    }
  }
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onRcptTo(_address, _session, callback) {
      const reject = options.rejectRecipient
      if (reject === undefined) return callback()
      const err = Object.assign(new Error(reject.message), { responseCode: reject.code })
      callback(err)
    },
    onData(stream, _session, callback) {
      simpleParser(stream).then(
        (mail) => {
          messages.push(mail)
          wake()
          if (holding) held.push(() => callback())
          else callback()
        },
        (err: Error) => callback(err),
      )
    },
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => resolve())
  })
  const address = server.server.address()
  const port = typeof address === 'object' && address !== null ? address.port : 0
  return {
    port,
    url: `smtp://127.0.0.1:${port}`,
    messages,
    message(index = 0) {
      return new Promise((resolve) => {
        waiters.push({ index, resolve })
        wake()
      })
    },
    release() {
      holding = false
      for (const answer of held.splice(0)) answer()
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  }
}
