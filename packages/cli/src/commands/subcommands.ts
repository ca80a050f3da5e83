import { UsageError } from '../exit-codes.js'
import type { Command } from './context.js'

/**
 * A command made of subcommands (`conveyor flow get <id>`): the first argument picks
 * one, which gets the arguments after it.
 */
export function subcommands(name: string, commands: Record<string, Command>): Command {
  const names = Object.keys(commands).join('|')
  return (ctx) => {
    const [sub, ...rest] = ctx.rest
    if (sub === undefined || sub === '') throw new UsageError(`missing <${names}> after ${name}`)
    const command = Object.hasOwn(commands, sub) ? commands[sub] : undefined
    if (!command) throw new UsageError(`unknown ${name} command "${sub}" (${names})`)
    return command({ ...ctx, rest })
  }
}
