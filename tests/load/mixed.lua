-- vientro load test: officers reading dashboards and lists, entering money, and running exports (wrk script).
-- Of every 12 requests: 2 writes (an actual disbursement to an item whose status accepts one, a planned
-- commitment to any item; each changes the figures every dashboard shows) through
-- POST /api/v1/aid-items/{id}/flows; 2 report exports (xlsx and CSV); 8 reads: item lists (national, by
-- province, a page of the API list, a word search), one item (page and API), the province and national
-- dashboards, the organisation list.
-- Needs TOKEN (an API token of a central-staff or administrator user), IDS (a file of item ids, one per line)
-- and RECEIVING (a file of ids of items whose status accepts actual flows). At the end it prints one line,
-- "load: requests=… rps=… p50_ms=… p99_ms=… max_ms=… status_errors=… socket_errors=… timeouts=…", that
-- scripts/load-test reads.

local token = os.getenv("TOKEN")
local provinces = { "01", "04", "19", "20", "22", "24", "31", "46", "48", "79" }
local counter = 0

local function read_ids(path)
  local ids = {}
  local file = io.open(path or "", "r")
  if file then
    for line in file:lines() do
      local id = tonumber(line)
      if id then ids[#ids + 1] = id end
    end
    file:close()
  end
  return ids
end

local ids = read_ids(os.getenv("IDS"))
local receiving = read_ids(os.getenv("RECEIVING"))

local function auth()
  return { ["Authorization"] = "Bearer " .. token, ["Content-Type"] = "application/json" }
end

local function any(list)
  if #list == 0 then return 1 end
  return list[math.random(#list)]
end

request = function()
  counter = counter + 1
  local pick = counter % 12
  local id = any(ids)
  local province = provinces[math.random(#provinces)]
  if pick == 0 and #receiving > 0 then
    local body = string.format(
      '{"kind":"disbursement","stage":"actual","date":"2024-06-%02d","amount":"%d.00","currency":"USD","note":"load test"}',
      math.random(1, 28), math.random(100, 100000))
    return wrk.format("POST", "/api/v1/aid-items/" .. any(receiving) .. "/flows", auth(), body)
  elseif pick == 0 or pick == 5 then
    local body = string.format(
      '{"kind":"commitment","stage":"planned","date":"2024-06-%02d","amount":"%d.00","currency":"USD","note":"load test"}',
      math.random(1, 28), math.random(100, 100000))
    return wrk.format("POST", "/api/v1/aid-items/" .. id .. "/flows", auth(), body)
  elseif pick == 1 then
    return wrk.format("GET", "/api/v1/aid-items?province=" .. province, auth())
  elseif pick == 2 then
    return wrk.format("GET", "/api/v1/aid-items/" .. id, auth())
  elseif pick == 3 then
    return wrk.format("GET", "/reports/export?measures=committed_usd,disbursed_usd&by=province&format=xlsx", auth())
  elseif pick == 4 then
    return wrk.format("GET", "/aid-items/" .. id, auth())
  elseif pick == 6 then
    return wrk.format("GET", "/dashboard/province/" .. province .. "?year=2021", auth())
  elseif pick == 7 then
    return wrk.format("GET", "/organisations", auth())
  elseif pick == 8 then
    return wrk.format("GET", "/api/v1/aid-items?page=" .. math.random(1, 50), auth())
  elseif pick == 9 then
    return wrk.format("GET", "/aid-items?q=nuoc+sach", auth())
  elseif pick == 10 then
    return wrk.format("GET", "/reports/export?measures=committed_usd&by=donor&where=province%3D" .. province .. "&format=csv", auth())
  else
    return wrk.format("GET", "/dashboard/national", auth())
  end
end

local failures = 0
response = function(status, headers, body)
  if status >= 400 then
    failures = failures + 1
    if failures <= 5 then io.stderr:write("status " .. status .. ": " .. string.sub(body, 1, 300) .. "\n") end
  end
end

done = function(summary, latency, requests)
  local errors = summary.errors
  io.write(string.format(
    "load: requests=%d rps=%.1f p50_ms=%.1f p90_ms=%.1f p99_ms=%.1f max_ms=%.1f status_errors=%d socket_errors=%d timeouts=%d\n",
    summary.requests, summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(99) / 1000, latency.max / 1000,
    errors.status, errors.connect + errors.read + errors.write, errors.timeout))
end
