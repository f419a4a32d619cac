/**
 * `watchwire/server` (Node only): the replay server, an HTTP server on
 * loopback that answers LIST and WATCH like a Kubernetes API server, with
 * faults on demand.
 */
export { generatePods, startReplayServer } from './replay-server.js';
export type { ContinueExpiry, ReplayServer, ReplayServerOptions, RequestRecord, StaticFile, StaticRoutes } from './replay-server.js';
export type { FaultOption, FaultPlan, FaultRequest } from './faults.js';
export { ObjectStore } from './store.js';
export type { ChangeType, StoredEvent } from './store.js';
export { pluralOf, resourceOf } from './resources.js';
export type { ResourceInfo } from './resources.js';
export { negotiate, negotiateObject, watchContentType, objectContentType } from './negotiation.js';
export { SERVER_VERSION, discoveryAnswer } from './discovery.js';
export type { DiscoveryAnswer } from './discovery.js';
export { humanDuration, tableRequest, tableResponse, tableWatchEvents } from './table.js';
export type { Table, TableColumnDefinition, TableRequest, TableResponse, TableRow } from './table.js';
// The inspector sits above the server (its page runs the watch client); this entry keeps exporting its routes.
export { DEFAULT_INSPECTOR_BUNDLE, combineRoutes, inspectorRoutes } from '../inspector/routes.js';
export type { InspectorOptions } from '../inspector/routes.js';
