-- wrk script of `manage.py bench`: every connection is one signed-in person.
--
-- wrk -t N -c N gives each thread one connection, so thread i speaks for the i-th line of
-- BENCH_CLIENTS: "<Cookie header> <csrf token> <match id> <type id> <interaction id>".
-- BENCH_METHOD is GET or POST; BENCH_EXPECT is the status that counts as a success (a GET
-- that answers 302 went to the sign-in page: that is a failure, not a fast page).
-- A POST logs a new session in a time slot of its own, five minutes apart from
-- BENCH_SLOT_BASE (seconds since 1970, written in local time: run wrk with TZ set to the
-- program's time zone). Each mentor's slots are their own; threads that speak for the
-- same mentor (fewer lines than threads) take turns: slot = posts so far x sharing + rank,
-- so no two posts are the same session.

local threads = {}

function setup(thread)
  thread:set("index", #threads)
  table.insert(threads, thread)
end

local function words(line)
  local found = {}
  for word in string.gmatch(line, "%S+") do
    table.insert(found, word)
  end
  return found
end

function init(args)
  local lines = {}
  for line in io.lines(os.getenv("BENCH_CLIENTS")) do
    if #line > 0 then
      table.insert(lines, line)
    end
  end
  local mine = words(lines[(index % #lines) + 1])
  rank = math.floor(index / #lines)
  cookie = string.gsub(mine[1], "|", " ")
  csrf, match_id, type_id, interaction_id = mine[2], mine[3], mine[4], mine[5]
  method = os.getenv("BENCH_METHOD") or "GET"
  path = os.getenv("BENCH_PATH")
  expect = tonumber(os.getenv("BENCH_EXPECT") or "200")
  slot_base = tonumber(os.getenv("BENCH_SLOT_BASE") or "0")
  nonce = tonumber(os.getenv("BENCH_NONCE") or "0")
  thread_count = tonumber(os.getenv("BENCH_THREADS") or "1")
  sharing = math.ceil(thread_count / #lines)
  sent, ok, bad = 0, 0, 0
end

function request()
  local headers = { ["Cookie"] = cookie }
  if method ~= "POST" then
    return wrk.format("GET", path, headers)
  end
  sent = sent + 1
  local slot = (sent - 1) * sharing + rank
  local starts_at = os.date("%Y-%m-%dT%H:%M", slot_base + slot * 300)
  local token = string.format("%08x-%04x-4000-8000-%012x", nonce, index, sent)
  local body = "csrfmiddlewaretoken=" .. csrf
    .. "&submission_token=" .. token
    .. "&match=" .. match_id
    .. "&starts_at=" .. starts_at
    .. "&attendance=met&hours=1.00"
    .. "&type_of_mentoring=" .. type_id
    .. "&interaction=" .. interaction_id
    .. "&activity=&notes=Benchmark+entry%3A+we+read+a+chapter+together."
  headers["Content-Type"] = "application/x-www-form-urlencoded"
  return wrk.format("POST", path, headers, body)
end

function response(status, headers, body)
  if status == expect then
    ok = ok + 1
  else
    bad = bad + 1
  end
end

function done(summary, latency, requests)
  local ok_total, bad_total, most_sent = 0, 0, 0
  for _, thread in ipairs(threads) do
    ok_total = ok_total + thread:get("ok")
    bad_total = bad_total + thread:get("bad")
    most_sent = math.max(most_sent, thread:get("sent"))
  end
  local errors = summary.errors
  io.write(string.format(
    'BENCH {"requests": %d, "duration_us": %d, "p50_us": %d, "p90_us": %d, "p99_us": %d, '
      .. '"max_us": %d, "mean_us": %.1f, "ok": %d, "bad": %d, "socket_errors": %d, "most_sent": %d}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(90),
    latency:percentile(99), latency.max, latency.mean, ok_total, bad_total,
    errors.connect + errors.read + errors.write + errors.timeout, most_sent
  ))
end
