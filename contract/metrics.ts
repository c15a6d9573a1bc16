import * as z from 'zod';

/** The body of `GET /metrics`. */
export const MetricsText = z.string().meta({
  description: 'Prometheus text exposition format 0.0.4: `# HELP`, `# TYPE` and one line per series.',
  example: '# HELP kataven_http_requests_total Requests answered, by route and status class.\n# TYPE kataven_http_requests_total counter\nkataven_http_requests_total{route="guest",status_class="2xx"} 42\n',
});
