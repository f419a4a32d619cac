/**
 * Fault injection for the replay server: what to do wrong on one request.
 * Tests build schedules from these; `watchwire serve` takes the simple ones
 * as flags.
 *
 * On a watch the frame counts mean events. On a LIST or GET (reached only
 * through a function option: a static plan applies to watches) the body is
 * one frame: `status` answers the error instead, `expire` answers 410
 * (on a continue request the "continue parameter is too old" Status with a
 * fresh token, as the API server after a compaction), `delayMs` delays the
 * answer, `stallAfterEvents` (any value) never answers (recorded with
 * status 0), and
 * `dropAfterEvents` (any value) writes `dropAtByte` bytes of the body
 * (default half) and drops the connection.
 */

export interface FaultPlan {
  /** Answer this HTTP error (a Status body) instead of the stream. */
  status?: {
    code: number;
    /** Sets `Retry-After` (seconds) on the response. */
    retryAfterSeconds?: number;
    reason?: string;
    message?: string;
    /** With a static plan: only the first N watch requests fail. Default: every one. */
    times?: number;
  };
  /** After N frames, write part of the next frame and drop the connection (mid-frame). */
  dropAfterEvents?: number;
  /** Bytes of the cut frame to write before dropping. Default: half of it (at least 1). */
  dropAtByte?: number;
  /** After N frames, send nothing more (not even bookmarks) and keep the connection open. */
  stallAfterEvents?: number;
  /** After N frames, end the response cleanly (like a server-side timeout). */
  closeAfterEvents?: number;
  /** Watch: answer 200 then one ERROR 410 Expired event, whatever resourceVersion was asked for. LIST: answer 410. */
  expire?: boolean;
  /** Wait this long before each frame. */
  delayMs?: number;
}

/** What a fault schedule sees of a request. */
export interface FaultRequest {
  /** 0 for the first watch request, 1 for the second, ... (lists and gets count separately). */
  index: number;
  kind: 'watch' | 'list' | 'get';
  url: URL;
}

/** A plan for every watch request, or a function choosing one per request. */
export type FaultOption = FaultPlan | ((request: FaultRequest) => FaultPlan | undefined);

export function resolveFault(option: FaultOption | undefined, request: FaultRequest): FaultPlan | undefined {
  if (option === undefined) return undefined;
  if (typeof option === 'function') return option(request);
  if (request.kind !== 'watch') return undefined;
  const { status, ...rest } = option;
  if (status !== undefined && (status.times === undefined || request.index < status.times)) return { ...rest, status };
  return rest;
}
