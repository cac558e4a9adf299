-- wrk script of benches/peers.sh: POSTs the JSON bodies in $BODY_FILE, one a line, in turn (with $AUTH as the
-- Authorization header when set) and counts as a failure every response that is not a 200 or
-- whose body holds "errors" (wrk alone counts a 200 with GraphQL errors as a success).
-- done() prints one line: RESULT p50_ms p99_ms requests_per_s requests failures
local bodies = {}
for line in io.lines(os.getenv("BODY_FILE")) do
  if line ~= "" then table.insert(bodies, line) end
end
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
if os.getenv("AUTH") and os.getenv("AUTH") ~= "" then
  wrk.headers["Authorization"] = os.getenv("AUTH")
end

local next_body = 0
function request()
  next_body = next_body % #bodies + 1
  return wrk.format(nil, nil, nil, bodies[next_body])
end

local threads = {}
function setup(thread)
  thread:set("failures", 0)
  table.insert(threads, thread)
end

failures = 0
sample = nil
function response(status, headers, body)
  if status ~= 200 or string.find(body, '"errors"', 1, true) then
    failures = failures + 1
    if sample == nil then sample = tostring(status) .. " " .. string.sub(body, 1, 300) end
  end
end

function done(summary, latency, requests)
  local failed = 0
  local first = nil
  for _, thread in ipairs(threads) do
    failed = failed + thread:get("failures")
    first = first or thread:get("sample")
  end
  local seconds = summary.duration / 1e6
  io.write(string.format("RESULT %.2f %.2f %.1f %d %d\n",
    latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    summary.requests / seconds, summary.requests, failed + summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
  if first then io.write("FIRST_FAILURE " .. first .. "\n") end
end
