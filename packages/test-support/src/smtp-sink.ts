import type { AddressInfo } from 'node:net'
import { simpleParser, type ParsedMail } from 'mailparser'
import { SMTPServer } from 'smtp-server'

/** A real SMTP server on loopback that keeps every message it accepts, parsed. */
export class SmtpSink {
  readonly messages: ParsedMail[]
  /** server errors other than a client's reset connection */
  readonly errors: Error[] = []
  private readonly server: SMTPServer

  private constructor(server: SMTPServer, messages: ParsedMail[]) {
    this.server = server
    this.messages = messages
  }

  /** With `auth`, the server requires that login (over plain text: loopback only). */
  static async start(auth?: { user: string; pass: string }): Promise<SmtpSink> {
    const messages: ParsedMail[] = []
    const server = new SMTPServer({
      authOptional: auth === undefined,
      allowInsecureAuth: auth !== undefined,
      disabledCommands: ['STARTTLS'],
      logger: false,
      onAuth(login, _session, callback) {
        if (auth && login.username === auth.user && login.password === auth.pass) {
          callback(null, { user: login.username })
        } else callback(new Error('invalid login'))
      },
      onData(stream, _session, callback) {
        simpleParser(stream).then(
          (mail) => {
            messages.push(mail)
            callback()
          },
          (err: Error) => callback(err),
        )
      },
    })
    const sink = new SmtpSink(server, messages)
    // A client that dies mid-session (a SIGKILLed worker) resets its connection; the
    // server reports that as an error event, which unheard would crash the test run.
    server.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code !== 'ECONNRESET' && err.code !== 'EPIPE') sink.errors.push(err)
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    return sink
  }

  get url(): string {
    return `smtp://127.0.0.1:${this.port}`
  }

  get port(): number {
    return (this.server.server.address() as AddressInfo).port
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()))
  }
}
