-- vientro load test: mixed reads and writes over the JSON API and the pages (wrk script).
-- Reads: item lists (national, by province), one item, province and national dashboards, the organisation
-- list, a word search. Writes (1 request in 6): an actual disbursement or a planned commitment added to a random
-- item through POST /api/v1/aid-items/{id}/flows (each write changes the figures every dashboard shows).
-- Needs TOKEN (an API token of a central-staff user), ITEMS (how many items exist, ids 1..ITEMS) and RECEIVING
-- (a file of ids of items whose status accepts actual flows, one per line).

local token = os.getenv("TOKEN")
local items = tonumber(os.getenv("ITEMS") or "1000")
local provinces = { "01", "04", "19", "20", "22", "24", "31", "46", "48", "79" }
local counter = 0
local receiving = {}
local list = io.open(os.getenv("RECEIVING") or "", "r")
if list then
  for line in list:lines() do receiving[#receiving + 1] = tonumber(line) end
  list:close()
end

local function auth()
  return { ["Authorization"] = "Bearer " .. token, ["Content-Type"] = "application/json" }
end

request = function()
  counter = counter + 1
  local pick = counter % 12
  local id = math.random(1, items)
  local province = provinces[math.random(#provinces)]
  if pick == 0 or pick == 5 then
    local stage = (pick == 0) and "actual" or "planned"
    local kind = (pick == 0) and "disbursement" or "commitment"
    local body = string.format(
      '{"kind":"%s","stage":"%s","date":"2024-06-%02d","amount":"%d.00","currency":"USD","note":"load test"}',
      kind, stage, math.random(1, 28), math.random(100, 100000))
    if pick == 0 and #receiving > 0 then id = receiving[math.random(#receiving)] end
    return wrk.format("POST", "/api/v1/aid-items/" .. id .. "/flows", auth(), body)
  elseif pick == 1 then
    return wrk.format("GET", "/api/v1/aid-items?province=" .. province, auth())
  elseif pick == 2 then
    return wrk.format("GET", "/api/v1/aid-items/" .. id, auth())
  elseif pick == 3 then
    return wrk.format("GET", "/aid-items?province=" .. province, auth())
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
    return wrk.format("GET", "/dashboard/national?year=2021", auth())
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
