-- wrk script of the benchmark (benchmarks/run.py): counts every response that is not
-- 2xx (wrk itself counts only status >= 400, so a redirect to the login page would pass
-- unnoticed) and prints the figures as one JSON line starting with "BENCH_RESULT ".
-- Latencies are in milliseconds.

local threads = {}

function setup(thread)
   table.insert(threads, thread)
end

function init(args)
   non_2xx = 0
   last_non_2xx = 0
end

function response(status, headers, body)
   if status < 200 or status > 299 then
      non_2xx = non_2xx + 1
      last_non_2xx = status
   end
end

function done(summary, latency, requests)
   local bad, last = 0, 0
   for _, thread in ipairs(threads) do
      bad = bad + thread:get("non_2xx")
      if thread:get("last_non_2xx") ~= 0 then
         last = thread:get("last_non_2xx")
      end
   end
   local seconds = summary.duration / 1e6
   local errors = summary.errors
   io.write(string.format(
      'BENCH_RESULT {"requests": %d, "duration_s": %.6f, "requests_per_s": %.3f, '
         .. '"median_ms": %.3f, "p95_ms": %.3f, "p99_ms": %.3f, "mean_ms": %.3f, "max_ms": %.3f, '
         .. '"non_2xx": %d, "last_non_2xx_status": %d, '
         .. '"errors": {"connect": %d, "read": %d, "write": %d, "status": %d, "timeout": %d}}\n',
      summary.requests, seconds, summary.requests / seconds,
      latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000,
      latency.mean / 1000, latency.max / 1000,
      bad, last,
      errors.connect, errors.read, errors.write, errors.status, errors.timeout))
end
