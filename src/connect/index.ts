export {applyConnectors, type ConnectorChange} from './apply.js'
export {connectRequest, ConnectHttpError} from './rest.js'
export {loadConnectorSpecs, parseConnectorSpec, type ConnectorSpec} from './spec.js'
export {connectStatus, restartConnector, type ConnectorStatus, type TaskStatus} from './status.js'
