// One error type for "the input is wrong" (exit code 2 in the CLI, a message in
// VS Code) as opposed to a fault of ours (exit code 1). Format modules subclass
// it so messages can say which reader complained.

export class ModelError extends Error {
  constructor(
    /** The file the problem is in, as the user named it. */
    readonly file: string,
    message: string,
  ) {
    super(message);
    this.name = 'ModelError';
  }

  /** `<file>: <what is wrong>`, the form the CLI prints after `quantlab: `. */
  get line(): string {
    return `${this.file}: ${this.message}`;
  }
}

/** Bad command-line usage or options: also the user's to fix. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}
