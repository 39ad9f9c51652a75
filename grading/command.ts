/**
 * The frame the staff's commands around the grader share (`deno task assignment`,
 * `deno task grade:package`): flags parsed, `--help` answered, and each failure its exit
 * code: 2 with the usage line for a misuse, 1 with the message for anything else.
 *
 * @module
 */
import { type Flags, type FlagValues, parseFlags, usageLine } from "../cli/flags.ts";
import { UsageError } from "../kernels/errors.ts";

/**
 * The `main` of a command: runs `body` on `argv`'s flags and bare words and returns the
 * exit code.
 */
export function staffCommand<const T extends Flags>(
  command: { name: string; help: string; flags: T },
  body: (values: FlagValues<T>, positionals: string[]) => Promise<void>,
): (argv: string[]) => Promise<number> {
  return async (argv) => {
    try {
      const { values, positionals } = parseFlags(argv, command.flags, { positionals: true });
      if (values.help) {
        console.log(command.help);
        return 0;
      }
      await body(values, positionals);
      return 0;
    } catch (e) {
      if (e instanceof UsageError) {
        console.error(usageLine(command.name, e));
        return 2;
      }
      console.error(`${command.name}: ${(e as Error).message ?? e}`);
      return 1;
    }
  };
}
