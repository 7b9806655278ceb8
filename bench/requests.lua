-- wrk script of the benchmark: replays a list of prepared requests and reports JSON.
--
--   wrk -t T -c C -d D -s bench/requests.lua <base url> -- <requests file> <T>
--
-- The requests file has one request per line, tab-separated:
--   METHOD  PATH  HEADER-NAME  HEADER-VALUE  BODY(JSON, may be empty)
-- Thread t of T sends lines t, t+T, t+2T, ... so no two threads send the same line (a write is
-- never sent twice unless the list is exhausted; "wrapped" counts those repeats).
-- Every status outside 200-299 counts as an error ("non2xx"); the first few are kept.

local threads = {}
local counter = 0

function setup(thread)
  thread:set("tid", counter)
  counter = counter + 1
  table.insert(threads, thread)
end

local requests = {}
local position = 0
local stride = 1
non2xx = 0
wrapped = 0
sample = ""

local function split(line)
  local fields = {}
  local start = 1
  while true do
    local tab = string.find(line, "\t", start, true)
    if tab == nil then
      table.insert(fields, string.sub(line, start))
      return fields
    end
    table.insert(fields, string.sub(line, start, tab - 1))
    start = tab + 1
  end
end

function init(args)
  local path = args[1]
  stride = tonumber(args[2]) or 1
  for line in io.lines(path) do
    if #line > 0 then
      local f = split(line)
      local headers = {}
      if f[3] ~= nil and f[3] ~= "" then
        headers[f[3]] = f[4]
      end
      local body = f[5]
      if body ~= nil and body ~= "" then
        headers["Content-Type"] = "application/json"
      else
        body = nil
      end
      table.insert(requests, wrk.format(f[1], f[2], headers, body))
    end
  end
  position = tid
end

function request()
  local index = position % #requests
  if position >= #requests then
    wrapped = wrapped + 1
  end
  position = position + stride
  return requests[index + 1]
end

function response(status, headers, body)
  if status < 200 or status > 299 then
    non2xx = non2xx + 1
    if #sample < 600 then
      sample = sample .. status .. " " .. string.sub(body or "", 1, 200) .. " | "
    end
  end
end

local function quote(text)
  text = string.gsub(text, "\\", "\\\\")
  text = string.gsub(text, "\"", "\\\"")
  text = string.gsub(text, "[%c]", " ")
  return "\"" .. text .. "\""
end

function done(summary, latency, requests_)
  local bad, repeats, samples = 0, 0, ""
  for _, thread in ipairs(threads) do
    bad = bad + (thread:get("non2xx") or 0)
    repeats = repeats + (thread:get("wrapped") or 0)
    samples = samples .. (thread:get("sample") or "")
  end
  local e = summary.errors
  io.write(string.format(
    "BENCHJSON {\"requests\": %d, \"duration_us\": %d, \"bytes\": %d, "
      .. "\"errors\": {\"connect\": %d, \"read\": %d, \"write\": %d, \"status\": %d, "
      .. "\"timeout\": %d}, \"non2xx\": %d, \"wrapped\": %d, \"sample\": %s, "
      .. "\"latency_us\": {\"mean\": %.1f, \"p50\": %d, \"p90\": %d, \"p95\": %d, "
      .. "\"p99\": %d, \"max\": %d}}\n",
    summary.requests, summary.duration, summary.bytes, e.connect, e.read, e.write, e.status,
    e.timeout, bad, repeats, quote(samples), latency.mean, latency:percentile(50),
    latency:percentile(90), latency:percentile(95), latency:percentile(99), latency.max))
end
