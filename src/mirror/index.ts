export {sendCanary, type CanaryResult} from './canary.js'
export {loadMirrorFlow, parseProperties, type MirrorFlow} from './flow.js'
export {mirrorStatus, type MirroredTopic} from './status.js'
