-- One wrk run of the benchmark: optional POSTs to a list of paths (one path each, never twice),
-- a count of answers other than the expected status, and a JSON summary line at the end.
--   BENCH_EXPECT=200|302     the status every answer must have
--   BENCH_POST_FILE=path     a file with one path per line: POST each once (form body BENCH_POST_BODY)
local expect = tonumber(os.getenv("BENCH_EXPECT") or "200")
local post_file = os.getenv("BENCH_POST_FILE")
local body = os.getenv("BENCH_POST_BODY") or ""
local threads = {}
local paths = {}
local next_path = 1
unexpected = 0  -- globals: done() reads them from each thread
exhausted = 0

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  if post_file then
    for line in io.lines(post_file) do
      if #line > 0 then table.insert(paths, line) end
    end
  end
end

function request()
  if post_file then
    local path = paths[next_path]
    next_path = next_path + 1
    if path == nil then
      exhausted = exhausted + 1
      path = "/bench/exhausted/"
    end
    return wrk.format("POST", path, nil, body)
  end
  return wrk.format(nil)
end

function response(status, headers, resp_body)
  if status ~= expect then unexpected = unexpected + 1 end
end

function done(summary, latency, requests)
  local bad, out = 0, 0
  for _, thread in ipairs(threads) do
    bad = bad + (thread:get("unexpected") or 0)
    out = out + (thread:get("exhausted") or 0)
  end
  io.write(string.format(
    '{"requests": %d, "duration_us": %d, "p50_us": %d, "p95_us": %d, "p99_us": %d, "mean_us": %.1f, ' ..
    '"errors": {"connect": %d, "read": %d, "write": %d, "status": %d, "timeout": %d}, "unexpected": %d, "exhausted": %d}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(95), latency:percentile(99),
    latency.mean, summary.errors.connect, summary.errors.read, summary.errors.write, summary.errors.status,
    summary.errors.timeout, bad, out))
end
