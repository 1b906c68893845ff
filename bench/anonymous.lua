-- Anonymous readers for `make loadtest`: each request reads one of the pages given after
-- `--`, at random; at the end one line of JSON goes to standard output.
local pages = {}

function init(args)
  for _, page in ipairs(args) do
    pages[#pages + 1] = page
  end
end

function request()
  return wrk.format("GET", pages[math.random(#pages)])
end

function done(summary, latency, requests)
  local errors = summary.errors
  io.write(string.format(
    '{"requests": %d, "seconds": %.3f, "failures": %d, "p50": %.1f, "p95": %.1f, "p99": %.1f}\n',
    summary.requests, summary.duration / 1e6,
    errors.status + errors.connect + errors.read + errors.write + errors.timeout,
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000
  ))
end
