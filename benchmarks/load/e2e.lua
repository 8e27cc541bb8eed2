-- wrk script of benchmarks/load/e2e.sh.
--   E2E_TOKENS   file of Authorization header values, one a line; unset: plain GETs (wrk's static request)
--   E2E_THREADS  wrk's -t (each thread takes every E2E_THREADS-th line, so no token is sent twice)
--   E2E_OUT      where done() writes one JSON object: rps, latency percentiles (us), errors, tokens left unused
--   E2E_COOKIE   a Cookie header value sent on every request (the session-cookie scenario)
--   E2E_TOKENS_FIRST  n > 0: only the first n requests of each thread carry a token, the rest are plain GETs (the
--                connection-bound scenario: n = the thread's connections; wrk makes each connection's first request
--                as it connects, before any response has come back, so each connection's first request has one)
local tokens_file = os.getenv("E2E_TOKENS")
local threads = {}
local next_id = 0

function setup(thread)
  thread:set("id", next_id)
  next_id = next_id + 1
  table.insert(threads, thread)
end

local cookie = os.getenv("E2E_COOKIE")
if cookie ~= nil and cookie ~= "" then
  wrk.headers["Cookie"] = cookie
end

function init(args)
  exhausted = 0
  if tokens_file == nil or tokens_file == "" then return end
  local n = tonumber(os.getenv("E2E_THREADS") or "1")
  tokens, cursor, i = {}, 1, 0
  for line in io.lines(tokens_file) do
    if i % n == id then tokens[#tokens + 1] = line end
    i = i + 1
  end
end

if tokens_file ~= nil and tokens_file ~= "" then
  function request()
    local t = tokens[cursor]
    if t == nil then
      -- Out of tokens: never repeat one (a replay cache would refuse it); stop this thread.
      exhausted = exhausted + 1
      wrk.thread:stop()
      return wrk.format("GET", "/")
    end
    tokens[cursor] = nil
    cursor = cursor + 1
    return wrk.format("GET", "/", {["Authorization"] = t})
  end

  local first = tonumber(os.getenv("E2E_TOKENS_FIRST") or "0")
  if first > 0 then
    local with_token, plain, sent = request, nil, 0
    -- wrk calls thread 0's request() once before it connects, to check the script (script_verify_request); that
    -- request is never sent, so it must not use up a connection's token.
    local verify_call = true
    function request()
      plain = plain or wrk.format("GET", "/")
      if verify_call then
        verify_call = false
        if id == 0 then return plain end
      end
      sent = sent + 1
      if sent <= first then return with_token() end
      return plain
    end
  end
end

function done(summary, latency, requests)
  local ex = 0
  for _, t in ipairs(threads) do ex = ex + (tonumber(t:get("exhausted")) or 0) end
  local e = summary.errors
  local s = string.format(
    '{"requests": %d, "duration_s": %.3f, "rps": %.1f, "mean_us": %.1f, "p50_us": %d, "p99_us": %d, ' ..
    '"p999_us": %d, "max_us": %d, "non2xx_or_3xx": %d, "connect_errors": %d, "read_errors": %d, ' ..
    '"write_errors": %d, "timeouts": %d, "requests_after_tokens_ran_out": %d}',
    summary.requests, summary.duration / 1e6, summary.requests / (summary.duration / 1e6), latency.mean,
    latency:percentile(50), latency:percentile(99), latency:percentile(99.9), latency.max,
    e.status, e.connect, e.read, e.write, e.timeout, ex)
  local out = os.getenv("E2E_OUT")
  if out then
    local f = assert(io.open(out, "w")); f:write(s, "\n"); f:close()
  else
    io.write(s, "\n")
  end
end
