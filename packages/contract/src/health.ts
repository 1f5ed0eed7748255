/** What `health()` reports: all is well, working with reduced function, or not working. */
export type Health = 'ok' | { readonly degraded: string } | { readonly down: string };

export type HealthStatus = 'ok' | 'degraded' | 'down';
