/** One text message to send; `jobId` lets a provider name files or deduplicate. */
export interface SmsMessage {
  /** E.164 number */
  to: string
  body: string
  jobId: string
}

/**
 * Something that sends text messages. A provider throws ConveyorError.permanent for a
 * refusal a retry will not fix, and any other error for one that may pass next time.
 */
export interface SmsProvider {
  /** a name for log lines: "outbox" or "twilio" */
  readonly name: string
  send(message: SmsMessage, signal: AbortSignal): Promise<{ providerId: string }>
}
