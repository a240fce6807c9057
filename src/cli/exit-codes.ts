/** Process exit codes, documented in the README. */
export const EXIT_OK = 0;
/** `check` found an error-level finding. */
export const EXIT_FINDINGS = 1;
/** Bad usage, or input that cannot be read at all. */
export const EXIT_USAGE = 2;
/** Problems in the input under `--strict`. */
export const EXIT_STRICT = 3;
/** A bug in k8s-ipt itself. */
export const EXIT_INTERNAL = 70;

export class CliError extends Error {
  constructor(
    message: string,
    public readonly exitCode: number,
  ) {
    super(message);
  }
}
