import Table from 'cli-table3'
import chalk from 'chalk'

/** A bordered table on a terminal, plain aligned columns when piped. */
export function renderTable(head: string[], rows: Array<Array<string | number>>): string {
  const tty = Boolean(process.stdout.isTTY)
  const table = new Table({
    head: head.map((h) => (tty ? chalk.bold(h) : h)),
    style: {head: [], border: tty ? ['grey'] : [], compact: !tty},
    ...(tty
      ? {}
      : {
          chars: {
            top: '',
            'top-mid': '',
            'top-left': '',
            'top-right': '',
            bottom: '',
            'bottom-mid': '',
            'bottom-left': '',
            'bottom-right': '',
            left: '',
            'left-mid': '',
            mid: '',
            'mid-mid': '',
            right: '',
            'right-mid': '',
            middle: '  ',
          },
        }),
  })
  for (const row of rows) table.push(row.map(String))
  return table
    .toString()
    .split('\n')
    .map((l) => l.trimEnd())
    .join('\n')
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`
  const units = ['KiB', 'MiB', 'GiB', 'TiB']
  let value = bytes / 1024
  let unit = 0
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024
    unit++
  }
  return `${value.toFixed(value < 10 ? 1 : 0)} ${units[unit]}`
}

export function formatDuration(seconds: number): string {
  if (seconds < 60) return `${seconds}s`
  if (seconds < 3600) return `${Math.floor(seconds / 60)}m${String(seconds % 60).padStart(2, '0')}s`
  return `${Math.floor(seconds / 3600)}h${String(Math.floor((seconds % 3600) / 60)).padStart(2, '0')}m`
}

export function stateColor(state: string): string {
  if (state === 'running' || state === 'reachable' || state === 'ok') return chalk.green(state)
  if (state === 'stopped') return chalk.dim(state)
  if (state === 'frozen') return chalk.cyan(state)
  return chalk.red(state)
}

/** A price as shoppers read it: "4 999,99 ₽", or the currency code for anything but roubles. */
export function formatPrice(amount: number, currency = 'RUB', fractionDigits = 2): string {
  return `${amount.toLocaleString('ru-RU', {maximumFractionDigits: fractionDigits})} ${currency === 'RUB' ? '₽' : currency}`
}
