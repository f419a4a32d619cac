/** A mistake in the command line: exit code 2, usage on stderr. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** `watchwire serve --help`, and the serve part of the CLI usage. */
export const SERVE_USAGE_LINES = `  serve                                replay server on loopback until Ctrl-C: an API server that kubectl,
                                       the Python client and client-node accept (read-only: get, list, watch)
      --port N --host H                listen address (default a free port on 127.0.0.1)
      --events FILE                    recorded events to serve (--content-type, default json-documents)
      --pods N                         generated Pods (default 10 without --events)
      --namespaces A,B                 namespaces of the generated Pods (default default,demo)
      --kubeconfig FILE                write a kubeconfig for the server to FILE (plain http, no credentials)
      --tick-ms N                      a live MODIFIED every N ms
      --ui                             the inspector page at / (watch in each format, compare costs; ticks every 1000 ms)
      --bookmark-interval-ms N         BOOKMARK period (default 60000)
      --history-limit N                changes kept for watches and reads at old versions; older: 410 (default 100000)
      --no-watch-list                  a server without the WatchList feature: sendInitialEvents gets 422
      --continue-expire-after-ms N     continue tokens expire N ms after their first page (410 Expired)
      --continue-expire-after-pages N  the token of page N and later is expired (1: every continue gets 410)
      --drop-after-events N            faults: cut each watch mid-frame after N events
      --stall-after-events N             stall each watch after N events
      --close-after-events N             end each watch cleanly after N events (clients resume from the last version)
      --delay-ms N                       delay every event
      --status CODE [--status-times N] [--retry-after S]   answer watches with an error
      --expire                           answer every watch with ERROR 410
`;

export const SERVE_USAGE = `usage: watchwire serve [options]\n\n${SERVE_USAGE_LINES}`;

export const USAGE = `usage: watchwire <command> [options]

commands:
  decode --content-type TYPE [FILE]   decode a watch stream (FILE or stdin) to JSON lines on stdout
      --objects                        the documents are bare objects: print one object per line
      --output json|none               print events (default) or only decode them
      --max-frame-bytes N              largest frame accepted (default 16777216)
      --skip-bad-frames                skip frames that fail to decode where the format allows it
      --stats                          print {"events","bytes","seconds"} as JSON on stderr at the end
      --drop-fields PATH[,PATH]        leave these fields out of each object (e.g. metadata.managedFields)
      --keep-fields PATH[,PATH]        keep only these fields (and name, namespace, uid, resourceVersion)
      --protobuf-tier auto|table|compiled   protobuf decoder: auto (default; a long FILE starts compiled),
                                       the table interpreter (quick to warm up) or the generated decoders
  encode --content-type TYPE           read JSON events (one per line) on stdin, write TYPE on stdout
  transcode --from TYPE --to TYPE      decode then encode, streaming
  demo                                 replay server on loopback, watched in every format (npm start)
  watch URL                            watch a collection (e.g. http://127.0.0.1:8001/api/v1/pods via kubectl proxy)
      --format LIST                    formats to ask for, best first (default protobuf,cbor,json)
      --resource-version RV            start after RV (default: current objects first, as ADDED)
      --initial-events                 start with a watch-list (sendInitialEvents=true)
      --header 'Name: value'           extra request header (repeatable); --token T for a bearer token
      --timeout-seconds N              server-side timeout per connection (the client resumes)
      --stall-timeout-ms N             reconnect after N ms without bytes (default 300000)
      --max-events N                   stop after N events
      --output text|json               one line per event, or the events as JSON lines
      --quiet                          no connection signals on stderr
${SERVE_USAGE_LINES}
TYPE: json, yaml, protobuf, cbor, json-documents, or a full media type
(application/json, application/yaml, application/vnd.kubernetes.protobuf;stream=watch,
application/cbor-seq).
`;
