import type { Manifest } from '@hecate-om/contract';
import type { ServiceInfo } from 'nats';

/**
 * What a `$SRV.STATS` reply may hold beyond the INFO reply, at most: per endpoint its counters
 * (requests, errors, nanoseconds spent, their names), its last error and its `data` (the
 * instance's health); for the service, its start time.
 */
const STATS_PER_ENDPOINT_BYTES = 256;
const STATS_SERVICE_BYTES = 64;

const encoder = /* @__PURE__ */ new TextEncoder();

function bytesOf(value: unknown): number {
  return encoder.encode(typeof value === 'string' ? value : JSON.stringify(value)).byteLength;
}

/**
 * Why the micro service whose INFO is `info` cannot answer `$SRV.INFO` or `$SRV.STATS` on a server
 * whose `max_payload` is `maxPayload` bytes (the client refuses to publish a larger reply, so tools
 * and every other instance's discovery would get no answer, silently), naming the service, the
 * size, the limit and what to shorten; undefined when both fit. STATS is bounded from INFO, as it
 * carries no description and no endpoint metadata but grows counters.
 */
export function oversizedReply(info: ServiceInfo, manifest: Manifest, maxPayload: number): string | undefined {
  const infoBytes = bytesOf(info);
  const statsBytes = infoBytes - bytesOf(manifest.description) + STATS_SERVICE_BYTES + STATS_PER_ENDPOINT_BYTES * info.endpoints.length;
  const [verb, bytes] = infoBytes >= statsBytes ? ['INFO', infoBytes] : ['STATS', statsBytes];
  if (bytes <= maxPayload) return undefined;
  const perCapability = manifest.capabilities.length === 0 ? 0 : Math.ceil((bytes - bytesOf({ ...info, endpoints: [] })) / manifest.capabilities.length);
  return (
    `${manifest.name}@${manifest.version} cannot be advertised: its $SRV.${verb} reply would be ${bytes} bytes, over the NATS server's max_payload of ${maxPayload} bytes; ` +
    `shorten the manifest's description (${bytesOf(manifest.description)} bytes) or declare fewer capabilities (${manifest.capabilities.length}, about ${perCapability} bytes each), or raise max_payload on the server`
  );
}
