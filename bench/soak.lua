-- wrk script for bench/soak.sh: each thread is one client with its own read token (the server
-- limits search, trace and exports per token) and cycles through a mix of requests: search,
-- story, article, trace. Statuses are counted per thread and summed in done().
local threads = {}
local counter = 0

function setup(thread)
  counter = counter + 1
  thread:set("id", counter)
  table.insert(threads, thread)
end

function init(args)
  token = os.getenv("SOAK_TOKEN_PREFIX") .. string.format("%02d", id)
  words = { "ministry", "statement", "security", "minister", "president", "agency", "report", "officials" }
  dofile(os.getenv("SOAK_IDS")) -- sets story_ids and articles
  n = 0
  counts = {}
end

function request()
  n = n + 1
  local h = { ["Authorization"] = "Bearer " .. token }
  local k = n % 10
  if k < 3 then
    return wrk.format("GET", "/api/search?q=" .. words[(n % #words) + 1] .. "&limit=10", h)
  elseif k < 6 then
    return wrk.format("GET", "/api/stories/" .. story_ids[(n * 7919) % #story_ids + 1], h)
  elseif k < 9 then
    return wrk.format("GET", "/api/articles/a" .. ((n * 104729) % articles + 1), h)
  else
    h["Content-Type"] = "application/json"
    return wrk.format("POST", "/api/trace", h,
      '{"text": "the ministry said in a statement that the security situation remained under control"}')
  end
end

function response(status, headers, body)
  counts[status] = (counts[status] or 0) + 1
end

function done(summary, latency, requests)
  local total = {}
  for _, t in ipairs(threads) do
    local c = t:get("counts")
    for s, v in pairs(c) do total[s] = (total[s] or 0) + v end
  end
  local parts = {}
  for s, v in pairs(total) do table.insert(parts, s .. "=" .. v) end
  table.sort(parts)
  io.write(string.format("SOAK requests=%d seconds=%.1f p50_ms=%.1f p99_ms=%.1f statuses=%s socket_errors=%d\n",
    summary.requests, summary.duration / 1e6, latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    table.concat(parts, ","), summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
