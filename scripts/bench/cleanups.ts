// Undo steps run last-in first-out, each on its own: one failing does not skip the rest.

export class Cleanups {
  readonly #steps: { name: string; run: () => Promise<void> | void }[] = [];

  constructor(private readonly log: (line: string) => void) {}

  /** `before-last` slots the step in before the one pushed last (data removed after its server stopped). */
  push(name: string, run: () => Promise<void> | void, where: 'last' | 'before-last' = 'last'): void {
    if (where === 'before-last') this.#steps.splice(Math.max(0, this.#steps.length - 1), 0, { name, run });
    else this.#steps.push({ name, run });
  }

  async runAll(): Promise<void> {
    for (let step = this.#steps.pop(); step; step = this.#steps.pop()) {
      try {
        await step.run();
      } catch (error) {
        this.log(`could not clean up ${step.name}: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
  }
}
