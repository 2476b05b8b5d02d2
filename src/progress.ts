/** Progress of long work; the CLI renders it, tests ignore it. A leaf module, so every capability can report progress without importing another's. */
export type ProgressEvent = {type: 'start'; id: string; label: string} | {type: 'done'; id: string; detail?: string} | {type: 'note'; message: string}
export type ProgressListener = (event: ProgressEvent) => void
