/** A promise that resolves after `ms`; its timer does not keep the process alive. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref())
}

/** Waits for `work` at most `ms`; it may go on in the background. */
export async function bounded(work: Promise<unknown>, ms: number): Promise<void> {
  await Promise.race([work.then(() => undefined), sleep(ms)])
}
