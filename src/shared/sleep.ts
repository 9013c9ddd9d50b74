/** Resolves after `ms`: what node:timers/promises' setTimeout does, in the browser too. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
