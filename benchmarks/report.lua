-- wrk script of the benchmark (benchmarks/run.py): prints the figures as one JSON line
-- starting with "BENCH_RESULT ". Latencies are in milliseconds.
--
-- It has no response() function: with one, wrk copies every response's body into Lua,
-- hundreds of kilobytes per overview, on the cores the server is measured on. Which
-- statuses a page answered is read from gunicorn's access log instead (wrk itself counts
-- only statuses from 400 up, so a redirect to the login page would pass unnoticed).

function done(summary, latency, requests)
   local seconds = summary.duration / 1e6
   local errors = summary.errors
   io.write(string.format(
      'BENCH_RESULT {"requests": %d, "duration_s": %.6f, "requests_per_s": %.3f, '
         .. '"median_ms": %.3f, "p95_ms": %.3f, "p99_ms": %.3f, "mean_ms": %.3f, "max_ms": %.3f, '
         .. '"errors": {"connect": %d, "read": %d, "write": %d, "status": %d, "timeout": %d}}\n',
      summary.requests, seconds, summary.requests / seconds,
      latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000,
      latency.mean / 1000, latency.max / 1000,
      errors.connect, errors.read, errors.write, errors.status, errors.timeout))
end
