/** A mistake in the command line: exit code 2, usage on stderr. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export const USAGE = `usage: watchwire <command> [options]

commands:
  decode --content-type TYPE [FILE]   decode a watch stream (FILE or stdin) to JSON lines on stdout
      --objects                        the documents are bare objects: print one object per line
      --output json|none               print events (default) or only decode them
      --max-frame-bytes N              largest frame accepted (default 16777216)
      --skip-bad-frames                skip frames that fail to decode where the format allows it
      --stats                          print {"events","bytes","seconds"} as JSON on stderr at the end
  encode --content-type TYPE           read JSON events (one per line) on stdin, write TYPE on stdout
  transcode --from TYPE --to TYPE      decode then encode, streaming
  demo                                 decode a generated sample stream in every format

TYPE: json, yaml, protobuf, cbor, json-documents, or a full media type
(application/json, application/yaml, application/vnd.kubernetes.protobuf;stream=watch,
application/cbor-seq).
`;
