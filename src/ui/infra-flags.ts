import {Flags} from '@oclif/core'

/** Flags shared by the infra commands. */
export const stateDirFlag = Flags.string({
  description: "Where the local runtime keeps data, logs and pid files (default: the profile's, else ~/.local/state/mkt; MKT_STATE_DIR).",
  helpGroup: 'RUNTIME',
})
